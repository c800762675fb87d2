"""The monthly figures of the 通报, per department, county and category (LAW.md §12).

Counts are kept raw and rates computed from them, so a reader can check any
figure by hand:

- 参评率 = surveys answered ÷ surveys sent in the month (超期未评价 stays in the denominator);
- 满意率 both ways, since whether 基本满意 counts is a local choice: 满意 ÷ answered,
  and (满意 + 基本满意) ÷ answered;
- 及时受理率 = acceptances in the month made within the 15 days of Art. 23 ¶3 from the assignment;
- 按期答复率 = first 处理意见 in the month given by the Art. 34 deadline (with its extension);
- 复查率 (reopen rate) = of the first 处理意见 given in the month, those the citizen asked to review;
- 重复信访率 = of the cases registered in the month, those repeating an earlier petition of the same person.

A case counts for the department it was assigned to, or else the one suggested for it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ..models import Case, CaseEvent, Department, Survey
from ..models.totals import ANSWERS
from . import deadlines
from .deadlines import Calendar

DIMENSIONS = ("department", "county", "category")
UNKNOWN = "未确定"


def rate(part: int, whole: int) -> float | None:
    """A share rounded to four places; None when there is nothing to share."""
    return round(part / whole, 4) if whole else None


@dataclass
class Counts:
    sent: int = 0
    answered: int = 0
    satisfied: int = 0  # 满意
    basically: int = 0  # 基本满意
    dissatisfied: int = 0  # 不满意
    expired: int = 0  # 超期未评价
    not_solved: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    reopened: int = 0
    registered: int = 0
    repeats: int = 0

    @property
    def participation_rate(self):
        return rate(self.answered, self.sent)

    @property
    def satisfaction_rate(self):
        return rate(self.satisfied, self.answered)

    @property
    def satisfaction_rate_broad(self):
        return rate(self.satisfied + self.basically, self.answered)

    @property
    def on_time_acceptance_rate(self):
        return rate(self.accepted_on_time, self.accepted)

    @property
    def on_time_reply_rate(self):
        return rate(self.replied_on_time, self.replied)

    @property
    def reopen_rate(self):
        return rate(self.reopened, self.replied)

    @property
    def repeat_rate(self):
        return rate(self.repeats, self.registered)

    def as_dict(self) -> dict:
        counts = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**counts, **{name: getattr(self, name) for name in RATES}}


RATES = {
    "participation_rate": "参评率",
    "satisfaction_rate": "满意率（满意）",
    "satisfaction_rate_broad": "满意率（含基本满意）",
    "on_time_acceptance_rate": "及时受理率",
    "on_time_reply_rate": "按期答复率",
    "reopen_rate": "复查率",
    "repeat_rate": "重复信访率",
}


@dataclass
class MonthFigures:
    month: str  # "2026-11"
    start: datetime
    end: datetime
    total: Counts = field(default_factory=Counts)
    by: dict = field(default_factory=lambda: {d: defaultdict(Counts) for d in DIMENSIONS})
    department_names: dict = field(default_factory=dict)

    def department_ranking(self) -> list[tuple[str, str, Counts]]:
        """Departments best first: broad 满意率, then 按期答复率, then answers; none evaluated last."""
        def key(item):
            counts = item[1]
            return (counts.satisfaction_rate_broad is None, -(counts.satisfaction_rate_broad or 0),
                    -(counts.on_time_reply_rate or 0), -counts.answered, item[0])
        ranked = sorted(((code, c) for code, c in self.by["department"].items() if code != UNKNOWN), key=key)
        return [(code, self.department_names.get(code, code), counts) for code, counts in ranked]


def month_bounds(month: str, cal: Calendar) -> tuple[datetime, datetime]:
    """The local month "2026-11" as [start, end) aware datetimes."""
    try:
        year, number = (int(p) for p in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ValueError(f"month should look like 2026-11, got {month!r}") from None
    following = date(year + number // 12, number % 12 + 1, 1)
    return datetime.combine(first, time(0), tzinfo=cal.tz), datetime.combine(following, time(0), tzinfo=cal.tz)


# The columns of a case the figures need: read as plain rows, a month of cases stays quick to count.
CASE_COLUMNS = (Case.department_code, Case.suggested_department_code, Case.county, Case.category,
                Case.petitioner_id, Case.assigned_at, Case.accepted_at, Case.extension_days)


def _keys(case) -> dict:
    return {"department": case.department_code or case.suggested_department_code or UNKNOWN,
            "county": case.county or UNKNOWN, "category": case.category or UNKNOWN}


def monthly_figures(session: Session, cal: Calendar, month: str) -> MonthFigures:
    start, end = month_bounds(month, cal)
    figures = MonthFigures(month, start, end)
    figures.department_names = dict(session.execute(select(Department.code, Department.name)).all())

    def add(case, name: str) -> None:
        for counts in [figures.total] + [figures.by[d][k] for d, k in _keys(case).items()]:
            setattr(counts, name, getattr(counts, name) + 1)

    def in_month(column):
        return (column >= start) & (column < end)

    for row in session.execute(select(Survey.answer, Survey.status, Survey.solved, *CASE_COLUMNS)
                               .join(Case, Survey.case_id == Case.id).where(in_month(Survey.sent_at))):
        add(row, "sent")
        if row.answer:
            add(row, "answered")
            add(row, ANSWERS[row.answer])
        elif row.status == "expired":
            add(row, "expired")
        if row.solved is False:
            add(row, "not_solved")

    for row in session.execute(select(CaseEvent.at, *CASE_COLUMNS).join(Case, CaseEvent.case_id == Case.id)
                               .where(CaseEvent.action == "accept", in_month(CaseEvent.at))):
        add(row, "accepted")
        if row.assigned_at and row.at <= cal.add_days(row.assigned_at, deadlines.NOTIFY_DAYS):
            add(row, "accepted_on_time")

    review = aliased(CaseEvent)
    asked_review = select(func.count()).where(review.case_id == Case.id, review.action == "request_review") \
        .correlate(Case).scalar_subquery().label("reviews_asked")
    for row in session.execute(select(CaseEvent.at, asked_review, *CASE_COLUMNS)
                               .join(Case, CaseEvent.case_id == Case.id)
                               .where(CaseEvent.action == "reply", in_month(CaseEvent.at))):
        add(row, "replied")
        if row.accepted_at and row.at <= deadlines.reply_deadline(cal, row.accepted_at, row.extension_days):
            add(row, "replied_on_time")
        if row.reviews_asked:
            add(row, "reopened")

    original = aliased(Case)
    for row in session.execute(select(original.petitioner_id.label("original_petitioner"), *CASE_COLUMNS)
                               .select_from(Case).outerjoin(original, Case.duplicate_of_id == original.id)
                               .where(in_month(Case.received_at))):
        add(row, "registered")
        if row.original_petitioner is not None and row.original_petitioner == row.petitioner_id:
            add(row, "repeats")
    return figures
