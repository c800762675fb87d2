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
from rq.job import Job

from .. import runtime

log = logging.getLogger(__name__)

SEND_NOTIFICATION = "xinfang.queue.jobs.send_notification"
SEND_NOTIFICATIONS = "xinfang.queue.jobs.send_notifications"
SCHEDULE_REMINDERS = "xinfang.queue.jobs.schedule_reminders"
PROCESS_MESSAGE = "xinfang.queue.jobs.process_message"
REGISTER_INTAKE = "xinfang.queue.jobs.register_intake"
CLASSIFY_CASE = "xinfang.queue.jobs.classify_case"
# The sends of the outbox.
NOTIFY_QUEUE = "notify"
# process_message of the messages stored `pending` (Redis was away when they came).
PENDING_QUEUE = "pending"
# Every queue, highest priority first (the order a worker takes them in): the citizen's pushes,
# then intake, then the messages left pending while Redis was away (after the registrations: a
# batch of 50 costs less than a few of those answers, so the 确认s that came after a Redis outage
# are not held up behind its backlog), then the clocks.
QUEUES = (NOTIFY_QUEUE, "intake", PENDING_QUEUE, "reminders", "default")


# Job ids name the work, so the same work is never queued twice and the sweeper can ask whether it still is.

def notify_job_id(notification_id: int, at: datetime | None = None) -> str:
    """A send now, or at `at` (the id names the moment, so a job never overwrites itself while it runs)."""
    return f"notify-{notification_id}" if at is None else f"notify-{notification_id}-{int(at.timestamp())}"


def send_job(notification_id: int) -> tuple[str, tuple, str, str]:
    """The job that sends a notice now, as enqueue_all takes it."""
    return SEND_NOTIFICATION, (notification_id,), NOTIFY_QUEUE, notify_job_id(notification_id)


# Notices per send job: a job costs a worker about as much as a send, so not one job each; but a
# worker killed mid-job leaves the rest of its job to the sweeper, so not a whole registration batch.
SENDS_PER_JOB = 10


def send_jobs(notification_ids: list[int]) -> list[tuple[str, tuple, str, str]]:
    """The jobs that send these notices now (a registration batch's receipts), each sending its
    share one after another."""
    jobs = []
    for start in range(0, len(notification_ids), SENDS_PER_JOB):
        share = notification_ids[start:start + SENDS_PER_JOB]
        if len(share) == 1:
            jobs.append(send_job(share[0]))
        else:
            jobs.append((SEND_NOTIFICATIONS, tuple(share), NOTIFY_QUEUE, f"{_BATCH_SEND}{share[0]}-to-{share[-1]}"))
    return jobs


_BATCH_SEND = "notify-batch-"


def is_batch_send(job_id: str) -> bool:
    """Whether the job is one of send_jobs' batches (its args are notification ids)."""
    return job_id.startswith(_BATCH_SEND)


def intake_job_id(message_id: int) -> str:
    """process_message of a message stored `pending`."""
    return f"intake-{message_id}"


def register_job_id(message_id: int) -> str:
    """register_intake of a 确认."""
    return f"register-{message_id}"


def reminders_job_id(case_ids: list[int]) -> str:
    """schedule_reminders of these cases (a registration batch's, in order)."""
    return f"reminders-{case_ids[0]}" if len(case_ids) == 1 else f"reminders-{case_ids[0]}-{case_ids[-1]}"


def enqueue_many(redis, jobs: list[tuple]) -> None:
    """Enqueue (func_path, args, queue, job_id) jobs, and (func_path, args, queue, job_id, at) ones for
    later, in one round trip; RedisError when Redis cannot."""
    queues: dict[str, Queue] = {}
    with redis.pipeline() as pipe:
        for func_path, args, queue, job_id, *at in jobs:
            if queue not in queues:
                queues[queue] = Queue(queue, connection=redis)
            if at:
                queues[queue].enqueue_at(at[0], func_path, *args, job_id=job_id, pipeline=pipe)
            else:
                queues[queue].enqueue(func_path, *args, job_id=job_id, pipeline=pipe)
        pipe.execute()


def enqueue_all(jobs: list[tuple[str, tuple, str, str]]) -> bool:
    """enqueue_many on the runtime's Redis; False (and a log line) when Redis cannot take them now."""
    try:
        enqueue_many(runtime.current().redis, jobs)
        return True
    except (RedisError, OSError) as exc:
        log.warning("could not enqueue %s: %s; the sweeper will", [job_id for *_, job_id in jobs], exc)
        return False


def dequeue(job_ids: list[str], queue: str) -> None:
    """Take out of `queue` jobs whose work is done already (a registration batch did it), so a
    worker does not spend a turn finding that out. Only a job still waiting in the queue is taken
    out, and then its data deleted; one a worker took meanwhile runs and finds nothing to do.
    Best effort, like enqueue."""
    if not job_ids:
        return
    try:
        redis = runtime.current().redis
        waiting = Queue(queue, connection=redis)
        with redis.pipeline() as pipe:
            for job_id in job_ids:
                waiting.remove(job_id, pipeline=pipe)
            removed = pipe.execute()
        taken_out = [Job.key_for(job_id) for job_id, count in zip(job_ids, removed) if count]
        if taken_out:
            redis.delete(*taken_out)
    except (RedisError, OSError) as exc:
        log.warning("could not dequeue %d jobs: %s", len(job_ids), exc)


def enqueue(func_path: str, *args, queue: str = "default", job_id: str | None = None,
            at: datetime | None = None) -> bool:
    """Enqueue a job; False (and a log line) when Redis cannot take it now."""
    try:
        # Through enqueue_many's pipeline: one round trip, where RQ's own enqueue makes two.
        enqueue_many(runtime.current().redis, [(func_path, args, queue, job_id, *([at] if at else []))])
        return True
    except (RedisError, OSError) as exc:
        log.warning("could not enqueue %s%r: %s; the sweeper will", func_path, args, exc)
        return False
