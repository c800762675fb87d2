"""The staff's lists: queues, filters, search and keyset paging, always within the user's scope.

Every list is a queue + filters within the user's scope, read one page at a
time by keyset on (due_at, id) or (created_at, id), so page 500 costs what
page 1 costs. Where the scope or a search is an OR (a department's own cases
or those it reviews; words, title or name), each alternative is read apart
from its own index, in order, and the first keys of each merged: an OR would
make the database fetch and sort every match. Counts are capped: "1000+" is
all a tab needs to say.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, tuple_, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.visitors import InternalTraversal

from ..cases import service
from ..cases.codes import ALPHABET, LENGTH
from ..cases.deadlines import Calendar
from ..cases.service import Actor
from ..cases.workflow import HANDLING_STATES, STATES
from ..models import Case, Notification, Petitioner, Survey

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
COUNT_CAP = 1000
DUE_SOON_DAYS = 3

FLAGS = {"urgent": "紧急", "collective": "集体访", "tibetan": "藏文", "confidential": "检举控告", "repeat": "重复/联名"}
CHANNELS = {"wechat": "微信", "mailbox": "领导信箱", "api": "接口", "staff": "窗口登记"}

# What waits for each role's hand (我的待办).
TODO_STATES = {
    "clerk": ("received",),
    "handler": ("assigned", "accepted", "review", "rereview"),
    "supervisor": ("review", "rereview"),
    "admin": HANDLING_STATES,
    "leader": (),
}


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    order: str  # "due": nearest deadline first; "created": newest first


QUEUES = {q.name: q for q in (
    Queue("intake", "待登记", "due"),
    Queue("mine", "我的待办", "due"),
    Queue("due_soon", "即将到期", "due"),
    Queue("overdue", "已超期", "due"),
    Queue("survey", "待评价", "created"),
    Queue("review", "复查复核", "due"),
    Queue("closed", "已办结", "created"),
    Queue("all", "全部", "created"),
)}


class FilterError(ValueError):
    """A filter value the list cannot use; the message says which and why."""


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    category: str | None = None
    path: str | None = None
    county: str | None = None
    department: str | None = None
    mailbox: str | None = None
    channel: str | None = None
    flags: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None

    FIELDS = ("status", "category", "path", "county", "department", "mailbox", "channel", "q")

    @classmethod
    def from_args(cls, args) -> "Filters":
        """From a query string (panel and API alike); FilterError on a value that cannot be meant."""
        values = {name: (args.get(name) or "").strip()[:100] or None for name in cls.FIELDS}
        if values["status"] and values["status"] not in STATES:
            raise FilterError(f"状态应为：{'、'.join(STATES)}")
        if values["channel"] and values["channel"] not in CHANNELS:
            raise FilterError(f"渠道应为：{'、'.join(CHANNELS)}")
        flags = tuple(f for raw in args.getlist("flag") for f in raw.split(",") if f)
        unknown = [f for f in flags if f not in FLAGS]
        if unknown:
            raise FilterError(f"未知标记：{unknown[0]}")
        return cls(**values, flags=flags, date_from=_date(args.get("from"), "from"),
                   date_to=_date(args.get("to"), "to"))

    def as_args(self) -> dict:
        """Back into query-string values, for links that keep the filters."""
        out = {name: getattr(self, name) for name in self.FIELDS if getattr(self, name)}
        if self.flags:
            out["flag"] = list(self.flags)
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        return out


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FilterError(f"{name} 应为日期，如 2026-03-02") from None


@dataclass
class Page:
    cases: list[Case]
    next_cursor: str | None
    total: int
    total_capped: bool = False
    filters: Filters = field(default_factory=Filters)

    @property
    def total_text(self) -> str:
        return f"{COUNT_CAP}+" if self.total_capped else str(self.total)


# --- building the query ------------------------------------------------------------

def queue_parts(actor: Actor, queue: str, now: datetime, filters: Filters = Filters(),
                cal: Calendar | None = None) -> list[Select]:
    """All the cases of one queue the actor may see, unordered, as parts whose union they are: one per part
    of the actor's scope (service.scope_parts) and per kind of search match, so each part reads the index
    that suits it; `cal` is needed only for a date filter."""
    query = apply_filters(_queue(actor, queue, now), filters, cal)
    matches = search(filters.q) if filters.q else [()]
    return [query.where(*scope, *match) for scope in service.scope_parts(actor) for match in matches]


def _queue(actor: Actor, queue: str, now: datetime) -> Select:
    if queue not in QUEUES:
        raise FilterError(f"未知队列：{queue}")
    query = select(Case)
    if queue == "intake":
        return query.where(Case.status == "received")
    if queue == "mine":
        return query.where(Case.status.in_(TODO_STATES.get(actor.role, ())))
    if queue == "due_soon":
        return query.where(Case.status.in_(HANDLING_STATES), Case.due_at >= now,
                           Case.due_at <= now + timedelta(days=DUE_SOON_DAYS))
    if queue == "overdue":
        return query.where(Case.status.in_(HANDLING_STATES), Case.due_at < now)
    if queue == "survey":
        waiting = select(Survey.case_id).where(Survey.status.in_(("scheduled", "sent")))
        return query.where(Case.id.in_(waiting))
    if queue == "review":
        return query.where(Case.status.in_(("review", "rereview")))
    if queue == "closed":
        return query.where(Case.status.in_(("closed", "routed", "not_accepted")))
    return query


def apply_filters(query: Select, filters: Filters, cal: Calendar) -> Select:
    for name, column in (("status", Case.status), ("category", Case.category), ("path", Case.path),
                         ("county", Case.county), ("department", Case.department_code),
                         ("mailbox", Case.mailbox_slug), ("channel", Case.channel)):
        value = getattr(filters, name)
        if value:
            query = query.where(column == value)
    for flag in filters.flags:
        query = query.where(Case.duplicate_of_id.is_not(None) if flag == "repeat" else getattr(Case, flag).is_(True))
    if filters.date_from:
        query = query.where(Case.received_at >= datetime.combine(filters.date_from, time(0), tzinfo=cal.tz))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(0), tzinfo=cal.tz)
        query = query.where(Case.received_at < end)
    return query


_DIGITS = re.compile(r"[\d-]{7,20}")
_LATIN = re.compile(r"[a-z]{1,40}")


def search(text: str) -> list[tuple]:
    """What the words look like decides what they find, as alternative sets of conditions over Case.

    A tracking code finds its case; digits find a phone; Latin letters find a
    name by pinyin (`zhaxi`) or initials (`zx`); anything else finds a name or
    words of the petition — three alternatives, each with its own index.
    """
    text = text.strip()
    code = text.upper().replace(" ", "")
    if len(code) == LENGTH and all(c in ALPHABET for c in code):
        return [(Case.tracking_code == code,)]
    if _DIGITS.fullmatch(text):
        return [(CasesOf(select(Petitioner.id).where(Petitioner.phone == text)),)]
    latin = text.lower().replace(" ", "")
    if _LATIN.fullmatch(latin):
        return [(CasesOf(select(Petitioner.id).where(or_(Petitioner.name_initials == latin,
                                                        Petitioner.name_pinyin.startswith(latin)))),)]
    like = f"%{text}%"
    return [(Case.text.ilike(like),), (Case.title.ilike(like),),
            (CasesOf(select(Petitioner.id).where(Petitioner.name.like(like))),)]


class CasesOf(ColumnElement):
    """The cases of the people a query over Petitioner finds.

    On PostgreSQL `petitioner_id = ANY(ARRAY(…))`: the planner then reads just
    those people's cases from (petitioner_id, created_at) instead of walking a
    million cases newest first in the hope of meeting theirs. Elsewhere `IN (…)`.
    """

    inherit_cache = True
    _traverse_internals = [("people", InternalTraversal.dp_clauseelement)]

    def __init__(self, people: Select):
        self.people = people


@compiles(CasesOf)
def _cases_of(element, compiler, **kw):
    return compiler.process(Case.petitioner_id.in_(element.people), **kw)


@compiles(CasesOf, "postgresql")
def _cases_of_on_postgresql(element, compiler, **kw):
    return f"{compiler.process(Case.petitioner_id, **kw)} = ANY(ARRAY({compiler.process(element.people, **kw)}))"


# --- paging ------------------------------------------------------------------------

def _order_columns(queue: str):
    return (Case.due_at, Case.id) if QUEUES[queue].order == "due" else (Case.created_at, Case.id)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def encode_cursor(case: Case, queue: str) -> str:
    """The last row's sort key, URL-safe: microseconds since the epoch and the id."""
    moment = case.due_at if QUEUES[queue].order == "due" else case.created_at
    return f"{(moment - _EPOCH) // _MICROSECOND}_{case.id}"


