"""Sending one outbox row: channel choice, quiet hours, retries, fallback, and never twice.

The case service writes a Notification row in the transition's transaction;
`deliver` sends it. The guards against a second copy, in order:

1. a Redis marker `xinfang:sending:<id>` (SET NX, expires) — one sender at a time;
2. on PostgreSQL the row is locked (SELECT … FOR UPDATE SKIP LOCKED) for the
   whole send, which still holds when Redis lost the marker;
3. the status is read under that lock: `sent` and `dead` rows are never sent;
4. the `sent` status is written before the API call and committed right after the
   API accepted the message (on PostgreSQL only the COMMIT is left to send then);
5. a template message carries the notice's `client_msg_id`: WeChat sends one
   message per openid and id within ten minutes, whoever asks again.

The limit: customer-service messages, SMS gateways and SMTP take no idempotency
key, so a process killed between the API's acceptance and step 4's COMMIT
(under a millisecond) leaves the row unsent, and the sweeper sends it again
after the marker expires. That is the only way a citizen can read a push twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ..models import Notification, Petitioner, utcnow
from .senders import SendError

log = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, … transient failure on a channel; then the next channel.
BACKOFF = (10, 30, 120, 600, 1800, 3600)
# Longer than any one send (HTTP timeouts are a few seconds); a killed sender's marker expires after it.
SENDING_TTL = 60
DONE = ("sent", "dead")
UNSENT = ("pending", "failed")  # a failed row waits for its retry


def unsent_due_by(moment: datetime):
    """The condition of a notice not sent yet whose attempt is due by `moment`."""
    return and_(Notification.status.in_(UNSENT), Notification.next_attempt_at <= moment)


def sending_key(notification_id: int) -> str:
    return f"xinfang:sending:{notification_id}"


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, dead, retry (at next_attempt_at), deferred (quiet hours), busy, done
    next_attempt_at: datetime | None = None


def in_quiet_hours(moment: datetime, quiet_hours: tuple[int, int] | None, tz: str) -> bool:
    if not quiet_hours:
        return False
    start, end = quiet_hours
    hour = moment.astimezone(ZoneInfo(tz)).hour
    return (start <= hour or hour < end) if start > end else (start <= hour < end)


def end_of_quiet_hours(moment: datetime, quiet_hours: tuple[int, int], tz: str) -> datetime:
    """The next local time the quiet hours end (e.g. 07:00 the next morning)."""
    local = moment.astimezone(ZoneInfo(tz))
    morning = datetime.combine(local.date(), time(quiet_hours[1]), tzinfo=local.tzinfo)
    if morning <= local:
        morning += timedelta(days=1)
    return morning.astimezone(moment.tzinfo)


def _claim(redis, marker: str, now: datetime) -> bool:
    """Take the sending marker; one left by a sender dead for SENDING_TTL is taken over.

    The marker holds the claim's time, so the takeover follows the application's clock
    (the same one next_attempt_at and the sweeper use), not only Redis's expiry.
    """
    stamp = str(now.timestamp())
    if redis.set(marker, stamp, nx=True, ex=SENDING_TTL):
        return True
    held = redis.get(marker)
    if held is None or float(held) > now.timestamp() - SENDING_TTL:
        return False
    # SET … GET swaps atomically: only one of several takers sees the stale stamp come back.
    return redis.set(marker, stamp, ex=SENDING_TTL, get=True) == held


def _lock_row(session: Session, notification_id: int) -> tuple[Notification, Petitioner | None] | None:
    """The notice, locked, with its citizen (read in the same query, not locked)."""
    query = (select(Notification, Petitioner).outerjoin(Petitioner, Notification.petitioner_id == Petitioner.id)
             .where(Notification.id == notification_id))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Notification, skip_locked=True)
    return session.execute(query).first()


def deliver(session: Session, notification_id: int, *, senders: dict, redis, settings,
            now: datetime | None = None) -> Outcome:
    """Send one notification if it is due; commits what happened. Safe to call any number of times.

    `redis` None: no marker, only while Redis is away, on PostgreSQL, whose row lock keeps
    senders apart by itself (queue/offline.py).
    """
    now = now or utcnow()
    marker = sending_key(notification_id)
    if redis is not None and not _claim(redis, marker, now):
        return Outcome("busy")
    try:
        locked = _lock_row(session, notification_id)
        if locked is None:  # gone, or another worker holds the row
            session.rollback()
            return Outcome("busy")
        notification, petitioner = locked
        if notification.status in DONE:
            session.rollback()
            return Outcome("done")
        if notification.next_attempt_at > now:
            session.rollback()
            return Outcome("retry", notification.next_attempt_at)
        if (not notification.urgent and notification.channels != ["staff"]
                and in_quiet_hours(now, settings.quiet_hours, settings.timezone)):
            notification.next_attempt_at = end_of_quiet_hours(now, settings.quiet_hours, settings.timezone)
            session.commit()
            return Outcome("deferred", notification.next_attempt_at)
        outcome = _try_channels(session, notification, petitioner, senders, now)
        session.commit()
        return outcome
    except Exception:
        session.rollback()
        raise
    finally:
        if redis is not None:
            redis.delete(marker)


def _try_channels(session: Session, notification: Notification, petitioner, senders: dict,
                  now: datetime) -> Outcome:
    """Go down the channels from the current one: the first that takes the message wins."""
    channels = list(notification.channels or [])
    start = channels.index(notification.channel) if notification.channel in channels else 0
    for channel in channels[start:]:
        if channel != notification.channel:
            notification.channel, notification.attempts = channel, 0
        _write_sent_ahead(session, notification)
        try:
            external_id = senders[channel].send(notification, petitioner)
        except Exception as exc:
            notification.sent_at = None  # not sent after all: the status is set below
            if not isinstance(exc, SendError):  # a sender's bug: retried like an outage, then given up
                log.exception("sender %s failed on notification %s", channel, notification.id)
                exc = SendError(f"{type(exc).__name__}: {exc}")
            _note_error(notification, channel, exc.reason)
            if exc.permanent:
                continue
            notification.attempts += 1
            if notification.attempts <= len(BACKOFF):
                notification.status = "failed"
                notification.next_attempt_at = now + timedelta(seconds=BACKOFF[notification.attempts - 1])
                return Outcome("retry", notification.next_attempt_at)
            continue  # this channel kept failing: the next one
        if external_id is not None:
            notification.external_id = external_id
        return Outcome("sent")
    notification.status = "dead"
    if not channels:
        notification.last_error = "没有可用的推送渠道"
    log.warning("notification %s dead: %s", notification.id, notification.last_error)
    return Outcome("dead")


def _write_sent_ahead(session: Session, notification: Notification) -> None:
    """Mark the row `sent` before the API call, uncommitted; a failure below overwrites it.

    On PostgreSQL the UPDATE runs now, under the row lock already held, so once the API accepts
    the message only the COMMIT is left to send: a sender killed after the acceptance and before
    that COMMIT is what sends a push twice, and this leaves it the least time to die in. SQLite
    locks the whole database for a write, so there it is written after the call.
    """
    notification.status, notification.sent_at = "sent", utcnow()
    if session.get_bind().dialect.name == "postgresql":
        session.flush()


def _note_error(notification: Notification, channel: str, reason: str) -> None:
    """Keep every channel's last reason, so staff read why a push died: "wechat_template: 43004 …"."""
    kept = [line for line in (notification.last_error or "").split("\n")
            if line and not line.startswith(f"{channel}: ")]
    notification.last_error = "\n".join([*kept, f"{channel}: {reason}"])
