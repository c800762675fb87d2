"""The job functions RQ runs, enqueued by dotted path (xinfang.queue.jobs.<name>).

Each takes ids, reads the rest from the database, and is safe to run twice:
the outbox status, the message status, and unique notification keys decide
whether there is still something to do. Thin: the work is in outbox.py,
intake.py and reminders.py.
"""
from __future__ import annotations

from datetime import datetime

from rq import Queue
from sqlalchemy import select

from .. import runtime
from ..bot import submission
from ..cases import followups
from ..cases.service import pending_notification_ids
from ..models import Case, utcnow
from . import intake, outbox, reminders
from .senders import build_senders

_senders: tuple = (None, None)  # (runtime, senders): built once per worker process


def senders_of(rt) -> dict:
    global _senders
    if _senders[0] is not rt:
        _senders = (rt, build_senders(rt.settings, rt.redis))
    return _senders[1]


def schedule_send(notification_id: int, at: datetime) -> None:
    """Enqueue a send for `at` (now, or later); the job id names the moment, so a job
    never overwrites itself while it runs."""
    queue = Queue(followups.NOTIFY_QUEUE, connection=runtime.current().redis)
    job_id = followups.notify_job_id(notification_id, at)
    if at <= utcnow():
        queue.enqueue(followups.SEND_NOTIFICATION, notification_id, job_id=job_id)
    else:
        queue.enqueue_at(at, followups.SEND_NOTIFICATION, notification_id, job_id=job_id)


def send_notification(notification_id: int) -> str:
    rt = runtime.current()
    with rt.Session() as session:
        outcome = outbox.deliver(session, notification_id, senders=senders_of(rt), redis=rt.redis,
                                 settings=rt.settings)
    if outcome.status in ("retry", "deferred"):
        schedule_send(notification_id, outcome.next_attempt_at)
    return outcome.status


def send_notifications(*notification_ids: int) -> str:
    """Send these notices one after another, each as send_notification does."""
    outcomes = [send_notification(notification_id) for notification_id in notification_ids]
    return f"sent {outcomes.count('sent')} of {len(outcomes)}"


def process_message(message_id: int) -> str:
    rt = runtime.current()
    with rt.Session() as session:
        notifications = intake.process_message(session, rt.calendar, rt.redis, message_id)
        sends = [(n.id, n.next_attempt_at) for n in notifications]
    for notification_id, at in sends:
        schedule_send(notification_id, at)
    return f"answered {len(sends)}" if sends else "nothing to do"


def register_intake(message_id: int) -> str:
    """Register a submitted intake, with the others waiting beside it, then send or queue their receipts.

    A batch of a few (citizens confirming at a steady pace) is seen through here: its receipts
    sent and its reminders set, as the jobs below would, without their cost (a job costs about
    as much as a push). A larger batch (a backlog) queues its receipts on the notify queue, a few
    to a job, which every worker takes before the intake queue: the 登记 pushes wait for no further
    registration, and another worker sends them while this one registers the next batch. Each is
    sent one at a time (outbox.py: a worker killed mid-send leaves one push to be sent again, not
    as many as it had in flight). Its reminders wait in their own, lower-priority queue (and the
    periodic sweep would set them anyway).
    """
    rt = runtime.current()
    with rt.Session() as session:
        outcome = submission.register_submissions(session, rt.calendar, message_id)
        registered = outcome.registered
        case_ids = sorted(registered.values())
        if not registered:
            # A rerun after a worker died between the commit and the enqueue finds its receipt pending.
            own = submission.registered_case_id(session, message_id)
            case_ids = [own] if own is not None else []
        receipts = pending_notification_ids(session, case_ids)
    followups.dequeue([followups.register_job_id(m) for m in registered if m != message_id], "intake")
    if len(receipts) <= followups.SENDS_PER_JOB:
        for notification_id in receipts:
            send_notification(notification_id)
        if registered:
            schedule_reminders(*case_ids)
    else:
        followups.enqueue_all(followups.send_jobs(receipts) + [
            (followups.SCHEDULE_REMINDERS, tuple(case_ids), "reminders", followups.reminders_job_id(case_ids))])
    if outcome.refused is not None:
        raise outcome.refused  # listed with the failed jobs, for staff to see why
    return f"registered {len(registered)}"


def classify_case(case_id: int) -> str:
    rt = runtime.current()
    with rt.Session() as session:
        case = intake.classify_case(session, case_id)
    return "classified" if case is not None else "nothing to do"


def schedule_reminders(*case_ids: int) -> list[str]:
    rt = runtime.current()
    with rt.Session() as session:
        cases = list(session.scalars(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)))
        return reminders.sync(session, rt.redis, cases, rt.settings.reminder_days, rt.calendar)


def fire_reminder(case_id: int, kind: str, due_ts: int) -> str:
    rt = runtime.current()
    with rt.Session() as session:
        notice = reminders.fire(session, case_id, kind, due_ts, rt.settings.reminder_days, rt.calendar)
        if notice is not None:
            # This moment is done: its case's next one is another job (a moment fired again, not yet
            # due, or of a clock that moved on leaves the schedule to whoever set it).
            reminders.sync(session, rt.redis, [session.get(Case, case_id)], rt.settings.reminder_days, rt.calendar)
    return notice.event if notice is not None else "nothing to do"
