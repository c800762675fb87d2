"""Nothing lost: re-enqueue work the database says is undone and Redis no longer holds.

Redis may restart without its data and a worker may be killed with -9; the
database is the record. Every 15 seconds, and at once when Redis comes back
without its data (periodic.py), the sweeper looks for outbox rows that are
due and unsent, WeChat messages still `pending`, and intakes submitted by
确认 but not registered yet, that have waited longer than GRACE, and
enqueues them again unless a live job for them is queued, scheduled or
running (on a worker whose heartbeat is fresh: liveness.py). Rows due later
(a retry's backoff, the end of quiet hours) are scheduled again for their
moment. The jobs are idempotent, so the rare second copy of a job does
nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bot import submission
from ..cases import followups
from ..models import InboundMessage, Notification, utcnow
from . import liveness, outbox
from .intake import MAX_MESSAGE_ATTEMPTS

log = logging.getLogger(__name__)

# Work younger than this may still be between its commit and its enqueue.
GRACE = timedelta(seconds=10)
BATCH = 1000
ALIVE = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED)

@dataclass
class SweepReport:
    notifications: int = 0
    retries: int = 0  # sends for later (a retry's backoff, the end of quiet hours) scheduled again
    messages: int = 0
    submissions: int = 0


def _vanished(redis, candidates: dict[int, list[str]], held: frozenset[int] = frozenset()) -> list[int]:
    """The keys of `candidates` (row id -> its possible job ids) with no live job in Redis and not
    among `held` (the rows live jobs hold beside their own)."""
    ids = [job_id for job_ids in candidates.values() for job_id in job_ids]
    live = set(_live(redis, ids))
    return [row_id for row_id, job_ids in candidates.items()
            if row_id not in held and not any(job_id in live for job_id in job_ids)]


def _live(redis, job_ids: list[str]) -> dict[str, Job]:
    """Those of the jobs that are live: queued, scheduled, or running on a worker that beats."""
    jobs = [job for job in Job.fetch_many(job_ids, connection=redis) if job is not None]
    running = {job.worker_name for job in jobs if job.get_status(refresh=False) == JobStatus.STARTED}
    dead = liveness.dead_workers(redis, running) if running else set()
    return {job.id: job for job in jobs if _alive(job, dead)}


def _sent_by_batches(redis) -> frozenset[int]:
    """The notifications that live batch send jobs hold (a registration batch's receipts, a few to a
    job: followups.send_jobs). Their own job ids name no such job: without this, every receipt that
    waits in a backlog longer than GRACE would be queued a second time, adding work when there is
    most of it."""
    queue = Queue(followups.NOTIFY_QUEUE, connection=redis)
    ids = [job_id for job_id in queue.get_job_ids() + StartedJobRegistry(queue=queue).get_job_ids()
           if followups.is_batch_send(job_id)]
    return frozenset(nid for job in _live(redis, ids).values() for nid in job.args)


def _alive(job: Job | None, dead_workers: set) -> bool:
    if job is None:
        return False
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED and job.worker_name in dead_workers:
        return False  # its worker died mid-job (killed with -9: RQ still calls it started)
    return status in ALIVE


def sweep(session: Session, redis, now: datetime | None = None, grace: timedelta = GRACE) -> SweepReport:
    """Re-enqueue the undone work older than `grace` that has no live job. Right after Redis lost
    its data the grace is zero: every job is gone, and a copy of one about to be enqueued is harmless."""
    now = now or utcnow()
    report = SweepReport()
    due = session.execute(
        select(Notification.id, Notification.next_attempt_at)
        .where(outbox.unsent_due_by(now - grace))
        .order_by(Notification.next_attempt_at).limit(BATCH)
    ).all()
    candidates = {nid: [followups.notify_job_id(nid), followups.notify_job_id(nid, at)] for nid, at in due}
    held = _sent_by_batches(redis) if candidates else frozenset()
    sends = [(followups.SEND_NOTIFICATION, (nid,), followups.NOTIFY_QUEUE, candidates[nid][-1])
             for nid in _vanished(redis, candidates, held)]
    report.notifications = len(sends)
    # A send for later has its moment in its job id: scheduled again for that moment, no grace needed
    # (a copy of a schedule about to be made replaces it).
    later = dict(session.execute(
        select(Notification.id, Notification.next_attempt_at)
        .where(Notification.status.in_(outbox.UNSENT), Notification.next_attempt_at > now)
        .order_by(Notification.next_attempt_at).limit(BATCH)
    ).all())
    later_jobs = {nid: followups.notify_job_id(nid, at) for nid, at in later.items()}
    retries = [(followups.SEND_NOTIFICATION, (nid,), followups.NOTIFY_QUEUE, later_jobs[nid], later[nid])
               for nid in _vanished(redis, {nid: [job_id] for nid, job_id in later_jobs.items()})]
    report.retries = len(retries)
    stuck = session.scalars(
        select(InboundMessage.id)
        .where(InboundMessage.status == "pending", InboundMessage.attempts < MAX_MESSAGE_ATTEMPTS,
               InboundMessage.received_at <= now - grace)
        .order_by(InboundMessage.id).limit(BATCH)
    ).all()
    answers = [(followups.PROCESS_MESSAGE, (mid,), followups.PENDING_QUEUE, followups.intake_job_id(mid))
               for mid in _vanished(redis, {mid: [followups.intake_job_id(mid)] for mid in stuck})]
    report.messages = len(answers)
    unregistered = session.scalars(
        select(InboundMessage.id)
        .where(submission.UNREGISTERED, InboundMessage.received_at <= now - grace)
        .order_by(InboundMessage.id).limit(BATCH)
    ).all()
    registrations = [(followups.REGISTER_INTAKE, (mid,), "intake", followups.register_job_id(mid))
                     for mid in _vanished(redis, {mid: [followups.register_job_id(mid)] for mid in unregistered})]
    report.submissions = len(registrations)
    # One round trip: after a Redis restart there may be thousands.
    followups.enqueue_many(redis, sends + retries + answers + registrations)
    if report.notifications or report.retries or report.messages or report.submissions:
        log.warning("sweeper re-enqueued %d notifications (and %d for later), %d messages and %d submissions",
                    report.notifications, report.retries, report.messages, report.submissions)
    return report
