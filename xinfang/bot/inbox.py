"""Store an inbound chat message before anything else happens (DESIGN §7).

One (channel, external id) is one row: WeChat's retries of a message find
the row already there, with its answer once it has one. The citizen's
Petitioner row keeps the last inbound moment, which opens WeChat's 48-hour
customer-service window, and subscribe/unsubscribe, which turn status pushes
on and off.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import InboundMessage, Petitioner, utcnow

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
    values = {"last_inbound_at": message.received_at}
    if subscribed is not None:
        values["subscribed"] = subscribed  # unsubscribe stops every push to this citizen
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(Petitioner).values(openid=message.sender, created_at=message.received_at,
                                               **{"subscribed": True, **values})
    session.execute(upsert.on_conflict_do_update(index_elements=["openid"], set_=values))
