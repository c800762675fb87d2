"""The phone page and the JSON behind it."""

import re

from xinfang.simulator.constants import MENU_GUIDE, MENU_REPORT, MENU_TRACK

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"


def feed(api, after=0):
    return api.get("/_sim/feed", query_string={"openid": OPENID, "after": after}).get_json()


def test_page_renders_offline_in_chinese(api, gateway):
    response = api.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and 'name="viewport"' in html
    for label in ("我要反映", "查询进度", "办事指南", "关注", "取消关注", "位置", "语音"):
        assert label in html
    for key in (MENU_REPORT, MENU_TRACK, MENU_GUIDE):
        assert f'data-key="{key}"' in html
    assert gateway.url in html
    # No external assets: nothing is loaded from another host.
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_send_text_and_see_the_reply(api):
    answer = api.post("/_sim/send", json={"openid": OPENID, "text": "路灯坏了"}).get_json()
    assert answer["kind"] == "text" and answer["content"] == "收到：路灯坏了"
    assert answer["msg_id"] > 0
    items = feed(api)["items"]
    assert [(i["side"], i["text"]) for i in items] == [
        ("user", "路灯坏了"), ("account", "收到：路灯坏了")]


def test_menu_click_location_voice_and_subscription(api, gateway):
    for body in ({"kind": "event", "event": "subscribe"},
                 {"kind": "event", "event": "CLICK", "event_key": MENU_REPORT},
                 {"kind": "location", "label": "理塘县高城镇"},
                 {"kind": "voice", "recognition": "我要咨询低保"}):
        assert api.post("/_sim/send", json={"openid": OPENID, **body}).status_code == 200
    texts = [i["text"] for i in feed(api)["items"]]
    assert texts[:2] == ["你关注了公众号", "你点击了菜单「我要反映」"]
    assert "[位置] 理塘县高城镇" in texts and "[语音] 我要咨询低保" in texts
    sent = [message for _, message in gateway.requests]
    assert sent[1].key == MENU_REPORT
    assert sent[3].recognition == "我要咨询低保"


def test_unsubscribed_citizen_cannot_write(api):
    api.post("/_sim/send", json={"openid": OPENID, "kind": "event", "event": "unsubscribe"})
    response = api.post("/_sim/send", json={"openid": OPENID, "text": "还在吗"})
    assert response.status_code == 409 and "关注" in response.get_json()["error"]


def test_bad_send_requests(api):
    assert api.post("/_sim/send", json={"text": "无人"}).status_code == 400
    assert api.post("/_sim/send", json={"openid": OPENID, "kind": "fax"}).status_code == 400
    assert api.post("/_sim/send", json={"openid": OPENID, "text": ""}).status_code == 400


def test_pushed_messages_appear_in_the_feed(api, fetch_token):
    api.post("/_sim/send", json={"openid": OPENID, "text": "你好"})
    last = feed(api)["last"]
    token = fetch_token(api)
    api.post("/cgi-bin/message/custom/send", query_string={"access_token": token}, json={
        "touser": OPENID, "msgtype": "text", "text": {"content": "您的事项已转送县住建局"}})
    api.post("/cgi-bin/message/template/send", query_string={"access_token": token}, json={
        "touser": OPENID, "template_id": "tpl", "url": "http://127.0.0.1:5000/track/GZ1",
        "data": {"first": {"value": "办理进度"}, "keyword1": {"value": "已受理"}}})
    items = feed(api, after=last)["items"]
    assert [(i["tag"], i["text"]) for i in items] == [
        ("客服消息", "您的事项已转送县住建局"),
        ("模板消息", "办理进度\n已受理\n详情：http://127.0.0.1:5000/track/GZ1"),
    ]
    assert feed(api, after=items[-1]["seq"])["items"] == []


def test_gateway_failure_shows_what_wechat_shows(api, gateway):
    gateway.plan = [("status", 500)] * 4
    answer = api.post("/_sim/send", json={"openid": OPENID, "text": "在吗"}).get_json()
    assert answer["kind"] == "failed" and answer["attempts"] == 4
    assert feed(api)["items"][-1] == {**feed(api)["items"][-1], "side": "system",
                                      "text": "该公众号暂时无法提供服务，请稍后再试"}
