"""The overview reads totals kept in step with every change; they must say what the cases say.

The expected figures are counted here straight from the case rows, the way
cases.figures reads the deadlines, and compared with the overview the leaders
get — after registrations, repeats, label corrections, assignments, 退回,
acceptances late and on time, extensions, replies and reviews, several of them
on cases registered months ago.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.admin.conftest import REPLY, SYSTEM_CLERK, advance, new_case
from xinfang.admin import overview
from xinfang.cases import deadlines, service, surveys, totals
from xinfang.models import Case, CaseTotal, Survey, utcnow

LEADER = service.Actor("staff", "leader", 1, "领导")


def from_the_cases(session, cal, now, months):
    """The overview's figures counted case by case, without the totals."""
    def month(moment):
        return f"{cal.local_date(moment):%Y-%m}"

    series = {name: Counter() for name in overview.DIMENSIONS}
    departments = defaultdict(Counter)
    links = Counter()
    for survey in session.scalars(select(Survey).where(Survey.sent_at.is_not(None))):
        if month(survey.sent_at) in months:
            links["sent"] += 1
            links["answered"] += survey.answer is not None
            links[survey.answer] += survey.answer is not None
    for case in session.scalars(select(Case)):
        department = case.department_code or case.suggested_department_code or totals.UNKNOWN
        if month(case.received_at) in months:
            for name in overview.DIMENSIONS:
                series[name][(month(case.received_at), getattr(case, name) or totals.UNKNOWN)] += 1
            links["collective"] += case.collective
            if case.duplicate_of_id:
                original = session.get(Case, case.duplicate_of_id)
                links["repeats" if original.petitioner_id == case.petitioner_id else "joined"] += 1
        if case.accepted_at and case.assigned_at and month(case.accepted_at) in months:
            departments[department]["accepted"] += 1
            departments[department]["accepted_on_time"] += (
                case.accepted_at <= cal.add_days(case.assigned_at, deadlines.NOTIFY_DAYS))
        if case.replied_at and case.accepted_at and case.review_level == 0 and month(case.replied_at) in months:
            departments[department]["replied"] += 1
            departments[department]["replied_on_time"] += (
                case.replied_at <= deadlines.reply_deadline(cal, case.accepted_at, case.extension_days))
        if service.is_overdue(case, now):
            departments[department]["overdue"] += 1
    return ({name: dict(counts) for name, counts in series.items()},
            {code: {k: n for k, n in counts.items() if n} for code, counts in departments.items()},
            {k: n for k, n in links.items() if n and k is not None})


def as_figures(view):
    departments = {d.code: {k: v for k, v in (("accepted", d.accepted), ("accepted_on_time", d.accepted_on_time),
                                              ("replied", d.replied), ("replied_on_time", d.replied_on_time),
                                              ("overdue", d.overdue)) if v}
                   for d in view.departments}
    links = {k: v for k, v in (("collective", view.collective), ("repeats", view.repeats),
                               ("joined", view.joined), *view.surveys.items()) if v}
    return view.series, departments, links


def snapshot(session):
    return {tuple(getattr(t, k) for k in totals.KEYS): {m: getattr(t, m) for m in totals.MEASURES}
            for t in session.scalars(select(CaseTotal)) if any(getattr(t, m) for m in totals.MEASURES)}


