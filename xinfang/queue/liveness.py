"""Which workers are alive: each one keeps a short-lived key in Redis from a thread of its own.

RQ keeps calling a job `started` after its worker was killed with -9, and
keeps the worker's own key for minutes: the sweeper, which leaves the work of
a running job alone, would leave the citizens in it waiting that long. This
key is gone ALIVE_SECONDS after its worker, so the next sweep takes the job
again. A heartbeat late under load only lets a job run twice, which the jobs
bear (they are idempotent).
"""
from __future__ import annotations

import logging
import threading

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

ALIVE_SECONDS = 5
BEAT_SECONDS = 1


def alive_key(worker_name: str) -> str:
    return f"xinfang:alive:{worker_name}"


def dead_workers(redis, worker_names: set[str]) -> set[str]:
    """The names among these whose worker has not beaten for ALIVE_SECONDS (one round trip)."""
    names = sorted(worker_names)
    pipe = redis.pipeline(transaction=False)
    for name in names:
        pipe.exists(alive_key(name))
    return {name for name, alive in zip(names, pipe.execute()) if not alive}


class Heartbeat(threading.Thread):
    """Marks `worker_name` alive every BEAT_SECONDS; the work loop sets the name of each RQ worker it
    starts (a new one after every Redis outage)."""

    def __init__(self, redis):
        super().__init__(name="xinfang-heartbeat", daemon=True)
        self.redis = redis
        self.worker_name: str | None = None
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(BEAT_SECONDS):
            self._beat()

    def beat_now(self, worker_name: str) -> None:
        """Mark this worker alive from now on (before it takes its first job)."""
        self.worker_name = worker_name
        self._beat()

    def _beat(self) -> None:
        if self.worker_name is None:
            return
        try:
            self.redis.set(alive_key(self.worker_name), "1", ex=ALIVE_SECONDS)
        except RedisError:
            pass  # the work loop reports the outage

    def stop(self) -> None:
        self.stopped.set()
