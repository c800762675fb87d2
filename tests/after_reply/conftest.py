"""Cases that reached their 处理意见, ready for surveys, reviews and supervision."""
from __future__ import annotations

from datetime import timedelta

import pytest

from sqlalchemy import select

from tests.beijing_time import at
from xinfang.cases import figures, service, surveys
from xinfang.cases.service import Actor
from xinfang.models import StaffUser, Survey

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


# --- a month counted by hand (test_figures, test_report) -------------------------

RSJ = Actor("staff", "handler", None, "人社承办人", department_code="rsj")
ZJJ = Actor("staff", "handler", None, "住建承办人", department_code="zjj")
LABOUR = {"category": "劳动和社会保障", "path": "petition", "demand_type": "求决", "department": "rsj"}
HOUSING = {"category": "城乡建设", "path": "petition", "demand_type": "求决", "department": "zjj"}


def handled(session, cal, *, openid, text, labels, handler, registered, assigned, accepted, replied, county="康定市"):
    case = make_case(session, cal, when=at(registered), openid=openid, text=text, labels=labels, county=county)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": handler.department_code},
                           now=at(assigned))
    service.perform_action(session, cal, case, "accept", handler, now=at(accepted))
    service.perform_action(session, cal, case, "reply", handler, REPLY, now=at(replied))
    return case


def surveyed(session, cal, settings, case, sent, answer=None):
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    assert surveys.send(session, survey.id, settings, cal, at(sent))[0]
    if answer:
        surveys.record_answer(session, survey, answer=answer, now=at(sent) + timedelta(hours=2))


@pytest.fixture
def november(session, cal, rt):
    s = rt.settings
    a = handled(session, cal, openid="o-a", text="工地老板拖欠十二名工人三个月工资共八万元", labels=LABOUR, handler=RSJ,
                registered="2026-11-01 09:00", assigned="2026-11-02 09:00", accepted="2026-11-05 09:00",
                replied="2026-11-10 09:00")
    surveyed(session, cal, s, a, "2026-11-11 09:00", "满意")
    # Accepted 20 days after the assignment: late (Art. 23 ¶3: 15 days). Registered in October.
    b = handled(session, cal, openid="o-b", text="单位辞退我以后一直不给办理社保转移手续", labels=LABOUR, handler=RSJ,
                registered="2026-10-20 09:00", assigned="2026-10-21 10:00", accepted="2026-11-10 09:00",
                replied="2026-11-20 09:00")
    surveyed(session, cal, s, b, "2026-11-21 09:00", "基本满意")
    c = handled(session, cal, openid="o-c", text="养老保险待遇核定错误，每月少发了三百元", labels=LABOUR, handler=RSJ,
                registered="2026-11-03 09:00", assigned="2026-11-03 10:00", accepted="2026-11-04 09:00",
                replied="2026-11-15 09:00")
    surveyed(session, cal, s, c, "2026-11-16 09:00", "不满意")
    service.perform_action(session, cal, c, "request_review", Actor.citizen(c.petitioner_id),
                           now=at("2026-11-20 09:00"))
    d = handled(session, cal, openid="o-d", text="失业保险金申领了两个月还没有到账", labels=LABOUR, handler=RSJ,
                registered="2026-11-05 09:00", assigned="2026-11-05 10:00", accepted="2026-11-06 09:00",
                replied="2026-11-25 09:00")
    surveyed(session, cal, s, d, "2026-11-26 09:00")
    # The same citizen writes again about the same wages while the first case is open: a repeat.
    e = make_case(session, cal, when=at("2026-11-12 09:00"), openid="o-a", text="工地老板拖欠十二名工人三个月工资共八万元",
                  labels=LABOUR)
    assert e.duplicate_of_id == a.id
    # Replied after the 60 days of Art. 34; its survey closes unanswered.
    f = handled(session, cal, openid="o-f", text="小区物业把公共绿地改成停车位收费", labels=HOUSING, handler=ZJJ,
                county="泸定县", registered="2026-09-01 09:00", assigned="2026-09-02 09:00",
                accepted="2026-09-03 09:00", replied="2026-11-09 09:00")
    surveyed(session, cal, s, f, "2026-11-10 09:00")
    assert surveys.expire_surveys(session, s, at("2026-12-11 09:00")) == 1
    return figures.monthly_figures(session, cal, "2026-11")
