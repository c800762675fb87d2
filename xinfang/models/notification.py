"""The notification outbox: written in the transition's transaction, sent by workers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One per (case, event, recipient): a retried transition or job never writes a second.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    petitioner_id: Mapped[int | None] = mapped_column(ForeignKey("petitioners.id"), index=True)
    event: Mapped[str] = mapped_column(String(30))
    # The channels to try, in order: wechat_template, wechat_custom, sms, email, staff.
    channels: Mapped[list] = mapped_column(default=list)
    channel: Mapped[str | None] = mapped_column(String(20))  # the one that delivered or died last
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(default=dict)
    urgent: Mapped[bool] = mapped_column(default=False)
    # pending → sent | failed (will retry) | dead (gave up, reason in last_error)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(64), index=True)
    delivery: Mapped[str | None] = mapped_column(String(40))  # TEMPLATESENDJOBFINISH status
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    @classmethod
    def for_staff(cls, case, event: str, text: str, key: str, now: datetime, **data) -> "Notification":
        """A notice staff read on the panel's 提醒 page, never pushed: sent as it is written."""
        return cls(idempotency_key=key, case_id=case.id, petitioner_id=None, event=event, channels=["staff"],
                   channel="staff", text=text, status="sent", sent_at=now, next_attempt_at=now, urgent=case.urgent,
                   data={"tracking_code": case.tracking_code, "department": case.department_code,
                         "county": case.county, **data})
