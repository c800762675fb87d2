"""GET/POST /wechat: the WeChat callback (plain, compatible and safe mode).

Check the request, store the message, answer within WeChat's 5 seconds.
The protocol is in bot.callback, the conversation in bot.conversation; a
message the database cannot take is kept on disk (bot.spool).

Served as WSGI in front of Flask's dispatch: the callback needs no request
context, cookie session or page hooks, and it is the busiest route.
"""
from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Request, Response

from .. import runtime
from ..bot import callback, conversation, inbox, texts

log = logging.getLogger(__name__)

PATH = "/wechat"


def serve_callback(app_wsgi):
    """The WSGI app that answers /wechat itself and passes every other path to `app_wsgi`."""

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return app_wsgi(environ, start_response)
        return _handle(Request(environ))(environ, start_response)

    return wsgi


def _handle(request: Request) -> Response:
    if request.method in ("GET", "HEAD"):
        return verify_url(request)
    if request.method == "POST":
        rt = runtime.current()
        with rt.CallbackSession() as session:
            return receive(request, rt, session)
    return Response("method not allowed", status=405, mimetype="text/plain", headers={"Allow": "GET, HEAD, POST"})


def _refuse(error: callback.CallbackError) -> Response:
    log.info("wechat callback refused (%s): %s", error.status, error.reason)
    return Response(error.reason, status=error.status, mimetype="text/plain")


def verify_url(request: Request) -> Response:
    """WeChat checks the server URL: echo echostr back when the signature holds."""
    try:
        callback.verify(runtime.current().settings, request.args)
    except callback.CallbackError as error:
        return _refuse(error)
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


def receive(request: Request, rt, session) -> Response:
    s = rt.settings
    if (request.content_length or 0) > s.max_body_bytes:
        return Response("too large", status=413, mimetype="text/plain")
    try:
        callback.verify(s, request.args)
        body = request.stream.read(s.max_body_bytes + 1)
        if len(body) > s.max_body_bytes:
            return Response("too large", status=413, mimetype="text/plain")
        message = callback.open_body(s, request.args, body)
    except callback.CallbackError as error:
        return _refuse(error)
    stored = inbox.new_message(channel="wechat", external_id=message.external_id, sender=message.sender,
                               msg_type=message.msg_type, raw=message.xml, payload=message.fields)
    fields = conversation.stored_fields(stored)
    replay_key = f"xinfang:wechat:nonce:{request.args['timestamp']}:{request.args['nonce']}"
    try:
        # Messages kept while the database was away go first: a citizen's answers keep their order.
        rt.spool.import_due()
        answer = conversation.answer_now(session, rt.calendar, rt.redis, stored, replay_key=replay_key)
    except SQLAlchemyError as exc:
        # The database cannot take the message: kept on disk until it can (DESIGN §7).
        log.warning("message %s kept on disk, the database failed: %s", message.external_id, exc)
        rt.spool.keep(fields)
        answer = texts.HOLDING if message.msg_type != "event" else ""
    body = callback.reply(s, request.args, message, answer or "")
    return Response(body, mimetype="application/xml" if body != "success" else "text/plain")
