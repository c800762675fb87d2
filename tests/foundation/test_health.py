"""/healthz answers 200 when the database and Redis answer, 503 when either does not."""
from dataclasses import replace

from xinfang import create_app


def test_healthz_ok_when_database_and_redis_answer(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_503_when_redis_is_unreachable(settings, rt):
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:6399/0"))
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["database"] == "ok" and body["redis"].startswith("error")


def test_healthz_503_when_the_database_is_unreachable(settings, rt):
    app = create_app(replace(settings, database_url="postgresql+psycopg://nobody@127.0.0.1:5499/none"))
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["database"].startswith("error")
