"""The open intake of one citizen, kept in Redis with a TTL.

One JSON value per sender: what the citizen has said so far and which
question comes next. It lives as long as a citizen might reasonably take to
answer; after that the draft is dropped (the messages themselves are in the
database for good). A per-sender lock keeps two messages of one citizen from
stepping the same draft at once (WeChat retries, several web processes).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from redis.exceptions import LockNotOwnedError

TTL_SECONDS = 6 * 3600
# Long enough for one step; a crashed holder frees it by itself.
LOCK_SECONDS = 15
LOCK_WAIT_SECONDS = 2


class Busy(Exception):
    """Another message of the same citizen is being handled right now."""


@dataclass
class Intake:
    # text: waiting for the description; county, phone: asking for them; confirm: summary shown;
    # amend: waiting for the text to add.
    step: str = "text"
    text: str = ""
    county: str | None = None
    township: str | None = None
    phone: str | None = None
    phone_asked: bool = False
    attachments: list[int] = field(default_factory=list)
    # The first stored message of this intake: a submitted intake is recognised by it.
    first_message_id: int | None = None

    def add_text(self, more: str) -> None:
        self.text = f"{self.text}\n{more}".strip() if self.text else more.strip()


def _key(channel: str, sender: str) -> str:
    return f"xinfang:dialogue:{channel}:{sender}"


def load(redis, channel: str, sender: str) -> Intake | None:
    raw = redis.get(_key(channel, sender))
    if raw is None:
        return None
    return Intake(**json.loads(raw))


def save(redis, channel: str, sender: str, intake: Intake) -> None:
    redis.set(_key(channel, sender), json.dumps(asdict(intake), ensure_ascii=False), ex=TTL_SECONDS)


def clear(redis, channel: str, sender: str) -> None:
    redis.delete(_key(channel, sender))


@contextmanager
def locked(redis, channel: str, sender: str):
    lock = redis.lock(_key(channel, sender) + ":lock", timeout=LOCK_SECONDS, blocking_timeout=LOCK_WAIT_SECONDS)
    if not lock.acquire():
        raise Busy(sender)
    try:
        yield
    finally:
        try:
            lock.release()
        except LockNotOwnedError:
            pass  # the step outlived the lock; it has expired already
