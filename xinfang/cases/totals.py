"""The overview's totals (models.CaseTotal), kept in step with the cases in the same transaction.

A case counts in up to three local months, under its labels as they are now:
the month it was registered (with 集体访 and its repeat link), the month it was
accepted (on time within the 15 days of Art. 23 ¶3 from its assignment) and the
month of its first 处理意见 (on time by the Art. 34 deadline with its extension).
Its surveys count in the month they were sent, with their answers.

Whenever a flush changes a counted column of a case or a survey, or an UPDATE
statement touches surveys, what the rows counted before is taken away and what
they count after is added, both read from the database (surveys locked first,
so of two answers racing only the one that counts is added). So every change —
an action, a label correction, a classification, a survey sent or answered, a
change to an old case — keeps the totals right. A case just registered is
counted from the object written, without reading it back. (A Core UPDATE of cases would
not; there is none: cases change through the ORM, under their version column.)

`rebuild` recomputes every total from the cases, for a bulk load or a new
holiday calendar; it is idempotent, so running it again changes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from functools import cache, lru_cache
from itertools import chain
from types import SimpleNamespace

from sqlalchemy import delete, event, inspect, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, sessionmaker

from ..models import Case, CaseTotal, Survey
from ..models.totals import ANSWERS, MEASURES
from . import deadlines
from .deadlines import Calendar

UNKNOWN = "未确定"
KEYS = ("month", "county", "department", "category", "path")
# The columns a total depends on; a flush that changes none of them leaves the totals alone.
COUNTED = ("received_at", "assigned_at", "accepted_at", "replied_at", "review_level", "extension_days", "county",
           "category", "path", "department_code", "suggested_department_code", "collective", "petitioner_id",
           "duplicate_of_id")
SURVEY_COUNTED = ("case_id", "sent_at", "answer")
LABELS = (Case.county, Case.department_code, Case.suggested_department_code, Case.category, Case.path)

_original = aliased(Case)
_ROWS = (select(Case.id, *(getattr(Case, c) for c in COUNTED), _original.petitioner_id.label("original_petitioner"))
         .select_from(Case).outerjoin(_original, Case.duplicate_of_id == _original.id))
_SURVEY_ROWS = select(Survey.id, Survey.sent_at, Survey.answer, *LABELS).join(Case, Survey.case_id == Case.id)


@lru_cache(maxsize=4096)
def _deadline_day(cal: Calendar, start: date, days: int) -> date:
    return cal.local_date(cal.add_days(datetime.combine(start, time(12), tzinfo=cal.tz), days))


def _in_time(cal: Calendar, start: datetime, end: datetime, days: int, extension: int = 0) -> bool:
    """Whether `end` falls within the period of `days` (plus the extension) that started at `start`, by local day."""
    first, last = cal.local_date(start), cal.local_date(end)
    return (last - first).days <= days or last <= _deadline_day(cal, first, days + extension)


def _label(value: str | None) -> str:
    return UNKNOWN if value is None else value


def _labels(row) -> tuple:
    return (_label(row.county), row.department_code or row.suggested_department_code or UNKNOWN,
            _label(row.category), _label(row.path))


def _month(cal: Calendar, moment: datetime) -> str:
    return f"{cal.local_date(moment):%Y-%m}"


def counts_of(row, cal: Calendar) -> dict[tuple, dict[str, int]]:
    """What one case row adds to the totals: {(month, county, department, category, path): {measure: n}}."""
    labels = _labels(row)
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))

    def add(moment: datetime, *measures: str) -> None:
        counts = out[(_month(cal, moment),) + labels]
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


def survey_counts_of(row, cal: Calendar) -> dict[tuple, dict[str, int]]:
    """What one survey row (with its case's labels) adds: sent in its month, answered, and which answer."""
    if row.sent_at is None:
        return {}
    counts = dict.fromkeys(MEASURES, 0)
    counts["sent"] = 1
    if row.answer:
        counts["answered"] = 1
        counts[ANSWERS[row.answer]] = 1
    return {(_month(cal, row.sent_at),) + _labels(row): counts}


def _tally(cases, surveys, cal: Calendar) -> dict[tuple, dict[str, int]]:
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for rows, counts_of_row in ((cases, counts_of), (surveys, survey_counts_of)):
        for row in rows:
            for key, counts in counts_of_row(row, cal).items():
                for measure, n in counts.items():
                    out[key][measure] += n
    return out


def _counts(session: Session, cal: Calendar, case_ids: list[int], survey_ids: list[int],
            new_cases: list[Case] = ()) -> dict:
    """What these cases and surveys count now, with the surveys of the cases (their labels move them too);
    `new_cases`, registered in this flush, count as they were written.

    The surveys are locked, so an answer cannot land between the two readings of a change to their case.
    """
    if not case_ids and not survey_ids:
        return _tally(map(_written_row, new_cases), (), cal)
    connection = session.connection()
    cases = connection.execute(_ROWS.where(Case.id.in_(case_ids))) if case_ids else ()
    surveys = connection.execute(_SURVEY_ROWS.where(or_(Survey.case_id.in_(case_ids), Survey.id.in_(survey_ids)))
                                 .order_by(Survey.id).with_for_update(of=Survey))
    return _tally(chain(cases, map(_written_row, new_cases)), surveys, cal)


def _difference(after: dict, before: dict) -> dict[tuple, dict[str, int]]:
    return {key: {m: after.get(key, {}).get(m, 0) - before.get(key, {}).get(m, 0) for m in MEASURES}
            for key in after.keys() | before.keys()}


def _add(session: Session, changes: dict[tuple, dict[str, int]]) -> None:
    """Add the counts to their rows, creating rows as needed; rows in key order so writers never deadlock."""
    rows = [dict(zip(KEYS, key), **counts) for key, counts in sorted(changes.items()) if any(counts.values())]
    if not rows:
        return
    connection = session.connection()
    connection.execute(_add_counts(connection.dialect.name), rows)


@cache
def _add_counts(dialect_name: str):
    # Built once: every flush that registers or moves a case runs it.
    insert = (postgresql if dialect_name == "postgresql" else sqlite).insert(CaseTotal.__table__)
    return insert.on_conflict_do_update(
        index_elements=list(KEYS), set_={m: CaseTotal.__table__.c[m] + insert.excluded[m] for m in MEASURES})


def keep_in_step(sessions: sessionmaker, cal: Calendar) -> None:
    """Make every flush and every UPDATE of surveys in these sessions move the totals with what they change."""
    before_key = "case_totals_before"

    @event.listens_for(sessions, "before_flush")
    def _before(session, context, instances):
        case_ids = _changed(session, Case, COUNTED)
        survey_ids = _changed(session, Survey, SURVEY_COUNTED)
        session.info[before_key] = (case_ids, survey_ids, _counts(session, cal, case_ids, survey_ids))

    @event.listens_for(sessions, "after_flush")
    def _after(session, context):
        case_ids, survey_ids, before = session.info.pop(before_key, ([], [], {}))
        survey_ids = survey_ids + [o.id for o in session.new if isinstance(o, Survey)]
        # A case registered in this flush counts as it was written: nothing else can have moved it yet.
        new_cases = [o for o in session.new if isinstance(o, Case)]
        _add(session, _difference(_counts(session, cal, case_ids, survey_ids, new_cases), before))

    @event.listens_for(sessions, "do_orm_execute")
    def _survey_update(state):
        if not state.is_update or state.statement.entity_description["entity"] is not Survey:
            return None
        session = state.session
        # Locked first: a concurrent answer to the same survey waits, then is read as it left the row.
        ids = list(session.scalars(select(Survey.id).where(state.statement.whereclause).order_by(Survey.id)
                                   .with_for_update()))
        before = _counts(session, cal, [], ids)
        result = state.invoke_statement()
        _add(session, _difference(_counts(session, cal, [], ids), before))
        return result


def _written_row(case: Case) -> SimpleNamespace:
    """A new case as a row of _ROWS, read from the object."""
    original = case.duplicate_of
    return SimpleNamespace(**{name: getattr(case, name) for name in COUNTED},
                           original_petitioner=original.petitioner_id if original is not None else None)


def _changed(session: Session, model, counted: tuple[str, ...]) -> list[int]:
    """The ids of the rows of `model` this flush updates in a counted column, or deletes."""
    changed = [o.id for o in session.dirty if isinstance(o, model)
               and any(inspect(o).attrs[name].history.has_changes() for name in counted)]
    return changed + [o.id for o in session.deleted if isinstance(o, model)]


def rebuild(session: Session, cal: Calendar, batch: int = 10000) -> int:
    """Recompute every total from the cases in one transaction; returns the number of total rows."""
    if session.get_bind().dialect.name == "postgresql":
        # Changes under way finish first and are read with the cases; later ones wait and add to the new totals.
        session.execute(text("LOCK TABLE case_totals IN SHARE ROW EXCLUSIVE MODE"))
    session.execute(delete(CaseTotal))
    totals = _tally(session.execute(_ROWS.execution_options(yield_per=batch)),
                    session.execute(_SURVEY_ROWS.where(Survey.sent_at.is_not(None)).execution_options(yield_per=batch)),
                    cal)
    _add(session, totals)
    session.commit()
    return len(totals)
