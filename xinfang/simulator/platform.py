"""The WeChat side of the callback: builds, signs and posts messages to the
gateway, retrying as WeChat does, and reads the passive reply.

WeChat waits 5 seconds for an answer; on a timeout, a refused connection or
a non-200 answer it sends the same message again, up to 3 more times. Each
attempt carries the same XML (same MsgId, same CreateTime) under a fresh
timestamp, nonce and signature, so a gateway must deduplicate by MsgId (or
FromUserName + CreateTime for events), not by request.

Used directly by tests and benchmarks, and by the simulator app behind its
chat page. Given a SimulatorState, it records what users send, which is what
the fake API needs for the 48-hour window and for unsubscribed users.
"""

import secrets
from dataclasses import dataclass, field

from . import messages
from .crypto import CallbackSigner, InvalidReply
from .settings import DEFAULT_ACCOUNT_ID
from .state import SimulatorState
from .transport import HttpTransport, Transport


@dataclass(frozen=True)
class Reply:
    """What the user's phone gets back for one message."""

    # MsgType of the passive reply; "success" when the gateway answered
    # "success" or nothing; "failed" when WeChat gave up on the gateway.
    kind: str
    # Content of a text reply; "success" for kind "success"; else None.
    content: str | None
    fields: dict = field(default_factory=dict)  # every field of the reply
    message: dict = field(default_factory=dict)  # the message that was sent
    attempts: int = 1
    status: int | None = None  # HTTP status of the last attempt
    error: str | None = None  # why the last attempt failed

    @property
    def ok(self) -> bool:
        return self.kind != "failed"


class WeChatPlatform:
    def __init__(self, gateway_url: str, token: str, appid: str | None = None,
                 aes_key: str | None = None, timeout: float = 5.0, retries: int = 3, *,
                 mode: str | None = None, account_id: str = DEFAULT_ACCOUNT_ID,
                 transport: Transport | None = None, state: SimulatorState | None = None):
        self.signer = CallbackSigner(token, appid, aes_key, mode)
        self.account_id = account_id
        self.timeout = timeout
        self.retries = retries
        self.transport = transport or HttpTransport(gateway_url)
        self.state = state

    # -- the messages a user sends -------------------------------------

    def send_text(self, openid: str, text: str, **kwargs) -> Reply:
        return self.deliver(messages.text_message(self.account_id, openid, text, **kwargs))

    def send_voice(self, openid: str, recognition: str | None = None,
                   media_id: str | None = None, **kwargs) -> Reply:
        return self.deliver(messages.voice_message(
            self.account_id, openid, media_id or _media_id(), recognition=recognition, **kwargs))

    def send_image(self, openid: str, pic_url: str | None = None,
                   media_id: str | None = None, **kwargs) -> Reply:
        media_id = media_id or _media_id()
        pic_url = pic_url or f"http://mmbiz.qpic.cn/mmbiz_jpg/{media_id}/0"
        return self.deliver(messages.image_message(
            self.account_id, openid, pic_url, media_id, **kwargs))

    def send_file(self, openid: str, title: str, **kwargs) -> Reply:
        return self.deliver(messages.file_message(self.account_id, openid, title, **kwargs))

    def send_location(self, openid: str, latitude: float, longitude: float, *,
                      scale: int = 15, label: str = "", **kwargs) -> Reply:
        return self.deliver(messages.location_message(
            self.account_id, openid, latitude, longitude, scale=scale, label=label, **kwargs))

    def send_event(self, openid: str, event: str, **fields) -> Reply:
        """E.g. send_event(openid, "CLICK", EventKey=MENU_REPORT)."""
        return self.deliver(messages.event_message(self.account_id, openid, event, **fields))

    # -- lower level ----------------------------------------------------

    def deliver(self, message: dict) -> Reply:
        """Post a message as the user sent it. With a state attached, the
        message and its reply go into the chat, and an unsubscribed user
        raises NotFollowing."""
        if self.state is not None:
            self.state.record_inbound(message)
        reply = self.post(messages.render_xml(message))
        if self.state is not None:
            self.state.record_chat(message["FromUserName"], "reply", {
                "kind": reply.kind, "content": reply.content, "fields": reply.fields})
        return Reply(reply.kind, reply.content, reply.fields, message, reply.attempts,
                     reply.status, reply.error)

    def build_callback(self, xml_body: str, *, timestamp: str | None = None,
                       nonce: str | None = None) -> tuple[dict, bytes]:
        """(query params, body bytes) that WeChat would POST for this XML."""
        return self.signer.sign(xml_body, timestamp=timestamp, nonce=nonce)

    def post(self, xml_body: str) -> Reply:
        """POST one message, retrying like WeChat, and read the reply."""
        for attempt in range(1, self.retries + 2):
            params, body = self.build_callback(xml_body)
            try:
                status, answer = self.transport("POST", params, body, self.timeout)
            except TimeoutError:
                status, error = None, f"no answer within {self.timeout:g} s"
                continue
            except ConnectionError as exc:
                status, error = None, f"cannot connect: {exc}"
                continue
            if status != 200:
                error = f"HTTP {status}"
                continue
            return self._read_reply(answer, attempt, status)
        return Reply("failed", None, attempts=attempt, status=status, error=error)

    def _read_reply(self, answer: bytes, attempts: int, status: int) -> Reply:
        # A bad reply is not retried: WeChat shows the user an error at once.
        try:
            fields = self.signer.open_reply(answer)
        except (InvalidReply, UnicodeDecodeError) as exc:
            return Reply("failed", None, attempts=attempts, status=status, error=str(exc))
        if fields is None:
            return Reply("success", "success", attempts=attempts, status=status)
        return Reply(fields.get("MsgType", ""), fields.get("Content"), fields,
                     attempts=attempts, status=status)

    def verify_url(self, echostr: str | None = None) -> bool:
        """The GET with echostr WeChat makes when the server URL is saved."""
        echostr = echostr or str(secrets.randbits(63))
        try:
            status, answer = self.transport(
                "GET", self.signer.verify_params(echostr), None, self.timeout)
        except (TimeoutError, ConnectionError):
            return False
        return status == 200 and answer.decode("utf-8", "replace").strip() == echostr


def _media_id() -> str:
    return secrets.token_urlsafe(48)
