"""The answered messages of one process, written together: one statement, one commit.

The callback's busiest write. A thread hands in its message row and waits; the
first thread to find no group being written writes every row waiting by then,
with the last inbound moment of their citizens, and wakes the others. A group
that breaks a unique key is written again one row at a time, so a WeChat retry
of a stored message costs only itself; a group the database fails fails whole.

It runs on the pool's DBAPI connection with SQL made once per group size: the
ORM and SQLAlchemy's statement execution cost several times the write itself,
and on PostgreSQL the whole group is one statement in autocommit — one round
trip where BEGIN, two statements and COMMIT were four.
"""
from __future__ import annotations

import threading
import weakref
from functools import lru_cache

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..models import InboundMessage, Petitioner

_MESSAGES = InboundMessage.__table__
_PETITIONERS = Petitioner.__table__
MESSAGE_COLUMNS = tuple(column.name for column in _MESSAGES.columns if column.name != "id")
TOUCH_COLUMNS = ("openid", "created_at", "last_inbound_at", "subscribed")


def store(engine, row: dict, touch: bool) -> int:
    """Store one message row (its MESSAGE_COLUMNS) with the other threads' waiting meanwhile; its id.

    Committed when this returns. IntegrityError when the message is stored already.
    """
    group = _groups.get(engine)
    if group is None:
        group = _groups.setdefault(engine, _GroupCommit(engine))
    return group.store(row, touch)


class _Entry:
    __slots__ = ("row", "touch", "id", "error", "done")

    def __init__(self, row: dict, touch: bool):
        self.row, self.touch, self.id, self.error, self.done = row, touch, None, None, False


class _GroupCommit:
    """The first caller while no group is being written writes all waiting entries; the others wait."""

    def __init__(self, engine):
        self.engine = engine
        self.waiting: list[_Entry] = []
        self.writing = False
        self.changed = threading.Condition()

    def store(self, row: dict, touch: bool) -> int:
        entry = _Entry(row, touch)
        with self.changed:
            self.waiting.append(entry)
            while self.writing and not entry.done:
                self.changed.wait()
            group = None
            if not entry.done:
                self.writing = True
                group, self.waiting = self.waiting, []
        if group is not None:
            try:
                self._write(group)
            finally:
                with self.changed:
                    for written in group:
                        written.done = True
                    self.writing = False
                    self.changed.notify_all()
        if entry.error is not None:
            raise entry.error
        if entry.id is None:
            raise RuntimeError("message not stored")
        return entry.id

    def _write(self, group: list[_Entry]) -> None:
        try:
            ids = write_rows(self.engine, [e.row for e in group], _touched(group))
        except IntegrityError as exc:
            if len(group) == 1:
                group[0].error = exc
                return
            # One bad row (nearly always a retry stored already) must not cost the others theirs.
            for entry in group:
                self._write([entry])
            return
        except Exception as exc:
            # The database failed, not a row: the whole group fails with it, without one more
            # round trip a row to learn that again.
            for entry in group:
                entry.error = exc
            return
        for entry in group:
            entry.id = ids[entry.row["channel"], entry.row["external_id"]]


def _touched(group: list[_Entry]) -> list[dict]:
    """One row per citizen, at its latest message: an upsert may not change a row twice."""
    latest = {}
    for entry in group:
        if entry.touch:
            sender, at = entry.row["sender"], entry.row["received_at"]
            latest[sender] = max(at, latest.get(sender, at))
    return [touch_row(openid, at) for openid, at in latest.items()]


def touch_row(openid: str, at, subscribed: bool | None = None) -> dict:
    """A citizen's row as the upsert of their last inbound moment writes it (TOUCH_COLUMNS)."""
    return {"openid": openid, "created_at": at, "last_inbound_at": at,
            "subscribed": True if subscribed is None else subscribed}


def touch_statement(dialect_name: str, changed: tuple[str, ...] = ("last_inbound_at",), rows: int | None = None):
    """The upsert of citizens' last inbound moment (and the other `changed` columns), each row created
    once; with `rows`, as that many VALUES rows of bound parameters (p_<column>_<i>)."""
    upsert = (postgresql if dialect_name == "postgresql" else sqlite).insert(_PETITIONERS)
    if rows is not None:
        upsert = upsert.values([{name: bindparam(f"p_{name}_{i}") for name in TOUCH_COLUMNS} for i in range(rows)])
    return upsert.on_conflict_do_update(index_elements=["openid"], set_={c: upsert.excluded[c] for c in changed})


