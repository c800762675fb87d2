"""Per-request access to the runtime: one database session a request, closed at teardown."""
from __future__ import annotations

from flask import g

from . import runtime


def db():
    if "db" not in g:
        g.db = runtime.current().Session()
    return g.db


def calendar():
    return runtime.current().calendar


def settings():
    return runtime.current().settings


def init_app(app) -> None:
    @app.teardown_appcontext
    def _close_session(exc):
        session = g.pop("db", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()
