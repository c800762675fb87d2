"""The WeChat API wrapper against the simulator on a loopback port."""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
import requests

from xinfang.bot.wechat_api import WeChatAPI, WeChatAPIError
from xinfang.simulator.app import create_simulator_app
from xinfang.simulator.core import EXTENSION
from xinfang.simulator.server import BackgroundServer
from xinfang.simulator.settings import SimulatorSettings

OPENID = "oCitizen0000000000000000001"


@pytest.fixture
def simulator(settings):
    app = create_simulator_app(SimulatorSettings(
        token=settings.wechat_token, appid=settings.wechat_appid, secret=settings.wechat_secret,
        gateway_url="http://127.0.0.1:9/wechat", template_finish_delay=None))
    with BackgroundServer(app) as server:
        server.sim = app.extensions[EXTENSION]
        # OPENID follows the account and has just written (48-hour window open).
        server.sim.state.record_inbound({"FromUserName": OPENID, "MsgType": "text", "Content": "你好"})
        yield server


@pytest.fixture
def api(rt, settings, simulator):
    return WeChatAPI(replace(settings, wechat_api_base=simulator.url + "/cgi-bin/"), rt.redis)


def calls(simulator, endpoint):
    return requests.get(simulator.url + "/_sim/calls", params={"endpoint": endpoint}).json()["calls"]


def sent(simulator):
    return requests.get(simulator.url + "/_sim/sent").json()["messages"]


def fault(simulator, endpoint, mode="errcode", errcode=0, times=1):
    requests.post(simulator.url + "/_sim/faults",
                  json={"endpoint": endpoint, "mode": mode, "errcode": errcode, "times": times})


def test_text_template_and_subscribe_reach_the_platform(api, simulator):
    api.send_text(OPENID, "您的信访事项已受理")
    msgid = api.send_template(OPENID, "tpl-status", {"keyword1": {"value": "已受理"}}, url="http://x/track/A")
    api.send_subscribe(OPENID, "tpl-sub", {"thing1": {"value": "办理进度"}})
    got = sent(simulator)
    assert [m["endpoint"] for m in got] == [
        "message/custom/send", "message/template/send", "message/subscribe/bizsend"]
    assert got[0]["payload"]["text"]["content"] == "您的信访事项已受理"
    assert isinstance(msgid, str) and msgid == str(got[1]["msgid"])
    assert got[1]["payload"]["url"] == "http://x/track/A"
    # One token for all three calls, fetched from the configured base, not api.weixin.qq.com.
    assert len(calls(simulator, "token")) == 1


def test_a_template_repeated_with_its_client_msg_id_is_sent_once(api, simulator):
    data = {"keyword1": {"value": "已登记"}}
    first = api.send_template(OPENID, "tpl-status", data, client_msg_id="xinfang-notice-7")
    again = api.send_template(OPENID, "tpl-status", data, client_msg_id="xinfang-notice-7")
    other = api.send_template(OPENID, "tpl-status", data, client_msg_id="xinfang-notice-8")
    got = sent(simulator)
    assert [m["payload"]["client_msg_id"] for m in got] == ["xinfang-notice-7", "xinfang-notice-8"]
    assert again == first and other != first


def test_the_token_is_shared_through_redis(api, rt, settings, simulator):
    api.send_text(OPENID, "一")
    other = WeChatAPI(api.settings, rt.redis)  # another process, same Redis
    other.send_text(OPENID, "二")
    assert len(calls(simulator, "token")) == 1


def test_while_redis_is_away_the_token_in_hand_still_sends(api, settings, simulator):
    import redis

    away = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    api.send_text(OPENID, "一")
    api.redis = away  # Redis goes away
    api.send_text(OPENID, "二")
    assert len(calls(simulator, "token")) == 1  # the token in hand
    requests.post(simulator.url + "/_sim/expire-token", json={})
    api.send_text(OPENID, "三")  # stale: this process fetches one for itself, once
    api.send_text(OPENID, "四")
    fresh = WeChatAPI(api.settings, away)  # a worker started during the outage
    fresh.send_text(OPENID, "五")
    assert [m["payload"]["text"]["content"] for m in sent(simulator)] == ["一", "二", "三", "四", "五"]
    assert len(calls(simulator, "token")) == 3


def test_concurrent_first_calls_fetch_one_token(api, rt, simulator):
    workers = [WeChatAPI(api.settings, rt.redis) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda w: w.send_text(OPENID, "并发"), workers))
    assert len(calls(simulator, "token")) == 1
    assert len(sent(simulator)) == 8


@pytest.mark.parametrize("how", ["expire", 40001, 42001])
def test_a_stale_token_is_refreshed_once_and_the_call_retried(api, simulator, how):
    api.send_text(OPENID, "先拿到令牌")
    if how == "expire":
        requests.post(simulator.url + "/_sim/expire-token", json={})
    else:
        fault(simulator, "message/custom/send", errcode=how)
    api.send_text(OPENID, "再发一次")
    assert len(calls(simulator, "token")) == 2
    assert [m["payload"]["text"]["content"] for m in sent(simulator)] == ["先拿到令牌", "再发一次"]


def test_a_token_that_stays_bad_is_not_refreshed_forever(api, simulator):
    fault(simulator, "message/custom/send", errcode=40001, times=5)
    with pytest.raises(WeChatAPIError) as err:
        api.send_text(OPENID, "x")
    assert err.value.errcode == 40001 and not err.value.permanent
    assert len(calls(simulator, "token")) == 2 and len(calls(simulator, "message/custom/send")) == 2


@pytest.mark.parametrize("errcode", [43004, 45015, 40003, 43101])
def test_recipient_errors_are_permanent(api, simulator, errcode):
    fault(simulator, "message/custom/send", errcode=errcode)
    with pytest.raises(WeChatAPIError) as err:
        api.send_text(OPENID, "x")
    assert err.value.errcode == errcode and err.value.permanent
    assert sent(simulator) == []


def test_unreachable_users_are_refused_by_the_platform(api):
    with pytest.raises(WeChatAPIError) as err:
        api.send_text("oNeverSeen", "x")
    assert err.value.errcode == 40003 and err.value.permanent


def test_system_busy_and_http_500_are_transient(api, simulator):
    fault(simulator, "message/template/send", errcode=-1)
    with pytest.raises(WeChatAPIError) as err:
        api.send_template(OPENID, "tpl", {})
    assert err.value.errcode == -1 and not err.value.permanent
    fault(simulator, "message/custom/send", mode="http500")
    with pytest.raises(WeChatAPIError) as err:
        api.send_text(OPENID, "x")
    assert err.value.errcode is None and "500" in err.value.errmsg and not err.value.permanent


def test_an_unreachable_platform_is_transient(rt, settings):
    api = WeChatAPI(replace(settings, wechat_api_base="http://127.0.0.1:9/cgi-bin/"), rt.redis)
    with pytest.raises(WeChatAPIError) as err:
        api.send_text(OPENID, "x")
    assert err.value.errcode is None and not err.value.permanent


def test_wrong_credentials_are_permanent(rt, settings, simulator):
    api = WeChatAPI(replace(settings, wechat_api_base=simulator.url + "/cgi-bin/",
                            wechat_secret="wrong"), rt.redis)
    with pytest.raises(WeChatAPIError) as err:
        api.send_text(OPENID, "x")
    assert err.value.errcode == 40125 and err.value.permanent