def decode_cursor(raw: str) -> tuple[datetime, int]:
    try:
        micros, case_id = (int(part) for part in raw.split("_"))
        return _EPOCH + micros * _MICROSECOND, case_id
    except (ValueError, OverflowError):
        raise FilterError("分页参数无效，请从第一页开始") from None


def list_cases(session: Session, cal: Calendar, actor: Actor, queue: str, filters: Filters, now: datetime, *,
               after: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of a queue: keyset after the cursor, the capped total of the filtered queue."""
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    parts = queue_parts(actor, queue, now, filters, cal)
    ids = _first_ids(session, parts, queue, limit + 1, after)
    more = len(ids) > limit
    ids = ids[:limit]
    rows = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids))
                                            .options(selectinload(Case.petitioner)))}
    cases = [rows[i] for i in ids]
    total, capped = capped_count(session, parts)
    return Page(cases, encode_cursor(cases[-1], queue) if more else None, total, capped, filters)


def next_case(session: Session, cal: Calendar, actor: Actor, queue: str, filters: Filters, now: datetime,
              current: Case) -> Case | None:
    """下一件: the first case of the (filtered) queue other than the one open, so that a clerk goes
    through a queue from its top without returning to the list after each case."""
    ids = _first_ids(session, queue_parts(actor, queue, now, filters, cal), queue, 2)
    following = next((case_id for case_id in ids if case_id != current.id), None)
    return None if following is None else session.get(Case, following)


def _first_ids(session: Session, parts: list[Select], queue: str, limit: int, after: str | None = None) -> list[int]:
    """The ids of the queue's first `limit` cases after the cursor, in the queue's order."""
    moment_col, id_col = _order_columns(queue)
    ascending = QUEUES[queue].order == "due"
    bound = None
    if after:
        moment, case_id = decode_cursor(after)
        key, cursor = tuple_(moment_col, id_col), tuple_(literal(moment, moment_col.type), literal(case_id))
        bound = key > cursor if ascending else key < cursor

    def keys(part: Select) -> Select:
        if ascending:
            part = part.where(moment_col.is_not(None))
        if bound is not None:
            part = part.where(bound)
        order = (moment_col.asc(), id_col.asc()) if ascending else (moment_col.desc(), id_col.desc())
        return part.with_only_columns(id_col, moment_col).order_by(*order).limit(limit).subquery()

    # Each part's first keys in order from its own index, merged (a case two parts find, once).
    merged = union(*(select(sub.c.id, sub.c[moment_col.key]) for sub in map(keys, parts))).subquery()
    order = (merged.c[moment_col.key], merged.c.id)
    return list(session.scalars(select(merged.c.id).order_by(*(c.asc() if ascending else c.desc() for c in order))
                                .limit(limit)))


def capped_count(session: Session, parts: list[Select]) -> tuple[int, bool]:
    """The cases in the union of the parts, counting no part past the cap."""
    firsts = [part.with_only_columns(Case.id).order_by(None).limit(COUNT_CAP + 1).subquery() for part in parts]
    counted = session.scalar(select(func.count()).select_from(union(*(select(f.c.id) for f in firsts)).subquery()))
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def queue_counts(session: Session, actor: Actor, now: datetime) -> dict[str, tuple[int, bool]]:
    """Each queue's case count (capped) for the tabs."""
    return {name: capped_count(session, queue_parts(actor, name, now)) for name in QUEUES}


def repeats_of(session: Session, case: Case, limit: int = 20) -> list[Case]:
    """The cases linked to this one as repeats or parts of a mass petition."""
    return list(session.scalars(select(Case).where(Case.duplicate_of_id == case.id).order_by(Case.id).limit(limit)))


def is_due_soon(case: Case, now: datetime) -> bool:
    return (case.status in HANDLING_STATES and case.due_at is not None
            and now <= case.due_at <= now + timedelta(days=DUE_SOON_DAYS))


# --- 提醒: the staff notices (queue.reminders writes the clocks', cases.service a citizen's 补充) ---

DEPARTMENT_EVENTS = ("reminder", "overdue", "supplement")
SUPERVISOR_EVENTS = ("supervise",)
NOTICES_SHOWN = 100


def notices_for(session: Session, actor: Actor, limit: int = NOTICES_SHOWN) -> list[Notification]:
    """The staff notices a user is shown, newest first, of cases still running a clock (a case handled
    since makes them moot): to a department handler the reminders, overdue marks and citizens'
    补充 of its cases; to a clerk those of cases not yet assigned (the 信访部门 runs Art. 22's 15 days);
    to supervisors and admins the 督办 notices (Art. 40). Leaders have the overview instead."""
    query = _notices_of(actor)
    return [] if query is None else list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def count_notices_for(session: Session, actor: Actor, limit: int = NOTICES_SHOWN) -> int:
    """How many of notices_for there are (up to `limit`), without loading them: the panel's navigation."""
    query = _notices_of(actor)
    if query is None:
        return 0
    shown = query.with_only_columns(Notification.id).limit(limit).subquery()
    return session.scalar(select(func.count()).select_from(shown))


def _notices_of(actor: Actor) -> Select | None:
    if actor.role not in ("clerk", "handler", "supervisor", "admin"):
        return None
    events = SUPERVISOR_EVENTS if actor.role in ("supervisor", "admin") else DEPARTMENT_EVENTS
    query = (select(Notification).join(Case, Notification.case_id == Case.id)
             .where(Notification.channel == "staff", Notification.event.in_(events),
                    Case.status.in_(HANDLING_STATES)))
    if actor.role == "clerk":
        query = query.where(Case.department_code.is_(None))
    return service.scope_filter(actor, query)
