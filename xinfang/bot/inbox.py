"""Store an inbound chat message before anything else happens (DESIGN §7).

One (channel, external id) is one row: WeChat's retries of a message find
the row already there, with its answer once it has one. The citizen's
Petitioner row is touched in the same transaction: the last inbound moment
opens WeChat's 48-hour customer-service window, and subscribe/unsubscribe
turn status pushes on and off.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..cases.service import find_or_create_petitioner
from ..models import InboundMessage, utcnow


# Events that are the citizen's own move: they open the 48-hour window like a message does.
# TEMPLATESENDJOBFINISH and the automatic LOCATION report are the platform's, not the citizen's.
USER_EVENTS = frozenset({"subscribe", "unsubscribe", "SCAN", "CLICK", "VIEW"})


def receive(session: Session, *, channel: str, external_id: str, sender: str, msg_type: str, raw: str,
            payload: dict, now: datetime | None = None, commit: bool = True) -> tuple[InboundMessage, bool]:
    """(the stored message, True if it is new); committed before this returns.

    With commit=False a new message is only flushed: the caller commits it (with
    its answer, in one transaction) before anything leaves the process. A
    message found already stored is committed either way.
    """
    now = now or utcnow()
    for _ in range(2):
        message = InboundMessage(channel=channel, external_id=external_id, sender=sender, msg_type=msg_type,
                                 raw=raw, payload=payload, received_at=now, status="pending")
        try:
            session.add(message)
            if msg_type != "event" or payload.get("Event") in USER_EVENTS:
                _touch_petitioner(session, sender, payload.get("Event"), now)
            if commit:
                session.commit()
            else:
                session.flush()
            return message, True
        except IntegrityError:
            # A retry of a message stored a moment ago, or two processes racing on a new citizen.
            session.rollback()
        existing = session.scalar(select(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.external_id == external_id))
        if existing is not None:
            return existing, False
    raise RuntimeError(f"could not store {channel} message {external_id}")


def _touch_petitioner(session: Session, openid: str, event: str | None, now: datetime) -> None:
    values = {"last_inbound_at": now}
    if event in ("subscribe", "unsubscribe"):
        values["subscribed"] = event == "subscribe"  # unsubscribe stops every push to this citizen
    # Loaded (or created once) rather than updated blind: the dialogue step that follows finds the
    # citizen in the session's identity map, and the change is written with the message's INSERT.
    petitioner = find_or_create_petitioner(session, openid=openid)
    for name, value in values.items():
        setattr(petitioner, name, value)
