"""The statutory clocks at work: reminders before a deadline, overdue at it, 督办 after it.

Every case in a handling state runs one staff clock (cases.deadlines). For
it, `plan` gives the moments: a reminder to the responsible department
`settings.reminder_days` days before the due day (09:00 local), the overdue
mark at the deadline, and a 督办 notice to the supervisors' queue at 09:00
the day after (《信访工作条例》第四十条: 未在规定期限内办结 is a ground for 督办;
LAW.md §11).

Each moment is one RQ job with a fixed id, `reminder-<case id>-<kind>`, so
scheduling again (after an extension, a new state) replaces it, and a case
that left its clock cancels them. Only a case's next moment is scheduled;
its job, once it has fired, schedules the one after. A job re-reads the case and does nothing
if the clock moved on. What a moment produced is a staff Notification with a
unique key naming the case, the clock, the deadline and the kind: firing
twice writes it once. `sync_all` recomputes every open case's jobs from the
database, so a schedule lost with Redis heals itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..cases.deadlines import STAFF_CLOCKS, Calendar
from ..cases.workflow import HANDLING_STATES
from ..models import Case, CaseEvent, Notification, utcnow

FIRE_REMINDER = "xinfang.queue.jobs.fire_reminder"
QUEUE = "reminders"
WORKDAY_START = time(9)
OVERDUE, SUPERVISE = "overdue", "supervise"

CLOCK_NAMES = {
    "route": "登记转送（第二十二条，15日）",
    "notify": "告知受理（第二十三条，15日）",
    "reply": "出具处理意见（第三十四条）",
    "review": "复查（第三十五条，30日）",
    "rereview": "复核（第三十六条，30日）",
}


@dataclass(frozen=True)
class Moment:
    kind: str  # "3", "1" (days before), "overdue", "supervise"
    at: datetime


def runs_clock(case: Case) -> bool:
    return case.status in HANDLING_STATES and case.clock in STAFF_CLOCKS and case.due_at is not None


def plan(case: Case, reminder_days, cal: Calendar) -> list[Moment]:
    """The moments of the case's running clock, earliest first; none when no staff clock runs."""
    if not runs_clock(case):
        return []
    due_day = cal.local_date(case.due_at)
    moments = [Moment(str(days), datetime.combine(due_day - timedelta(days=days), WORKDAY_START, tzinfo=cal.tz))
               for days in sorted(reminder_days, reverse=True)]
    moments.append(Moment(OVERDUE, case.due_at + timedelta(microseconds=1)))  # midnight after the last day
    moments.append(Moment(SUPERVISE, datetime.combine(due_day + timedelta(days=1), WORKDAY_START, tzinfo=cal.tz)))
    return moments


def job_id(case_id: int, kind: str) -> str:
    return f"reminder-{case_id}-{kind}"


def notice_key(case: Case, kind: str) -> str:
    return f"clock:{case.id}:{case.clock}:{int(case.due_at.timestamp())}:{kind}"


# --- scheduling ----------------------------------------------------------------

def sync(session: Session, redis, cases: list[Case], reminder_days, cal: Calendar,
         now: datetime | None = None) -> list[str]:
    """Make the cases' scheduled jobs match their clocks: fire now what is due and was missed, and
    schedule the next moment of each (its job schedules the one after). One scheduled job a case,
    not one per moment: a registration sets one, and Redis holds one per running clock.

    One query and one Redis round trip for all of them (a registration batch, a chunk of the
    periodic heal). Returns the kinds scheduled or enqueued.
    """
    now = now or utcnow()
    queue = Queue(QUEUE, connection=redis)
    scheduled = ScheduledJobRegistry(queue=queue)
    done = _fired(session, [case.id for case in cases])
    kinds = {*(str(d) for d in reminder_days), OVERDUE, SUPERVISE}
    acted = []
    with redis.pipeline() as pipe:
        pipe.multi()  # explicitly, before the first command: RQ's enqueue asks for it then, and only then
        for case in cases:
            moments = [m for m in plan(case, reminder_days, cal) if notice_key(case, m.kind) not in done]
            passed = [m for m in moments if m.at <= now]
            # Of the reminders already past, only the latest still says something while the deadline is ahead.
            latest_reminder = next((m.kind for m in reversed(passed) if m.kind not in (OVERDUE, SUPERVISE)), None)
            now_due = [m for m in passed if m.kind in (OVERDUE, SUPERVISE)
                       or (m.kind == latest_reminder and case.due_at > now)]
            upcoming = next((m for m in moments if m.at > now), None)
            keep = {m.kind for m in now_due} | ({upcoming.kind} if upcoming else set())
            for kind in kinds - keep:
                # Cancelled, if it was scheduled (a case that left its clock, an extension, an older schedule).
                pipe.zrem(scheduled.key, job_id(case.id, kind))
                pipe.delete(Job.key_for(job_id(case.id, kind)))
            if not keep:
                continue
            due_ts = int(case.due_at.timestamp())
            for moment in now_due:
                queue.enqueue(FIRE_REMINDER, case.id, moment.kind, due_ts, job_id=job_id(case.id, moment.kind),
                              pipeline=pipe)
            if upcoming is not None:
                queue.enqueue_at(upcoming.at, FIRE_REMINDER, case.id, upcoming.kind, due_ts,
                                 job_id=job_id(case.id, upcoming.kind), pipeline=pipe)
            acted += [m.kind for m in now_due] + ([upcoming.kind] if upcoming else [])
        pipe.execute()
    return acted


