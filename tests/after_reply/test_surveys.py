"""The satisfaction survey after a 处理意见, with time frozen."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from rq import Queue
from sqlalchemy import select

from tests.after_reply.conftest import SUPERVISOR, make_case, reply_case
from xinfang.cases import service, supervision, surveys
from xinfang.cases.service import Actor
from xinfang.cases.surveys import SurveyError, parse_answer
from xinfang.models import CaseEvent, Notification, Survey
from xinfang.queue import survey_jobs
from xinfang.stats import collect_stats

DAY = timedelta(days=1)


def survey_of(session, case) -> Survey:
    session.expire_all()
    return session.scalar(select(Survey).where(Survey.case_id == case.id))


def survey_pushes(session, case) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.case_id == case.id,
                                                           Notification.event.like("survey%"))
                                .order_by(Notification.id)))


def sent_survey(session, cal, handler, replied_at, **kw):
    case = reply_case(session, cal, handler, replied_at=replied_at, **kw)
    with time_machine.travel(replied_at + DAY, tick=False):
        assert survey_jobs.send_survey(survey_of(session, case).id)
    return case


def test_the_reply_writes_the_survey_and_plans_its_job_after_the_delay(session, cal, rt, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    survey = survey_of(session, case)
    assert (survey.status, survey.channel, survey.review_level) == ("scheduled", "wechat", 0)
    assert survey.due_at == replied_at + timedelta(seconds=rt.settings.survey_delay_seconds)
    assert f"survey-{survey.id}" in Queue("default", connection=rt.redis).scheduled_job_registry.get_job_ids()


def test_wechat_survey_goes_out_after_the_delay_once(session, cal, rt, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    survey = survey_of(session, case)
    with time_machine.travel(replied_at + timedelta(hours=23), tick=False):
        assert survey_jobs.send_survey(survey.id) is False
    assert survey_pushes(session, case) == []
    with time_machine.travel(replied_at + DAY + timedelta(minutes=1), tick=False):
        assert survey_jobs.send_survey(survey.id) is True
        assert survey_jobs.send_survey(survey.id) is False
    [push] = survey_pushes(session, case)
    assert push.channels[0] == "wechat_custom"
    assert "1 满意 / 2 基本满意 / 3 不满意" in push.text and case.tracking_code in push.text
    assert "已解决" in push.text  # the second question, asked apart
    assert f"notify-{push.id}" in Queue("notify", connection=rt.redis).job_ids
    assert survey_of(session, case).status == "sent"


def test_a_lost_job_is_made_good_by_the_sweep(session, cal, rt, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    rt.redis.flushdb()  # Redis lost every job
    with time_machine.travel(replied_at + DAY, tick=False):
        assert survey_jobs.send_due_surveys() == {"sent": 1, "reminded": 0}
        assert survey_jobs.send_due_surveys() == {"sent": 0, "reminded": 0}
    assert len(survey_pushes(session, case)) == 1


@pytest.mark.parametrize("contact, channels", [
    ({"phone": "13900002222", "email": None}, ["sms"]),
    ({"phone": None, "email": "zhaxi@example.cn"}, ["email"]),
])
def test_mailbox_survey_is_a_signed_link_to_the_tracking_page(session, cal, rt, county_handler, replied_at,
                                                               contact, channels):
    case = sent_survey(session, cal, county_handler, replied_at, openid=None, **contact)
    [push] = survey_pushes(session, case)
    assert push.channels == channels
    assert "回复" not in push.text  # SMS and email cannot take a one-word answer
    link = urlparse(push.text[push.text.index("http"):])
    assert link.path == f"/track/{case.tracking_code}"
    token = parse_qs(link.query)["survey"][0]
    with time_machine.travel(replied_at + 3 * DAY, tick=False):
        with pytest.raises(SurveyError, match="无效"):
            surveys.survey_from_token(session, rt.settings, token[:-2] + "xx")
        assert surveys.survey_from_token(session, rt.settings, token).id == survey_of(session, case).id
    with time_machine.travel(replied_at + 60 * DAY, tick=False), pytest.raises(SurveyError, match="过期"):
        surveys.survey_from_token(session, rt.settings, token)


def test_one_reminder_then_closed_as_overdue_never_counted_as_satisfied(session, cal, rt, county_handler, replied_at):
    case = sent_survey(session, cal, county_handler, replied_at)
    sent_at = replied_at + DAY
    with time_machine.travel(sent_at + timedelta(days=3) - timedelta(minutes=1), tick=False):
        assert survey_jobs.send_due_surveys()["reminded"] == 0
    with time_machine.travel(sent_at + timedelta(days=3), tick=False):
        assert survey_jobs.send_due_surveys()["reminded"] == 1
    with time_machine.travel(sent_at + timedelta(days=10), tick=False):
        assert survey_jobs.send_due_surveys()["reminded"] == 0
        assert survey_jobs.remind_survey(survey_of(session, case).id) is False
    assert [p.event for p in survey_pushes(session, case)] == ["survey", "survey_reminder"]
    assert "尚未收到您的评价" in survey_pushes(session, case)[1].text

    with time_machine.travel(sent_at + timedelta(days=30) - timedelta(minutes=1), tick=False):
        assert survey_jobs.expire_surveys() == 0
    with time_machine.travel(sent_at + timedelta(days=30), tick=False):
        assert survey_jobs.expire_surveys() == 1
    assert survey_of(session, case).status == "expired"
    # A late word is kept, but the survey stays 超期未评价.
    reply = surveys.reply_to_citizen(session, cal, case.petitioner_id, "满意", now=sent_at + timedelta(days=31))
    assert "超期未评价" in reply
    survey = survey_of(session, case)
    assert (survey.status, survey.answer) == ("expired", None) and "满意" in survey.comment
    counts = collect_stats(session)["surveys"]
    assert (counts["满意"], counts["超期未评价"]) == (0, 1)


def test_the_first_answer_counts_and_a_later_one_is_a_comment(session, cal, county_handler, replied_at):
    case = sent_survey(session, cal, county_handler, replied_at)
    now = replied_at + 2 * DAY
    reply = surveys.reply_to_citizen(session, cal, case.petitioner_id, "１", now=now)
    assert "感谢您的评价：满意" in reply and "已解决" in reply  # then asks the second question
    reply = surveys.reply_to_citizen(session, cal, case.petitioner_id, "不满意 办得太慢", now=now + DAY)
    assert "已评价过" in reply
    survey = survey_of(session, case)
    assert (survey.answer, survey.answered_at) == ("满意", now)
    assert "不满意 办得太慢" in survey.comment
    assert supervision.judgement_queue(session, SUPERVISOR) == []
    surveys.reply_to_citizen(session, cal, case.petitioner_id, "已解决", now=now + 2 * DAY)
    assert survey_of(session, case).solved is True


def test_dissatisfied_reaches_the_supervisors_list_and_the_citizen_is_offered_a_review(
        session, cal, county_handler, replied_at):
    case = sent_survey(session, cal, county_handler, replied_at)
    reply = surveys.reply_to_citizen(session, cal, case.petitioner_id, "3 未解决 工资只发了一半",
                                     now=replied_at + 2 * DAY)
    survey = survey_of(session, case)
    assert (survey.answer, survey.solved, survey.reason) == ("不满意", False, "工资只发了一半")
    [item] = supervision.judgement_queue(session, SUPERVISOR)
    assert (item.case_id, item.reason, item.department_code) == (case.id, "工资只发了一半", "rsj")
    line = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "judgement"))
    assert line.note == "信访人评价：不满意，问题未解决。工资只发了一半" and not line.citizen_visible
    # 30 days from the reply, to the body one level up; the evaluation itself is no review request.
    assert "2026年7月1日前向州人力资源和社会保障局申请复查" in reply
    assert f"复查 {case.tracking_code}" in reply and "不视为复查申请" in reply
    session.refresh(case)
    assert case.status == "replied"


def test_an_answer_before_the_survey_went_out_counts_and_the_survey_is_not_sent(session, cal, county_handler,
                                                                               replied_at):
    # The citizen read the reply and answered within the day the survey waits: an evaluation all the same.
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    reply = surveys.reply_to_citizen(session, cal, case.petitioner_id, "不满意 钱还没给",
                                     now=replied_at + timedelta(hours=2))
    survey = survey_of(session, case)
    assert (survey.status, survey.answer, survey.reason) == ("answered", "不满意", "钱还没给")
    assert "感谢您的评价" in reply and [i.case_id for i in supervision.judgement_queue(session, SUPERVISOR)] == [case.id]
    with time_machine.travel(replied_at + DAY + timedelta(minutes=1), tick=False):
        assert survey_jobs.send_survey(survey.id) is False
    assert survey_pushes(session, case) == []


def test_not_solved_alone_opens_the_judgement_and_asks_for_the_rating(session, cal, county_handler, replied_at):
    case = sent_survey(session, cal, county_handler, replied_at)
    reply = surveys.reply_to_citizen(session, cal, case.petitioner_id, "没解决", now=replied_at + 2 * DAY)
    assert "问题未解决" in reply and "1 满意" in reply
    assert survey_of(session, case).answer is None
    assert len(supervision.judgement_queue(session, SUPERVISOR)) == 1


def test_no_survey_for_a_confidential_report(session, cal, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at,
                      labels={"category": "劳动和社会保障", "path": "petition", "demand_type": "检举控告"})
    assert case.confidential and survey_of(session, case) is None


def test_no_survey_without_a_pending_one(session, cal, county_handler, replied_at):
    case = make_case(session, cal, when=replied_at)
    assert "没有待评价" in surveys.reply_to_citizen(session, cal, case.petitioner_id, "满意")


@pytest.mark.parametrize("text, expected", [
    ("满意", ("满意", None, None)),
    ("2", ("基本满意", None, None)),
    ("３ 补偿还没到位", ("不满意", False, "补偿还没到位")),  # still there: not solved, the words kept
    ("不满意，路灯还是不亮", ("不满意", False, "路灯还是不亮")),
    ("不满意，没有解决，补偿还没到位", ("不满意", False, "补偿还没到位")),
    ("非常满意 已经解决了", ("满意", True, None)),
    ("已解决", (None, True, None)),
    ("评价 基本满意", ("基本满意", None, None)),
])
def test_parse_answer(text, expected):
    parsed = parse_answer(text)
    assert (parsed.answer, parsed.solved, parsed.reason) == expected


def test_answer_with_nothing_in_it_is_refused_and_writes_nothing(session, cal, county_handler, replied_at):
    case = sent_survey(session, cal, county_handler, replied_at)
    with pytest.raises(SurveyError):
        surveys.record_answer(session, survey_of(session, case), answer="还行吧")
    assert survey_of(session, case).comment is None


def test_the_review_opinion_gets_its_own_survey(session, cal, county_handler, replied_at):
    case = reply_case(session, cal, county_handler, replied_at=replied_at)
    service.perform_action(session, cal, case, "request_review", Actor.citizen(case.petitioner_id),
                           now=replied_at + 3 * DAY)
    service.perform_action(session, cal, case, "review_reply", SUPERVISOR, {
        "outcome": "解释说明", "text": "维持原意见", "facts": "经复查", "basis": "第三十五条"}, now=replied_at + 20 * DAY)
    session.expire_all()
    levels = [(s.review_level, s.due_at) for s in session.scalars(select(Survey).order_by(Survey.id))]
    assert levels == [(0, replied_at + DAY), (1, replied_at + 21 * DAY)]
