"""/healthz: 200 when the database and Redis answer, 503 otherwise."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from .. import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    rt = runtime.current()
    status = {}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        status["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy", with the reason
        status["database"] = f"error: {type(exc).__name__}"
    try:
        rt.redis.ping()
        status["redis"] = "ok"
    except Exception as exc:
        status["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in status.values())
    return jsonify(status=("ok" if healthy else "unavailable"), **status), (200 if healthy else 503)
