"""The fake WeChat API: tokens, delivery rules, faults, the outbox."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from xinfang.simulator.server import BackgroundServer

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"


def custom_text(openid=OPENID, content="您的信访事项已受理"):
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


def template(openid=OPENID):
    return {"touser": openid, "template_id": "tpl-status",
            "data": {"first": {"value": "办理进度通知"}, "keyword1": {"value": "已受理"}}}


def post(api, endpoint, token, body):
    return api.post(f"/cgi-bin/{endpoint}", query_string={"access_token": token},
                    json=body).get_json()


@pytest.fixture
def follower(simulator):
    """OPENID has just written to the account."""
    simulator[1].platform.send_text(OPENID, "你好")
    return OPENID


# -- access tokens ------------------------------------------------------

def test_token_is_issued_for_the_right_credentials(api, account):
    answer = api.get("/cgi-bin/token", query_string={
        "grant_type": "client_credential", "appid": account.appid,
        "secret": account.secret}).get_json()
    assert answer["expires_in"] == 7200 and len(answer["access_token"]) > 32
    assert "errcode" not in answer


@pytest.mark.parametrize("appid, secret, errcode", [
    ("wx-wrong", "any", 40013),
    (None, "wrong-secret", 40125),
])
def test_wrong_credentials(api, account, appid, secret, errcode):
    answer = api.get("/cgi-bin/token", query_string={
        "grant_type": "client_credential", "appid": appid or account.appid,
        "secret": secret}).get_json()
    assert answer["errcode"] == errcode and "access_token" not in answer


def test_unknown_missing_and_expired_tokens(api, follower, fetch_token):
    assert post(api, "message/custom/send", "forged", custom_text())["errcode"] == 40001
    assert api.post("/cgi-bin/message/custom/send", json=custom_text()).get_json()[
        "errcode"] == 41001
    token = fetch_token(api)
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 0
    assert api.post("/_sim/expire-token", json={"access_token": "forged"}).get_json() == {
        "expired": 0}
    assert api.post("/_sim/expire-token").get_json() == {"expired": 1}
    answer = post(api, "message/custom/send", token, custom_text())
    assert answer["errcode"] == 42001 and answer["errmsg"].startswith("access_token expired")
    assert post(api, "message/custom/send", fetch_token(api), custom_text())["errcode"] == 0


def test_tokens_expire_by_the_clock(simulator, api, follower, fetch_token):
    now = [1_000_000.0]
    simulator[1].state.clock = lambda: now[0]
    token = fetch_token(api)
    now[0] += 7199
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 0
    now[0] += 2
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 42001


def test_new_token_leaves_the_old_one_five_minutes(simulator, api, follower, fetch_token):
    now = [1_000_000.0]
    simulator[1].state.clock = lambda: now[0]
    old = fetch_token(api)
    fetch_token(api)
    now[0] += 299
    assert post(api, "message/custom/send", old, custom_text())["errcode"] == 0
    now[0] += 2
    assert post(api, "message/custom/send", old, custom_text())["errcode"] == 42001


# -- who can be reached -------------------------------------------------

def test_custom_message_outside_the_window(simulator, api, follower, fetch_token):
    token = fetch_token(api)
    assert api.post("/_sim/window", json={"seconds": 0.2}).status_code == 200
    time.sleep(0.3)
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 45015
    # Template messages know no window.
    assert post(api, "message/template/send", token, template())["errcode"] == 0
    simulator[1].platform.send_event(OPENID, "CLICK", EventKey="MENU_TRACK")
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 0


def test_window_is_a_setting(make_simulator, fetch_token):
    app, simulator = make_simulator(window_seconds=0)
    api = app.test_client()
    simulator.platform.send_text(OPENID, "你好")
    time.sleep(0.01)
    assert post(api, "message/custom/send", fetch_token(api), custom_text())["errcode"] == 45015


def test_unsubscribed_user(simulator, api, follower, fetch_token):
    token = fetch_token(api)
    simulator[1].platform.send_event(OPENID, "unsubscribe")
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 43004
    assert post(api, "message/template/send", token, template())["errcode"] == 43004
    simulator[1].platform.send_event(OPENID, "subscribe")
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 0


def test_followers_added_in_bulk_can_be_reached_at_once(api, fetch_token):
    token = fetch_token(api)
    assert post(api, "message/custom/send", token, custom_text("o-crowd-2"))["errcode"] == 40003
    assert api.post("/_sim/followers", json={"openids": ["o-crowd-1", "o-crowd-2"]}).get_json() == {"added": 2}
    assert post(api, "message/custom/send", token, custom_text("o-crowd-2"))["errcode"] == 0
    assert api.post("/_sim/followers", json={"openids": "o-crowd-3"}).status_code == 400


def test_unknown_openid(api, fetch_token):
    token = fetch_token(api)
    assert post(api, "message/custom/send", token, custom_text("o-nobody"))["errcode"] == 40003
    assert post(api, "message/template/send", token, template("o-nobody"))["errcode"] == 40003


def test_malformed_bodies(api, follower, fetch_token):
    token = fetch_token(api)
    assert api.post("/cgi-bin/message/custom/send", query_string={"access_token": token},
                    data=b"").get_json()["errcode"] == 44002
    assert api.post("/cgi-bin/message/custom/send", query_string={"access_token": token},
                    data=b"{not json").get_json()["errcode"] == 47001
    assert post(api, "message/custom/send", token, {"touser": OPENID, "msgtype": "text"})[
        "errcode"] == 47001
    assert post(api, "message/template/send", token, {"touser": OPENID})["errcode"] == 40037


# -- faults ---------------------------------------------------------------

def test_errcode_fault_for_the_next_calls(api, follower, fetch_token):
    token = fetch_token(api)
    api.post("/_sim/faults", json={"endpoint": "message/custom/send", "mode": "errcode",
                                   "errcode": 45015, "times": 2})
    codes = [post(api, "message/custom/send", token, custom_text())["errcode"] for _ in range(3)]
    assert codes == [45015, 45015, 0]
    assert api.get("/_sim/faults").get_json() == {"faults": {}}


def test_http500_fault_and_other_endpoints_unaffected(api, follower, fetch_token):
    token = fetch_token(api)
    api.post("/_sim/faults", json={"endpoint": "message/template/send", "mode": "http500"})
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 0
    response = api.post("/cgi-bin/message/template/send",
                        query_string={"access_token": token}, json=template())
    assert response.status_code == 500
    assert post(api, "message/template/send", token, template())["errcode"] == 0
    calls = api.get("/_sim/calls?endpoint=message/template/send").get_json()["calls"]
    assert [c["status"] for c in calls] == [500, 200]


def test_fault_on_the_token_endpoint(api, account):
    api.post("/_sim/faults", json={"endpoint": "token", "mode": "errcode", "errcode": -1})
    query = {"grant_type": "client_credential", "appid": account.appid,
             "secret": account.secret}
    assert api.get("/cgi-bin/token", query_string=query).get_json()["errcode"] == -1
    assert "access_token" in api.get("/cgi-bin/token", query_string=query).get_json()


@pytest.mark.parametrize("body", [
    {"endpoint": "message/custom/send", "mode": "teleport"},
    {"endpoint": "message/custom/send", "mode": "errcode"},
    {"endpoint": "message/custom/send", "mode": "http500", "times": 0},
])
def test_bad_fault_requests(api, body):
    assert api.post("/_sim/faults", json=body).status_code == 400


# -- what was sent ------------------------------------------------------

def test_outbox_records_every_delivery(api, follower, fetch_token):
    token = fetch_token(api)
    before = time.time()
    post(api, "message/custom/send", token, custom_text(content="第一条"))
    sent_template = post(api, "message/template/send", token, template())
    post(api, "message/subscribe/send", token, {
        "touser": OPENID, "template_id": "sub-1", "scene": "1000", "title": "办理结果",
        "data": {"content": {"value": "已办结"}}})
    post(api, "message/custom/send", "forged", custom_text(content="不算"))
    post(api, "message/custom/send", token, custom_text("o-other", content="不算"))
    sent = api.get(f"/_sim/sent?openid={OPENID}").get_json()["messages"]
    assert [e["endpoint"] for e in sent] == [
        "message/custom/send", "message/template/send", "message/subscribe/send"]
    assert sent[0]["payload"]["text"]["content"] == "第一条"
    assert sent[1]["msgid"] == sent_template["msgid"] > 0
    assert all(before <= e["at"] <= time.time() for e in sent)
    later = api.get(f"/_sim/sent?openid={OPENID}&after={sent[0]['seq']}").get_json()
    assert len(later["messages"]) == 2
    assert api.get("/_sim/sent?openid=o-other").get_json()["messages"] == []


def test_template_job_finish_reaches_the_gateway(make_simulator, gateway, fetch_token):
    app, simulator = make_simulator(template_finish_delay=0.05)
    api = app.test_client()
    simulator.platform.send_text(OPENID, "你好")
    msgid = post(api, "message/template/send", fetch_token(api), template())["msgid"]
    deadline = time.time() + 3
    while len(gateway.requests) < 2 and time.time() < deadline:
        time.sleep(0.02)
    event = gateway.requests[-1][1]
    assert event.event == "templatesendjobfinish" and event.status == "success"
    assert str(event.id) == str(msgid)


def test_template_job_finish_on_demand(simulator, api, gateway, follower, fetch_token):
    msgid = post(api, "message/template/send", fetch_token(api), template())["msgid"]
    answer = api.post("/_sim/template-finish",
                      json={"msgid": msgid, "status": "failed:user block"}).get_json()
    assert answer["ok"]
    assert gateway.requests[-1][1].status == "failed:user block"
    assert api.post("/_sim/template-finish", json={"msgid": 1}).status_code == 404


def test_reset_forgets_everything(api, follower, fetch_token):
    token = fetch_token(api)
    post(api, "message/custom/send", token, custom_text())
    api.post("/_sim/reset")
    assert api.get("/_sim/sent").get_json()["messages"] == []
    assert post(api, "message/custom/send", token, custom_text())["errcode"] == 40001


# -- the gateway's library against it over real HTTP ---------------------

class SimulatedClient(WeChatClient):
    """wechatpy with every call, the token included, sent to the simulator."""

    def __init__(self, base, *args, **kwargs):
        self.API_BASE_URL = base
        super().__init__(*args, **kwargs)

    def fetch_access_token(self):
        return self._fetch_access_token(self.API_BASE_URL + "token", {
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})


def test_wechatpy_client_works_against_the_simulator(simulator, account):
    app, sim = simulator
    sim.platform.send_text(OPENID, "你好")
    with BackgroundServer(app) as server:
        client = SimulatedClient(server.url + "/cgi-bin/", account.appid, account.secret)
        assert client.message.send_text(OPENID, "已受理")["errcode"] == 0
        # wechatpy fetches a fresh token by itself after 42001.
        sim.state.expire_tokens()
        assert client.message.send_text(OPENID, "第二条")["errcode"] == 0
        result = client.message.send_template(OPENID, "tpl-1", {"first": {"value": "通知"}})
        assert result["msgid"]
        with pytest.raises(WeChatClientException) as info:
            client.message.send_text("o-nobody", "x")
        assert info.value.errcode == 40003
    contents = [e["payload"].get("text", {}).get("content") for e in sim.state.sent(OPENID)]
    assert contents[:2] == ["已受理", "第二条"]


def test_concurrent_calls_are_all_recorded(simulator, fetch_token):
    app, sim = simulator
    sim.platform.send_text(OPENID, "你好")
    token = fetch_token(app.test_client())
    with BackgroundServer(app) as server:
        url = f"{server.url}/cgi-bin/message/custom/send?access_token={token}"

        def send(n):
            with requests.Session() as session:
                return [session.post(url, json=custom_text(content=f"{n}-{i}")).json()["errcode"]
                        for i in range(10)]

        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = [code for batch in pool.map(send, range(16)) for code in batch]
    assert codes == [0] * 160
    sent = sim.state.sent(OPENID)
    assert len(sent) == 160 and len({e["seq"] for e in sent}) == 160
