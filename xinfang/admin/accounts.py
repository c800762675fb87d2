"""Staff accounts: Argon2 password hashes, API tokens, lock-out after repeated failures."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ROLES, ApiToken, Department, StaffUser, utcnow

_hasher = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, username: str, role: str, *, password: str | None = None,
                department_code: str | None = None, county: str | None = None,
                display_name: str | None = None) -> tuple[StaffUser, str]:
    """A new staff user and the password it was given (generated when none is passed)."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if session.scalar(select(StaffUser).where(StaffUser.username == username)):
        raise AccountError(f"user {username} already exists")
    if department_code and not session.scalar(select(Department).where(Department.code == department_code)):
        raise AccountError(f"no department with code {department_code}")
    if role == "handler" and not department_code:
        raise AccountError("a handler belongs to a department (--department CODE)")
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = StaffUser(username=username, role=role, department_code=department_code, county=county,
                     display_name=display_name or username, password_hash=hash_password(password))
    session.add(user)
    session.commit()
    return user, password


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    """The user when the password is right and the account is not locked; counts failures."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    now = utcnow()
    if user is None or not user.active:
        return None
    if user.locked_until and user.locked_until > now:
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.commit()
        return None
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.commit()
    return user


def change_password(session: Session, user: StaffUser, old: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise AccountError("原密码不正确") from None
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"新密码至少{MIN_PASSWORD_LENGTH}位")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    session.commit()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: StaffUser) -> str:
    token = "xf_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token)))
    session.commit()
    return token


def user_for_token(session: Session, token: str) -> StaffUser | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False)))
    if row is None:
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    session.commit()
    return user
