"""Store an inbound chat message before anything else happens (DESIGN §7).

One (channel, external id) is one row: WeChat's retries of a message find
the row already there, with its answer once it has one. The citizen's
Petitioner row keeps the last inbound moment, which opens WeChat's 48-hour
customer-service window, and subscribe/unsubscribe, which turn status pushes
on and off.

A message whose dialogue step wrote nothing else is stored by `store_answered`:
the callbacks a process answers at the same moment share one statement and one
commit (group_commit), each waiting for its own row before it answers.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..models import InboundMessage, utcnow
from . import group_commit
from .group_commit import MESSAGE_COLUMNS

# Events that are the citizen's own move: they open the 48-hour window like a message does.
# TEMPLATESENDJOBFINISH and the automatic LOCATION report are the platform's, not the citizen's.
USER_EVENTS = frozenset({"subscribe", "unsubscribe", "SCAN", "CLICK", "VIEW"})
SUBSCRIPTIONS = {"subscribe": True, "unsubscribe": False}


def new_message(*, channel: str, external_id: str, sender: str, msg_type: str, raw: str, payload: dict,
                now: datetime | None = None) -> InboundMessage:
    """A message just received, not stored yet."""
    return InboundMessage(channel=channel, external_id=external_id, sender=sender, msg_type=msg_type, raw=raw,
                          payload=payload, received_at=now or utcnow(), status="pending", attempts=0)


def add(session: Session, message: InboundMessage) -> None:
    """Flush a new event with its effect on the citizen's row; IntegrityError when it is stored already."""
    session.add(message)
    event = message.payload.get("Event")
    if event in USER_EVENTS:
        touch_petitioner(session, message, subscribed=SUBSCRIPTIONS.get(event))
    session.flush()


def receive(session: Session, *, channel: str, external_id: str, sender: str, msg_type: str, raw: str,
            payload: dict, now: datetime | None = None) -> tuple[InboundMessage, bool]:
    """(the stored message, True if it is new), `pending`; committed before this returns."""
    for _ in range(2):
        message = new_message(channel=channel, external_id=external_id, sender=sender, msg_type=msg_type,
                              raw=raw, payload=payload, now=now)
        try:
            if msg_type == "event":
                add(session, message)
            else:
                session.add(message)
                touch_petitioner(session, message)
            session.commit()
            return message, True
        except IntegrityError:
            # A retry of a message stored a moment ago, or two processes racing on a new citizen.
            session.rollback()
        existing = session.scalar(select(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.external_id == external_id))
        if existing is not None:
            return existing, False
    raise RuntimeError(f"could not store {channel} message {external_id}")


def touch_petitioner(session: Session, message: InboundMessage, subscribed: bool | None = None) -> None:
    """Note the citizen's last inbound moment (and a subscribe/unsubscribe), creating the row once.

    One upsert, no read: this runs on the hot path of the callback.
    """
    session.execute(_touch(session.get_bind().dialect.name, subscribed is not None),
                    group_commit.touch_row(message.sender, message.received_at, subscribed))


@cache
def _touch(dialect_name: str, subscription: bool):
    # Built once: the statement's compiled form is then reused (unsubscribe stops every push to this citizen).
    return group_commit.touch_statement(dialect_name, ("last_inbound_at", "subscribed") if subscription
                                        else ("last_inbound_at",))


# --- the callback's writes -----------------------------------------------------------

_INSERT = insert(InboundMessage.__table__).returning(InboundMessage.__table__.c.id)
_WROTE = "xinfang.wrote"


def watch_writes(sessions: sessionmaker) -> None:
    """Let `wrote` tell whether a session's transaction has written anything (flushes and DML statements)."""

    def wrote(session, *_):
        session.info[_WROTE] = True

    def dml(state):
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info[_WROTE] = True

    def ended(session, *_):
        session.info.pop(_WROTE, None)

    event.listen(sessions, "after_flush", wrote)
    # First: a listener that runs the statement itself (totals) stops the ones after it.
    event.listen(sessions, "do_orm_execute", dml, insert=True)
    event.listen(sessions, "after_commit", ended)
    event.listen(sessions, "after_rollback", ended)


def wrote(session: Session) -> bool:
    """Whether the session's transaction holds writes, flushed or pending."""
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def message_row(message: InboundMessage) -> dict:
    """A new message as the row `insert_message` and `store_answered` write."""
    return {name: getattr(message, name) for name in MESSAGE_COLUMNS}


def insert_message(session: Session, row: dict) -> int:
    """Add a new message (its `message_row`) to the session's transaction; its id. One INSERT, not
    the unit of work: this is most of the callback's database time."""
    return session.execute(_INSERT, row).scalar_one()


def store_answered(session: Session, row: dict, touch: bool) -> int:
    """Store a new message (its `message_row`) and, if `touch`, its citizen's last inbound moment; its id.

    Committed before this returns, with the messages of other threads of the process that arrive
    meanwhile (group_commit). IntegrityError when it is stored already. `session` must hold no
    writes (see `wrote`): they would not be in the commit.
    """
    return group_commit.store(session.get_bind(), row, touch)
