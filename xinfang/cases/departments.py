"""Department names for notices and answers: reference data, read once a minute per process.

A department renamed in the panel reaches this process at once (`forget_names`)
and the other processes within the minute.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Department
from .remembered import Remembered

_names = Remembered()


def department_name(session: Session, code: str | None) -> str | None:
    if not code:
        return None
    return _names.get(code, lambda: session.scalar(select(Department.name).where(Department.code == code)))


def forget_names() -> None:
    _names.forget()
