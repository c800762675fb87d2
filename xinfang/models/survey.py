"""The satisfaction survey (满意度评价) that follows a reply."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        # One survey per 处理意见 (the reply, the 复查意见): scheduling twice writes nothing new.
        UniqueConstraint("case_id", "review_level"),
        Index("ix_surveys_status_due", "status", "due_at"),
        # The surveys sent in a month, answers read from the index (the monthly figures).
        Index("ix_surveys_sent", "sent_at", postgresql_include=["answer"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    review_level: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(20))
    # scheduled → sent → answered | expired (超期未评价, never counted as satisfied)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(10))  # 满意, 基本满意, 不满意
    solved: Mapped[bool | None]  # asked apart from satisfaction: was the problem solved?
    reason: Mapped[str | None] = mapped_column(Text)  # the citizen's words with the first answer
    comment: Mapped[str | None] = mapped_column(Text)  # later answers, kept but not counted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
