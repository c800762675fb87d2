"""Nothing lost: re-enqueue work the database says is undone and Redis no longer holds.

Redis may restart without its data and a worker may be killed with -9; the
database is the record. Every 15 seconds (and when a worker starts) the sweeper
looks for outbox rows that are due and unsent, WeChat messages still
`pending`, and intakes submitted by 确认 but not registered yet, that have
waited longer than GRACE, and enqueues them again unless a live job for them
is queued, scheduled or running. The jobs are idempotent,
so the rare second copy of a job does nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cases import followups
from ..models import InboundMessage, Notification, utcnow
from .intake import MAX_MESSAGE_ATTEMPTS

log = logging.getLogger(__name__)

# Work younger than this may still be between its commit and its enqueue.
GRACE = timedelta(seconds=10)
# A job "started" longer ago than this lost its worker (ours finish in seconds).
STALE_START = timedelta(seconds=90)
BATCH = 1000
ALIVE = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED)

@dataclass
class SweepReport:
    notifications: int = 0
    messages: int = 0
    submissions: int = 0


def _vanished(redis, candidates: dict[int, list[str]], now: datetime) -> list[int]:
    """The keys of `candidates` (row id -> its possible job ids) with no live job in Redis."""
    ids = [job_id for job_ids in candidates.values() for job_id in job_ids]
    jobs = dict(zip(ids, Job.fetch_many(ids, connection=redis)))
    return [row_id for row_id, job_ids in candidates.items()
            if not any(_alive(jobs[job_id], now) for job_id in job_ids)]


def _alive(job: Job | None, now: datetime) -> bool:
    if job is None:
        return False
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED and job.started_at and job.started_at < now - STALE_START:
        return False  # its worker died mid-job
    return status in ALIVE


def sweep(session: Session, redis, now: datetime | None = None, grace: timedelta = GRACE) -> SweepReport:
    """Re-enqueue the undone work older than `grace` that has no live job. Right after Redis lost
    its data the grace is zero: every job is gone, and a copy of one about to be enqueued is harmless."""
    now = now or utcnow()
    report = SweepReport()
    due = session.execute(
        select(Notification.id, Notification.next_attempt_at)
        .where(Notification.status.in_(("pending", "failed")), Notification.next_attempt_at <= now - grace)
        .order_by(Notification.next_attempt_at).limit(BATCH)
    ).all()
    notify = Queue("notify", connection=redis)
    candidates = {nid: [followups.notify_job_id(nid), followups.notify_job_id(nid, at)] for nid, at in due}
    for notification_id in _vanished(redis, candidates, now):
        notify.enqueue(followups.SEND_NOTIFICATION, notification_id, job_id=candidates[notification_id][-1])
        report.notifications += 1
    stuck = session.scalars(
        select(InboundMessage.id)
        .where(InboundMessage.status == "pending", InboundMessage.attempts < MAX_MESSAGE_ATTEMPTS, InboundMessage.received_at <= now - grace)
        .order_by(InboundMessage.id).limit(BATCH)
    ).all()
    pending = Queue(followups.PENDING_QUEUE, connection=redis)
    for message_id in _vanished(redis, {mid: [followups.intake_job_id(mid)] for mid in stuck}, now):
        pending.enqueue(followups.PROCESS_MESSAGE, message_id, job_id=followups.intake_job_id(message_id))
        report.messages += 1
    unregistered = session.scalars(
        select(InboundMessage.id)
        .where(InboundMessage.tracking_code.is_not(None), InboundMessage.case_id.is_(None),
               InboundMessage.received_at <= now - grace)
        .order_by(InboundMessage.id).limit(BATCH)
    ).all()
    for message_id in _vanished(redis, {mid: [followups.register_job_id(mid)] for mid in unregistered}, now):
        Queue("intake", connection=redis).enqueue(followups.REGISTER_INTAKE, message_id,
                                                  job_id=followups.register_job_id(message_id))
        report.submissions += 1
    if report.notifications or report.messages or report.submissions:
        log.warning("sweeper re-enqueued %d notifications, %d messages and %d submissions",
                    report.notifications, report.messages, report.submissions)
    return report
