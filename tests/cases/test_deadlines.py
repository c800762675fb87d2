"""The statutory clocks: calendar days, working days, holidays, 调休 and roll-over."""
from datetime import date

import pytest

from tests.beijing_time import at
from xinfang.cases import deadlines
from xinfang.cases.deadlines import Calendar


def local(cal, moment):
    return moment.astimezone(cal.tz)


def test_route_period_is_fifteen_calendar_days_counted_from_the_next_day(cal):
    due = cal.add_days(at("2026-03-02 10:00"), deadlines.ROUTE_DAYS)  # Art. 22
    assert local(cal, due).date() == date(2026, 3, 17)
    assert local(cal, due).hour == 23 and local(cal, due).minute == 59


def test_message_received_just_before_midnight_counts_from_the_next_day(cal):
    due = cal.add_days(at("2026-03-02 23:59"), 15)
    assert local(cal, due).date() == date(2026, 3, 17)


def test_period_ending_on_a_holiday_rolls_over_to_the_next_working_day(cal):
    # 2026-09-16 + 15 days = 10-01, National Day: the period ends on 10-08.
    assert local(cal, cal.add_days(at("2026-09-16 09:00"), 15)).date() == date(2026, 10, 8)


def test_period_ending_on_a_weekend_rolls_over_to_monday(cal):
    # 2026-03-14 is a Saturday.
    assert local(cal, cal.add_days(at("2026-02-27 09:00"), 15)).date() == date(2026, 3, 16)


def test_rollover_can_be_switched_off():
    cal = Calendar.load(rollover=False)
    assert local(cal, cal.add_days(at("2026-09-16 09:00"), 15)).date() == date(2026, 10, 1)


def test_working_day_count_setting_counts_every_period_in_working_days():
    cal = Calendar.load(day_count="working")
    # From Friday 03-06: 15 working days are three full weeks.
    assert local(cal, cal.add_days(at("2026-03-06 09:00"), 15)).date() == date(2026, 3, 27)


def test_objection_period_is_five_working_days_and_honours_tiaoxiu(cal):
    # Assigned 09-30; 10-01..07 are holidays, 10-10 (Saturday) is a 调休 working day.
    due = deadlines.objection_deadline(cal, at("2026-09-30 15:00"))
    assert local(cal, due).date() == date(2026, 10, 13)


def test_a_custom_holiday_file_is_honoured(tmp_path):
    path = tmp_path / "holidays.json"
    path.write_text('{"holidays": ["2026-03-17"], "workdays": []}')
    cal = Calendar.load(path)
    assert local(cal, cal.add_days(at("2026-03-02 10:00"), 15)).date() == date(2026, 3, 18)


def test_reply_deadline_with_extension(cal):
    accepted = at("2026-03-02 10:00")
    # 60 days end on 05-01 (Labour Day holiday, to 05-05): the period ends on 05-06.
    assert local(cal, deadlines.reply_deadline(cal, accepted)).date() == date(2026, 5, 6)
    # 90 days end on 05-31, a Sunday: 06-01.
    assert local(cal, deadlines.reply_deadline(cal, accepted, 30)).date() == date(2026, 6, 1)


@pytest.mark.parametrize("level", [0, 1])
def test_review_request_window_is_thirty_days_from_the_reply(cal, level):
    due = deadlines.review_request_deadline(cal, at("2026-03-02 10:00"), level)
    assert local(cal, due).date() == date(2026, 4, 1)


def test_days_left_is_zero_on_the_last_day_and_negative_after(cal):
    due = cal.add_days(at("2026-03-02 10:00"), 15)
    assert cal.days_left(due, at("2026-03-16 09:00")) == 1
    assert cal.days_left(due, at("2026-03-17 22:00")) == 0
    assert cal.days_left(due, at("2026-03-18 08:00")) == -1