def write_rows(engine, rows: list[dict], touched: list[dict]) -> dict:
    """Insert the message rows and upsert the touched citizens in one commit; {(channel, external_id): id}.

    Errors are SQLAlchemy's (IntegrityError for a message stored already); nothing is written then.
    """
    dialect = engine.dialect
    statements = _statements(dialect, len(rows), len(touched))
    params = _params(dialect, rows, touched)
    connection = engine.raw_connection()
    cursor = None
    try:
        cursor = connection.cursor()
        if dialect.name == "postgresql":
            # A data-modifying CTE is one statement, all or nothing: no transaction around it.
            connection.driver_connection.autocommit = True
            try:
                found = _run(cursor, statements, params)
            finally:
                connection.driver_connection.autocommit = False
        else:
            found = _run(cursor, statements, params)
            connection.commit()
        return {(channel, external_id): message_id for message_id, channel, external_id in found}
    except dialect.loaded_dbapi.Error as exc:
        if dialect.name != "postgresql":
            connection.rollback()
        lost = dialect.is_disconnect(exc, connection.dbapi_connection, cursor)
        if lost:
            connection.invalidate(exc)  # the pool must not hand this connection out again
        raise DBAPIError.instance(statements[0].sql, None, exc, dialect.loaded_dbapi.Error,
                                  hide_parameters=True, connection_invalidated=lost, dialect=dialect) from None
    finally:
        connection.close()


def _run(cursor, statements: tuple, params: dict) -> list:
    """Run the statements in order; the rows the first returns (the messages' ids)."""
    first, *rest = statements
    cursor.execute(*first.bind(params))
    found = cursor.fetchall()
    for statement in rest:
        cursor.execute(*statement.bind(params))
    return found


def _params(dialect, rows: list[dict], touched: list[dict]) -> dict:
    message_processors, touch_processors = _processors(dialect)
    params = {}
    for i, row in enumerate(rows):
        for name, process in zip(MESSAGE_COLUMNS, message_processors):
            params[f"{name}_{i}"] = row[name] if process is None else process(row[name])
    for i, row in enumerate(touched):
        for name, process in zip(TOUCH_COLUMNS, touch_processors):
            params[f"p_{name}_{i}"] = row[name] if process is None else process(row[name])
    return params


@lru_cache(maxsize=8)
def _processors(dialect) -> tuple[list, list]:
    """What SQLAlchemy would do to each value before the driver sees it (UTC datetimes, JSON), in the
    order of MESSAGE_COLUMNS and TOUCH_COLUMNS."""
    def of(table, names):
        return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]

    return of(_MESSAGES, MESSAGE_COLUMNS), of(_PETITIONERS, TOUCH_COLUMNS)


class _Compiled:
    """A statement's SQL for this dialect and the driver's parameters for it, named or in order."""

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.order = compiled.positiontup  # None when the driver takes named parameters

    def bind(self, params: dict) -> tuple:
        return self.sql, params if self.order is None else tuple(params[name] for name in self.order)


@lru_cache(maxsize=64)
def _statements(dialect, rows: int, touched: int) -> tuple:
    """The SQL for a group of this many rows and citizens, made once."""
    messages = insert(_MESSAGES).values([{name: bindparam(f"{name}_{i}") for name in MESSAGE_COLUMNS}
                                         for i in range(rows)])
    messages = messages.returning(_MESSAGES.c.id, _MESSAGES.c.channel, _MESSAGES.c.external_id)
    upsert = touch_statement(dialect.name, rows=touched) if touched else None
    if dialect.name == "postgresql":
        stored = messages.cte("stored")
        statement = select(stored.c.id, stored.c.channel, stored.c.external_id)
        if upsert is not None:
            statement = statement.add_cte(upsert.cte("touched"))
        return (_Compiled(statement, dialect),)
    return tuple(_Compiled(statement, dialect) for statement in (messages, upsert) if statement is not None)


_groups: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
