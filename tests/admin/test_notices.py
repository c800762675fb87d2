"""提醒: the clocks' reminders, overdue marks and 督办 notices reach the staff who must act, in the
panel and in the staff API alike."""
from __future__ import annotations

import re
from datetime import timedelta

from tests.admin.conftest import REPLY, advance, bearer, new_case
from xinfang.models import utcnow
from xinfang.queue import reminders


def fire_all(session, cal, case) -> None:
    for kind in (reminders.OVERDUE, reminders.SUPERVISE):
        reminders.fire(session, case.id, kind, int(case.due_at.timestamp()), (3, 1), cal)


def panel_codes(client) -> list[str]:
    page = client.get("/admin/notices").get_data(as_text=True)
    return re.findall(r'/admin/cases/(\w+)"', page)


def test_each_role_is_shown_the_notices_it_must_act_on(session, cal, signed_in, client, tokens):
    start = utcnow() - timedelta(days=20)  # the 15 days of Art. 22 ran out five days ago
    assigned = advance(session, cal, new_case(session, cal, openid="o-a", now=start),
                       ("assign", {"department": "rsj"}, 0), start=start)
    unassigned = new_case(session, cal, openid="o-b", text="村里的路断了三个月没人修", now=start)
    fire_all(session, cal, assigned)
    fire_all(session, cal, unassigned)

    assert panel_codes(signed_in("handler")) == [assigned.tracking_code]  # 人社局's overdue mark
    assert "期限已于" in signed_in("handler").get("/admin/notices").get_data(as_text=True)
    assert panel_codes(signed_in("other")) == []  # 住建局: not its case
    assert panel_codes(signed_in("clerk")) == [unassigned.tracking_code]  # nobody else's yet
    assert sorted(panel_codes(signed_in("supervisor"))) == sorted([assigned.tracking_code, unassigned.tracking_code])
    assert signed_in("leader").get("/admin/notices").status_code == 403
    nav = signed_in("handler").get("/admin/queue/mine").get_data(as_text=True)
    assert re.search(r'提醒 <span class="count">1</span>', nav)

    api = client.get("/api/v1/staff/notices", headers=bearer(tokens["handler"])).get_json()["notices"]
    assert [(n["tracking_code"], n["event"]) for n in api] == [(assigned.tracking_code, "overdue")]

    advance(session, cal, assigned, ("accept", {}, 20), ("reply", REPLY, 20), start=start)
    assert panel_codes(signed_in("handler")) == []  # replied: the reminder is moot
    assert client.get("/api/v1/staff/notices", headers=bearer(tokens["handler"])).get_json() == {"notices": []}
