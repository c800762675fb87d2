"""The statutory clocks: reminders before the deadline, overdue at it, 督办 after it (time frozen)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from tests.beijing_time import at
from xinfang.admin import queries
from xinfang.cases import service
from xinfang.cases.service import Actor
from xinfang.models import CaseEvent
from xinfang.queue import jobs, reminders

from .conftest import ADMIN, notifications


@pytest.fixture
def clock():
    with time_machine.travel(at("2026-03-02 10:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def accepted_case(session, cal, new_case, run_jobs, clock):
    case = new_case(None)
    service.perform_action(session, cal, case, "assign", ADMIN, {"department": "nyncj"})
    service.perform_action(session, cal, case, "accept", ADMIN, {})
    run_jobs()
    return case


def scheduled(redis) -> dict[str, datetime]:
    registry = ScheduledJobRegistry(queue=Queue("reminders", connection=redis))
    return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


def morning(cal, day) -> datetime:
    return datetime.combine(day, time(9), tzinfo=cal.tz).astimezone(at("2026-03-02 10:00").tzinfo)


def handler(department: str, county: str | None = None) -> Actor:
    return Actor("staff", "handler", None, "承办人", department_code=department, county=county)


def staff_texts(session, case) -> list[str]:
    return [n.text for n in notifications(session, case_id=case.id) if n.channel == "staff"]


def overdue_events(session, case) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "overdue")))


def test_the_reply_clock_schedules_its_next_moment_and_each_moment_the_one_after(rt, cal, accepted_case, run_jobs,
                                                                                  clock):
    case = accepted_case
    due_day = cal.local_date(case.due_at)
    assert case.clock == "reply"
    assert scheduled(rt.redis) == {f"reminder-{case.id}-3": morning(cal, due_day - timedelta(days=3))}
    clock.move_to(morning(cal, due_day - timedelta(days=3)) + timedelta(seconds=1))
    run_jobs()
    assert scheduled(rt.redis) == {f"reminder-{case.id}-1": morning(cal, due_day - timedelta(days=1))}
    clock.move_to(morning(cal, due_day - timedelta(days=1)) + timedelta(seconds=1))
    run_jobs()
    assert scheduled(rt.redis) == {f"reminder-{case.id}-overdue": case.due_at + timedelta(microseconds=1)}
    clock.move_to(case.due_at + timedelta(seconds=2))
    run_jobs()
    assert scheduled(rt.redis) == {f"reminder-{case.id}-supervise": morning(cal, due_day + timedelta(days=1))}
    clock.move_to(morning(cal, due_day + timedelta(days=1)) + timedelta(seconds=1))
    run_jobs()
    assert scheduled(rt.redis) == {}


def test_reminders_fire_at_their_offsets_and_overdue_is_marked_once(rt, session, cal, accepted_case, run_jobs, clock):
    case = accepted_case
    due_day = cal.local_date(case.due_at)
    three_days = morning(cal, due_day - timedelta(days=3))

    clock.move_to(three_days - timedelta(minutes=1))
    run_jobs()
    assert staff_texts(session, case) == []

    clock.move_to(three_days + timedelta(seconds=1))
    run_jobs()
    assert len(staff_texts(session, case)) == 1 and "还剩3天" in staff_texts(session, case)[0]

    clock.move_to(morning(cal, due_day - timedelta(days=1)) + timedelta(seconds=1))
    run_jobs()
    assert "还剩1天" in staff_texts(session, case)[-1]
    assert overdue_events(session, case) == []

    clock.move_to(case.due_at + timedelta(seconds=2))
    run_jobs()
    [event] = overdue_events(session, case)
    assert (event.actor_kind, event.from_status, event.to_status) == ("system", "accepted", "accepted")
    assert "超期" in staff_texts(session, case)[-1]
    # Fired again (a duplicate job, a heal racing the schedule): still once.
    assert jobs.fire_reminder(case.id, "overdue", int(case.due_at.timestamp())) == "nothing to do"
    assert len(overdue_events(session, case)) == 1

    clock.move_to(morning(cal, due_day + timedelta(days=1)) + timedelta(seconds=1))
    run_jobs()
    supervisor = Actor("staff", "supervisor", None, "督办员")
    [supervise] = queries.notices_for(session, supervisor)
    assert "督办" in supervise.text and case.tracking_code in supervise.text
    department = queries.notices_for(session, handler("nyncj"))
    assert [n.event for n in department] == ["overdue", "reminder", "reminder"]
    assert queries.notices_for(session, handler("jyj")) == []
    assert queries.notices_for(session, handler("nyncj", county="理塘县")) == []  # 康定市's case
    # Replied: the case left its clock, and its notices leave the lists.
    service.perform_action(session, cal, case, "reply", ADMIN, {"outcome": "支持", "text": "已协调", "facts": "属实",
                                                             "basis": "有关规定"})
    assert queries.notices_for(session, handler("nyncj")) == queries.notices_for(session, supervisor) == []
    # Staff notices never reach a citizen.
    assert all(n.petitioner_id is None for n in notifications(session, case_id=case.id))


def test_an_extension_moves_the_reminders(rt, session, cal, accepted_case, run_jobs, clock):
    case = accepted_case
    old_due = case.due_at
    old_three_days = scheduled(rt.redis)[f"reminder-{case.id}-3"]
    service.perform_action(session, cal, case, "extend", ADMIN, {"days": 30, "reason": "需现场勘界"})
    run_jobs()

    assert case.due_at > old_due + timedelta(days=20)  # 90 days instead of 60, holidays rolled over
    assert scheduled(rt.redis) == {
        f"reminder-{case.id}-3": morning(cal, cal.local_date(case.due_at) - timedelta(days=3))}

    clock.move_to(old_three_days + timedelta(hours=1))
    run_jobs()
    assert staff_texts(session, case) == []
    # A job of the old schedule that escaped (say, already queued) does nothing.
    assert jobs.fire_reminder(case.id, "3", int(old_due.timestamp())) == "nothing to do"


def test_a_case_leaving_its_clock_cancels_its_reminders(rt, session, cal, accepted_case, run_jobs):
    service.perform_action(session, cal, accepted_case, "reply", ADMIN, {
        "outcome": "解释说明", "text": "已说明政策。", "facts": "经核实。", "basis": "相关规定"})
    run_jobs()
    assert scheduled(rt.redis) == {}


def test_a_lost_schedule_heals_from_the_database(rt, session, cal, accepted_case, run_jobs, clock):
    case = accepted_case
    before = scheduled(rt.redis)
    rt.redis.flushdb()
    assert reminders.sync_all(session, rt.redis, rt.settings.reminder_days, cal) == 1
    assert scheduled(rt.redis) == before

    # Lost again, and found only after the deadline: the overdue mark is made at once.
    rt.redis.flushdb()
    clock.move_to(case.due_at + timedelta(hours=3))
    reminders.sync_all(session, rt.redis, rt.settings.reminder_days, cal)
    run_jobs()
    assert len(overdue_events(session, case)) == 1
    assert [n.event for n in notifications(session, case_id=case.id)] == ["overdue"]


def test_the_heal_marks_every_case_found_past_its_deadline(rt, session, cal, new_case, run_jobs, clock):
    cases = [new_case(None) for _ in range(3)]
    for case in cases:
        service.perform_action(session, cal, case, "assign", ADMIN, {"department": "nyncj"})
        service.perform_action(session, cal, case, "accept", ADMIN, {})
    rt.redis.flushdb()  # the schedules are lost, and found only after the deadlines
    clock.move_to(max(case.due_at for case in cases) + timedelta(hours=3))
    assert reminders.sync_all(session, rt.redis, rt.settings.reminder_days, cal) == 3
    run_jobs()
    assert [len(overdue_events(session, case)) for case in cases] == [1, 1, 1]
