"""The monthly figures against a small month counted by hand."""
from __future__ import annotations

import pytest

from xinfang.cases import figures


def test_department_figures_match_the_hand_count(november):
    rsj = november.by["department"]["rsj"].as_dict()
    assert rsj == {
        "sent": 4, "answered": 3, "satisfied": 1, "basically": 1, "dissatisfied": 1, "expired": 0, "not_solved": 0,
        "accepted": 4, "accepted_on_time": 3, "replied": 4, "replied_on_time": 4, "reopened": 1,
        "registered": 4, "repeats": 1,
        "participation_rate": 0.75, "satisfaction_rate": 0.3333, "satisfaction_rate_broad": 0.6667,
        "on_time_acceptance_rate": 0.75, "on_time_reply_rate": 1.0, "reopen_rate": 0.25, "repeat_rate": 0.25,
    }
    zjj = november.by["department"]["zjj"]
    assert (zjj.sent, zjj.answered, zjj.expired, zjj.participation_rate) == (1, 0, 1, 0.0)
    assert zjj.satisfaction_rate is None and zjj.satisfaction_rate_broad is None  # 超期未评价 is never satisfied
    assert (zjj.replied, zjj.on_time_reply_rate, zjj.registered, zjj.repeat_rate) == (1, 0.0, 0, None)


def test_county_category_and_total_add_up(november):
    assert november.by["county"]["泸定县"].sent == 1 and november.by["county"]["康定市"].sent == 4
    assert november.by["category"]["劳动和社会保障"].registered == 4
    total = november.total
    assert (total.sent, total.answered, total.participation_rate) == (5, 3, 0.6)
    assert (total.replied, total.replied_on_time, total.on_time_reply_rate, total.reopen_rate) == (5, 4, 0.8, 0.2)


def test_departments_are_ranked_by_satisfaction_and_the_unevaluated_last(november):
    ranking = november.department_ranking()
    assert [(code, name) for code, name, _ in ranking] == [("rsj", "州人力资源和社会保障局"), ("zjj", "州住房和城乡建设局")]


def test_a_month_must_look_like_a_month(cal):
    with pytest.raises(ValueError, match="2026-11"):
        figures.month_bounds("November", cal)
    start, end = figures.month_bounds("2026-12", cal)
    assert (cal.local_date(start).isoformat(), cal.local_date(end).isoformat()) == ("2026-12-01", "2027-01-01")
