"""The figures of `xinfang stats --json`: what is stored, what waits, what was sent."""
from __future__ import annotations

from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .cases.workflow import STATES
from .models import Case, InboundMessage, Notification, Survey

NOTIFICATION_STATUSES = ("pending", "sent", "failed", "dead")
SURVEY_ANSWERS = ("满意", "基本满意", "不满意")
QUEUE_NAMES = ("intake", "notify", "reminders", "default")


def _grouped(session: Session, column) -> dict:
    return {key: n for key, n in session.execute(select(column, func.count()).group_by(column))}


def queue_lengths(redis_conn) -> dict:
    from rq import Queue

    lengths = {}
    for name in QUEUE_NAMES:
        q = Queue(name, connection=redis_conn)
        lengths[name] = q.count
        lengths[f"{name}_failed"] = q.failed_job_registry.count
    return lengths


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
    except (RedisError, OSError) as exc:
        stats["queues"] = {"error": f"redis unavailable: {type(exc).__name__}"}
    return stats
