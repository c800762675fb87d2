"""What the public HTML pages share: CSRF on their forms, the caller's address, safe headers, and
a plain answer when the database fails.

CSRF is checked per form (Flask-WTF's token), not app-wide: /wechat and the
JSON APIs are called by machines that hold no session.
"""
from __future__ import annotations

import hashlib
import logging

from flask import render_template, request
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

from ..csrf import csrf_ok as form_csrf_ok

log = logging.getLogger(__name__)

# A herder may take an hour or more over a letter; the token outlives that.
CSRF_TIME_LIMIT = 24 * 3600

SECURITY_HEADERS = {
    # Nothing from outside the server; codes in URLs never leak through a Referer.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def setup(bp) -> None:
    """Give a public blueprint's templates csrf_token() and its responses the safe headers."""

    @bp.context_processor
    def _csrf():
        return {"csrf_token": generate_csrf}

    @bp.errorhandler(SQLAlchemyError)
    def _database_failed(exc):
        # No page of ours can be drawn without the database; a letter being sent is given back to
        # its writer to keep, so a long text typed on a phone is not lost with the request.
        log.warning("%s %s failed, the database with it: %s", request.method, request.path, exc)
        written = {name: (request.form.get(name) or "").strip() for name in ("title", "text")}
        return render_template("public/unavailable.html", written=written if request.method == "POST" else {}), 503

    @bp.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def csrf_ok() -> bool:
    return form_csrf_ok(CSRF_TIME_LIMIT)


def client_address() -> str:
    # The direct peer: behind nginx, create_app must wrap the app in ProxyFix for this to be the citizen.
    return request.remote_addr or "unknown"


def arg(name: str, max_len: int) -> str | None:
    """A query-string value, trimmed, printable only, or None."""
    value = "".join(c for c in (request.args.get(name) or "") if c.isprintable()).strip()[:max_len]
    return value or None


def phone_key(phone: str) -> str:
    """A phone number as a rate-limit key, without keeping the number itself in Redis."""
    return hashlib.sha256(phone.encode()).hexdigest()[:20]


def no_store(response):
    """Pages that show a 查询码 stay out of shared caches."""
    response.headers["Cache-Control"] = "no-store"
    return response
