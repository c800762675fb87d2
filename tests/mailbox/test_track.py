"""/track/: the citizen's page, the lookup form, the 复查 request and slowed-down guessing."""
import re

from sqlalchemy import select

from xinfang.cases import service
from xinfang.handlers import public_texts as texts
from xinfang.models import Case, CaseEvent

from ..beijing_time import at
from .letters import LETTER, answer, hidden_fields, post_letter, tracking_code


def submit(client, **fields) -> str:
    response = post_letter(client, **fields)
    return tracking_code(client.get(response.headers["Location"]).get_data(as_text=True))


def test_a_new_case_shows_its_status_deadline_and_timeline(client, session, cal):
    code = submit(client, name="扎西", phone="13812345678", email="zx@example.cn")
    response = client.get(f"/track/{code}")
    html = response.get_data(as_text=True)
    case = session.scalar(select(Case))
    due = cal.local_date(case.due_at)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "已登记" in html and f"{due.year}年{due.month}月{due.day}日" in html and "第二十二条" in html
    assert "<strong>登记</strong>" in html
    for personal in ("扎西", "13812345678", "zx@example.cn"):
        assert personal not in html
    assert "复查" not in html.split("<main>")[1].split("办理经过")[0]  # no review before a reply


def test_the_lookup_form_accepts_a_code_as_people_type_it(client):
    code = submit(client)
    assert "查询码" in client.get("/track/").get_data(as_text=True)
    typed = f" {code[:5].lower()}-{code[5:]} "
    response = client.get("/track/", query_string={"code": typed})
    assert response.status_code == 303 and response.headers["Location"] == f"/track/{code}"


def test_a_wrong_code_is_told_plainly(client):
    response = client.get("/track/", query_string={"code": "不是查询码"})
    assert response.status_code == 404 and texts.CODE_NOT_FOUND in response.get_data(as_text=True)
    response = client.get("/track/ABCDEFGHJK")
    assert response.status_code == 404 and texts.CODE_NOT_FOUND in response.get_data(as_text=True)


def test_repeated_wrong_lookups_from_one_address_must_wait(app, client):
    app.config["XINFANG_RATE_LIMITS"] = {"lookup_failures": (3, 900)}
    code = submit(client)
    for guess in ("ABCDEFGHJK", "BCDEFGHJKM", "CDEFGHJKMN"):
        assert client.get(f"/track/{guess}").status_code == 404
    blocked = client.get(f"/track/{code}")
    assert blocked.status_code == 429 and "查询失败次数过多，请15分钟后再试" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) <= 900


def test_the_reply_is_shown_with_outcome_facts_and_basis_and_personal_data_hidden(client, session, cal):
    code = submit(client, name="扎西", phone="13812345678")
    answer(session, cal, session.scalar(select(Case)), text="已通知扎西（13812345678），村道下月修复。")
    html = client.get(f"/track/{code}").get_data(as_text=True)
    assert "处理意见" in html and "支持" in html and "去年汛期冲毁" in html and "农村公路条例" in html
    assert "州交通运输局" in html and "已答复" in html
    assert "13812345678" not in html and "扎西" not in html and "王科长" not in html
    assert 'id="evaluation"' in html and texts.EVALUATION_PENDING in html
    assert 'value="request_review"' in html


def test_the_citizen_asks_for_review_from_the_page(client, session, cal):
    code = submit(client, phone="13812345678")
    case = answer(session, cal, session.scalar(select(Case)))
    page = client.get(f"/track/{code}").get_data(as_text=True)
    form = {**hidden_fields(page), "reason": "修复方案没有包括我们村的桥。"}
    response = client.post(f"/track/{code}/review", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "已提交申请复查申请" in html and "复查中" in html
    session.refresh(case)
    assert case.status == "review"
    event = session.scalar(select(CaseEvent).where(CaseEvent.action == "request_review"))
    assert (event.actor_kind, event.actor_id, event.note) == ("citizen", case.petitioner_id, form["reason"])

    again = client.post(f"/track/{code}/review", data=form)
    assert again.status_code == 409 and "不能执行“申请复查”" in again.get_data(as_text=True)


def test_a_review_request_without_the_csrf_token_changes_nothing(client, session, cal):
    code = submit(client)
    case = answer(session, cal, session.scalar(select(Case)))
    response = client.post(f"/track/{code}/review", data={"action": "request_review", "reason": "不服"})
    assert response.status_code == 400 and texts.CSRF_EXPIRED in response.get_data(as_text=True)
    session.refresh(case)
    assert case.status == "replied"


def test_a_late_review_request_is_refused_with_the_reason(client, session, cal):
    case = service.register_case(session, cal, channel="mailbox", mailbox_slug="governor", text=LETTER,
                                 now=at("2026-01-05 09:00"))
    answer(session, cal, case, now=at("2026-01-06 10:00"))
    html = client.get(f"/track/{case.tracking_code}").get_data(as_text=True)
    assert 'value="request_review"' not in html  # the window closed
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/mailbox/governor/").get_data(as_text=True))
    response = client.post(f"/track/{case.tracking_code}/review",
                           data={"csrf_token": token.group(1), "action": "request_review"})
    assert response.status_code == 409 and "已超过复查申请期限" in response.get_data(as_text=True)
