"""Every inbound message, stored before the gateway answers (DESIGN §7)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    # WeChat retries a message up to three times: one (channel, MsgId), one row, one effect.
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_inbound_messages_channel_external_id"),
        Index("ix_inbound_messages_pending", "status", "received_at"),
        # The sweeper's look for submitted intakes not registered yet: a handful of rows, normally none.
        Index("ix_inbound_messages_unregistered", "received_at",
              postgresql_where=text("tracking_code IS NOT NULL AND case_id IS NULL"),
              sqlite_where=text("tracking_code IS NOT NULL AND case_id IS NULL")),
        # One submission per intake: a draft that outlived its 确认 (Redis missed the clear) cannot
        # make a second case. The callback relies on this instead of asking on every 确认.
        Index("uq_inbound_messages_submitted_intake", "channel", "sender", "intake_started_at", unique=True,
              postgresql_where=text("intake_started_at IS NOT NULL"),
              sqlite_where=text("intake_started_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # wechat, mailbox, api
    external_id: Mapped[str] = mapped_column(String(80))
    sender: Mapped[str | None] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(40))
    raw: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # pending → processed | failed; the sweeper re-enqueues pending rows whose job vanished.
    status: Mapped[str] = mapped_column(String(12), default="pending")
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # The answer given, replayed verbatim to a retry of the same message.
    answer: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # The intake as this message left it. A 确认 reserves the case's 查询码 and keeps the finished
    # intake here, so the answer can carry the code at once while the intake job registers the case
    # from this row alone; any other answered message keeps the draft of its step, which the next
    # message reads back if Redis lost it.
    tracking_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    intake: Mapped[dict | None]
    # The submitted intake's first moment (Intake.started_at): what tells one intake from another.
    intake_started_at: Mapped[datetime | None]
