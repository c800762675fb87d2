"""From a WeChat message to the 复查, through the simulator, the gateway, the queue and the survey."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.after_reply.conftest import CLERK, REPLY
from tests.queue.conftest import daytime, platform, run_jobs, settings  # noqa: F401 (fixtures)
from xinfang.cases import service, supervision
from xinfang.cases.service import Actor
from xinfang.models import Case, Survey

OPENID = "o-herder-e2e"
HANDLER = Actor("staff", "handler", None, "州人社承办人", department_code="rsj")
SUPERVISOR = Actor("staff", "supervisor", None, "督办员")


def test_message_case_reply_survey_dissatisfied_supervisor_and_review(app, session, cal, platform, run_jobs,
                                                                      daytime):
    platform.connect(app)
    platform.follow(OPENID)
    summary = platform.say(OPENID, "康定市新都桥镇的工地老板拖欠我们工资三个月了，电话13812345678，请帮忙讨薪")
    assert "确认" in summary
    receipt = platform.say(OPENID, "确认")
    assert "查询码：" in receipt
    run_jobs()  # the worker registers the submitted intake
    case = session.scalars(select(Case)).one()
    code = case.tracking_code

    # Staff route, accept and answer it; each step is pushed to the citizen.
    service.perform_action(session, cal, case, "assign", CLERK, {"department": "rsj"})
    daytime.shift(timedelta(days=2))
    service.perform_action(session, cal, case, "accept", HANDLER)
    daytime.shift(timedelta(days=10))
    platform.say(OPENID, "你好")  # the citizen was in touch: the 48-hour window is open
    service.perform_action(session, cal, case, "reply", HANDLER, REPLY)
    replied_at = case.replied_at
    run_jobs()
    assert any("已出具处理意见" in t for t in platform.texts(OPENID))
    assert not any("满意度评价" in t for t in platform.texts(OPENID))

    # A day later the survey is pushed by itself.
    daytime.shift(timedelta(days=1, minutes=1))
    platform.say(OPENID, "在吗")
    run_jobs()
    run_jobs()
    assert any("满意度评价" in t and code in t for t in platform.texts(OPENID))
    assert session.scalars(select(Survey)).one().status == "sent"

    answer = platform.say(OPENID, "不满意 工资只发了一半")
    assert "感谢您的评价：不满意" in answer and f"复查 {code}" in answer
    [item] = supervision.judgement_queue(session, SUPERVISOR)
    assert (item.case_id, item.reason) == (case.id, "工资只发了一半")
    session.refresh(case)
    assert case.status == "replied"  # the evaluation is not a review request

    platform.say(OPENID, f"复查 {code}")
    session.refresh(case)
    assert (case.status, case.clock, case.review_body) == ("review", "review", "甘孜藏族自治州人民政府")
    assert case.due_at == cal.add_days(case.review_requested_at, 30)
    assert case.review_requested_at - replied_at < timedelta(days=30)
    run_jobs()
    assert any("复查申请" in t and "甘孜藏族自治州人民政府" in t for t in platform.texts(OPENID))
