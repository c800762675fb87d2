"""Cases that reached their 处理意见, ready for surveys, reviews and supervision."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import at
from xinfang.cases import service
from xinfang.cases.service import Actor
from xinfang.models import StaffUser

CLERK = Actor("staff", "clerk", None, "登记员甲")
SUPERVISOR = Actor("staff", "supervisor", None, "督办员丁")
ADMIN = Actor("staff", "admin", None, "管理员")
REPLY = {"outcome": "支持", "text": "已责令项目方十日内支付", "facts": "经查属实", "basis": "《保障农民工工资支付条例》"}


@pytest.fixture
def county_handler(session):
    """A handler of 康定市's labour department: a county-level body (its 复查 goes up a level)."""
    user = StaffUser(username="kd-rsj", display_name="康定人社承办人", role="handler", department_code="rsj",
                     county="康定市", password_hash="-")
    session.add(user)
    session.commit()
    return Actor.staff(user)


@pytest.fixture
def prefecture_handler(session):
    user = StaffUser(username="z-rsj", display_name="州人社承办人", role="handler", department_code="rsj",
                     password_hash="-")
    session.add(user)
    session.commit()
    return Actor.staff(user)


def make_case(session, cal, *, when, openid="o-citizen-1", phone="13800001234", email=None, name="扎西",
              text="我们12名工人在康定城区工地干了三个月，老板一直拖欠工资，请政府帮忙追讨", county="康定市",
              labels=None):
    petitioner = service.find_or_create_petitioner(session, openid=openid, name=name, phone=phone, email=email)
    labels = labels or {"category": "劳动和社会保障", "path": "petition", "demand_type": "求决"}
    return service.register_case(session, cal, channel="wechat" if openid else "mailbox", text=text,
                                 petitioner=petitioner, county=county, labels=labels, now=when)


def reply_case(session, cal, handler, *, replied_at, **kw):
    """Register, assign, accept and reply: the case is `replied` at `replied_at`."""
    case = make_case(session, cal, when=replied_at - timedelta(days=10), **kw)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": handler.department_code},
                           now=replied_at - timedelta(days=9))
    service.perform_action(session, cal, case, "accept", handler, now=replied_at - timedelta(days=8))
    service.perform_action(session, cal, case, "reply", handler, REPLY, now=replied_at)
    return case


@pytest.fixture
def replied_at():
    return at("2026-06-01 10:00")
