"""After the reply, in the staff panel: the monthly 通报 download, the 研判, 督办 and 挂牌督办 lists, and the same lists in the API.

Rule: the 通报 ranks every department, so only those who read the overview
(领导、督办员、管理员) download it; a clerk or a handler gets 403.
"""
from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from tests.admin.conftest import REPLY, advance, bearer, csrf, new_case
from xinfang.cases import supervision, surveys
from xinfang.cases.service import Actor
from xinfang.models import AuditEntry, Supervision, Survey, utcnow

REASON = "工资只发了一半，剩下的老板还是不给"


def replied(session, cal, **kw):
    start = utcnow() - timedelta(days=20)
    case = new_case(session, cal, now=start, **kw)
    return advance(session, cal, case, ("assign", {"department": "rsj"}, 1), ("accept", {}, 2),
                   ("reply", REPLY, 10), start=start)


def dissatisfied(session, cal, **kw):
    case = replied(session, cal, **kw)
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    outcome = surveys.record_answer(session, survey, answer="不满意", solved=False, reason=REASON,
                                    now=utcnow() - timedelta(days=5))
    assert outcome.judgement is not None
    return case


def ordered(session, cal, staff, *, overdue=False):
    """An accepted case of 人社局 with a 督办 issued by the supervisor; past its deadline when `overdue`."""
    start = utcnow() - timedelta(days=20)
    case = advance(session, cal, new_case(session, cal, now=start), ("assign", {"department": "rsj"}, 1),
                   ("accept", {}, 2), start=start)
    issued = utcnow() - timedelta(days=10 if overdue else 1)
    item = supervision.issue_order(session, cal, case, Actor.staff(staff["supervisor"]),
                                   due_at=issued + timedelta(days=5), instruction="请五日内反馈欠薪追缴进展",
                                   now=issued)
    return case, item


def audited(session, action):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def timeline_labels(client, token, case):
    body = client.get(f"/api/v1/staff/cases/{case.tracking_code}", headers=bearer(token)).get_json()
    return [line["label"] for line in body["timeline"]]


# --- the monthly 通报 ---------------------------------------------------------------