def test_the_totals_follow_every_change_and_match_the_cases(session, cal, rt):
    now = utcnow()
    old = now - timedelta(days=100)
    months = overview.month_span(cal, now, last=f"{cal.local_date(now + timedelta(days=31)):%Y-%m}")
    # Registered months ago: accepted late; another accepted on time, extended, replied, then reviewed.
    late = advance(session, cal, new_case(session, cal, openid="o-1", now=old),
                   ("assign", {"department": "rsj"}, 0), ("accept", {}, 20), start=old)
    reviewed = advance(session, cal, new_case(session, cal, openid="o-2", county="泸定县", now=old,
                                              text="工地包工头跑路了，三十个工人的工资没有着落"),
                       ("assign", {"department": "rsj"}, 1), ("accept", {}, 3),
                       ("extend", {"days": 30, "reason": "需要调取工地的考勤记录"}, 50),
                       ("reply", REPLY, 85), ("request_review", {}, 90), start=old)
    # The same petitioner again (a repeat) and a neighbour joining (联名), both while the first is open.
    repeat = new_case(session, cal, openid="o-1", now=old + timedelta(days=2))
    joined = new_case(session, cal, openid="o-3", name="卓玛", phone="13900001111", now=old + timedelta(days=2))
    assert repeat.duplicate_of_id == late.id and joined.duplicate_of_id == late.id
    collective = new_case(session, cal, openid="o-4", county="理塘县", text="全村草原补贴三年没有发放，村民一起来反映",
                          labels={"category": "农村农业", "path": "petition", "department": "nyncj",
                                  "collective": True})
    misrouted = advance(session, cal, new_case(session, cal, openid="o-5", county="丹巴县", now=old,
                                               text="小区物业乱收费，业主多次反映无果"),
                        ("assign", {"department": "rsj"}, 1), ("object", {"reason": "不属于本部门职责"}, 3), start=old)

    # Today, on the old cases: a reply, the 复查意见, label corrections and the reassignment after a 退回.
    advance(session, cal, late, ("reply", REPLY, 0), start=now)
    advance(session, cal, reviewed, ("review_reply", REPLY, 0), start=now)
    # Two of their surveys sent: one answered twice (the first answer counts), one not; then a label moves one.
    first, second = session.scalars(select(Survey).order_by(Survey.id)).all()[:2]
    for survey in (first, second):
        assert surveys.send(session, survey.id, rt.settings, cal, survey.due_at)[0]
    surveys.record_answer(session, first, answer="不满意", now=second.due_at)
    surveys.record_answer(session, first, answer="满意", now=second.due_at)
    service.correct_label(session, late, SYSTEM_CLERK, "category", "城乡建设")
    service.correct_label(session, collective, SYSTEM_CLERK, "county", "稻城县")
    advance(session, cal, misrouted, ("assign", {"department": "zjj"}, 0), ("accept", {}, 0), start=now)

    view = overview.build(session, cal, LEADER, now, months)
    assert as_figures(view) == from_the_cases(session, cal, now, months)
    assert view.total == 6 and view.repeats == 1 and view.joined == 1 and view.collective == 1
    assert view.surveys == {"sent": 2, "answered": 1, "不满意": 1}
    assert view.series["category"][(f"{cal.local_date(now):%Y-%m}", "农村农业")] == 1
    rsj = next(d for d in view.departments if d.code == "rsj")
    assert (rsj.accepted, rsj.accepted_on_time) == (2, 1)
    # The 复查意见 takes its case out of 按期答复; the late acceptance was replied today, after 60 days.
    assert (rsj.replied, rsj.replied_on_time) == (1, 0)

    # Recomputing from nothing gives the totals the changes left, and again the same (idempotent).
    kept = snapshot(session)
    totals.rebuild(session, rt.calendar)
    assert snapshot(session) == kept
    totals.rebuild(session, rt.calendar)
    assert snapshot(session) == kept


def test_a_change_rolled_back_leaves_the_totals_alone(session, cal):
    case = new_case(session, cal)
    kept = snapshot(session)
    case.category = "城乡建设"
    session.flush()
    assert snapshot(session) != kept
    session.rollback()
    assert snapshot(session) == kept


def test_a_county_leader_sees_the_totals_of_the_county(session, cal):
    new_case(session, cal, openid="o-1")
    new_case(session, cal, openid="o-2", county="泸定县", text="学校的营养餐补助没有发")
    now = utcnow()
    months = overview.month_span(cal, now)
    county_leader = service.Actor("staff", "leader", 2, "县领导", county="泸定县")
    assert overview.build(session, cal, county_leader, now, months).total == 1
    assert overview.build(session, cal, LEADER, now, months).total == 2


def test_of_two_answers_racing_only_the_one_that_counts_is_totalled(session, cal, rt):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: nothing races")
    case = advance(session, cal, new_case(session, cal), ("assign", {"department": "rsj"}, 0), ("accept", {}, 0),
                   ("reply", REPLY, 0))
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    assert surveys.send(session, survey.id, rt.settings, cal, survey.due_at)[0]

    def answer(s, word):
        return s.execute(update(Survey).where(Survey.id == survey.id, Survey.answer.is_(None))
                         .values(answer=word, status="answered")).rowcount

    with rt.Session() as first, rt.Session() as second:
        assert answer(first, "满意") == 1  # holds the row until it commits
        racing = ThreadPoolExecutor(1).submit(answer, second, "不满意")
        time.sleep(0.3)
        assert not racing.done()
        first.commit()
        assert racing.result(timeout=10) == 0
        second.commit()
    counted = session.execute(select(func.sum(CaseTotal.answered), func.sum(CaseTotal.satisfied),
                                     func.sum(CaseTotal.dissatisfied))).one()
    assert tuple(counted) == (1, 1, 0)
