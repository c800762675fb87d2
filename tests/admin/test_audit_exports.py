"""The audit log, the exports (CSV and Excel, opened with openpyxl) and the leaders' overview."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from tests.admin.conftest import REPLY, advance, bearer, new_case
from xinfang.models import AuditEntry


def entries(session, action):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_views_of_personal_data_and_actions_are_audited(session, cal, signed_in, client, tokens, staff):
    case = new_case(session, cal)
    signed_in("clerk").get(f"/admin/cases/{case.tracking_code}")
    client.post(f"/api/v1/staff/cases/{case.tracking_code}/actions", json={"action": "assign", "department": "rsj"},
                headers=bearer(tokens["clerk"]))
    client.post(f"/api/v1/staff/cases/{case.tracking_code}/actions", json={"action": "reply", **REPLY},
                headers=bearer(tokens["clerk"]))
    signed_in("leader").get(f"/admin/cases/{case.tracking_code}")
    [seen] = entries(session, "view_identity")
    assert (seen.username, seen.case_id) == ("clerk", case.id)
    [masked] = entries(session, "view_case")
    assert masked.username == "leader"
    [done] = entries(session, "action")
    assert done.detail == {"action": "assign", "from": "received", "department": "rsj", "to": "assigned"}
    [refused] = entries(session, "action_refused")
    assert refused.detail["action"] == "reply" and "无权" in refused.note


def test_the_audit_log_cannot_be_edited_or_deleted(session, cal, signed_in):
    signed_in("clerk")
    entry = entries(session, "login")[0]
    entry.note = "tampered"
    with pytest.raises(RuntimeError):
        session.commit()
    session.rollback()
    session.delete(session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError):
        session.commit()
    session.rollback()


def test_admins_read_the_audit_log(session, cal, signed_in):
    case = new_case(session, cal)
    signed_in("clerk").get(f"/admin/cases/{case.tracking_code}")
    page = signed_in("admin").get("/admin/manage/audit").get_data(as_text=True)
    assert "查看信访人信息" in page and "clerk" in page and "登录" in page
    filtered = signed_in("admin").get("/admin/manage/audit?action=view_identity").get_data(as_text=True)
    assert "clerk" in filtered and "<td>登录</td>" not in filtered


def test_queue_exports_open_in_excel_and_carry_no_contact(session, cal, signed_in):
    case = new_case(session, cal, name="扎西", phone="13800001234")
    clerk = signed_in("clerk")
    xlsx = clerk.get("/admin/queue/intake/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("查询码", "状态", "分类")
    assert rows[1][0] == case.tracking_code and rows[1][2] == "劳动和社会保障" and "扎某" in rows[1]
    flat = " ".join(str(v) for row in rows for v in row)
    assert "13800001234" not in flat and "扎西" not in flat
    csv = clerk.get("/admin/queue/intake/export.csv")
    text = csv.data.decode("utf-8-sig")
    assert case.tracking_code in text and "13800001234" not in text
    assert entries(session, "export")[-1].detail["rows"] == 1


def test_the_overview_draws_charts_with_tables_and_exports(session, cal, signed_in, client, tokens):
    new_case(session, cal, openid="o-1")
    advance(session, cal, new_case(session, cal, openid="o-2", county="泸定县", text="学校的营养餐补助没有发"),
            ("assign", {"department": "rsj"}, 0), ("accept", {}, 0), ("reply", REPLY, 0))
    leader = signed_in("leader")
    page = leader.get("/admin/overview").get_data(as_text=True)
    assert page.count("<svg") == 5 and "按分类" in page and "泸定县" in page and "按期答复率" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing from outside
    book = openpyxl.load_workbook(io.BytesIO(leader.get("/admin/overview/all.xlsx").data))
    assert book.sheetnames == ["按分类", "按县（市）", "按途径", "各单位时效", "评价与重复信访"]
    departments = list(book["各单位时效"].iter_rows(values_only=True))
    row = next(r for r in departments[1:] if r[0] == "州人力资源和社会保障局")
    assert row[1:4] == (1, 1, 1.0) and row[4:7] == (1, 1, 1.0)
    county = leader.get("/admin/overview/county.csv").data.decode("utf-8-sig")
    assert county.splitlines()[0].startswith("月份,") and "泸定县" in county.splitlines()[0]
    figures = client.get("/api/v1/staff/overview", headers=bearer(tokens["leader"])).get_json()
    assert figures["total"] == 2 and figures["surveys"]["sent"] == 0
    assert client.get("/api/v1/staff/overview", headers=bearer(tokens["handler"])).status_code == 403
    assert signed_in("handler").get("/admin/overview").status_code == 403


def test_the_openapi_document_lists_the_staff_api(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/staff/cases/{tracking_code}/actions" in document["paths"]
    assert "StaffAction" in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
