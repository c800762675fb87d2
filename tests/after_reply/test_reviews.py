"""复查 and 复核: the window, the body one level up, the clock, the notices, finality."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.after_reply.conftest import REPLY, SUPERVISOR, make_case, reply_case
from xinfang.cases import reviews, service
from xinfang.cases.reviews import ReviewConfigError
from xinfang.cases.service import Actor
from xinfang.cases.workflow import WorkflowError
from xinfang.models import CaseEvent, Notification

DAY = timedelta(days=1)


def last_notice(session, case) -> str:
    return session.scalars(select(Notification.text).where(Notification.case_id == case.id)
                           .order_by(Notification.id.desc())).first()


def citizen(case) -> Actor:
    return Actor.citizen(case.petitioner_id)


def test_review_asked_on_day_30_goes_one_level_up_with_its_30_day_clock(session, cal, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    # Replied 2026-06-01: the 30 days of Art. 35 end on 07-01 (a Wednesday).
    event = service.perform_action(session, cal, case, "request_review", citizen(case),
                                   now=replied_at + 30 * DAY + timedelta(hours=12))
    assert (case.status, case.clock) == ("review", "review")
    assert cal.local_date(case.due_at).isoformat() == "2026-07-31"
    assert (case.review_body, case.review_department_code) == ("州人力资源和社会保障局", "rsj")
    assert event.data["body"] == "州人力资源和社会保障局"
    assert "已由州人力资源和社会保障局受理" in last_notice(session, case) and "2026年7月31日" in last_notice(session, case)


def test_review_asked_on_day_31_is_refused_with_the_reason(session, cal, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    with pytest.raises(WorkflowError, match="已超过复查申请期限"):
        service.perform_action(session, cal, case, "request_review", citizen(case), now=replied_at + 31 * DAY)
    session.refresh(case)
    assert (case.status, case.review_body) == ("replied", None)
    assert session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                  CaseEvent.action == "request_review")) is None


def test_rereview_goes_to_the_prefecture_government_and_is_final(session, cal, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    service.perform_action(session, cal, case, "request_review", citizen(case), now=replied_at + 5 * DAY)
    service.perform_action(session, cal, case, "review_reply", SUPERVISOR, REPLY, now=replied_at + 20 * DAY)
    assert "州人力资源和社会保障局复查意见" in last_notice(session, case)
    service.perform_action(session, cal, case, "request_rereview", citizen(case), now=replied_at + 25 * DAY)
    assert (case.status, case.review_body) == ("rereview", "甘孜藏族自治州人民政府")
    assert "已由甘孜藏族自治州人民政府受理" in last_notice(session, case)
    service.perform_action(session, cal, case, "rereview_reply", SUPERVISOR, REPLY, now=replied_at + 40 * DAY)
    assert (case.status, case.review_level) == ("closed", 2)
    assert "最终意见" in last_notice(session, case)
    for action in ("request_review", "request_rereview"):
        with pytest.raises(WorkflowError, match="最终意见"):
            service.perform_action(session, cal, case, action, citizen(case), now=replied_at + 41 * DAY)


def test_a_prefecture_departments_reply_is_reviewed_by_the_prefecture_government(
        session, cal, prefecture_handler, replied_at):
    case = reply_case(session, cal, prefecture_handler, replied_at=replied_at)
    assert reviews.next_body(session, case).name == "甘孜藏族自治州人民政府"
    service.perform_action(session, cal, case, "request_review", Actor("staff", "clerk", None, "登记员"),
                           now=replied_at + DAY)  # staff on the citizen's behalf
    service.perform_action(session, cal, case, "review_reply", SUPERVISOR, REPLY, now=replied_at + 10 * DAY)
    assert reviews.next_body(session, case).name == "四川省人民政府"


def test_the_opinion_under_review_is_not_reviewed_by_its_own_author(
        session, cal, county_handler, prefecture_handler, replied_at):
    # 康定市's labour department replied: its 复查 goes to the prefecture's labour department (Art. 35).
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    service.perform_action(session, cal, case, "request_review", citizen(case), now=replied_at + DAY)
    assert "review_reply" not in service.available_actions(session, cal, case, county_handler, replied_at + 2 * DAY)
    with pytest.raises(WorkflowError, match="复查意见由州人力资源和社会保障局出具"):
        service.perform_action(session, cal, case, "review_reply", county_handler, REPLY, now=replied_at + 2 * DAY)
    session.refresh(case)
    assert (case.status, case.review_level) == ("review", 0)
    assert "review_reply" in service.available_actions(session, cal, case, prefecture_handler, replied_at + 2 * DAY)
    service.perform_action(session, cal, case, "review_reply", prefecture_handler, REPLY, now=replied_at + 3 * DAY)
    assert (case.status, case.review_level) == ("replied", 1)
    # Its 复核 goes one more level up, to the prefecture government (its 信访部门 acts for it).
    service.perform_action(session, cal, case, "request_rereview", citizen(case), now=replied_at + 4 * DAY)
    with pytest.raises(WorkflowError, match="复核意见由甘孜藏族自治州人民政府出具"):
        service.perform_action(session, cal, case, "rereview_reply", prefecture_handler, REPLY,
                               now=replied_at + 5 * DAY)
    xfj = Actor("staff", "handler", None, "州信访局承办人", department_code="xfj")
    service.perform_action(session, cal, case, "rereview_reply", xfj, REPLY, now=replied_at + 5 * DAY)
    assert (case.status, case.review_level) == ("closed", 2)


def test_the_level_above_is_configurable_per_department(session, cal, rt, tmp_path, county_handler, replied_at):
    config = json.loads(reviews.DEFAULT_BODIES.read_text(encoding="utf-8"))
    config["up_by_department"] = {"rsj": {"county_department": "county_government"}}
    path = tmp_path / "bodies.json"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    rt.settings = replace(rt.settings, review_bodies_file=path)
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    service.perform_action(session, cal, case, "request_review", citizen(case), now=replied_at + DAY)
    assert (case.review_body, case.review_department_code) == ("康定市人民政府", "xfj")


def test_a_broken_bodies_file_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "bodies.json"
    path.write_text(json.dumps({"up": {"county_department": "nowhere"}, "bodies": {}}), encoding="utf-8")
    with pytest.raises(ReviewConfigError, match="nowhere"):
        reviews.load_bodies(path)
    with pytest.raises(ReviewConfigError, match="cannot read"):
        reviews.load_bodies(tmp_path / "missing.json")


def test_a_repeat_of_a_matter_final_after_rereview_is_suggested_not_accepted(
        session, cal, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    service.perform_action(session, cal, case, "request_review", citizen(case), now=replied_at + DAY)
    service.perform_action(session, cal, case, "review_reply", SUPERVISOR, REPLY, now=replied_at + 2 * DAY)
    service.perform_action(session, cal, case, "request_rereview", citizen(case), now=replied_at + 3 * DAY)
    service.perform_action(session, cal, case, "rereview_reply", SUPERVISOR, REPLY, now=replied_at + 4 * DAY)
    again = make_case(session, cal, when=replied_at + 50 * DAY)
    suggestion = reviews.not_accept_suggestion(session, again)
    assert suggestion["ground"] == "final" and suggestion["original"] == case.tracking_code
    assert again.status == "received"  # only a suggestion: a person decides (Art. 44)
    other = make_case(session, cal, when=replied_at + 50 * DAY, text="村里的饮水管道冻裂了，全村吃水困难，请尽快维修")
    assert reviews.not_accept_suggestion(session, other) is None
