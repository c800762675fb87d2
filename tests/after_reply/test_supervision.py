"""督办 with a deadline, the department's answer, 挂牌督办 for leaders, and the 研判 conclusion."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.after_reply.conftest import CLERK, SUPERVISOR, make_case
from xinfang.cases import service, supervision
from xinfang.cases.service import Actor, CaseNotFound
from xinfang.cases.workflow import WorkflowError
from xinfang.models import CaseEvent, Supervision
from xinfang.queue import survey_jobs
from tests.beijing_time import at

T0 = at("2026-03-02 10:00")
DAY = timedelta(days=1)
LEADER = Actor("staff", "leader", None, "州领导")
RSJ = Actor("staff", "handler", None, "人社承办人", department_code="rsj")
ZJJ = Actor("staff", "handler", None, "住建承办人", department_code="zjj")


@pytest.fixture
def accepted_case(session, cal):
    case = make_case(session, cal, when=T0)
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "rsj"}, now=T0)
    service.perform_action(session, cal, case, "accept", RSJ, now=T0 + DAY)
    return case


def test_order_is_on_the_departments_list_and_the_timeline(session, cal, accepted_case):
    item = supervision.issue_order(session, cal, accepted_case, SUPERVISOR, due_at=T0 + 8 * DAY,
                                   instruction="请于一周内反馈欠薪核查进展", now=T0 + 2 * DAY)
    assert [o.id for o in supervision.department_orders(session, RSJ)] == [item.id]
    assert supervision.department_orders(session, ZJJ) == []
    event = session.scalar(select(CaseEvent).where(CaseEvent.case_id == accepted_case.id,
                                                   CaseEvent.action == "supervise"))
    assert event.note == "请于一周内反馈欠薪核查进展" and event.data["due"] == "2026-03-10"
    assert accepted_case.supervised_at is not None


def test_only_the_department_answers_its_order(session, cal, accepted_case):
    item = supervision.issue_order(session, cal, accepted_case, SUPERVISOR, due_at=T0 + 8 * DAY,
                                   instruction="请反馈", now=T0 + 2 * DAY)
    with pytest.raises(CaseNotFound):
        supervision.answer_order(session, cal, item, ZJJ, "不是我们的事", now=T0 + 3 * DAY)
    supervision.answer_order(session, cal, item, RSJ, "已约谈项目方，工资本周发放", now=T0 + 3 * DAY)
    assert (item.status, item.answer) == ("answered", "已约谈项目方，工资本周发放")
    assert supervision.department_orders(session, RSJ) == []
    with pytest.raises(WorkflowError, match="已答复"):
        supervision.answer_order(session, cal, item, RSJ, "再答一次", now=T0 + 4 * DAY)


def test_an_unanswered_order_past_its_deadline_is_escalated_to_the_leaders_list(session, cal, accepted_case):
    overdue = supervision.issue_order(session, cal, accepted_case, SUPERVISOR, due_at=T0 + 8 * DAY,
                                      instruction="请反馈", now=T0 + 2 * DAY)
    answered = supervision.issue_order(session, cal, accepted_case, SUPERVISOR, due_at=T0 + 8 * DAY,
                                       instruction="请说明时限", now=T0 + 2 * DAY)
    supervision.answer_order(session, cal, answered, RSJ, "十日内办结", now=T0 + 3 * DAY)
    with time_machine.travel(T0 + 8 * DAY - timedelta(minutes=1), tick=False):
        assert survey_jobs.escalate_supervisions() == 0
    assert supervision.leader_list(session, LEADER) == []
    with time_machine.travel(T0 + 8 * DAY + timedelta(minutes=1), tick=False):
        assert survey_jobs.escalate_supervisions() == 1
        assert survey_jobs.escalate_supervisions() == 0
    session.expire_all()
    assert [o.id for o in supervision.leader_list(session, LEADER)] == [overdue.id]
    lines = session.scalars(select(CaseEvent.note).where(CaseEvent.action == "escalate")).all()
    assert lines == ["督办逾期未答复，转为挂牌督办"]
    assert supervision.leader_list(session, RSJ) == []  # a handler sees no leaders' list
    supervision.conclude(session, cal, overdue, SUPERVISOR, "部门已当面汇报，督办办结", now=T0 + 9 * DAY)
    assert supervision.leader_list(session, LEADER) == []


def test_an_order_needs_a_future_deadline_and_a_supervisor(session, cal, accepted_case):
    with pytest.raises(WorkflowError, match="晚于"):
        supervision.issue_order(session, cal, accepted_case, SUPERVISOR, due_at=T0, instruction="x", now=T0 + DAY)
    with pytest.raises(WorkflowError, match="无权"):
        supervision.issue_order(session, cal, accepted_case, RSJ, due_at=T0 + 9 * DAY, instruction="x", now=T0 + DAY)
    session.expire_all()
    assert session.scalars(select(Supervision)).all() == []


def test_a_judgement_is_concluded_on_the_timeline(session, cal, accepted_case):
    item = Supervision(case_id=accepted_case.id, kind="judgement", department_code="rsj", reason="工资只发了一半")
    session.add(item)
    session.commit()
    assert supervision.judgement_queue(session, SUPERVISOR) == [item]
    with pytest.raises(WorkflowError):
        supervision.conclude(session, cal, item, RSJ, "自己结了")
    supervision.conclude(session, cal, item, SUPERVISOR, "已要求承办单位补发剩余工资", now=T0 + 3 * DAY)
    assert supervision.judgement_queue(session, SUPERVISOR) == []
    note = session.scalars(select(CaseEvent.note).where(CaseEvent.action == "note")).one()
    assert note == "研判结论：已要求承办单位补发剩余工资"
