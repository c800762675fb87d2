"""The overview's totals (models.CaseTotal), kept in step with the cases in the same transaction.

A case counts in up to three local months, under its labels as they are now:
the month it was registered (with 集体访 and its repeat link), the month it was
accepted (on time within the 15 days of Art. 23 ¶3 from its assignment) and the
month of its first 处理意见 (on time by the Art. 34 deadline with its extension).

Whenever a flush changes a counted column, what the row counted before the
flush is taken away and what it counts after is added, both read from the
database; so every change made through the ORM — an action, a label
correction, a classification, a change to an old case — keeps the totals
right. (A Core UPDATE of these columns would not; there is none.)

`rebuild` recomputes every total from the cases, for a bulk load or a new
holiday calendar; it is idempotent, so running it again changes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from functools import lru_cache

from sqlalchemy import delete, event, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, sessionmaker

from ..models import Case, CaseTotal
from ..models.totals import MEASURES
from . import deadlines
from .deadlines import Calendar

UNKNOWN = "未确定"
KEYS = ("month", "county", "department", "category", "path")
# The case columns a total depends on; a flush that changes none of them leaves the totals alone.
COUNTED = ("received_at", "assigned_at", "accepted_at", "replied_at", "review_level", "extension_days", "county",
           "category", "path", "department_code", "suggested_department_code", "collective", "petitioner_id",
           "duplicate_of_id")

_original = aliased(Case)
_ROWS = (select(Case.id, *(getattr(Case, c) for c in COUNTED), _original.petitioner_id.label("original_petitioner"))
         .select_from(Case).outerjoin(_original, Case.duplicate_of_id == _original.id))


@lru_cache(maxsize=4096)
def _deadline_day(cal: Calendar, start: date, days: int) -> date:
    return cal.local_date(cal.add_days(datetime.combine(start, time(12), tzinfo=cal.tz), days))


def _in_time(cal: Calendar, start: datetime, end: datetime, days: int, extension: int = 0) -> bool:
    """Whether `end` falls within the period of `days` (plus the extension) that started at `start`, by local day."""
    first, last = cal.local_date(start), cal.local_date(end)
    return (last - first).days <= days or last <= _deadline_day(cal, first, days + extension)


def _label(value: str | None) -> str:
    return UNKNOWN if value is None else value


def counts_of(row, cal: Calendar) -> dict[tuple, dict[str, int]]:
    """What one case row adds to the totals: {(month, county, department, category, path): {measure: n}}."""
    labels = (_label(row.county), row.department_code or row.suggested_department_code or UNKNOWN,
              _label(row.category), _label(row.path))
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))

    def add(moment: datetime, *measures: str) -> None:
        counts = out[(f"{cal.local_date(moment):%Y-%m}",) + labels]
        for measure in measures:
            counts[measure] += 1

    add(row.received_at, "received")
    if row.collective:
        add(row.received_at, "collective")
    if row.duplicate_of_id is not None:
        same = row.petitioner_id is not None and row.petitioner_id == row.original_petitioner
        add(row.received_at, "repeats" if same else "joined")
    if row.accepted_at and row.assigned_at:
        add(row.accepted_at, "accepted")
        if _in_time(cal, row.assigned_at, row.accepted_at, deadlines.NOTIFY_DAYS):
            add(row.accepted_at, "accepted_on_time")
    if row.replied_at and row.accepted_at and row.review_level == 0:
        add(row.replied_at, "replied")
        if _in_time(cal, row.accepted_at, row.replied_at, deadlines.HANDLING_DAYS, row.extension_days or 0):
            add(row.replied_at, "replied_on_time")
    return out


def _tally(rows, cal: Calendar) -> dict[tuple, dict[str, int]]:
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for row in rows:
        for key, counts in counts_of(row, cal).items():
            for measure, n in counts.items():
                out[key][measure] += n
    return out


def _counts(session: Session, cal: Calendar, ids: list[int]) -> dict[tuple, dict[str, int]]:
    return _tally(session.connection().execute(_ROWS.where(Case.id.in_(ids))), cal) if ids else {}


def _add(session: Session, changes: dict[tuple, dict[str, int]]) -> None:
    """Add the counts to their rows, creating rows as needed; rows in key order so writers never deadlock."""
    rows = [dict(zip(KEYS, key), **counts) for key, counts in sorted(changes.items()) if any(counts.values())]
    if not rows:
        return
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(CaseTotal.__table__)
    connection.execute(insert.on_conflict_do_update(
        index_elements=list(KEYS), set_={m: CaseTotal.__table__.c[m] + insert.excluded[m] for m in MEASURES}), rows)


def keep_in_step(sessions: sessionmaker, cal: Calendar) -> None:
    """Make every flush of these sessions move the totals with the cases it changes."""
    before_key = "case_totals_before"

    @event.listens_for(sessions, "before_flush")
    def _before(session, context, instances):
        ids = [c.id for c in session.dirty if isinstance(c, Case) and _counted_change(c)]
        ids += [c.id for c in session.deleted if isinstance(c, Case)]
        session.info[before_key] = (ids, _counts(session, cal, ids))

    @event.listens_for(sessions, "after_flush")
    def _after(session, context):
        ids, before = session.info.pop(before_key, ([], {}))
        after = _counts(session, cal, ids + [c.id for c in session.new if isinstance(c, Case)])
        changes = {key: {m: after.get(key, {}).get(m, 0) - before.get(key, {}).get(m, 0) for m in MEASURES}
                   for key in after.keys() | before.keys()}
        _add(session, changes)


def _counted_change(case: Case) -> bool:
    state = inspect(case)
    return any(state.attrs[name].history.has_changes() for name in COUNTED)


def rebuild(session: Session, cal: Calendar, batch: int = 10000) -> int:
    """Recompute every total from the cases in one transaction; returns the number of total rows."""
    if session.get_bind().dialect.name == "postgresql":
        # Changes under way finish first and are read with the cases; later ones wait and add to the new totals.
        session.execute(text("LOCK TABLE case_totals IN SHARE ROW EXCLUSIVE MODE"))
    session.execute(delete(CaseTotal))
    totals = _tally(session.execute(_ROWS.execution_options(yield_per=batch)), cal)
    _add(session, totals)
    session.commit()
    return len(totals)
