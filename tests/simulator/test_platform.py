"""The client side of the callback against a stub gateway over real HTTP:
passive replies, WeChat's timeout and retries, URL verification."""

from xinfang.simulator.constants import MENU_TRACK
from xinfang.simulator.platform import WeChatPlatform
from xinfang.simulator.transport import flask_transport

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"


def platform_for(stub, account, **kwargs):
    return WeChatPlatform(stub.url, account.token, account.appid, timeout=0.5, **kwargs)


def test_text_gets_the_passive_reply(gateway, account):
    reply = platform_for(gateway, account).send_text(OPENID, "你好")
    assert reply.ok and reply.kind == "text" and reply.content == "收到：你好"
    assert reply.attempts == 1 and reply.status == 200
    assert reply.fields["ToUserName"] == OPENID
    args, message = gateway.requests[0]
    assert args["openid"] == OPENID
    assert message.id == reply.message["MsgId"]


def test_safe_mode_round_trip(make_gateway, account):
    stub = make_gateway(aes_key=account.aes_key)
    platform = platform_for(stub, account, aes_key=account.aes_key)
    reply = platform.send_text(OPENID, "安全模式")
    assert reply.content == "收到：安全模式"
    assert stub.requests[0][0]["encrypt_type"] == "aes"


def test_event_answered_with_success(gateway, account):
    reply = platform_for(gateway, account).send_event(OPENID, "CLICK", EventKey=MENU_TRACK)
    assert reply.kind == "success" and reply.content == "success"
    assert gateway.requests[0][1].key == MENU_TRACK


def test_other_kinds_reach_the_gateway(gateway, account):
    platform = platform_for(gateway, account)
    platform.send_voice(OPENID, recognition="我家门口路灯坏了")
    platform.send_voice(OPENID)
    platform.send_image(OPENID)
    platform.send_location(OPENID, 31.6167, 100.0, label="甘孜县")
    platform.send_file(OPENID, "证明材料.pdf")
    kinds = [message.type for _, message in gateway.requests]
    assert kinds == ["voice", "voice", "image", "location", "unknown"]
    assert gateway.requests[0][1].recognition == "我家门口路灯坏了"
    assert gateway.requests[1][1].recognition is None


def test_retries_the_same_message_after_a_timeout(gateway, account):
    gateway.plan = [("sleep", 0.8)]
    reply = platform_for(gateway, account).send_text(OPENID, "慢一点")
    assert reply.ok and reply.attempts == 2 and reply.content == "收到：慢一点"
    (first_args, first), (second_args, second) = gateway.requests
    assert first.id == second.id and first.create_time == second.create_time
    # Fresh signature parameters on every attempt, as a new request.
    assert first_args["nonce"] != second_args["nonce"]


def test_retries_after_non_200(gateway, account):
    gateway.plan = [("status", 500), ("status", 502)]
    reply = platform_for(gateway, account).send_text(OPENID, "再试")
    assert reply.ok and reply.attempts == 3
    assert len({message.id for _, message in gateway.requests}) == 1


def test_gives_up_after_three_retries(gateway, account):
    gateway.plan = [("status", 503)] * 10
    reply = platform_for(gateway, account).send_text(OPENID, "没人理")
    assert not reply.ok and reply.kind == "failed"
    assert reply.attempts == 4 and len(gateway.requests) == 4
    assert reply.error == "HTTP 503"


def test_retries_are_configurable(gateway, account):
    gateway.plan = [("status", 500)] * 10
    reply = platform_for(gateway, account, retries=0).send_text(OPENID, "一次")
    assert reply.attempts == 1 and len(gateway.requests) == 1


def test_unreachable_gateway(account):
    platform = WeChatPlatform("http://127.0.0.1:9/wechat", account.token, timeout=0.5, retries=1)
    reply = platform.send_text(OPENID, "有人吗")
    assert reply.kind == "failed" and reply.attempts == 2
    assert reply.error.startswith("cannot connect")


def test_verify_url(gateway, account):
    assert platform_for(gateway, account).verify_url()
    assert not WeChatPlatform(gateway.url, "wrong-token", timeout=0.5).verify_url()


def test_build_callback_through_flask_test_client(gateway, account):
    platform = WeChatPlatform("unused", account.token,
                              transport=flask_transport(gateway.app.test_client()))
    assert platform.send_text(OPENID, "测试客户端").content == "收到：测试客户端"
    params, body = platform.build_callback(
        "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o2]]>"
        "</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[手工]]></Content><MsgId>7</MsgId></xml>")
    response = gateway.app.test_client().post("/wechat", query_string=params, data=body)
    assert "收到：手工" in response.get_data(as_text=True)
    assert params["openid"] == "o2"
