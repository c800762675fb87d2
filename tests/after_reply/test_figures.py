"""The monthly figures against a small month counted by hand."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.after_reply.conftest import CLERK, REPLY, make_case
from tests.helpers import at
from xinfang.cases import figures, service, surveys
from xinfang.cases.service import Actor
from xinfang.models import Survey

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
    service.perform_action(session, cal, c, "request_review", Actor.citizen(c.petitioner_id), now=at("2026-11-20 09:00"))
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


def test_department_figures_match_the_hand_count(november):
    rsj = november.by["department"]["rsj"].as_dict()
    assert rsj == {
        "sent": 4, "answered": 3, "satisfied": 1, "basically": 1, "dissatisfied": 1, "expired": 0, "not_solved": 0,
        "accepted": 4, "accepted_on_time": 3, "replied": 4, "replied_on_time": 4, "reopened": 1,
        "registered": 4, "repeats": 1,
        "participation_rate": 0.75, "satisfaction_rate": 0.3333, "satisfaction_rate_broad": 0.6667,
        "on_time_acceptance_rate": 0.75, "on_time_reply_rate": 1.0, "reopen_rate": 0.25, "repeat_rate": 0.25,
    }
    zjj = november.by["department"]["zjj"]
    assert (zjj.sent, zjj.answered, zjj.expired, zjj.participation_rate) == (1, 0, 1, 0.0)
    assert zjj.satisfaction_rate is None and zjj.satisfaction_rate_broad is None  # 超期未评价 is never satisfied
    assert (zjj.replied, zjj.on_time_reply_rate, zjj.registered, zjj.repeat_rate) == (1, 0.0, 0, None)


def test_county_category_and_total_add_up(november):
    assert november.by["county"]["泸定县"].sent == 1 and november.by["county"]["康定市"].sent == 4
    assert november.by["category"]["劳动和社会保障"].registered == 4
    total = november.total
    assert (total.sent, total.answered, total.participation_rate) == (5, 3, 0.6)
    assert (total.replied, total.replied_on_time, total.on_time_reply_rate, total.reopen_rate) == (5, 4, 0.8, 0.2)


def test_departments_are_ranked_by_satisfaction_and_the_unevaluated_last(november):
    ranking = november.department_ranking()
    assert [(code, name) for code, name, _ in ranking] == [("rsj", "州人力资源和社会保障局"), ("zjj", "州住房和城乡建设局")]


def test_a_month_must_look_like_a_month(cal):
    with pytest.raises(ValueError, match="2026-11"):
        figures.month_bounds("November", cal)
    start, end = figures.month_bounds("2026-12", cal)
    assert (cal.local_date(start).isoformat(), cal.local_date(end).isoformat()) == ("2026-12-01", "2027-01-01")
