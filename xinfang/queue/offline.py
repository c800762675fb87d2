"""A worker's work while Redis is away: the intakes and the notices, taken from the database.

The queue lives in Redis, the work in the database. When Redis goes away its
jobs are out of reach (and gone, if it restarts empty), but the intakes
waiting for registration and the notices due are rows. A worker takes them
from there, a batch at a time, until Redis is back: a citizen who pressed
确认 just before an outage gets the receipt during it, not after the
recovery and its backlog. When Redis returns, the sweep queues what is still
undone and the jobs of what was done here find nothing to do.

PostgreSQL only: its row locks (FOR UPDATE SKIP LOCKED) keep workers apart
without Redis's sending markers. On SQLite, a development database, the
worker only waits. Messages stored during the outage wait too: their
dialogue state is in Redis.
"""
from __future__ import annotations

from sqlalchemy import select

from ..bot import submission
from ..models import Notification, utcnow
from . import jobs, outbox

SENDS = 10  # notices a round, between two looks for intakes and for Redis


def work_from_database(rt) -> int:
    """One round: register a batch of waiting intakes, then send the notices due; how many of both."""
    if rt.engine.dialect.name != "postgresql":
        return 0
    done = 0
    with rt.Session() as session:
        waiting = submission.longest_waiting(session)
        if waiting is not None:
            done += len(submission.register_submissions(session, rt.calendar, waiting).registered)
    with rt.Session() as session:
        due = session.scalars(
            select(Notification.id)
            .where(outbox.unsent_due_by(utcnow()))
            .order_by(Notification.next_attempt_at, Notification.id).limit(SENDS)).all()
    for notification_id in due:
        with rt.Session() as session:
            outcome = outbox.deliver(session, notification_id, senders=jobs.senders_of(rt), redis=None,
                                     settings=rt.settings)
        done += outcome.status == "sent"
    return done
