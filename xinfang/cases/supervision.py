"""Supervision: the supervisor's 研判 list and 督办 (《信访工作条例》 Art. 39 ¶3, 40, 45).

A 研判 item is opened by the system when a citizen answers 不满意 or "not
solved"; a supervisor reads the reason and concludes it. A 督办 is issued by a
supervisor with a deadline; the department must answer it; one still
unanswered past its deadline is escalated to 挂牌督办 and listed for leaders.
The timeline of the case records each step through the case service.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..models import Case, CaseEvent, Supervision, Survey, utcnow
from . import service
from .deadlines import Calendar
from .workflow import WorkflowError

SUPERVISOR_ROLES = ("supervisor", "admin")
LEADER_ROLES = ("leader", "supervisor", "admin")
KIND_NAMES = {"judgement": "研判", "order": "督办"}


def _with_event(session: Session, cal: Calendar, case: Case, action: str, actor: service.Actor, params: dict,
                now: datetime) -> None:
    """Commit the pending supervision change with its timeline event, or neither."""
    try:
        service.perform_action(session, cal, case, action, actor, params, now=now)
    except Exception:
        session.rollback()
        raise


# --- 研判 -----------------------------------------------------------------------

def open_judgement(session: Session, survey: Survey, reason: str | None, now: datetime) -> Supervision:
    """Put the case on the supervisors' 研判 list with the citizen's reason (flushes, does not commit)."""
    item = session.scalar(select(Supervision).where(Supervision.survey_id == survey.id,
                                                    Supervision.kind == "judgement"))
    case = session.get(Case, survey.case_id)
    if item is None:
        item = Supervision(case_id=case.id, kind="judgement", status="open", department_code=case.department_code,
                           county=case.county, reason=reason or "", survey_id=survey.id, issued_at=now)
        session.add(item)
        _system_line(session, case, "judgement", now, f"信访人评价：{survey.answer or '—'}，问题"
                     f"{ {True: '已解决', False: '未解决'}.get(survey.solved, '未答')}。{reason or ''}")
    elif reason and reason not in item.reason:
        item.reason = f"{item.reason}\n{reason}" if item.reason else reason
        item.status = "open"
    session.flush()
    return item


def conclude(session: Session, cal: Calendar, item: Supervision, actor: service.Actor, conclusion: str,
             now: datetime | None = None) -> Supervision:
    """A supervisor closes a 研判 or a 督办 with a conclusion, written on the case's timeline."""
    if actor.role not in SUPERVISOR_ROLES:
        raise WorkflowError("只有督办人员可以办结研判或督办")
    if not (conclusion or "").strip():
        raise WorkflowError("请填写研判或督办结论")
    if item.status == "closed":
        raise WorkflowError("该事项已办结")
    now = now or utcnow()
    item.status, item.conclusion, item.closed_by, item.closed_at = "closed", conclusion.strip(), actor.id, now
    _with_event(session, cal, item.case, "note", actor, {"note": f"{KIND_NAMES[item.kind]}结论：{conclusion.strip()}"},
                now)
    return item


# --- 督办 -----------------------------------------------------------------------

def issue_order(session: Session, cal: Calendar, case: Case, actor: service.Actor, *, due_at: datetime,
                instruction: str, now: datetime | None = None) -> Supervision:
    """督办 (Art. 40): the department must answer by `due_at`; the workflow's `supervise` step records it."""
    now = now or utcnow()
    if due_at <= now:
        raise WorkflowError("督办期限应晚于当前时间")
    if not case.department_code:
        raise WorkflowError("案件尚未交办到部门，不能督办")
    item = Supervision(case_id=case.id, kind="order", status="open", department_code=case.department_code,
                       county=case.county, reason=(instruction or "").strip(), issued_by=actor.id, issued_at=now,
                       due_at=due_at)
    session.add(item)
    day = cal.local_date(due_at)
    # The case service checks role, state and scope, and commits the order with the timeline event.
    _with_event(session, cal, case, "supervise", actor, {"note": item.reason, "due": day.isoformat()}, now)
    return item


