"""GET/POST /wechat: the WeChat callback (plain, compatible and safe mode).

Check the request, store the message, answer within WeChat's 5 seconds.
The protocol is in bot.callback, the conversation in bot.conversation.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from .. import runtime
from ..bot import callback, conversation, inbox
from ..requestctx import calendar, db, settings

log = logging.getLogger(__name__)

bp = Blueprint("wechat", __name__)


def _refuse(error: callback.CallbackError) -> Response:
    log.info("wechat callback refused (%s): %s", error.status, error.reason)
    return Response(error.reason, status=error.status, mimetype="text/plain")


@bp.get("/wechat")
def verify_url():
    """WeChat checks the server URL: echo echostr back when the signature holds."""
    try:
        callback.verify(settings(), request.args)
    except callback.CallbackError as error:
        return _refuse(error)
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/wechat")
def receive():
    s = settings()
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
    replay_key = f"xinfang:wechat:nonce:{request.args['timestamp']}:{request.args['nonce']}"
    answer = conversation.answer_now(db(), calendar(), runtime.current().redis, stored, replay_key=replay_key)
    return _answer(s, message, answer)


def _answer(s, message: callback.Callback, answer: str | None) -> Response:
    body = callback.reply(s, request.args, message, answer or "")
    return Response(body, mimetype="application/xml" if body != "success" else "text/plain")