def test_the_monthly_report_downloads_as_excel_and_pdf_from_the_overview(session, cal, signed_in):
    dissatisfied(session, cal)
    supervisor = signed_in("supervisor")
    assert "月度通报" in supervisor.get("/admin/overview").get_data(as_text=True)
    month = utcnow().astimezone(cal.tz).strftime("%Y-%m")
    page = supervisor.get("/admin/reports").get_data(as_text=True)
    assert f"/admin/reports/{month}.xlsx" in page and f"/admin/reports/{month}.pdf" in page

    workbook = supervisor.get(f"/admin/reports/{month}.xlsx")
    assert workbook.status_code == 200
    assert "attachment" in workbook.headers["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(workbook.data)).sheetnames
    document = signed_in("leader").get(f"/admin/reports/{month}.pdf")
    assert document.status_code == 200 and document.mimetype == "application/pdf"
    assert document.data.startswith(b"%PDF")
    assert [e.detail for e in audited(session, "export")] == [{"report": month, "format": "xlsx"},
                                                             {"report": month, "format": "pdf"}]


def test_a_bad_month_or_format_is_not_found(signed_in):
    admin = signed_in("admin")
    assert admin.get("/admin/reports/2026-13.pdf").status_code == 404
    assert admin.get("/admin/reports/2026-11.docx").status_code == 404


def test_clerks_and_handlers_do_not_download_the_report(signed_in):
    for name in ("clerk", "handler"):
        response = signed_in(name).get("/admin/reports/2026-11.xlsx")
        assert response.status_code == 403 and "当前角色无权使用此功能" in response.get_data(as_text=True)
        assert "月度通报" not in signed_in(name).get("/admin/queue/all").get_data(as_text=True)


# --- 研判 ---------------------------------------------------------------------------

def test_a_dissatisfied_citizen_reaches_the_judgement_list_and_is_concluded_there(session, cal, signed_in,
                                                                                   client, tokens):
    case = dissatisfied(session, cal)
    supervisor = signed_in("supervisor")
    page = supervisor.get("/admin/supervision/judgements").get_data(as_text=True)
    assert case.tracking_code in page and REASON in page and "办结研判" in page
    assert '研判 <span class="count">1</span>' in page

    item = session.scalar(select(Supervision).where(Supervision.case_id == case.id))
    response = supervisor.post(f"/admin/supervision/items/{item.id}/conclude", follow_redirects=True, data={
        "text": "已约谈用人单位，督促两周内结清", "csrf_token": csrf(supervisor, "/admin/supervision/judgements")})
    page = response.get_data(as_text=True)
    assert "研判已办结" in page and case.tracking_code not in page and "暂无待办事项" in page
    [done] = audited(session, "action")
    assert done.detail == {"action": "conclude", "kind": "judgement", "item": item.id}
    labels = timeline_labels(client, tokens["supervisor"], case)
    assert "研判" in labels and labels[-1] == "内部备注"


def test_a_conclusion_needs_text_and_the_csrf_token(session, cal, signed_in):
    case = dissatisfied(session, cal)
    item = session.scalar(select(Supervision).where(Supervision.case_id == case.id))
    supervisor = signed_in("supervisor")
    assert supervisor.post(f"/admin/supervision/items/{item.id}/conclude", data={"text": "结论"}).status_code == 400
    page = supervisor.post(f"/admin/supervision/items/{item.id}/conclude", follow_redirects=True, data={
        "text": " ", "csrf_token": csrf(supervisor, "/admin/supervision/judgements")}).get_data(as_text=True)
    assert "请填写研判或督办结论" in page and case.tracking_code in page
    [refused] = audited(session, "action_refused")
    assert refused.note == "请填写研判或督办结论"


def test_only_supervisors_work_the_judgement_list(session, cal, signed_in):
    case = dissatisfied(session, cal)
    item = session.scalar(select(Supervision).where(Supervision.case_id == case.id))
    for name in ("clerk", "handler", "leader"):
        client = signed_in(name)
        assert client.get("/admin/supervision/judgements").status_code == 403
        assert "研判 <span" not in client.get("/admin/password").get_data(as_text=True)
    handler = signed_in("handler")
    assert handler.post(f"/admin/supervision/items/{item.id}/conclude", data={
        "text": "结论", "csrf_token": csrf(handler, "/admin/password")}).status_code == 403


# --- 督办 ---------------------------------------------------------------------------

def test_the_department_answers_its_order_from_the_panel(session, cal, signed_in, staff, client, tokens):
    case, item = ordered(session, cal, staff)
    handler = signed_in("handler")
    page = handler.get("/admin/supervision/orders").get_data(as_text=True)
    assert case.tracking_code in page and "请五日内反馈欠薪追缴进展" in page and "剩4天" in page
    assert '督办待答复 <span class="count">1</span>' in page
    response = handler.post(f"/admin/supervision/items/{item.id}/answer", follow_redirects=True, data={
        "text": "已追回工资六万元，余款本周内支付", "csrf_token": csrf(handler, "/admin/supervision/orders")})
    page = response.get_data(as_text=True)
    assert "督办已答复" in page and "暂无待办事项" in page
    [done] = audited(session, "action")
    assert (done.username, done.detail) == ("handler", {"action": "answer_order", "kind": "order", "item": item.id})
    body = client.get(f"/api/v1/staff/cases/{case.tracking_code}", headers=bearer(tokens["handler"])).get_json()
    assert body["timeline"][-1]["note"] == "督办答复：已追回工资六万元，余款本周内支付"


def test_a_handler_sees_and_answers_only_their_own_departments_orders(session, cal, signed_in, staff):
    case, item = ordered(session, cal, staff)
    other = signed_in("other")
    page = other.get("/admin/supervision/orders").get_data(as_text=True)
    assert case.tracking_code not in page and "暂无待办事项" in page
    response = other.post(f"/admin/supervision/items/{item.id}/answer", data={
        "text": "不是我们的", "csrf_token": csrf(other, "/admin/supervision/orders")})
    assert response.status_code == 404
    session.refresh(item)
    assert item.status == "open" and item.answer is None


# --- 挂牌督办 -------------------------------------------------------------------------

def test_an_overdue_order_reaches_the_leaders_list(session, cal, signed_in, staff, client, tokens):
    case, item = ordered(session, cal, staff, overdue=True)
    assert supervision.escalate_overdue(session) == [item.id]
    page = signed_in("leader").get("/admin/supervision/leader").get_data(as_text=True)
    assert case.tracking_code in page and "转为挂牌督办" in page and "超期5天" in page
    assert '挂牌督办 <span class="count">1</span>' in page and "办结督办" not in page
    assert "挂牌督办" in timeline_labels(client, tokens["supervisor"], case)

    supervisor = signed_in("supervisor")
    page = supervisor.post(f"/admin/supervision/items/{item.id}/conclude", follow_redirects=True, data={
        "text": "已约谈单位负责人", "csrf_token": csrf(supervisor, "/admin/supervision/leader")}).get_data(as_text=True)
    assert "督办已办结" in page and case.tracking_code not in page


# --- the staff API --------------------------------------------------------------------

def test_the_api_lists_match_the_panel(session, cal, staff, client, tokens):
    judged = dissatisfied(session, cal)
    case, item = ordered(session, cal, staff, overdue=True)
    supervision.escalate_overdue(session)

    [row] = client.get("/api/v1/staff/judgements", headers=bearer(tokens["supervisor"])).get_json()["items"]
    assert (row["tracking_code"], row["kind_name"], row["reason"]) == (judged.tracking_code, "研判", REASON)
    assert client.get("/api/v1/staff/judgements", headers=bearer(tokens["handler"])).get_json() == {"items": []}

    [row] = client.get("/api/v1/staff/orders", headers=bearer(tokens["handler"])).get_json()["items"]
    assert (row["tracking_code"], row["department_name"], row["days_left"]) == (case.tracking_code, "州人力资源和社会保障局", -5)
    assert client.get("/api/v1/staff/orders", headers=bearer(tokens["other"])).get_json() == {"items": []}

    [row] = client.get("/api/v1/staff/leader-list", headers=bearer(tokens["leader"])).get_json()["items"]
    assert row["tracking_code"] == case.tracking_code and row["escalated_at"]
    assert client.get("/api/v1/staff/leader-list").status_code == 401

    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/staff/judgements", "/api/v1/staff/orders", "/api/v1/staff/leader-list"):
        assert paths[path]["get"]["responses"]["200"]
