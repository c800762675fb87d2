"""形势研判: the leaders' figures over a span of months.

The monthly counts, surveys included, come from the totals kept in step with
every change (cases.totals), so the page costs the same at a million cases as
at a thousand; only the current overdue count is read live, from an index. The
on-time rates follow cases.figures: a case is accepted on time within the
15 days of Art. 23 ¶3 from its assignment, and replied on time by the Art. 34
deadline with its extension.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..cases import service
from ..cases.deadlines import Calendar
from ..cases.figures import rate
from ..cases.service import Actor
from ..cases.totals import UNKNOWN
from ..cases.workflow import HANDLING_STATES
from ..models import Case, CaseTotal, Department
from ..models.totals import ANSWERS, MEASURES
from .casefile import PATHS

DEFAULT_MONTHS = 12
# Leaders read trends, not the last minute: figures are kept this long in each web process.
CACHE_SECONDS = 300
_cache: dict = {}
DIMENSIONS = ("category", "county", "path")


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
        return rate(self.accepted_on_time, self.accepted)

    @property
    def reply_rate(self) -> float | None:
        return rate(self.replied_on_time, self.replied)


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
        return rate(self.surveys.get("answered", 0), self.surveys.get("sent", 0))

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.surveys.get("满意", 0) + self.surveys.get("基本满意", 0), self.surveys.get("answered", 0))

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


# --- the figures -----------------------------------------------------------------

_TOTALS = select(CaseTotal.month, CaseTotal.county, CaseTotal.department, CaseTotal.category, CaseTotal.path,
                 *(getattr(CaseTotal, m) for m in MEASURES))


def build(session: Session, cal: Calendar, actor: Actor, now: datetime, months: list[str]) -> Overview:
    """The figures from the totals (cases.totals), so the cost does not grow with the cases; overdue is live."""
    if actor.role not in service.PREFECTURE_ROLES:
        raise service.CaseNotFound()  # the totals are per county, not per department
    view = Overview(months[0], months[-1], months, computed_at=now)
    names = dict(session.execute(select(Department.code, Department.name)).all())
    rows: dict[str, DepartmentRow] = {}

    def row(code):
        if code not in rows:
            rows[code] = DepartmentRow(code, names.get(code, code))
        return rows[code]

    series = {name: defaultdict(int) for name in DIMENSIONS}
    surveys = dict.fromkeys(("sent", "answered", *ANSWERS.values()), 0)
    query = _TOTALS.where(CaseTotal.month >= months[0], CaseTotal.month <= months[-1])
    if actor.county:
        query = query.where(CaseTotal.county == actor.county)
    for total in session.execute(query):
        if total.received:
            for name in DIMENSIONS:
                series[name][(total.month, getattr(total, name))] += total.received
        if total.accepted or total.replied:
            r = row(total.department)
            r.accepted += total.accepted
            r.accepted_on_time += total.accepted_on_time
            r.replied += total.replied
            r.replied_on_time += total.replied_on_time
        view.collective += total.collective
        view.repeats += total.repeats
        view.joined += total.joined
        for measure in surveys:
            surveys[measure] += getattr(total, measure)
    for name in DIMENSIONS:
        view.series[name] = dict(series[name])
        view.keys[name] = [k for k, _ in view.totals(name)]
    view.total = sum(view.series["category"].values())

    department = func.coalesce(Case.department_code, Case.suggested_department_code).label("department")
    query = (select(department, func.count()).where(Case.status.in_(HANDLING_STATES), Case.due_at < now)
             .group_by(department))
    for code, n in session.execute(service.scope_filter(actor, query)):
        row(code or UNKNOWN).overdue += n
    view.departments = sorted(rows.values(), key=lambda r: (-r.overdue, -(r.accepted + r.replied), r.code))

    view.surveys = {"sent": surveys["sent"], "answered": surveys["answered"],
                    **{answer: surveys[measure] for answer, measure in ANSWERS.items() if surveys[measure]}}
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
