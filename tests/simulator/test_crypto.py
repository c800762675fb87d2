"""Callbacks are signed and encrypted so that wechatpy, as the gateway uses
it, accepts them; passive replies are opened as WeChat would."""

import pytest
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from xinfang.simulator import messages
from xinfang.simulator.crypto import CallbackSigner, InvalidReply

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"


def text_xml(content="我要反映噪音扰民"):
    return messages.render_xml(messages.text_message("gh_6a78f0c1d2e3", OPENID, content))


def test_plain_mode_signature_and_body(account):
    xml = text_xml()
    params, body = CallbackSigner(account.token).sign(xml)
    check_signature(account.token, params["signature"], params["timestamp"], params["nonce"])
    assert params["openid"] == OPENID
    assert "encrypt_type" not in params and "msg_signature" not in params
    assert body == xml.encode()
    assert parse_message(body).content == "我要反映噪音扰民"


def test_plain_signature_fails_for_another_token(account):
    params, _ = CallbackSigner(account.token).sign(text_xml())
    with pytest.raises(InvalidSignatureException):
        check_signature("other-token", params["signature"], params["timestamp"], params["nonce"])


def test_safe_mode_envelope_decrypts_with_wechatpy(account):
    signer = CallbackSigner(account.token, account.appid, account.aes_key)
    assert signer.mode == "safe"
    params, body = signer.sign(text_xml())
    assert params["encrypt_type"] == "aes" and params["openid"] == OPENID
    check_signature(account.token, params["signature"], params["timestamp"], params["nonce"])
    envelope = messages.parse_xml(body)
    assert set(envelope) == {"ToUserName", "Encrypt"}
    crypto = WeChatCrypto(account.token, account.aes_key, account.appid)
    plain = crypto.decrypt_message(body, params["msg_signature"], params["timestamp"],
                                   params["nonce"])
    assert parse_message(plain).content == "我要反映噪音扰民"


def test_safe_mode_msg_signature_covers_the_ciphertext(account):
    params, body = CallbackSigner(account.token, account.appid, account.aes_key).sign(text_xml())
    crypto = WeChatCrypto(account.token, account.aes_key, account.appid)
    with pytest.raises(InvalidSignatureException):
        crypto.decrypt_message(body, params["signature"], params["timestamp"], params["nonce"])


def test_compatible_mode_has_clear_fields_and_encrypt(account):
    signer = CallbackSigner(account.token, account.appid, account.aes_key, mode="compatible")
    params, body = signer.sign(text_xml())
    fields = messages.parse_xml(body)
    assert fields["Content"] == "我要反映噪音扰民" and fields["Encrypt"]
    crypto = WeChatCrypto(account.token, account.aes_key, account.appid)
    plain = crypto.decrypt_message(body, params["msg_signature"], params["timestamp"],
                                   params["nonce"])
    assert parse_message(plain).content == "我要反映噪音扰民"


def test_modes_need_a_key():
    with pytest.raises(ValueError):
        CallbackSigner("t", mode="safe")
    with pytest.raises(ValueError):
        CallbackSigner("t", mode="cleartext")


def test_open_encrypted_reply(account):
    signer = CallbackSigner(account.token, account.appid, account.aes_key)
    crypto = WeChatCrypto(account.token, account.aes_key, account.appid)
    reply = "<xml><ToUserName><![CDATA[o1]]></ToUserName><MsgType><![CDATA[text]]></MsgType>" \
            "<Content><![CDATA[已收到]]></Content></xml>"
    fields = signer.open_reply(crypto.encrypt_message(reply, "123456").encode())
    assert fields["Content"] == "已收到"


def test_reject_bad_replies(account):
    safe = CallbackSigner(account.token, account.appid, account.aes_key)
    clear = "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[x]]></Content></xml>"
    with pytest.raises(InvalidReply):
        safe.open_reply(clear.encode())  # safe mode: must be encrypted
    wrong_token = WeChatCrypto("other-token", account.aes_key, account.appid)
    with pytest.raises(InvalidReply):
        safe.open_reply(wrong_token.encrypt_message(clear, "1").encode())
    with pytest.raises(InvalidReply):
        CallbackSigner(account.token).open_reply(b"<html>oops")
    assert CallbackSigner(account.token).open_reply(b"success") is None
    assert safe.open_reply(b"") is None


def test_url_verification_params(account):
    params = CallbackSigner(account.token).verify_params("echo-123")
    check_signature(account.token, params["signature"], params["timestamp"], params["nonce"])
    assert params["echostr"] == "echo-123"
