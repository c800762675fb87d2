"""`xinfang worker`: one RQ worker with the scheduler, jobs run in-process.

RQ's default worker forks per job (about 100 trivial jobs a second here); a
SimpleWorker runs them in its own process, so the classifier and the
database pool are loaded once per worker, not once per job.
"""
from __future__ import annotations

import logging

from rq import Queue, SimpleWorker

from .. import nlp, runtime
from ..config import Settings

# Highest priority first: the citizen's pushes, then intake, then the clocks.
QUEUES = ("notify", "intake", "reminders", "default")


def run_worker(settings: Settings, burst: bool = False) -> bool:
    rt = runtime.init_runtime(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    nlp.warm_up()
    queues = [Queue(name, connection=rt.redis) for name in QUEUES]
    worker = SimpleWorker(queues, connection=rt.redis)
    return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
