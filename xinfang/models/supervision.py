"""Supervision of a case: the supervisor's 研判 of a dissatisfied citizen, and 督办 (《信访工作条例》 Art. 40)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .case import Case


class Supervision(Base):
    """One item on a supervisor's or leader's list.

    kind "judgement" (研判): opened by the system when a citizen answers 不满意 or
    "not solved"; a supervisor reads the reason and concludes it.
    kind "order" (督办): issued by a supervisor with a deadline; the department
    must answer it; past the deadline unanswered it is escalated (挂牌督办) to
    the leaders' list.
    """

    __tablename__ = "supervisions"
    __table_args__ = (Index("ix_supervisions_open", "kind", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # judgement, order
    # open → answered (the department replied to a 督办) → closed
    status: Mapped[str] = mapped_column(String(10), default="open")
    # The body that must answer: the case's department when it was opened.
    department_code: Mapped[str | None] = mapped_column(String(20), index=True)
    county: Mapped[str | None] = mapped_column(String(20))
    # The citizen's reason (研判) or the supervisor's instruction (督办).
    reason: Mapped[str] = mapped_column(Text, default="")
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    answered_at: Mapped[datetime | None]
    # 挂牌督办: an order past its deadline without an answer goes on the leaders' list.
    escalated_at: Mapped[datetime | None]
    conclusion: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    closed_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
