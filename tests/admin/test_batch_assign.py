"""按建议分送: a clerk ticks the 待登记 cases whose suggested department is right and sends them in one go."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.admin.conftest import bearer, csrf, new_case
from xinfang.models import Case, Notification


def checkboxes(page: str) -> list[str]:
    return re.findall(r'name="codes" value="(\w+)"', page)


def test_a_clerk_sends_the_ticked_cases_to_their_suggested_departments(session, cal, signed_in):
    wages = new_case(session, cal, openid="o-1")
    water = new_case(session, cal, openid="o-2", text="村里自来水停了一个星期", labels={
        "category": "城乡建设", "path": "petition", "department": "zjj", "confidence": 0.8, "reasons": []})
    unsure = new_case(session, cal, openid="o-3", text="有个事想问问", labels={
        "category": "其他", "path": "petition", "department": None, "confidence": 0.2, "reasons": []})
    clerk = signed_in("clerk")

    queue = clerk.get("/admin/queue/intake?county=康定市").get_data(as_text=True)
    # Only cases with a suggestion can be ticked; none is ticked for the clerk.
    assert set(checkboxes(queue)) == {wages.tracking_code, water.tracking_code}
    assert "checked" not in queue.split("<table")[1].split("</table>")[0]
    assert "checked" in clerk.get("/admin/queue/intake?select=all").get_data(as_text=True)

    token = csrf(clerk, "/admin/password")
    confirm = clerk.post("/admin/queue/intake/assign", data={
        "codes": [wages.tracking_code, water.tracking_code], "county": "康定市", "csrf_token": token})
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "确认分送 2 件" in page
    assert "州人力资源和社会保障局" in page and "州住房和城乡建设局" in page
    session.expire_all()
    assert session.get(Case, wages.id).status == "received"  # nothing done before the confirmation

    done = clerk.post("/admin/queue/intake/assign", data={
        "codes": [wages.tracking_code, water.tracking_code, unsure.tracking_code], "county": "康定市",
        "confirm": "1", "csrf_token": token})
    assert done.status_code == 303 and "county=" in done.headers["Location"]  # back to the same list
    after = clerk.get(done.headers["Location"]).get_data(as_text=True)
    assert "已按建议分送 2 件" in after and f"{unsure.tracking_code} 未分送：没有建议的单位" in after
    session.expire_all()
    assert (session.get(Case, wages.id).status, session.get(Case, wages.id).department_code) == ("assigned", "rsj")
    assert session.get(Case, water.id).department_code == "zjj"
    assert session.get(Case, unsure.id).status == "received"
    # Each citizen is told who handles their case, as when a case is assigned alone.
    told = session.scalars(select(Notification.text).where(Notification.case_id == water.id)).all()
    assert any("州住房和城乡建设局" in text for text in told)


def test_a_handler_cannot_send_cases_in_a_batch(session, cal, signed_in):
    case = new_case(session, cal)
    handler = signed_in("handler")
    answer = handler.post("/admin/queue/intake/assign", data={
        "codes": [case.tracking_code], "confirm": "1", "csrf_token": csrf(handler, "/admin/password")})
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(Case, case.id).status == "received"


def test_the_api_sends_a_batch_and_says_which_were_not_sent(session, cal, app, tokens):
    first, second = new_case(session, cal, openid="o-1"), new_case(session, cal, openid="o-2")
    client = app.test_client()
    answer = client.post("/api/v1/staff/cases/assign-suggested", headers=bearer(tokens["clerk"]),
                         json={"codes": [first.tracking_code, "NOSUCHCODE", second.tracking_code.lower()]})
    assert answer.status_code == 200
    assert answer.json["assigned"] == [first.tracking_code, second.tracking_code]
    assert answer.json["refused"] == [{"tracking_code": "NOSUCHCODE", "message": "没有这个案件，或不在办理范围内"}]
    again = client.post("/api/v1/staff/cases/assign-suggested", headers=bearer(tokens["clerk"]),
                        json={"codes": [first.tracking_code]})
    assert again.json["assigned"] == [] and again.json["refused"][0]["tracking_code"] == first.tracking_code
    bad = client.post("/api/v1/staff/cases/assign-suggested", headers=bearer(tokens["clerk"]), json={"codes": "x"})
    assert bad.status_code == 400 and bad.json["field"] == "codes"
    assert client.post("/api/v1/staff/cases/assign-suggested", headers=bearer(tokens["handler"]),
                       json={"codes": [first.tracking_code]}).status_code == 403
