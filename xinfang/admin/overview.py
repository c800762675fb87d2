"""形势研判: the leaders' figures over a span of months, computed in the database.

Everything is a GROUP BY over indexed columns, so the page costs the same at
a million cases as at a thousand. The on-time rates follow cases.figures:
a case is accepted on time within the 15 days of Art. 23 ¶3 from its
assignment, and replied on time by the Art. 34 deadline with its extension.
The deadline depends on the calendar (holidays, rollover), so the database
groups by the day the clock started and how many days it took, and Python
compares each group with that day's deadline.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import Integer, case as when, func, select
from sqlalchemy.orm import Session, aliased

from ..cases import deadlines, service
from ..cases.deadlines import Calendar
from ..cases.service import Actor
from ..cases.workflow import HANDLING_STATES
from ..models import Case, Department, Survey
from .casefile import PATHS

UNKNOWN = "未确定"
DEFAULT_MONTHS = 12
# Leaders read trends, not the last minute: figures are kept this long in each web process.
CACHE_SECONDS = 300
_cache: dict = {}
DIMENSIONS = {"category": ("分类", Case.category), "county": ("县（市）", Case.county), "path": ("途径", Case.path)}


@dataclass
class DepartmentRow:
    code: str
    name: str
    accepted: int = 0
    accepted_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    overdue: int = 0

    @property
    def acceptance_rate(self) -> float | None:
        return round(self.accepted_on_time / self.accepted, 4) if self.accepted else None

    @property
    def reply_rate(self) -> float | None:
        return round(self.replied_on_time / self.replied, 4) if self.replied else None


@dataclass
class Overview:
    first: str  # "2025-04"
    last: str  # "2026-03"
    months: list[str]
    # dimension -> {(month, key): count}
    series: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)  # dimension -> keys, largest first
    departments: list[DepartmentRow] = field(default_factory=list)
    total: int = 0
    surveys: dict = field(default_factory=dict)  # sent, answered, 满意, 基本满意, 不满意
    repeats: int = 0  # the same petitioner again while the first is open
    joined: int = 0  # others joining an open matter (联名、群体)
    collective: int = 0  # 集体访 flagged
    computed_at: datetime | None = None

    @property
    def participation_rate(self) -> float | None:
        return _rate(self.surveys.get("answered", 0), self.surveys.get("sent", 0))

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.surveys.get("满意", 0) + self.surveys.get("基本满意", 0), self.surveys.get("answered", 0))

    def totals(self, dimension: str) -> list[tuple[str, int]]:
        counts = defaultdict(int)
        for (_, key), n in self.series[dimension].items():
            counts[key] += n
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def table(self, dimension: str) -> tuple[list[str], list[list]]:
        """Months down, keys across: the table under each chart and its export."""
        keys = self.keys[dimension]
        headers = ["月份"] + [label(dimension, k) for k in keys] + ["合计"]
        rows = []
        for month in self.months:
            values = [self.series[dimension].get((month, k), 0) for k in keys]
            rows.append([month] + values + [sum(values)])
        return headers, rows

    def department_table(self) -> tuple[list[str], list[list]]:
        headers = ["单位", "受理数", "及时受理数", "及时受理率", "答复数", "按期答复数", "按期答复率", "当前超期"]
        rows = [[d.name, d.accepted, d.accepted_on_time, d.acceptance_rate, d.replied, d.replied_on_time,
                 d.reply_rate, d.overdue] for d in self.departments]
        return headers, rows

    def summary_table(self) -> tuple[list[str], list[list]]:
        s = self.surveys
        return ["指标", "数值"], [
            ["登记总数", self.total], ["发出评价", s.get("sent", 0)], ["已评价", s.get("answered", 0)],
            ["参评率", self.participation_rate], ["满意", s.get("满意", 0)], ["基本满意", s.get("基本满意", 0)],
            ["不满意", s.get("不满意", 0)], ["满意率（满意+基本满意）", self.satisfaction_rate],
            ["重复信访", self.repeats], ["联名/群体（并入在办事项）", self.joined], ["集体访", self.collective],
        ]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def label(dimension: str, key: str) -> str:
    return PATHS.get(key, key) if dimension == "path" else key


def month_span(cal: Calendar, now: datetime, first: str | None = None, last: str | None = None) -> list[str]:
    """The months from `first` to `last` ("2026-03"), by default the twelve up to this one; ValueError if bad."""
    today = cal.local_date(now)
    end = _month(last) if last else date(today.year, today.month, 1)
    start = _month(first) if first else _add_months(end, -(DEFAULT_MONTHS - 1))
    if start > end:
        raise ValueError("起始月份不能晚于结束月份")
    months = []
    while start <= end and len(months) < 120:
        months.append(f"{start.year:04d}-{start.month:02d}")
        start = _add_months(start, 1)
    return months


def _month(raw: str) -> date:
    try:
        year, month = (int(p) for p in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"月份应形如 2026-03，收到 {raw!r}") from None


def _add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


# --- SQL on both backends --------------------------------------------------------

def _offset_hours(cal: Calendar, now: datetime) -> int:
    return int(now.astimezone(cal.tz).utcoffset().total_seconds() // 3600)


class _Local:
    """Local month and day of a UTC timestamp column, on PostgreSQL and SQLite."""

    def __init__(self, session: Session, cal: Calendar, now: datetime):
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.tz = cal.timezone
        self.shift = f"{_offset_hours(cal, now):+d} hours"

    def month(self, column):
        if self.sqlite:
            return func.strftime("%Y-%m", column, self.shift)
        return func.to_char(func.timezone(self.tz, column), "YYYY-MM")

    def day(self, column):
        if self.sqlite:
            return func.date(column, self.shift)
        return func.date(func.timezone(self.tz, column))

    def days_between(self, later, earlier):
        if self.sqlite:
            return func.cast(func.julianday(self.day(later)) - func.julianday(self.day(earlier)), Integer())
        return self.day(later) - self.day(earlier)



def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@lru_cache(maxsize=4096)
def _deadline_day(cal: Calendar, start: date, days: int) -> date:
    return cal.local_date(cal.add_days(datetime.combine(start, time(12), tzinfo=cal.tz), days))


# --- the figures -----------------------------------------------------------------

def build(session: Session, cal: Calendar, actor: Actor, now: datetime, months: list[str]) -> Overview:
    local = _Local(session, cal, now)
    start = datetime.combine(_month(months[0]), time(0), tzinfo=cal.tz)
    end = datetime.combine(_add_months(_month(months[-1]), 1), time(0), tzinfo=cal.tz)
    view = Overview(months[0], months[-1], months, computed_at=now)
    scoped = lambda query: service.scope_filter(actor, query)  # noqa: E731
    received = (Case.received_at >= start) & (Case.received_at < end)

    month = local.month(Case.received_at).label("month")
    for name, (_, column) in DIMENSIONS.items():
        key = func.coalesce(column, UNKNOWN).label("key")
        rows = session.execute(scoped(select(month, key, func.count()).where(received)).group_by(month, key)).all()
        view.series[name] = {(m, k): n for m, k, n in rows}
        view.keys[name] = [k for k, _ in view.totals(name)]
    view.total = sum(view.series["category"].values())

    names = dict(session.execute(select(Department.code, Department.name)).all())
    rows: dict[str, DepartmentRow] = {}

    def row(code):
        code = code or UNKNOWN
        if code not in rows:
            rows[code] = DepartmentRow(code, names.get(code, code))
        return rows[code]

    department = func.coalesce(Case.department_code, Case.suggested_department_code).label("department")
    # Accepted in the span: how long after the assignment, grouped by the assignment day.
    lag = local.days_between(Case.accepted_at, Case.assigned_at)
    bucket = when((lag <= deadlines.NOTIFY_DAYS, 0), else_=func.min(lag, 999) if local.sqlite else func.least(lag, 999))
    assigned_day = local.day(Case.assigned_at)
    query = (select(department, assigned_day, bucket, func.count())
             .where(Case.accepted_at >= start, Case.accepted_at < end, Case.assigned_at.is_not(None))
             .group_by(department, assigned_day, bucket))
    for code, day, days, n in session.execute(scoped(query)):
        r = row(code)
        r.accepted += n
        day = _as_date(day)
        if days == 0 or day + timedelta(days=int(days)) <= _deadline_day(cal, day, deadlines.NOTIFY_DAYS):
            r.accepted_on_time += n

    # The first 处理意见 in the span, against the Art. 34 deadline with its extension.
    lag = local.days_between(Case.replied_at, Case.accepted_at)
    bucket = when((lag <= deadlines.HANDLING_DAYS, 0), else_=func.min(lag, 999) if local.sqlite else func.least(lag, 999))
    accepted_day = local.day(Case.accepted_at)
    query = (select(department, accepted_day, Case.extension_days, bucket, func.count())
             .where(Case.replied_at >= start, Case.replied_at < end, Case.review_level == 0,
                    Case.accepted_at.is_not(None))
             .group_by(department, accepted_day, Case.extension_days, bucket))
    for code, day, extension, days, n in session.execute(scoped(query)):
        r = row(code)
        r.replied += n
        day = _as_date(day)
        limit = deadlines.HANDLING_DAYS + (extension or 0)
        if days == 0 or day + timedelta(days=int(days)) <= _deadline_day(cal, day, limit):
            r.replied_on_time += n

    query = (select(department, func.count()).where(Case.status.in_(HANDLING_STATES), Case.due_at < now)
             .group_by(department))
    for code, n in session.execute(scoped(query)):
        row(code).overdue += n
    view.departments = sorted(rows.values(), key=lambda r: (-r.overdue, -(r.accepted + r.replied), r.code))

    sent = (Survey.sent_at >= start) & (Survey.sent_at < end)
    survey_rows = session.execute(scoped(select(Survey.answer, func.count()).join(Case, Survey.case_id == Case.id)
                                         .where(sent).group_by(Survey.answer))).all()
    view.surveys = {"sent": sum(n for _, n in survey_rows),
                    "answered": sum(n for a, n in survey_rows if a), **{a: n for a, n in survey_rows if a}}

    original = aliased(Case)
    same = when((original.petitioner_id == Case.petitioner_id, 1), else_=0)
    links = session.execute(scoped(select(same, func.count()).select_from(Case)
                                   .join(original, Case.duplicate_of_id == original.id)
                                   .where(received).group_by(same))).all()
    view.repeats = sum(n for s, n in links if s)
    view.joined = sum(n for s, n in links if not s)
    view.collective = session.scalar(scoped(select(func.count()).select_from(Case)
                                            .where(received, Case.collective.is_(True)))) or 0
    return view


def cached(session: Session, cal: Calendar, actor: Actor, now: datetime, months: list[str]) -> Overview:
    """`build`, reused for CACHE_SECONDS per database, scope and span of months."""
    key = (session.get_bind(), actor.role in service.PREFECTURE_ROLES, actor.department_code, actor.county,
           tuple(months))
    hit = _cache.get(key)
    if hit is not None and (now - hit.computed_at).total_seconds() < CACHE_SECONDS:
        return hit
    if len(_cache) > 256:
        _cache.clear()
    _cache[key] = view = build(session, cal, actor, now, months)
    return view
