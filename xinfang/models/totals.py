"""The overview's counts per local month and labels, kept in step with the cases (cases.totals)."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# The measure each survey answer counts in.
ANSWERS = {"满意": "satisfied", "基本满意": "basically", "不满意": "dissatisfied"}
MEASURES = ("received", "collective", "repeats", "joined", "accepted", "accepted_on_time", "replied",
            "replied_on_time", "sent", "answered", *ANSWERS.values())


class CaseTotal(Base):
    """One local month × county × department × category × path; a missing label is counted as 未确定."""

    __tablename__ = "case_totals"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-03"
    county: Mapped[str] = mapped_column(String(20), primary_key=True)
    department: Mapped[str] = mapped_column(String(20), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    path: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Each count sits in the month of its own event: registered, accepted, first 处理意见, survey sent.
    received: Mapped[int] = mapped_column(default=0)
    collective: Mapped[int] = mapped_column(default=0)
    repeats: Mapped[int] = mapped_column(default=0)  # the same petitioner again while the first is open
    joined: Mapped[int] = mapped_column(default=0)  # others joining an open matter (联名、群体)
    accepted: Mapped[int] = mapped_column(default=0)
    accepted_on_time: Mapped[int] = mapped_column(default=0)
    replied: Mapped[int] = mapped_column(default=0)
    replied_on_time: Mapped[int] = mapped_column(default=0)
    # 满意度评价 in the month they were sent: how many, how many answered, and each answer.
    sent: Mapped[int] = mapped_column(default=0)
    answered: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)  # 满意
    basically: Mapped[int] = mapped_column(default=0)  # 基本满意
    dissatisfied: Mapped[int] = mapped_column(default=0)  # 不满意
