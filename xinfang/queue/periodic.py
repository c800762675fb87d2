"""Periodic work of the workers: the sweeper every 15 seconds, the clock heal every ten minutes,
the survey sweep every five, and the 办结 of expired review windows every hour.

Every worker runs a small ticker thread; a Redis key per task (SET NX with
the task's interval as expiry) lets exactly one worker of all hosts run it in
each interval. Because the key lives in Redis, a flushed or restarted Redis
only makes the next run come sooner. The tasks run in the ticker thread, not
through a queue, so a backlog of intake work never delays the sweeper; the
closing of expired windows, which may be long, is handed to a worker instead.

A Redis that lost its data lost every queued job with it: the first tick
after it comes back sweeps at once, without the sweeper's grace, so the
citizens whose work was queued wait seconds, not the grace and a sweep.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from redis.exceptions import RedisError

from ..cases import followups
from . import reminders, survey_jobs, sweeper

log = logging.getLogger(__name__)

TICK_SECONDS = 1
# Kept in Redis without expiry by the workers: when it is missing, Redis restarted without its data (or is new).
REDIS_KEPT = "xinfang:periodic:redis-kept"
RECOVERY_LOCK = "xinfang:periodic:recovering"


@dataclass(frozen=True)
class Task:
    name: str
    every: int  # seconds
    run: Callable  # run(runtime)


def sweep(rt, grace: timedelta = sweeper.GRACE) -> None:
    with rt.Session() as session:
        sweeper.sweep(session, rt.redis, grace=grace)


def heal_clocks(rt) -> None:
    with rt.Session() as session:
        reminders.sync_all(session, rt.redis, rt.settings.reminder_days, rt.calendar)


def surveys(rt) -> None:
    survey_jobs.send_due_surveys()
    survey_jobs.expire_surveys()
    survey_jobs.escalate_supervisions()


CLOSE_EXPIRED_WINDOWS = "xinfang.queue.survey_jobs.close_expired_windows"


def close_windows(rt) -> None:
    # On a worker's queue, not in the ticker: a month's backlog of closes must not hold up the sweeper.
    followups.enqueue(CLOSE_EXPIRED_WINDOWS, queue="default", job_id="close-expired-windows")


TASKS = (Task("sweep", 15, sweep), Task("clocks", 600, heal_clocks), Task("surveys", 300, surveys),
         Task("close", 3600, close_windows))


def recover_if_lost(rt) -> bool:
    """Sweep at once if Redis lost its data since it was last asked (one process of all does);
    whether it did. RedisError while Redis is away."""
    if not rt.redis.set(REDIS_KEPT, "1", nx=True):
        return False
    sweep_at_once(rt)
    return True


def sweep_at_once(rt) -> None:
    """Sweep without the grace, one process at a time: workers back from an outage together then
    queue the lost work once (a sweep running beside another would not see its jobs yet)."""
    with rt.redis.lock(RECOVERY_LOCK, timeout=60, blocking_timeout=60):
        sweep(rt, grace=timedelta(0))


def run_due(rt, tasks=TASKS) -> list[str]:
    """Run each task whose interval key this process wins, after a recovery sweep if Redis lost its
    data since the last tick; returns the names run."""
    ran = []
    try:
        if recover_if_lost(rt):
            ran.append("recover")
    except RedisError as exc:
        log.warning("periodic recover: Redis unavailable (%s); next tick", exc)
    except Exception:
        log.exception("periodic recover failed")
    for task in tasks:
        try:
            if not rt.redis.set(f"xinfang:periodic:{task.name}", "1", nx=True, ex=task.every):
                continue
            task.run(rt)
            ran.append(task.name)
        except RedisError as exc:
            log.warning("periodic %s: Redis unavailable (%s); next tick", task.name, exc)
        except Exception:
            log.exception("periodic %s failed", task.name)
    return ran


def run_all(rt, tasks=TASKS) -> None:
    """Every task now, whoever ran it last (a worker starting a burst)."""
    for task in tasks:
        try:
            task.run(rt)
        except RedisError as exc:
            log.warning("periodic %s: Redis unavailable (%s)", task.name, exc)


class Ticker(threading.Thread):
    def __init__(self, rt, tasks=TASKS, tick: float = TICK_SECONDS):
        super().__init__(name="xinfang-periodic", daemon=True)
        self.rt, self.tasks, self.tick = rt, tasks, tick
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            run_due(self.rt, self.tasks)
            if self.stopped.wait(self.tick):
                return

    def stop(self) -> None:
        self.stopped.set()