def _fired(session: Session, case_ids: list[int]) -> set[str]:
    """The clock notices these cases have had (their keys)."""
    if not case_ids:
        return set()
    return set(session.scalars(select(Notification.idempotency_key).where(
        Notification.case_id.in_(case_ids), Notification.idempotency_key.like("clock:%"))))


# The periodic heal reads and schedules this many cases at a time.
SYNC_CHUNK = 200


def sync_all(session: Session, redis, reminder_days, cal: Calendar, now: datetime | None = None) -> int:
    """Recompute the jobs of every case that runs a staff clock (the periodic heal). Returns how many cases."""
    count = 0
    cases = session.scalars(select(Case).where(Case.status.in_(HANDLING_STATES), Case.due_at.is_not(None))
                            .execution_options(yield_per=SYNC_CHUNK))
    for chunk in cases.partitions(SYNC_CHUNK):
        sync(session, redis, list(chunk), reminder_days, cal, now)
        count += len(chunk)
    return count


# --- firing --------------------------------------------------------------------

def fire(session: Session, case_id: int, kind: str, due_ts: int, reminder_days, cal: Calendar,
         now: datetime | None = None) -> Notification | None:
    """What one moment does, if the case still runs that clock and the moment has come."""
    now = now or utcnow()
    case = session.get(Case, case_id)
    if case is None or not runs_clock(case) or int(case.due_at.timestamp()) != due_ts:
        return None  # the clock moved on (an extension, a new state): a newer job covers it
    moment = next((m for m in plan(case, reminder_days, cal) if m.kind == kind), None)
    if moment is None or moment.at > now + timedelta(seconds=1):
        return None
    key = notice_key(case, kind)
    if session.scalar(select(Notification.id).where(Notification.idempotency_key == key)):
        return None
    notice = _staff_notice(case, kind, key, cal, now)
    session.add(notice)
    if kind == OVERDUE:
        # A system line on the timeline, not a transition: the case keeps its state (DESIGN §5).
        session.add(CaseEvent(case_id=case.id, action="overdue", actor_kind="system", actor_name="系统",
                              from_status=case.status, to_status=case.status, at=now,
                              note=f"{CLOCK_NAMES[case.clock]}已超期",
                              data={"clock": case.clock, "due": case.due_at.isoformat()}))
    try:
        session.commit()
    except IntegrityError:  # another worker fired it a moment ago
        session.rollback()
        return None
    return notice


def _staff_notice(case: Case, kind: str, key: str, cal: Calendar, now: datetime) -> Notification:
    due = cal.local_date(case.due_at)
    due_text = f"{due.month}月{due.day}日"
    clock = CLOCK_NAMES[case.clock]
    if kind == OVERDUE:
        event, audience = "overdue", "department"
        text = f"【超期】案件{case.tracking_code}“{clock}”期限已于{due_text}届满，请尽快办理并说明原因。"
    elif kind == SUPERVISE:
        event, audience = "supervise", "supervisor"
        text = f"【待督办】案件{case.tracking_code}“{clock}”{due_text}到期未办结，请研究督办（第四十条）。"
    else:
        event, audience = "reminder", "department"
        left = cal.days_left(case.due_at, now)
        text = f"【临期提醒】案件{case.tracking_code}“{clock}”将于{due_text}到期，还剩{left}天。"
    return Notification.for_staff(case, event, text, key, now, audience=audience, clock=case.clock,
                                  due_at=case.due_at.isoformat())
