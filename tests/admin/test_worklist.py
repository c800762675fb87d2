"""下一件: a clerk goes through a filtered queue from case to case without returning to the list."""
from __future__ import annotations

import html
import re
from datetime import timedelta

from tests.admin.conftest import csrf, new_case
from xinfang.models import utcnow


def links(page: str, pattern: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', page) if re.search(pattern, href)]


def next_code(page: str) -> str | None:
    found = re.search(r"下一件：(\w+)", page)
    return found.group(1) if found else None


def test_a_clerk_goes_from_case_to_case_through_the_filtered_queue(session, cal, signed_in):
    start = utcnow() - timedelta(days=3)
    first = new_case(session, cal, openid="o-1", now=start)  # the nearest deadline
    second = new_case(session, cal, openid="o-2", now=start + timedelta(hours=1))
    new_case(session, cal, openid="o-3", county="理塘县", now=start + timedelta(minutes=30))
    clerk = signed_in("clerk")

    queue = clerk.get("/admin/queue/intake?county=康定市").get_data(as_text=True)
    [opened] = links(queue, f"/admin/cases/{first.tracking_code}\\?queue=intake")
    page = clerk.get(opened).get_data(as_text=True)
    assert next_code(page) == second.tracking_code  # 理塘县's, due before it, is outside the filter

    [assign] = links(page, "/actions/assign")
    done = clerk.post(assign, data={"department": "rsj", "confirm": "1", "csrf_token": csrf(clerk, "/admin/password")})
    assert done.status_code == 303
    after = clerk.get(done.headers["Location"]).get_data(as_text=True)
    assert "已转送/交办" in after and next_code(after) == second.tracking_code

    [following] = links(after, f"/admin/cases/{second.tracking_code}\\?queue=intake")
    last = clerk.get(following).get_data(as_text=True)
    assert next_code(last) is None and "待登记已无其他案件" in last  # the first left the queue when assigned


def test_a_case_opened_outside_a_queue_offers_no_next_case(session, cal, signed_in):
    case = new_case(session, cal, openid="o-1")
    new_case(session, cal, openid="o-2")
    page = signed_in("clerk").get(f"/admin/cases/{case.tracking_code}").get_data(as_text=True)
    assert next_code(page) is None and "已无其他案件" not in page
    odd = signed_in("clerk").get(f"/admin/cases/{case.tracking_code}?queue=nonsense").get_data(as_text=True)
    assert next_code(odd) is None
