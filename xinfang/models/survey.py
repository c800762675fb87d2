"""The satisfaction survey (满意度评价) that follows a reply."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Survey(Base):
    __tablename__ = "surveys"

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
    solved: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
