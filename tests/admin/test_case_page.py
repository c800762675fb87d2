"""The case page: correction for retraining, the confirm step with the citizen's notice, reply templates."""
from __future__ import annotations

import json

from sqlalchemy import select

from tests.admin.conftest import REPLY, advance, bearer, csrf, new_case
from xinfang.models import LabelCorrection, Notification


def test_one_click_correction_is_stored_and_exported_for_training(session, cal, signed_in, client, tokens):
    case = new_case(session, cal, text="我是扎西，电话13800001234，村里的草场被邻村占了")
    clerk = signed_in("clerk")
    response = clerk.post(f"/admin/cases/{case.tracking_code}/label", data={
        "field": "category", "value": "国土资源", "csrf_token": csrf(clerk, f"/admin/cases/{case.tracking_code}")})
    assert response.status_code == 303
    session.refresh(case)
    assert case.category == "国土资源" and case.confirmed_by is not None
    [correction] = session.scalars(select(LabelCorrection)).all()
    assert (correction.field, correction.old_value, correction.new_value) == ("category", "劳动和社会保障", "国土资源")
    page = clerk.get(f"/admin/cases/{case.tracking_code}").get_data(as_text=True)
    assert "已人工确认" in page and "更正分类" in page
    lines = client.get("/api/v1/staff/corrections", headers=bearer(tokens["supervisor"])).get_data(as_text=True)
    [row] = [json.loads(line) for line in lines.splitlines()]
    assert row["category"] == "国土资源" and row["id"] == case.tracking_code
    assert "13800001234" not in row["text"] and "草场被邻村占了" in row["text"]
    assert client.get("/api/v1/staff/corrections", headers=bearer(tokens["handler"])).status_code == 403


def test_a_correction_to_an_unknown_field_is_refused(session, cal, client, tokens):
    case = new_case(session, cal)
    response = client.post(f"/api/v1/staff/cases/{case.tracking_code}/labels", json={"field": "status", "value": "closed"},
                           headers=bearer(tokens["clerk"]))
    assert response.status_code == 400
    assert session.scalars(select(LabelCorrection)).all() == []


def test_the_confirm_step_shows_the_notice_and_sends_nothing_until_confirmed(session, cal, signed_in):
    case = new_case(session, cal)
    clerk = signed_in("clerk")
    token = csrf(clerk, f"/admin/cases/{case.tracking_code}/actions/assign")
    before = session.query(Notification).count()
    preview = clerk.post(f"/admin/cases/{case.tracking_code}/actions/assign",
                         data={"department": "rsj", "csrf_token": token})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "将告知信访人" in html
    assert f"您的信访事项（{case.tracking_code}）已转送" in html and "微信" in html
    session.refresh(case)
    assert case.status == "received" and session.query(Notification).count() == before
    done = clerk.post(f"/admin/cases/{case.tracking_code}/actions/assign",
                      data={"department": "rsj", "confirm": "1", "csrf_token": token})
    assert done.status_code == 303
    session.refresh(case)
    assert case.status == "assigned"
    notice = session.scalars(select(Notification).order_by(Notification.id.desc())).first()
    assert notice.event == "assigned" and case.tracking_code in notice.text


def test_the_reply_composer_offers_templates_and_requires_facts_and_basis(session, cal, signed_in):
    case = advance(session, cal, new_case(session, cal), ("assign", {"department": "rsj"}, 0), ("accept", {}, 0))
    handler = signed_in("handler")
    form = handler.get(f"/admin/cases/{case.tracking_code}/actions/reply?template=不予支持").get_data(as_text=True)
    assert "不予支持" in form and "认定的事实" in form and "法律法规政策依据" in form and "缺乏事实根据" in form
    token = csrf(handler, f"/admin/cases/{case.tracking_code}/actions/reply")
    missing = handler.post(f"/admin/cases/{case.tracking_code}/actions/reply",
                           data={"outcome": "支持", "text": "同意", "facts": "属实", "csrf_token": token})
    assert missing.status_code == 400 and "请填写依据" in missing.get_data(as_text=True)
    unfinished = handler.post(f"/admin/cases/{case.tracking_code}/actions/reply",
                              data={**REPLY, "basis": "依据《〔 〕》第〔 〕条的规定，", "csrf_token": token})
    assert unfinished.status_code == 400 and "请补全依据中的〔 〕处" in unfinished.get_data(as_text=True)
    preview = handler.post(f"/admin/cases/{case.tracking_code}/actions/reply", data={**REPLY, "csrf_token": token})
    assert "已出具处理意见：支持" in preview.get_data(as_text=True)
    handler.post(f"/admin/cases/{case.tracking_code}/actions/reply", data={**REPLY, "confirm": "1", "csrf_token": token})
    session.refresh(case)
    assert (case.status, case.reply_outcome, case.reply_basis) == ("replied", "支持", REPLY["basis"])


def test_a_workflow_refusal_is_told_plainly(session, cal, signed_in, client, tokens):
    case = advance(session, cal, new_case(session, cal), ("assign", {"department": "rsj"}, 0), ("accept", {}, 0),
                   ("extend", {"days": 10, "reason": "需要实地核查"}, 0))
    response = client.post(f"/api/v1/staff/cases/{case.tracking_code}/actions",
                           json={"action": "extend", "days": 5, "reason": "再延一次"}, headers=bearer(tokens["handler"]))
    assert response.status_code == 409 and "只能延长一次" in response.get_json()["message"]
    handler = signed_in("handler")
    page = handler.post(f"/admin/cases/{case.tracking_code}/actions/extend", data={
        "days": "5", "reason": "再延一次", "confirm": "1",
        "csrf_token": csrf(handler, f"/admin/cases/{case.tracking_code}/actions/extend")})
    assert page.status_code == 409 and "只能延长一次" in page.get_data(as_text=True)


def test_the_api_refuses_malformed_requests_with_400(session, cal, client, tokens):
    case = new_case(session, cal)
    url = f"/api/v1/staff/cases/{case.tracking_code}/actions"
    headers = bearer(tokens["clerk"])
    assert client.post(url, data="not json", headers=headers).status_code == 400
    assert client.post(url, json={"action": "fly"}, headers=headers).status_code == 400
    assert client.post(url, json={"action": "assign"}, headers=headers).get_json()["field"] == "department"
    assert client.post(url, json={"action": "assign", "department": "rsj", "evil": 1}, headers=headers).status_code == 400
    assert client.post(url, json={"action": "assign", "department": "nope"}, headers=headers).status_code == 409
    assert client.post(url, json={"action": "accept"}).status_code == 401
    assert client.post(url, json={"action": "accept"}, headers=bearer("xf_forged")).status_code == 401
    session.refresh(case)
    assert case.status == "received" and len(case.events) == 1


def test_the_api_preview_tells_what_the_citizen_will_read(session, cal, client, tokens):
    case = new_case(session, cal)
    response = client.post(f"/api/v1/staff/cases/{case.tracking_code}/preview",
                           json={"action": "route", "route": "litigation", "reason": "属于民间借贷纠纷"},
                           headers=bearer(tokens["clerk"]))
    body = response.get_json()
    assert response.status_code == 200 and "诉讼程序" in body["notice"] and "民间借贷纠纷" in body["notice"]
    session.refresh(case)
    assert case.status == "received"
