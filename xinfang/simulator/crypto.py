"""Signing and encryption of callbacks, exactly as WeChat does it.

Three modes, as chosen on the WeChat console:

- plain: body in clear; ``signature = sha1(sorted(token, timestamp, nonce))``;
- compatible: the clear fields plus an ``Encrypt`` field, ``encrypt_type=aes``
  and ``msg_signature``; the account may answer in clear or encrypted;
- safe: the body is only ToUserName and ``Encrypt``; answers must be
  encrypted.

Every callback also carries ``openid`` in the query, as WeChat sends it.
The AES part is wechatpy's PrpCrypto, so the result is what a wechatpy-based
gateway decrypts.
"""

import hashlib
import random
import time

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from .messages import parse_xml, render_xml

PLAIN, COMPATIBLE, SAFE = "plain", "compatible", "safe"
MODES = (PLAIN, COMPATIBLE, SAFE)


class InvalidReply(Exception):
    """The gateway's passive reply is one WeChat would not deliver."""


def signature(token: str, *parts: str) -> str:
    return hashlib.sha1("".join(sorted([token, *parts])).encode()).hexdigest()


def new_nonce() -> str:
    # WeChat's nonces are decimal digits.
    return str(random.randint(10**8, 10**10))


class CallbackSigner:
    """Turns a message into the query and body WeChat would post."""

    def __init__(self, token: str, appid: str | None = None, aes_key: str | None = None,
                 mode: str | None = None):
        mode = mode or (SAFE if aes_key else PLAIN)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if mode != PLAIN and not (aes_key and appid):
            raise ValueError(f"{mode} mode needs aes_key and appid")
        self.token = token
        self.appid = appid
        self.mode = mode
        self._crypto = WeChatCrypto(token, aes_key, appid) if mode != PLAIN else None

    def sign(self, xml: str, *, timestamp: str | None = None,
             nonce: str | None = None) -> tuple[dict, bytes]:
        """(query params, body bytes) of a callback carrying the message ``xml``."""
        fields = parse_xml(xml)
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or new_nonce()
        params = {
            "signature": signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": fields["FromUserName"],
        }
        if self.mode == PLAIN:
            return params, xml.encode()
        encrypted = PrpCrypto(self._crypto.key).encrypt(xml, self.appid).decode()
        if self.mode == SAFE:
            body = render_xml({"ToUserName": fields["ToUserName"], "Encrypt": encrypted})
        else:
            # Compatible mode keeps the clear message and adds the Encrypt field.
            body = (xml[:xml.rindex("</xml>")]
                    + f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        params["encrypt_type"] = "aes"
        params["msg_signature"] = signature(self.token, timestamp, nonce, encrypted)
        return params, body.encode()

    def verify_params(self, echostr: str) -> dict:
        """Query of the GET by which WeChat checks the server URL."""
        timestamp, nonce = str(int(time.time())), new_nonce()
        return {
            "signature": signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": echostr,
        }

    def open_reply(self, body: bytes) -> dict | None:
        """Fields of a passive reply; None for "success" or an empty answer."""
        text = body.decode("utf-8").strip()
        if text in ("", "success"):
            return None
        try:
            fields = parse_xml(text)
        except Exception as exc:  # expat and xmltodict raise several kinds
            raise InvalidReply(f"reply is not WeChat XML: {exc}") from None
        if "Encrypt" in fields:
            return self._decrypt(fields)
        if self.mode == SAFE:
            raise InvalidReply("safe mode: the reply must be encrypted")
        return fields

    def _decrypt(self, envelope: dict) -> dict:
        if self._crypto is None:
            raise InvalidReply("plain mode: encrypted reply cannot be read")
        try:
            xml = self._crypto.decrypt_message(
                envelope, envelope.get("MsgSignature"), envelope.get("TimeStamp"),
                envelope.get("Nonce"))
        except InvalidSignatureException:
            raise InvalidReply("reply MsgSignature does not match") from None
        except InvalidAppIdException:
            raise InvalidReply("reply encrypted for another appid") from None
        except Exception as exc:  # bad base64, padding, lengths
            raise InvalidReply(f"reply cannot be decrypted: {exc}") from None
        return parse_xml(xml)
