"""The evaluation on the tracking page, reached by the signed link a mailbox petitioner gets."""
from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from tests.after_reply.conftest import SUPERVISOR, reply_case
from xinfang.cases import supervision
from xinfang.models import Notification, Survey
from xinfang.queue import survey_jobs


def hidden(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def mailbox_case_with_link(session, cal, handler, replied_at):
    case = reply_case(session, cal, handler, replied_at=replied_at, openid=None, phone="13900002222")
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    with time_machine.travel(replied_at + timedelta(days=1), tick=False):
        survey_jobs.send_survey(survey.id)
    text = session.scalar(select(Notification.text).where(Notification.event == "survey"))
    return case, text[text.index("/track/"):]


def test_the_link_opens_the_form_and_dissatisfaction_reaches_the_supervisor(client, session, cal, county_handler):
    replied_at = cal.end_of(cal.local_date(survey_jobs.utcnow())) - timedelta(days=3)  # the token is fresh today
    case, link = mailbox_case_with_link(session, cal, county_handler, replied_at)
    page = client.get(link).get_data(as_text=True)
    assert "您对办理结果满意吗？" in page and "您反映的问题解决了吗？" in page
    fields = hidden(page)
    assert fields["token"] and fields["csrf_token"]
    response = client.post(f"/track/{case.tracking_code}/evaluation",
                           data={**fields, "answer": "不满意", "solved": "no", "reason": "只补发了一半工资"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#evaluation")
    page = client.get(f"/track/{case.tracking_code}").get_data(as_text=True)
    assert "感谢您的评价：不满意" in page and "可在本页提交申请" in page and "州人力资源和社会保障局" in page
    assert "您的评价：<strong>不满意</strong>；问题未解决" in page
    [item] = supervision.judgement_queue(session, SUPERVISOR)
    assert item.reason == "只补发了一半工资"


def test_a_link_of_another_case_or_a_forged_form_changes_nothing(client, session, cal, county_handler):
    replied_at = cal.end_of(cal.local_date(survey_jobs.utcnow())) - timedelta(days=3)
    case, link = mailbox_case_with_link(session, cal, county_handler, replied_at)
    other = reply_case(session, cal, county_handler, replied_at=replied_at, openid=None, phone="13900003333",
                       text="村里的饮水管道冻裂了，全村吃水困难，请尽快维修")
    fields = hidden(client.get(link).get_data(as_text=True))
    client.post(f"/track/{other.tracking_code}/evaluation", data={**fields, "answer": "满意", "solved": "yes"})
    assert "该事项暂无可评价的处理意见" in client.get(f"/track/{other.tracking_code}").get_data(as_text=True)
    client.post(f"/track/{case.tracking_code}/evaluation",
                data={**fields, "csrf_token": "forged", "answer": "满意", "solved": "yes"})
    assert "页面已过期" in client.get(f"/track/{case.tracking_code}").get_data(as_text=True)
    session.expire_all()
    assert [s.answer for s in session.scalars(select(Survey))] == [None, None]
