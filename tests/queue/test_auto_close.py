"""办结 when the 复查/复核 window ends unused (《信访工作条例》 Art. 35, 36), with time frozen.

The periodic task enqueues the job by dotted path; a burst worker runs it, as
`xinfang worker` would. The citizen is told as for a manual close.
"""
from __future__ import annotations


import pytest
import time_machine
from sqlalchemy import select

from tests.beijing_time import at
from xinfang.cases import closing, service
from xinfang.cases.service import Actor
from xinfang.models import CaseEvent, InboundMessage
from xinfang.queue import periodic

from .conftest import ADMIN, notifications

REPLY = {"outcome": "支持", "text": "已协调邻村退还草场", "facts": "经现场核查属实", "basis": "《草原法》第十六条"}


def replied_case(session, cal, citizen, new_case, when: str):
    with time_machine.travel(at(when), tick=False):
        case = new_case(citizen())
        for action, params in (("assign", {"department": "nyncj"}), ("accept", {}), ("reply", REPLY)):
            service.perform_action(session, cal, case, action, ADMIN, params)
    return case


def run_close_job(rt, run_jobs, when: str) -> None:
    with time_machine.travel(at(when), tick=False):
        periodic.close_windows(rt)
        run_jobs()


def closes(session, case) -> list[CaseEvent]:
    session.expire_all()
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "close")))


@pytest.fixture
def case(session, cal, citizen, new_case):
    # Replied on Monday 2 March 2026: the 30 days of Art. 35 end with Wednesday 1 April.
    return replied_case(session, cal, citizen, new_case, "2026-03-02 10:00")


def test_closes_on_the_day_after_the_window_not_on_its_last_day(rt, session, case, platform, run_jobs):
    run_close_job(rt, run_jobs, "2026-04-01 23:50")
    session.refresh(case)
    assert case.status == "replied" and closes(session, case) == []

    run_close_job(rt, run_jobs, "2026-04-02 00:10")
    session.refresh(case)
    assert case.status == "closed"
    [event] = closes(session, case)
    assert (event.actor_kind, event.actor_name, event.from_status) == ("system", "系统", "replied")
    assert event.citizen_visible
    [notice] = notifications(session, case_id=case.id, event="closed")
    assert notice.text == f"您的信访事项（{case.tracking_code}）已办结。感谢您的监督。"
    with time_machine.travel(at("2026-04-02 08:00"), tick=False):  # after the quiet hours
        run_jobs()
    assert platform.texts(case.petitioner.openid)[-1] == notice.text


def test_running_the_job_twice_closes_once(rt, session, case, platform, run_jobs):
    run_close_job(rt, run_jobs, "2026-04-02 09:00")
    run_close_job(rt, run_jobs, "2026-04-02 10:00")
    assert len(closes(session, case)) == 1
    assert len(notifications(session, case_id=case.id, event="closed")) == 1
    assert platform.texts(case.petitioner.openid).count(f"您的信访事项（{case.tracking_code}）已办结。感谢您的监督。") == 1


def test_a_window_ending_on_a_holiday_runs_to_the_next_working_day(rt, session, cal, citizen, new_case, run_jobs):
    # Replied on 5 March: day 30 is Saturday 4 April, in the 清明 holiday to 6 April; the window ends 7 April.
    case = replied_case(session, cal, citizen, new_case, "2026-03-05 10:00")
    run_close_job(rt, run_jobs, "2026-04-07 18:00")
    session.refresh(case)
    assert case.status == "replied"
    run_close_job(rt, run_jobs, "2026-04-08 08:00")
    session.refresh(case)
    assert case.status == "closed"


def test_a_case_under_review_is_not_closed_and_the_rereview_window_counts_from_the_review_opinion(
        rt, session, cal, case, run_jobs):
    with time_machine.travel(at("2026-03-20 10:00"), tick=False):
        service.perform_action(session, cal, case, "request_review", Actor.citizen(case.petitioner_id))
    run_close_job(rt, run_jobs, "2026-04-10 10:00")  # past the first window, the 复查 pending
    session.refresh(case)
    assert case.status == "review" and closes(session, case) == []

    with time_machine.travel(at("2026-04-15 10:00"), tick=False):
        service.perform_action(session, cal, case, "review_reply", ADMIN, REPLY)
    # 复核 may be asked within 30 days of the 复查意见: to 15 May.
    run_close_job(rt, run_jobs, "2026-05-15 20:00")
    session.refresh(case)
    assert (case.status, case.review_level) == ("replied", 1)
    run_close_job(rt, run_jobs, "2026-05-16 08:00")
    session.refresh(case)
    assert case.status == "closed"


def test_an_unread_message_of_the_citizen_holds_the_close_until_it_is_read(rt, session, cal, case):
    # Sent on the last day; a worker has not read it yet. It may be "复查 <code>".
    message = InboundMessage(channel="wechat", external_id="msg-1", sender=case.petitioner.openid, msg_type="text",
                             raw=f"复查 {case.tracking_code}", received_at=at("2026-04-01 23:59"))
    session.add(message)
    session.commit()
    assert closing.close_expired_windows(session, cal, at("2026-04-02 00:10")) == []

    message.status = "processed"
    session.commit()
    assert closing.close_expired_windows(session, cal, at("2026-04-02 00:20")) == [case.tracking_code]
