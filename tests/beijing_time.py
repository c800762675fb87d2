"""Moments for tests, given in Beijing time."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def at(moment: str) -> datetime:
    """A moment given in Beijing time, e.g. at("2026-03-02 10:00"), as aware UTC."""
    return datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc)
