"""The process's connections: settings, the database, Redis and the calendar.

Built once per process by `init_runtime` (the app factory, the worker and the
CLI call it) and read with `current()`. Domain code takes a session as an
argument; only the composition roots reach for this module.
"""
from __future__ import annotations

from functools import cached_property

import psycopg
import redis
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker

from .bot import inbox
from .cases import remembered, totals
from .cases.deadlines import Calendar
from .config import Settings

_current: "Runtime | None" = None


# How long a statement of the WeChat callback may wait for the database (a lock, a stalled server):
# then the message is kept on disk and the citizen answered, well inside WeChat's 5 s (bot.spool).
CALLBACK_WAIT_SECONDS = 1.5


def make_engine(url: str, wait_seconds: float | None = None):
    """The engine for `url`. With `wait_seconds`, a statement waits at most that long for a lock (on
    PostgreSQL, runs at most that long); without, as long as a lock is held (SQLite: 30 s)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": wait_seconds or 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # No ping before each checkout: it was a round trip on every callback (two a message) and every
    # job. A connection the server dropped fails its first statement; SQLAlchemy then renews the
    # whole pool, and the callback stores the message on a fresh connection (conversation.answer_now).
    if not url.startswith("postgresql+psycopg"):
        return create_engine(url, pool_size=10, max_overflow=20)
    # SQL goes to the server with PostgreSQL's own $1 placeholders, as SQLAlchemy wrote it: with the
    # default %(name)s style psycopg rewrites every statement in Python before sending it, and caches
    # the rewrite only for short ones (a registration batch's multi-row INSERTs were rewritten each
    # time, a fifth of a worker's CPU).
    # A server that does not answer fails a connection in 2 s (libpq's least), so a callback still
    # answers within WeChat's 5 s, the message kept on disk (bot.spool).
    engine = create_engine(url, pool_size=10, max_overflow=20, paramstyle="numeric_dollar",
                           connect_args={"cursor_factory": psycopg.RawCursor, "connect_timeout": 2})

    @event.listens_for(engine, "connect")
    def _prepare(dbapi_conn, _record):
        dbapi_conn.server_cursor_factory = psycopg.RawServerCursor  # yield_per's cursors too
        if wait_seconds:
            # A SET, not a startup option: a pooler in front of the server may refuse those.
            dbapi_conn.execute(f"SET statement_timeout = {int(wait_seconds * 1000)}")
            dbapi_conn.commit()

    return engine


class Runtime:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.calendar = Calendar.from_settings(settings)
        self.Session = self._sessions(self.engine)

    def _sessions(self, engine) -> sessionmaker:
        sessions = sessionmaker(engine, expire_on_commit=False)
        totals.keep_in_step(sessions, self.calendar)
        inbox.watch_writes(sessions)
        return sessions

    @cached_property
    def callback_engine(self):
        """The WeChat callback's connections: a statement waits at most CALLBACK_WAIT_SECONDS, where
        staff pages and jobs wait as long as a lock is held."""
        return make_engine(self.settings.database_url, wait_seconds=CALLBACK_WAIT_SECONDS)

    @cached_property
    def CallbackSession(self) -> sessionmaker:  # noqa: N802 (a session class, like Session)
        return self._sessions(self.callback_engine)

    @cached_property
    def redis(self) -> redis.Redis:
        if not self.settings.redis_url:
            raise RuntimeError("XINFANG_REDIS_URL is not set (xinfang up sets it for its embedded Redis)")
        # Short timeouts: a callback must be answered within 5 s even while Redis is down.
        return redis.Redis.from_url(
            self.settings.redis_url, socket_connect_timeout=0.5, socket_timeout=2, health_check_interval=30
        )

    @cached_property
    def spool(self):
        """Where the callback keeps messages while the database cannot take them."""
        from .bot.spool import Spool

        return Spool(self.settings.data_dir / "spool", self.CallbackSession)

    def close(self) -> None:
        if "spool" in self.__dict__:
            self.spool.close()
        self.engine.dispose()
        if "callback_engine" in self.__dict__:
            self.callback_engine.dispose()
        if "redis" in self.__dict__:
            self.redis.close()


def init_runtime(settings: Settings) -> Runtime:
    global _current
    if _current is not None:
        _current.close()
    _current = Runtime(settings)
    # What the process remembers of a database (department names, notice texts) is of the one it read.
    remembered.forget_all()
    return _current


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("init_runtime() has not been called in this process")
    return _current
