"""Parity of the panel's 研判 / 督办 forms and the staff API's POST endpoints.

The same step through either door leaves the same item, the same timeline
line and the same audit entry; a role that may not take it gets 403 on both,
a department outside the item's scope 404 on both.
"""
from __future__ import annotations

import jsonschema_rs
import pytest
from sqlalchemy import select

from tests.admin.conftest import bearer, csrf
from tests.admin.test_after_reply_panel import audited, dissatisfied, ordered
from tests.api.test_openapi import _json_schema
from xinfang.models import CaseEvent, Supervision

CONCLUSION = "已约谈用人单位，督促两周内结清"
ANSWER = "已追回工资六万元，余款本周内支付"


def judgement(session, cal, openid):
    case = dissatisfied(session, cal, openid=openid, phone=None)
    return case, session.scalar(select(Supervision).where(Supervision.case_id == case.id))


def by_panel(signed_in, name, item, step, text, page):
    client = signed_in(name)
    return client.post(f"/admin/supervision/items/{item.id}/{step}", follow_redirects=True,
                       data={"text": text, "csrf_token": csrf(client, page)})


def by_api(client, tokens, name, item, step, text):
    return client.post(f"/api/v1/staff/supervision/items/{item.id}/{step}", json={"text": text},
                       headers=bearer(tokens[name]))


def last_note(session, case) -> str:
    return session.scalars(select(CaseEvent.note).where(CaseEvent.case_id == case.id)
                           .order_by(CaseEvent.id.desc())).first()


def entries(session, action):
    """Audit entries without what differs by nature between two items: the item's id and the case."""
    return [(e.username, {k: v for k, v in e.detail.items() if k != "item"}, e.note) for e in audited(session, action)]


def test_concluding_a_judgement_is_the_same_through_the_panel_and_the_api(session, cal, signed_in, client, tokens):
    panel_case, panel_item = judgement(session, cal, "o-panel")
    api_case, api_item = judgement(session, cal, "o-api")

    assert "研判已办结" in by_panel(signed_in, "supervisor", panel_item, "conclude", CONCLUSION,
                                 "/admin/supervision/judgements").get_data(as_text=True)
    response = by_api(client, tokens, "supervisor", api_item, "conclude", CONCLUSION)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"], body["conclusion"]) == (api_item.id, "closed", CONCLUSION)
    jsonschema_rs.validate(_json_schema(client.get("/api/v1/openapi.json").get_json(), "StaffSupervisionItem"), body)

    session.expire_all()
    for case, item in ((panel_case, panel_item), (api_case, api_item)):
        assert (item.status, item.conclusion) == ("closed", CONCLUSION)
        assert last_note(session, case) == f"研判结论：{CONCLUSION}"
    [panel_entry, api_entry] = audited(session, "action")
    assert (panel_entry.case_id, api_entry.case_id) == (panel_case.id, api_case.id)
    assert entries(session, "action") == [("supervisor", {"action": "conclude", "kind": "judgement"}, None)] * 2
    assert client.get("/api/v1/staff/judgements", headers=bearer(tokens["supervisor"])).get_json() == {"items": []}


def test_answering_an_order_is_the_same_through_the_panel_and_the_api(session, cal, signed_in, staff, client, tokens):
    panel_case, panel_item = ordered(session, cal, staff)
    api_case, api_item = ordered(session, cal, staff)

    assert "督办已答复" in by_panel(signed_in, "handler", panel_item, "answer", ANSWER,
                                 "/admin/supervision/orders").get_data(as_text=True)
    body = by_api(client, tokens, "handler", api_item, "answer", ANSWER).get_json()
    assert (body["status"], body["answer"], body["status_name"]) == ("answered", ANSWER, "已答复")

    session.expire_all()
    for case, item in ((panel_case, panel_item), (api_case, api_item)):
        assert (item.status, item.answer) == ("answered", ANSWER)
        assert last_note(session, case) == f"督办答复：{ANSWER}"
    assert entries(session, "action") == [("handler", {"action": "answer_order", "kind": "order"}, None)] * 2
    assert client.get("/api/v1/staff/orders", headers=bearer(tokens["handler"])).get_json() == {"items": []}


