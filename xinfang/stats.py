"""The figures of `xinfang stats --json`: what is stored, what waits, what was sent."""
from __future__ import annotations

from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .cases import followups
from .cases.workflow import STATES
from .models import Case, InboundMessage, Notification, Survey

NOTIFICATION_STATUSES = ("pending", "sent", "failed", "dead")
SURVEY_ANSWERS = ("满意", "基本满意", "不满意")


def _grouped(session: Session, column) -> dict:
    return {key: n for key, n in session.execute(select(column, func.count()).group_by(column))}


def queue_lengths(redis_conn) -> dict:
    from rq import Queue

    lengths = {}
    for name in followups.QUEUES:
        q = Queue(name, connection=redis_conn)
        lengths[name] = q.count
        lengths[f"{name}_failed"] = q.failed_job_registry.count
    return lengths


# How many of each queue's latest finished jobs the latency figures are taken from.
LATENCY_SAMPLE = 200


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))], 1)


def job_figures(redis_conn) -> dict:
    """Per queue: jobs running, scheduled and failed, how long the oldest has waited, and the
    wait (enqueued → started) and run time of the latest finished jobs, in milliseconds."""
    from datetime import datetime, timezone

    from rq import Queue
    from rq.job import Job

    figures = {}
    now = datetime.now(timezone.utc)
    for name in followups.QUEUES:
        q = Queue(name, connection=redis_conn)
        oldest = q.get_job_ids(0, 0)
        oldest_job = Job.fetch_many(oldest, connection=redis_conn)[0] if oldest else None
        finished = q.finished_job_registry.get_job_ids(-LATENCY_SAMPLE, -1)
        waits, runs = [], []
        for job in Job.fetch_many(finished, connection=redis_conn):
            if job and job.enqueued_at and job.started_at and job.ended_at:
                waits.append((job.started_at - job.enqueued_at).total_seconds() * 1000)
                runs.append((job.ended_at - job.started_at).total_seconds() * 1000)
        figures[name] = {
            "started": q.started_job_registry.count,
            "scheduled": q.scheduled_job_registry.count,
            "failed": q.failed_job_registry.count,
            "oldest_wait_s": round((now - oldest_job.enqueued_at).total_seconds(), 1)
            if oldest_job and oldest_job.enqueued_at else None,
            "wait_ms_p50": _percentile(waits, 0.5), "wait_ms_p95": _percentile(waits, 0.95),
            "run_ms_p50": _percentile(runs, 0.5), "run_ms_p95": _percentile(runs, 0.95),
        }
    return figures


def collect_stats(session: Session, redis_conn=None) -> dict:
    by_status = _grouped(session, Case.status)
    notifications = _grouped(session, Notification.status)
    surveys = _grouped(session, Survey.answer)
    survey_status = _grouped(session, Survey.status)
    stats = {
        "messages": {
            "total": session.scalar(select(func.count()).select_from(InboundMessage)),
            "pending": session.scalar(select(func.count()).select_from(InboundMessage)
                                      .where(InboundMessage.status == "pending")),
        },
        "cases": {"total": sum(by_status.values()), "by_status": {s: by_status.get(s, 0) for s in STATES}},
        "notifications": {s: notifications.get(s, 0) for s in NOTIFICATION_STATUSES},
        "surveys": {**{a: surveys.get(a, 0) for a in SURVEY_ANSWERS},
                    "超期未评价": survey_status.get("expired", 0),
                    "待评价": survey_status.get("sent", 0) + survey_status.get("scheduled", 0)},
    }
    try:
        stats["queues"] = queue_lengths(redis_conn) if redis_conn is not None else None
        stats["jobs"] = job_figures(redis_conn) if redis_conn is not None else None
    except (RedisError, OSError) as exc:
        stats["queues"] = stats["jobs"] = {"error": f"redis unavailable: {type(exc).__name__}"}
    return stats
