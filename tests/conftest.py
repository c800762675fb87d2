"""Fixtures shared by every test: real databases and a real Redis, never fakes.

XINFANG_TEST_DATABASE_URL picks the database (default: a SQLite file per run;
.ci/run runs the suite again on PostgreSQL). XINFANG_TEST_REDIS_URL picks the
Redis database (default redis://127.0.0.1:6379/15), flushed before each test.
"""
from __future__ import annotations

import os
import pytest
import redis as redis_lib
from sqlalchemy import create_engine, delete, text

from xinfang import runtime
from xinfang.cases.deadlines import Calendar
from xinfang.config import Settings
from xinfang.migrate import upgrade
from xinfang.models import Base, County, Department, Mailbox, Township
from xinfang.seed import load_reference_data

# One Chromium for the whole run, shared by every browser test (tests/browser/fixtures.py).
from tests.browser.fixtures import browser, browser_page, live_server, screenshot  # noqa: E402,F401

REFERENCE_TABLES = {t.__tablename__ for t in (County, Township, Department, Mailbox)}


def _database_url(tmp_root) -> str:
    return os.environ.get("XINFANG_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory.mktemp("db"))
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    # The suite runs on the schema the migrations build, on SQLite and PostgreSQL alike.
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url():
    return os.environ.get("XINFANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def settings(tmp_path, database_url, redis_url):
    return Settings.from_env({
        "XINFANG_DATA_DIR": str(tmp_path / "instance"),
        "XINFANG_DATABASE_URL": database_url,
        "XINFANG_REDIS_URL": redis_url,
        "XINFANG_SECRET_KEY": "test-secret",
        "XINFANG_WECHAT_TOKEN": "testtoken",
        "XINFANG_WECHAT_API_BASE": "http://127.0.0.1:9/cgi-bin/",
    })


_seeded: set[str] = set()


@pytest.fixture
def rt(settings):
    current = runtime.init_runtime(settings)
    with current.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                conn.execute(delete(table))
    if settings.database_url not in _seeded:
        with current.Session() as session:
            load_reference_data(session)
        _seeded.add(settings.database_url)
    current.redis.flushdb()
    yield current
    current.close()


@pytest.fixture
def session(rt):
    with rt.Session() as s:
        yield s


@pytest.fixture
def cal():
    return Calendar.load()


@pytest.fixture
def app(rt, settings):
    from xinfang import create_app

    app = create_app(settings)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def redis_conn(redis_url):
    conn = redis_lib.Redis.from_url(redis_url)
    yield conn
    conn.close()
