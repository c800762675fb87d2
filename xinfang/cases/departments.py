"""Department names for notices and answers: reference data, read once a minute per process.

A department renamed in the panel reaches this process at once (`forget_names`)
and the other processes within the minute.
"""
from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Department

NAMES_SECONDS = 60
_names: dict[str, tuple[float, str | None]] = {}


def department_name(session: Session, code: str | None) -> str | None:
    if not code:
        return None
    now = time.monotonic()
    cached = _names.get(code)
    if cached is not None and now - cached[0] < NAMES_SECONDS:
        return cached[1]
    name = session.scalar(select(Department.name).where(Department.code == code))
    _names[code] = (now, name)
    return name


def forget_names() -> None:
    _names.clear()
