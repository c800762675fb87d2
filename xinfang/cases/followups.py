"""Work a transition starts after it commits, enqueued by dotted path.

The domain never imports the jobs (DESIGN §2): it names them. Enqueueing is
best effort: when Redis is down the rows are already in the database and the
sweeper enqueues them when it returns (DESIGN §7).
"""
from __future__ import annotations

import logging
from datetime import datetime

from redis.exceptions import RedisError
from rq import Queue

from .. import runtime

log = logging.getLogger(__name__)

SEND_NOTIFICATION = "xinfang.queue.jobs.send_notification"
SCHEDULE_REMINDERS = "xinfang.queue.jobs.schedule_reminders"
PROCESS_MESSAGE = "xinfang.queue.jobs.process_message"
REGISTER_INTAKE = "xinfang.queue.jobs.register_intake"
CLASSIFY_CASE = "xinfang.queue.jobs.classify_case"


def enqueue_all(jobs: list[tuple[str, tuple, str, str]]) -> bool:
    """Enqueue (func_path, args, queue, job_id) jobs in one round trip; False (and a log line) when
    Redis cannot take them now."""
    try:
        redis = runtime.current().redis
        with redis.pipeline() as pipe:
            for func_path, args, queue, job_id in jobs:
                Queue(queue, connection=redis).enqueue(func_path, *args, job_id=job_id, pipeline=pipe)
            pipe.execute()
        return True
    except (RedisError, OSError) as exc:
        log.warning("could not enqueue %s: %s; the sweeper will", [job_id for *_, job_id in jobs], exc)
        return False


def enqueue(func_path: str, *args, queue: str = "default", job_id: str | None = None,
            at: datetime | None = None) -> bool:
    """Enqueue a job; False (and a log line) when Redis cannot take it now."""
    try:
        q = Queue(queue, connection=runtime.current().redis)
        if at is not None:
            q.enqueue_at(at, func_path, *args, job_id=job_id)
        else:
            q.enqueue(func_path, *args, job_id=job_id)
        return True
    except (RedisError, OSError) as exc:
        log.warning("could not enqueue %s%r: %s; the sweeper will", func_path, args, exc)
        return False
