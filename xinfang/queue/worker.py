"""`xinfang worker`: one RQ worker with the scheduler, jobs run in-process.

RQ's default worker forks per job (bench/bench_faults.py measures its cost); a
SimpleWorker runs them in its own process, so the classifier and the
database pool are loaded once per worker, not once per job. The classifier
loads in the background while the first jobs run. Run any number,
on any host: the queues, the scheduler's lock and the periodic tasks' keys
are all in Redis.

A worker outlives its Redis: when Redis goes away the work loop ends, and the
worker registers intakes and sends notices straight from the database
(offline.py) while it tries Redis again, until SIGTERM or SIGINT ask it to stop.
"""
from __future__ import annotations

import logging
import threading
import time
from functools import cache

import redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker

from .. import nlp, runtime
from ..cases import followups
from ..config import Settings
from . import liveness, offline, periodic

log = logging.getLogger(__name__)

# How often a worker checks that the scheduler runs somewhere (RQ's default is ten minutes).
MAINTENANCE_SECONDS = 30
RECONNECT_SECONDS = 0.25


class Worker(SimpleWorker):
    """A SimpleWorker that remembers whether it was asked to stop, or lost Redis."""

    stop_asked = False

    def request_stop(self, signum, frame):
        type(self).stop_asked = True
        super().request_stop(signum, frame)

    def bootstrap(self, *args, **kwargs):
        super().bootstrap(*args, **kwargs)
        _start_warm_up()


@cache
def _start_warm_up() -> None:
    """Load the classifier beside the first jobs, once per process. Pushes (most of a backlog) need
    none, and a registration waits for it (the model and dictionary load under locks, once):
    a worker restarted under load takes work in under a second instead of three."""
    threading.Thread(target=nlp.warm_up, name="warm-up", daemon=True).start()


def _work_without_redis(rt) -> int:
    try:
        return offline.work_from_database(rt)
    except Exception:  # the database may be failing too: the next round tries again
        log.exception("worker: work from the database failed")
        return 0


def make_worker(connection) -> Worker:
    queues = [Queue(name, connection=connection) for name in followups.QUEUES]  # highest priority first
    return Worker(queues, connection=connection, maintenance_interval=MAINTENANCE_SECONDS)


def run_worker(settings: Settings, burst: bool = False) -> bool:
    rt = runtime.init_runtime(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The worker's own connection: RQ widens its socket timeout for the blocking dequeue,
    # while the jobs keep the runtime's short one.
    connection = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1, health_check_interval=30)
    heartbeat = liveness.Heartbeat(rt.redis)
    heartbeat.start()
    if burst:
        try:
            periodic.run_all(rt)
            worker = make_worker(connection)
            heartbeat.beat_now(worker.name)
            return worker.work(burst=True, with_scheduler=True)
        finally:
            heartbeat.stop()
    # The periodic tasks due now run beside the first jobs, not before them: a worker restarted
    # under load takes work at once (healing every case's clocks first took seconds).
    ticker = periodic.Ticker(rt)
    ticker.start()
    try:
        redis_was_away = False
        while not Worker.stop_asked:
            try:
                if redis_was_away:
                    # Back: queue again what Redis lost, if it did, and else what was left without a
                    # job while it was away (the receipts of a batch registered from the database),
                    # before taking any job.
                    if not periodic.recover_if_lost(rt):
                        periodic.sweep_at_once(rt)
                    redis_was_away = False
                worker = make_worker(connection)
                heartbeat.beat_now(worker.name)
                worker.work(with_scheduler=True, logging_level="INFO")
            except RedisError as exc:
                if not redis_was_away:
                    log.warning("worker: Redis unavailable (%s); working from the database, retrying "
                                "every %s s", exc, RECONNECT_SECONDS)
                redis_was_away = True
            if not Worker.stop_asked and not (redis_was_away and _work_without_redis(rt)):
                time.sleep(RECONNECT_SECONDS)
    finally:
        ticker.stop()
        heartbeat.stop()
    return True
