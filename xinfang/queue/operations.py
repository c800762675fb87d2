"""Failed and dead work, for the admin panel's list with a retry button.

Failed jobs live in RQ's failed registries (a job raised, or its worker died);
dead notifications live in the database with the reason in last_error.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cases import followups
from ..models import Notification, utcnow
from .jobs import schedule_send


class RetryError(LookupError):
    """Nothing to retry under that id."""


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    func: str
    args: tuple
    ended_at: datetime | None
    error: str  # the last line of the traceback


def list_failed_jobs(redis, limit: int = 100) -> list[FailedJob]:
    """Failed jobs of every queue, newest first."""
    failed = []
    for name in followups.QUEUES:
        registry = Queue(name, connection=redis).failed_job_registry
        ids = registry.get_job_ids(-limit, -1)
        for job in Job.fetch_many(ids, connection=redis):
            if job is None:
                continue
            result = job.latest_result()
            trace = (result.exc_string if result and result.exc_string else "").strip().splitlines()
            failed.append(FailedJob(job.id, name, job.func_name, tuple(job.args), job.ended_at,
                                    trace[-1] if trace else ""))
    failed.sort(key=lambda j: j.ended_at.timestamp() if j.ended_at else 0, reverse=True)
    return failed[:limit]


def retry_job(redis, job_id: str) -> None:
    """Put a failed job back on its queue."""
    for name in followups.QUEUES:
        registry = Queue(name, connection=redis).failed_job_registry
        if job_id in registry:
            try:
                registry.requeue(job_id)
            except NoSuchJobError:
                break
            return
    raise RetryError(job_id)


def list_dead_notifications(session: Session, limit: int = 100) -> list[Notification]:
    """Pushes that gave up, newest first; last_error says why, one line per channel."""
    return list(session.scalars(select(Notification).where(Notification.status == "dead")
                                .order_by(Notification.id.desc()).limit(limit)))


def retry_notification(session: Session, notification_id: int) -> Notification:
    """Send a dead push again from its first channel (e.g. after the citizen followed the account again)."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.status != "dead":
        raise RetryError(notification_id)
    notification.status, notification.channel, notification.attempts = "pending", None, 0
    notification.next_attempt_at = utcnow()
    session.commit()
    schedule_send(notification.id, notification.next_attempt_at)
    return notification