def answer_order(session: Session, cal: Calendar, item: Supervision, actor: service.Actor, answer: str,
                 now: datetime | None = None) -> Supervision:
    """The department answers a 督办 (办理情况反馈)."""
    if item.kind != "order":
        raise WorkflowError("只有督办需要部门答复")
    if actor.role != "admin" and actor.department_code != item.department_code:
        raise service.CaseNotFound(item.case.tracking_code)
    if item.status != "open":
        raise WorkflowError("该督办已答复或已办结")
    if not (answer or "").strip():
        raise WorkflowError("请填写督办答复")
    now = now or utcnow()
    item.status, item.answer, item.answered_by, item.answered_at = "answered", answer.strip(), actor.id, now
    _with_event(session, cal, item.case, "note", actor, {"note": f"督办答复：{answer.strip()}"}, now)
    return item


def escalate_overdue(session: Session, now: datetime | None = None) -> list[int]:
    """挂牌督办: orders past their deadline without an answer go on the leaders' list (Art. 39 ¶3). Commits."""
    now = now or utcnow()
    # Locked rows are being escalated by another worker: skipped, so nobody writes the line twice.
    overdue = list(session.scalars(select(Supervision).where(
        Supervision.kind == "order", Supervision.status == "open", Supervision.escalated_at.is_(None),
        Supervision.due_at < now).with_for_update(skip_locked=True)))
    for item in overdue:
        item.escalated_at = now
        _system_line(session, item.case, "escalate", now, "督办逾期未答复，转为挂牌督办")
    session.commit()
    return [item.id for item in overdue]


def _system_line(session: Session, case: Case, action: str, now: datetime, note: str) -> None:
    """A line on the case's timeline for staff, not a transition: the case keeps its state."""
    session.add(CaseEvent(case_id=case.id, action=action, actor_kind="system", actor_name="系统",
                          from_status=case.status, to_status=case.status, at=now, note=note))


def get_item(session: Session, item_id: int, actor: service.Actor) -> Supervision:
    """The item, if its case is within the actor's scope; CaseNotFound otherwise, the same as no item."""
    item = session.get(Supervision, item_id)
    if item is None or not service.can_see(actor, item.case):
        raise service.CaseNotFound(str(item_id))
    return item


# --- the lists ------------------------------------------------------------------

def _scoped(actor: service.Actor, query: Select) -> Select:
    return service.scope_filter(actor, query.join(Case, Supervision.case_id == Case.id))


def judgement_queue(session: Session, actor: service.Actor) -> list[Supervision]:
    """The supervisor's 研判 list: dissatisfied citizens, oldest first."""
    if actor.role not in SUPERVISOR_ROLES:
        return []
    query = select(Supervision).where(Supervision.kind == "judgement", Supervision.status == "open")
    return list(session.scalars(_scoped(actor, query).order_by(Supervision.issued_at, Supervision.id)))


def department_orders(session: Session, actor: service.Actor) -> list[Supervision]:
    """The 督办 a department must answer, nearest deadline first."""
    query = select(Supervision).where(Supervision.kind == "order", Supervision.status == "open")
    if actor.role != "admin":
        query = query.where(Supervision.department_code == (actor.department_code or ""))
    return list(session.scalars(_scoped(actor, query).order_by(Supervision.due_at, Supervision.id)))


def leader_list(session: Session, actor: service.Actor) -> list[Supervision]:
    """挂牌督办: escalated orders not yet concluded."""
    if actor.role not in LEADER_ROLES:
        return []
    query = select(Supervision).where(Supervision.kind == "order", Supervision.escalated_at.is_not(None),
                                      Supervision.status != "closed")
    return list(session.scalars(_scoped(actor, query).order_by(Supervision.escalated_at, Supervision.id)))
