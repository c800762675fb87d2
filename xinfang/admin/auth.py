"""Signing staff in and out: the session, its expiry, CSRF on the panel's forms, bearer tokens for the API.

The session holds only the user's id, role and two timestamps; every request
reloads the user, so a deactivated account or a changed password ends every
open session at once. Lock-out after repeated failures is accounts.authenticate's.
"""
from __future__ import annotations

import time
from functools import wraps

from flask import abort, g, redirect, request, session, url_for

from ..cases.service import Actor
from ..csrf import csrf_ok
from ..models import StaffUser
from ..requestctx import db
from . import accounts, audit

# A working day at most, and a tablet left on a desk signs itself out.
SESSION_LIFETIME = 8 * 3600
IDLE_TIMEOUT = 30 * 60
CSRF_TIME_LIMIT = SESSION_LIFETIME

# Who may open the leaders' overview (the workflow decides the case actions themselves).
OVERVIEW_ROLES = ("leader", "supervisor", "admin")


class LoginFailed(Exception):
    """Wrong name or password, or the account is locked: the page says no more than that."""


def log_in(username: str, password: str) -> StaffUser:
    user = accounts.authenticate(db(), username.strip(), password)
    if user is None:
        audit.record(db(), None, "login_failed", note=username.strip()[:40])
        raise LoginFailed("用户名或密码错误；连续输错5次将锁定15分钟")
    session.clear()
    now = int(time.time())
    session.update(staff_id=user.id, staff_role=user.role, login_at=now, seen_at=now)
    session.permanent = True
    audit.record(db(), user, "login")
    return user


def log_out() -> None:
    user = current_user()
    if user is not None:
        audit.record(db(), user, "logout")
    session.clear()


def current_user() -> StaffUser | None:
    """The signed-in staff member, or None when there is none or the session has run out."""
    if "staff_user" in g:
        return g.staff_user
    g.staff_user = _session_user()
    return g.staff_user


def _session_user() -> StaffUser | None:
    user_id = session.get("staff_id")
    if user_id is None:
        return None
    now = int(time.time())
    login_at, seen_at = session.get("login_at", 0), session.get("seen_at", 0)
    user = db().get(StaffUser, user_id)
    expired = now - login_at > SESSION_LIFETIME or now - seen_at > IDLE_TIMEOUT
    # A password changed after this session began ends it (a stolen session dies with the old password).
    stale = user is None or not user.active or user.password_changed_at.timestamp() > login_at + 1
    if expired or stale:
        session.clear()
        return None
    session["seen_at"] = now
    session["staff_role"] = user.role
    return user


def current_user_is_admin() -> bool:
    user = current_user()
    return user is not None and user.role == "admin"


def current_actor() -> Actor:
    return Actor.staff(current_user())


def login_required(*roles: str):
    """The view needs a signed-in user, of one of `roles` when given (403 otherwise)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def token_user() -> StaffUser | None:
    """The staff member an `Authorization: Bearer <token>` header names, or None."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return accounts.user_for_token(db(), token.strip())


# Nothing from outside the server; no inline script; the panel is never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def protect(bp) -> None:
    """CSRF on every form of a panel blueprint, and the panel's response headers."""
    from flask_wtf.csrf import generate_csrf

    @bp.before_request
    def _check_csrf():
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not csrf_ok(CSRF_TIME_LIMIT):
            abort(400, description="表单已过期或来源不明，请刷新页面后重试")

    @bp.context_processor
    def _template_globals():
        return {"csrf_token": generate_csrf, "current_user": current_user()}

    @bp.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
