"""Clock arithmetic for the statutory periods. Pure: no database, no clock of its own.

《信访工作条例》 does not define "日" (LAW.md §3). By default periods are calendar
days; `day_count="working"` counts them as working days. Counting starts on the
day after the triggering event and a period ends at the end of its last day
(民法典 Art. 201, by analogy); a period that ends on a non-working day ends on
the next working day (民法典 Art. 203, by analogy; `rollover`). Art. 23's
objection period is expressly "5个工作日" and is always counted in working days.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_HOLIDAYS = Path(__file__).resolve().parent.parent / "data" / "holidays.json"

# The statutory periods, in days, with their sources. Keep every number here.
ROUTE_DAYS = 15  # 《信访工作条例》 Art. 22: register, then transfer or assign within 15 days of receipt
NOTIFY_DAYS = 15  # Art. 23 ¶3: the receiving body tells the petitioner within 15 days
OBJECTION_WORKING_DAYS = 5  # Art. 23 ¶3: a misrouted case is objected to within 5 working days
HANDLING_DAYS = 60  # Art. 34: 60 days from acceptance to the 处理意见
MAX_EXTENSION_DAYS = 30  # Art. 34: one extension of at most 30 days, reason told
REVIEW_REQUEST_DAYS = 30  # Art. 35: 复查 asked within 30 days of receiving the reply
REVIEW_DAYS = 30  # Art. 35: 复查意见 within 30 days
REREVIEW_REQUEST_DAYS = 30  # Art. 36: 复核 asked within 30 days of the 复查意见
REREVIEW_DAYS = 30  # Art. 36: 复核意见 within 30 days


@dataclass(frozen=True)
class Calendar:
    """Which days are working days, and how the periods are counted."""

    holidays: frozenset[date] = frozenset()
    # 调休: weekend days that are working days.
    workdays: frozenset[date] = frozenset()
    day_count: str = "calendar"
    rollover: bool = True
    timezone: str = "Asia/Shanghai"

    @classmethod
    def load(cls, path: Path | None = None, **options) -> "Calendar":
        data = json.loads(Path(path or DEFAULT_HOLIDAYS).read_text(encoding="utf-8"))
        return cls(
            holidays=frozenset(date.fromisoformat(d) for d in data.get("holidays", [])),
            workdays=frozenset(date.fromisoformat(d) for d in data.get("workdays", [])),
            **options,
        )

    @classmethod
    def from_settings(cls, settings) -> "Calendar":
        return cls.load(
            settings.holidays_file,
            day_count=settings.day_count,
            rollover=settings.holiday_rollover,
            timezone=settings.timezone,
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def end_of(self, day: date) -> datetime:
        """The last instant of a local day, as an aware datetime."""
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz) - timedelta(microseconds=1)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        day = self.local_date(start)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return self.end_of(day)

    def add_days(self, start: datetime, days: int) -> datetime:
        """The end of a statutory period of `days` "日" that starts with the event at `start`."""
        if self.day_count == "working":
            return self.add_working_days(start, days)
        last = self.local_date(start) + timedelta(days=days)
        if self.rollover:
            while not self.is_working_day(last):
                last += timedelta(days=1)
        return self.end_of(last)

    def days_left(self, due: datetime, now: datetime) -> int:
        """Whole local days until the due day: 0 on the last day, negative when overdue."""
        return (self.local_date(due) - self.local_date(now)).days


def objection_deadline(cal: Calendar, assigned_at: datetime) -> datetime:
    return cal.add_working_days(assigned_at, OBJECTION_WORKING_DAYS)


def reply_deadline(cal: Calendar, accepted_at: datetime, extension_days: int = 0) -> datetime:
    return cal.add_days(accepted_at, HANDLING_DAYS + extension_days)


def review_request_deadline(cal: Calendar, answered_at: datetime, review_level: int = 0) -> datetime:
    """The last moment to ask for 复查 (after a 处理意见) or 复核 (after a 复查意见)."""
    return cal.add_days(answered_at, REVIEW_REQUEST_DAYS if review_level == 0 else REREVIEW_REQUEST_DAYS)


# The clock each state runs: its name, and the staff or citizen it binds.
# "review_window" binds the citizen; a case is never overdue on it.
STAFF_CLOCKS = ("route", "notify", "reply", "review", "rereview")


def running_clock(case, cal: Calendar) -> tuple[str | None, datetime | None]:
    """The clock that runs for the case in its current state, and when it runs out."""
    if case.status == "received":
        return "route", cal.add_days(case.received_at, ROUTE_DAYS)
    if case.status == "assigned":
        return "notify", cal.add_days(case.assigned_at, NOTIFY_DAYS)
    if case.status == "accepted":
        return "reply", reply_deadline(cal, case.accepted_at, case.extension_days)
    if case.status == "replied":
        return "review_window", review_request_deadline(cal, case.replied_at, case.review_level)
    if case.status == "review":
        return "review", cal.add_days(case.review_requested_at, REVIEW_DAYS)
    if case.status == "rereview":
        return "rereview", cal.add_days(case.review_requested_at, REREVIEW_DAYS)
    return None, None
