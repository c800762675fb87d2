"""GET/POST /wechat: the WeChat callback (plain, compatible and safe mode).

Check the request, store the message, answer within WeChat's 5 seconds.
The protocol is in bot.callback, the conversation in bot.conversation; a
message the database cannot take is kept on disk (bot.spool).

Served as plain WSGI in front of Flask's dispatch: the callback needs no request
context, cookie session or page hooks, and it is the busiest route (Werkzeug's
request and response objects alone cost a twentieth of its time).
"""
from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import parse_qsl

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wsgi import get_content_length, get_input_stream

from .. import runtime
from ..bot import callback, conversation, inbox, texts

log = logging.getLogger(__name__)

PATH = "/wechat"


def serve_callback(app_wsgi):
    """The WSGI app that answers /wechat itself and passes every other path to `app_wsgi`."""

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return app_wsgi(environ, start_response)
        status, content_type, body, *headers = _handle(environ)
        start_response(status, [("Content-Type", f"{content_type}; charset=utf-8"),
                                ("Content-Length", str(len(body))), *headers])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    return wsgi


def _handle(environ) -> tuple:
    """(status, content type, body bytes, extra headers…) for one request to /wechat."""
    method = environ.get("REQUEST_METHOD")
    args = _query_args(environ)
    if method in ("GET", "HEAD"):
        status, content_type, text = verify_url(args)
        return status, content_type, text.encode()
    if method == "POST":
        rt = runtime.current()
        with rt.CallbackSession() as session:
            status, content_type, text = receive(environ, args, rt, session)
        return status, content_type, text.encode()
    return _status(405), "text/plain", b"method not allowed", ("Allow", "GET, HEAD, POST")


def _query_args(environ) -> dict:
    # Of a repeated parameter the first counts, as in Werkzeug's request.args.
    args = {}
    for name, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
        args.setdefault(name, value)
    return args


def _status(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def _refuse(error: callback.CallbackError) -> tuple:
    log.info("wechat callback refused (%s): %s", error.status, error.reason)
    return _status(error.status), "text/plain", error.reason


def verify_url(args: dict) -> tuple:
    """WeChat checks the server URL: echo echostr back when the signature holds."""
    try:
        callback.verify(runtime.current().settings, args)
    except callback.CallbackError as error:
        return _refuse(error)
    return _status(200), "text/plain", args.get("echostr", "")


def receive(environ, args: dict, rt, session) -> tuple:
    s = rt.settings
    too_large = (_status(413), "text/plain", "too large")
    if (get_content_length(environ) or 0) > s.max_body_bytes:
        return too_large
    try:
        callback.verify(s, args)
        body = get_input_stream(environ).read(s.max_body_bytes + 1)
        if len(body) > s.max_body_bytes:
            return too_large
        message = callback.open_body(s, args, body)
    except callback.CallbackError as error:
        return _refuse(error)
    stored = inbox.new_message(channel="wechat", external_id=message.external_id, sender=message.sender,
                               msg_type=message.msg_type, raw=message.xml, payload=message.fields)
    fields = conversation.stored_fields(stored)
    replay_key = f"xinfang:wechat:nonce:{args['timestamp']}:{args['nonce']}"
    try:
        # Messages kept while the database was away go first: a citizen's answers keep their order.
        rt.spool.import_due()
        answer = conversation.answer_now(session, rt.calendar, rt.redis, stored, replay_key=replay_key)
    except SQLAlchemyError as exc:
        # The database cannot take the message: kept on disk until it can (DESIGN §7).
        log.warning("message %s kept on disk, the database failed: %s", message.external_id, exc)
        rt.spool.keep(fields)
        answer = texts.HOLDING if message.msg_type != "event" else ""
    body = callback.reply(s, args, message, answer or "")
    return _status(200), "application/xml" if body != "success" else "text/plain", body
