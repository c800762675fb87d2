"""GET/POST /wechat: the WeChat callback (plain, compatible and safe mode).

Check the request, store the message, answer within WeChat's 5 seconds.
The protocol is in bot.callback, the conversation in bot.conversation.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from redis.exceptions import RedisError
from sqlalchemy import select

from .. import runtime
from ..bot import callback, conversation, inbox
from ..models import InboundMessage
from ..requestctx import calendar, db, settings

log = logging.getLogger(__name__)

bp = Blueprint("wechat", __name__)

# A nonce seen inside the timestamp window marks a replayed request (a little longer than the window).
NONCE_SECONDS = 2 * callback.MAX_CLOCK_SKEW_SECONDS


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
    session = db()
    replayed = _replay_of(request.args, message.external_id)
    if replayed is not None:
        stored = session.scalar(select(InboundMessage).where(
            InboundMessage.channel == "wechat", InboundMessage.external_id == replayed))
        return _answer(s, message, stored.answer if stored is not None else "")
    # A new message is flushed, not committed: answer_now commits it with its answer, in one
    # transaction, or alone (pending, for the queue) when the step fails; before the reply either way.
    stored, fresh = inbox.receive(session, channel="wechat", external_id=message.external_id,
                                  sender=message.sender, msg_type=message.msg_type, raw=message.xml,
                                  payload=message.fields, commit=False)
    answer = conversation.answer_now(session, calendar(), runtime.current().redis, stored, fresh=fresh,
                                     uncommitted=fresh)
    return _answer(s, message, answer)


def _answer(s, message: callback.Callback, answer: str | None) -> Response:
    body = callback.reply(s, request.args, message, answer or "")
    return Response(body, mimetype="application/xml" if body != "success" else "text/plain")


def _replay_of(args, external_id: str) -> str | None:
    """The message a replayed (timestamp, nonce) first carried; None for a first sight.

    Without Redis the check is skipped: the MsgId still makes a replay change nothing.
    """
    key = f"xinfang:wechat:nonce:{args['timestamp']}:{args['nonce']}"
    try:
        # SET NX and the GET in one round trip: the GET reads our own value on a first sight.
        pipe = runtime.current().redis.pipeline(transaction=False)
        pipe.set(key, external_id, nx=True, ex=NONCE_SECONDS)
        pipe.get(key)
        created, first = pipe.execute()
        if created:
            return None
    except (RedisError, OSError):
        return None
    return first.decode() if first else None