def test_refusals_carry_the_same_message_and_audit_entry(session, cal, signed_in, staff, client, tokens):
    _, item = judgement(session, cal, "o-1")
    page = by_panel(signed_in, "supervisor", item, "conclude", " ", "/admin/supervision/judgements")
    assert "请填写研判或督办结论" in page.get_data(as_text=True)
    response = by_api(client, tokens, "supervisor", item, "conclude", " ")
    assert response.status_code == 409
    assert response.get_json() == {"error": "workflow", "message": "请填写研判或督办结论"}

    _, order = ordered(session, cal, staff)
    by_api(client, tokens, "handler", order, "answer", ANSWER)
    page = by_panel(signed_in, "handler", order, "answer", "再答一次", "/admin/supervision/orders")
    assert "该督办已答复或已办结" in page.get_data(as_text=True)
    response = by_api(client, tokens, "handler", order, "answer", "再答一次")
    assert (response.status_code, response.get_json()["message"]) == (409, "该督办已答复或已办结")

    assert entries(session, "action_refused") == [
        ("supervisor", {"action": "conclude", "kind": "judgement"}, "请填写研判或督办结论")] * 2 + [
        ("handler", {"action": "answer_order", "kind": "order"}, "该督办已答复或已办结")] * 2
    session.expire_all()
    assert (item.status, order.answer) == ("open", ANSWER)


@pytest.mark.parametrize("name", ["clerk", "handler", "leader"])
def test_a_role_that_may_not_conclude_gets_403_on_both(session, cal, signed_in, client, tokens, name):
    _, item = judgement(session, cal, "o-1")
    client_of = signed_in(name)
    response = client_of.post(f"/admin/supervision/items/{item.id}/conclude",
                              data={"text": CONCLUSION, "csrf_token": csrf(client_of, "/admin/password")})
    assert response.status_code == 403
    response = by_api(client, tokens, name, item, "conclude", CONCLUSION)
    assert response.status_code == 403 and response.get_json()["message"] == "当前角色无权使用此功能"
    session.expire_all()
    assert item.status == "open" and audited(session, "action") == []


@pytest.mark.parametrize("name", ["clerk", "supervisor", "leader"])
def test_a_role_that_may_not_answer_an_order_gets_403_on_both(session, cal, signed_in, staff, client, tokens, name):
    _, item = ordered(session, cal, staff)
    client_of = signed_in(name)
    response = client_of.post(f"/admin/supervision/items/{item.id}/answer",
                              data={"text": ANSWER, "csrf_token": csrf(client_of, "/admin/password")})
    assert response.status_code == 403
    assert by_api(client, tokens, name, item, "answer", ANSWER).status_code == 403


def test_another_department_gets_404_on_both(session, cal, signed_in, staff, client, tokens):
    _, item = ordered(session, cal, staff)
    assert by_panel(signed_in, "other", item, "answer", "不是我们的", "/admin/supervision/orders").status_code == 404
    response = by_api(client, tokens, "other", item, "answer", "不是我们的")
    assert (response.status_code, response.get_json()["error"]) == (404, "not_found")
    assert client.post(f"/api/v1/staff/supervision/items/{item.id + 999}/answer", json={"text": ANSWER},
                       headers=bearer(tokens["admin"])).status_code == 404
    session.expire_all()
    assert item.status == "open" and audited(session, "action_refused") == []


def test_a_malformed_body_is_a_400(session, cal, client, tokens):
    _, item = judgement(session, cal, "o-1")
    headers = bearer(tokens["supervisor"])
    response = client.post(f"/api/v1/staff/supervision/items/{item.id}/conclude", data="结论", headers=headers)
    assert (response.status_code, response.get_json()["field"]) == (400, "body")
    response = client.post(f"/api/v1/staff/supervision/items/{item.id}/conclude", json={"text": 3}, headers=headers)
    assert (response.status_code, response.get_json()["field"]) == (400, "text")
    assert client.post(f"/api/v1/staff/supervision/items/{item.id}/reopen", json={}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/staff/supervision/items/{item.id}/conclude", json={"text": "x"}).status_code == 401


def test_the_openapi_document_has_both_steps(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for step in ("conclude", "answer"):
        operation = paths[f"/api/v1/staff/supervision/items/{{item_id}}/{step}"]["post"]
        assert {"200", "403", "404", "409"} <= set(operation["responses"])
