"""Scope: a department sees its own cases only; the accused never sees a whistleblower (Art. 30)."""
from __future__ import annotations

import openpyxl
import io

from tests.admin.conftest import advance, bearer, new_case

ACCUSATION = "住建局的王某某局长收受开发商贿赂，违规审批。我叫次仁，电话13912345678，身份证513321198001011234。"
LABELS = {"category": "纪检监察", "path": "discipline", "demand_type": "检举控告", "department": "jw",
          "confidence": 0.8, "reasons": ["诉求类型：检举控告"]}


def test_another_departments_case_is_404_in_the_panel_and_the_api(session, cal, signed_in, client, tokens):
    case = advance(session, cal, new_case(session, cal), ("assign", {"department": "rsj"}, 0))
    assert signed_in("handler").get(f"/admin/cases/{case.tracking_code}").status_code == 200
    assert signed_in("other").get(f"/admin/cases/{case.tracking_code}").status_code == 404
    assert client.get(f"/api/v1/staff/cases/{case.tracking_code}", headers=bearer(tokens["other"])).status_code == 404
    refused = client.post(f"/api/v1/staff/cases/{case.tracking_code}/actions", json={"action": "accept"},
                          headers=bearer(tokens["other"]))
    assert refused.status_code == 404
    listed = client.get("/api/v1/staff/cases", headers=bearer(tokens["other"])).get_json()
    assert listed["cases"] == [] and listed["total"] == 0


def test_a_county_handler_sees_only_the_county(session, cal, client, tokens):
    here = advance(session, cal, new_case(session, cal, county="泸定县"), ("assign", {"department": "rsj"}, 0))
    there = advance(session, cal, new_case(session, cal, county="康定市", openid="o-2", text="另一件欠薪的事，工地老板跑了"),
                    ("assign", {"department": "rsj"}, 0))
    headers = bearer(tokens["county_handler"])
    codes = [c["tracking_code"] for c in client.get("/api/v1/staff/cases", headers=headers).get_json()["cases"]]
    assert codes == [here.tracking_code]
    assert client.get(f"/api/v1/staff/cases/{there.tracking_code}", headers=headers).status_code == 404


def test_the_accused_department_never_sees_the_whistleblower(session, cal, signed_in, client, tokens):
    case = new_case(session, cal, text=ACCUSATION, name="次仁", phone="13912345678", labels=LABELS)
    assert case.confidential
    # Misrouted to the accused body itself: it may see the matter, never the writer.
    advance(session, cal, case, ("assign", {"department": "zjj"}, 0))
    page = signed_in("other").get(f"/admin/cases/{case.tracking_code}").get_data(as_text=True)
    api = client.get(f"/api/v1/staff/cases/{case.tracking_code}", headers=bearer(tokens["other"]))
    listed = client.get("/api/v1/staff/cases", headers=bearer(tokens["other"])).get_data(as_text=True)
    export = signed_in("other").get("/admin/queue/all/export.xlsx")
    cells = " ".join(str(c) for row in openpyxl.load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True)
                     for c in row)
    for shown in (page, api.get_data(as_text=True), listed, cells):
        for secret in ("次仁", "13912345678", "513321198001011234"):
            assert secret not in shown
    assert "信访人信息依法保密" in page
    assert api.get_json()["petitioner"] == {"visibility": "hidden", "note": "（检举控告：信访人信息依法保密）"}
    assert "收受开发商贿赂" in page  # the matter itself is there to be handled


def test_the_discipline_body_and_the_petition_office_see_the_writer(session, cal, signed_in):
    case = advance(session, cal, new_case(session, cal, text=ACCUSATION, name="次仁", phone="13912345678",
                                          labels=LABELS), ("assign", {"department": "jw"}, 0))
    for who in ("jw", "clerk"):
        page = signed_in(who).get(f"/admin/cases/{case.tracking_code}").get_data(as_text=True)
        assert "次仁" in page and "13912345678" in page
