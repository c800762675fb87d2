"""The WeChat callback protocol: check a request, open its body, read its fields, seal a reply.

Pure functions over bytes and query arguments (wechatpy's signing and AES),
so the HTTP handler stays thin. Every refusal is a CallbackError carrying
the HTTP status: 403 for anything not provably from WeChat, 400 for a body
WeChat would never send.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from xml.parsers import expat

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from ..config import Settings

# WeChat signs with the current time; older (or future) requests are replays or forgeries.
MAX_CLOCK_SKEW_SECONDS = 300
MAX_SENDER_CHARS = 64
MAX_EXTERNAL_ID_CHARS = 80
REQUIRED = ("ToUserName", "FromUserName", "CreateTime", "MsgType")


class CallbackError(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Callback:
    fields: dict  # every field of the message, as strings
    xml: str  # the message as WeChat wrote it (decrypted in safe mode)
    encrypted: bool

    @property
    def sender(self) -> str:
        return self.fields["FromUserName"]

    @property
    def msg_type(self) -> str:
        return self.fields["MsgType"]

    @property
    def external_id(self) -> str:
        """MsgId for messages; events have none: sender + CreateTime, and which event it was
        (two menu clicks within one second are two events, a retry repeats all of it)."""
        if self.msg_type != "event":
            return self.fields["MsgId"]
        what = ":".join(v for v in (self.fields.get("Event"), self.fields.get("EventKey")) if v)
        if len(what) > 32:
            what = hashlib.sha1(what.encode()).hexdigest()[:16]
        return f"{self.sender}:{self.fields['CreateTime']}:{what}"


def verify(settings: Settings, args, now: float | None = None) -> None:
    """The query signature and its timestamp; CallbackError(403) otherwise."""
    signature, timestamp, nonce = args.get("signature"), args.get("timestamp"), args.get("nonce")
    if not (signature and timestamp and nonce):
        raise CallbackError(403, "missing signature")
    try:
        check_signature(settings.wechat_token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise CallbackError(403, "bad signature") from None
    try:
        skew = abs((now or time.time()) - int(timestamp))
    except ValueError:
        raise CallbackError(403, "bad timestamp") from None
    if skew > MAX_CLOCK_SKEW_SECONDS:
        raise CallbackError(403, "stale timestamp")


def open_body(settings: Settings, args, body: bytes) -> Callback:
    """Decrypt (safe and compatible mode) and parse the body; CallbackError on anything wrong."""
    text = _utf8(body)
    encrypted = settings.wechat_aes_key is not None
    if encrypted:
        # With an EncodingAESKey set the account runs in safe mode: only sealed bodies count.
        if args.get("encrypt_type") != "aes" or not args.get("msg_signature"):
            raise CallbackError(403, "unencrypted callback in safe mode")
        envelope = _xml(text)
        if not isinstance(envelope.get("Encrypt"), str):
            raise CallbackError(400, "no Encrypt field")
        try:
            text = _crypto(settings).decrypt_message(envelope, args["msg_signature"], args["timestamp"],
                                                     args["nonce"])
        except InvalidSignatureException:
            raise CallbackError(403, "bad msg_signature") from None
        except InvalidAppIdException:
            raise CallbackError(403, "encrypted for another appid") from None
        except Exception:  # bad base64, padding, lengths: not something WeChat sent
            raise CallbackError(400, "cannot decrypt") from None
        if isinstance(text, bytes):
            text = _utf8(text)
    fields = _xml(text)
    for name in REQUIRED:
        if not isinstance(fields.get(name), str) or not fields[name]:
            raise CallbackError(400, f"missing {name}")
    if not fields["CreateTime"].isdigit():
        raise CallbackError(400, "bad CreateTime")
    if len(fields["FromUserName"]) > MAX_SENDER_CHARS:
        raise CallbackError(400, "bad FromUserName")
    callback = Callback({k: v for k, v in fields.items() if k != "Encrypt"}, text, encrypted)
    if callback.msg_type != "event" and not (fields.get("MsgId") or "").isdigit():
        raise CallbackError(400, "missing MsgId")
    if len(callback.external_id) > MAX_EXTERNAL_ID_CHARS:
        raise CallbackError(400, "bad message id")
    return callback


def reply(settings: Settings, args, callback: Callback, answer: str) -> str:
    """The passive reply: a text message, sealed like the request; "success" when there is nothing to say."""
    if not answer:
        return "success"
    xml = TextReply(source=callback.fields["ToUserName"], target=callback.sender, content=answer).render()
    if callback.encrypted:
        return _crypto(settings).encrypt_message(xml, args["nonce"], args["timestamp"])
    return xml


def _crypto(settings: Settings) -> WeChatCrypto:
    return WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise CallbackError(400, "body is not UTF-8") from None


def _xml(text: str) -> dict:
    """The <xml> element's children as a flat dict of strings, stripped of surrounding whitespace.

    A document type, and with it any entity declaration, is refused: WeChat sends none, and entities
    are how XML bombs start. Read with expat's own callbacks (a WeChat message is a handful of flat
    fields; a general XML-to-dict reader cost the callback three times as much).
    """
    fields: dict[str, str] = {}
    path: list[str] = []
    chunks: list[str] = []

    def start(name, attributes):
        if path and (len(path) > 1 or attributes or name in fields):
            raise CallbackError(400, f"unexpected structure in {path[-1] if len(path) > 1 else name}")
        if not path and name != "xml":
            raise CallbackError(400, "not a WeChat message")
        path.append(name)
        chunks.clear()

    def end(name):
        path.pop()
        if path:
            fields[name] = "".join(chunks).strip()
        chunks.clear()

    def doctype(*_):
        raise CallbackError(400, "malformed XML")

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chunks.append
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(text, True)
    except expat.ExpatError:
        raise CallbackError(400, "malformed XML") from None
    return fields
