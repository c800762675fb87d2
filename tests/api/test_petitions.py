"""POST /api/v1/petitions and GET /api/v1/petitions/<code>: the public JSON API (DESIGN §4)."""
import json

import pytest
from sqlalchemy import func, select

from xinfang.handlers import public_texts as texts
from xinfang.models import Case, InboundMessage, Petitioner

from ..mailbox.letters import LETTER, answer

PERSON = {"name": "格桑卓玛", "phone": "13912345678", "email": "gesang@example.cn"}


def post(client, body, headers=None, environ=None):
    return client.post("/api/v1/petitions", json=body, headers=headers or {}, environ_base=environ or {})


def case_count(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Case))


def test_a_petition_is_registered_and_gets_a_tracking_code(client, session):
    response = post(client, {"mailbox": "governor", "text": LETTER, "county": "康定", **PERSON})
    assert response.status_code == 201
    code = response.get_json()["tracking_code"]
    assert code in response.get_json()["message"]
    assert response.headers["Location"] == f"/api/v1/petitions/{code}"
    case = session.scalar(select(Case).where(Case.tracking_code == code))
    assert (case.channel, case.mailbox_slug, case.county) == ("api", "governor", "康定市")
    assert case.petitioner.email == "gesang@example.cn"
    assert session.scalar(select(InboundMessage.status)) == "processed"


@pytest.mark.parametrize("body, field", [
    ({"text": LETTER}, "mailbox"),
    ({"mailbox": "nobody", "text": LETTER}, "mailbox"),
    ({"mailbox": "governor"}, "text"),
    ({"mailbox": "governor", "text": "短"}, "text"),
    ({"mailbox": "governor", "text": "字" * 5001}, "text"),
    ({"mailbox": "governor", "text": 12345}, "text"),
    ({"mailbox": "governor", "text": "含\x00空字符的一封信"}, "text"),
    ({"mailbox": "governor", "text": LETTER, "county": "成都市"}, "county"),
    ({"mailbox": "governor", "text": LETTER, "county": ["康定市"]}, "county"),
    ({"mailbox": "governor", "text": LETTER, "name": "名" * 31}, "name"),
    # Limits count what was sent (the document's maxLength), ends trimmed or not.
    ({"mailbox": "governor", "text": LETTER, "name": "\x1c" + "名" * 30}, "name"),
    ({"mailbox": "governor", "text": " " + "字" * 5000}, "text"),
    ({"mailbox": "governor", "text": LETTER, "name": "两行\n名字"}, "name"),
    ({"mailbox": "governor", "text": LETTER, "phone": "1381234567"}, "phone"),
    ({"mailbox": "governor", "text": LETTER, "phone": "电话"}, "phone"),
    ({"mailbox": "governor", "text": LETTER, "email": "a@b"}, "email"),
    ({"mailbox": "governor", "text": LETTER, "email": "x" * 120 + "@example.cn"}, "email"),
    ({"mailbox": "governor", "text": LETTER, "county": ""}, "county"),
    ({"mailbox": "governor", "text": LETTER, "phone": " "}, "phone"),
    ({"mailbox": "governor", "text": LETTER, "email": ""}, "email"),
    ({"mailbox": "governor", "text": LETTER, "name": None}, "name"),
    ({"mailbox": "governor", "text": LETTER, "phon": "13812345678"}, "phon"),
    ({"mailbox": "governor", "text": LETTER, "publish_consent": True}, "publish_consent"),
])
def test_every_bad_field_gets_a_400_naming_it(client, session, body, field):
    response = post(client, body)
    assert response.status_code == 400
    error = response.get_json()
    assert error["field"] == field and error["message"] and error["error"] == "invalid"
    assert case_count(session) == 0


@pytest.mark.parametrize("data, content_type", [
    ("not json", "application/json"),
    ("[1, 2]", "application/json"),
    ('{"mailbox": "governor", "text": "\\ud800 lone surrogate letter"}', "application/json"),
    ("mailbox=governor", "application/x-www-form-urlencoded"),
])
def test_a_body_that_is_not_a_json_object_is_a_400(client, session, data, content_type):
    response = client.post("/api/v1/petitions", data=data, content_type=content_type)
    assert response.status_code == 400 and response.get_json()["field"] in ("body", "text")
    assert case_count(session) == 0


def test_a_retried_post_with_the_same_idempotency_key_yields_one_case(client, session):
    body = {"mailbox": "hotline", "text": LETTER, "phone": "13812345678"}
    first = post(client, body, headers={"Idempotency-Key": "app-42"})
    again = post(client, body, headers={"Idempotency-Key": "app-42"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["tracking_code"] == again.get_json()["tracking_code"]
    assert case_count(session) == 1
    other = post(client, {**body, "text": LETTER + "补充"}, headers={"Idempotency-Key": "app-42"})
    assert other.status_code == 422 and other.get_json()["field"] == "Idempotency-Key"
    bad = post(client, body, headers={"Idempotency-Key": "有空格 的键"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "Idempotency-Key"
    assert case_count(session) == 1


def test_too_many_posts_are_refused_with_429(app, client, session):
    app.config["XINFANG_RATE_LIMITS"] = {"submit_address": (2, 600)}
    for i in range(2):
        assert post(client, {"mailbox": "governor", "text": f"{LETTER}{i}"}).status_code == 201
    refused = post(client, {"mailbox": "governor", "text": LETTER + "又一封"})
    assert refused.status_code == 429 and "提交太频繁" in refused.get_json()["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert case_count(session) == 2


def test_a_tibetan_petition_gets_a_bilingual_answer(client):
    response = post(client, {"mailbox": "governor", "text": "ངའི་རྩྭ་ཐང་གི་གནད་དོན་ཐག་གཅོད་གནང་རོགས། ཐུགས་རྗེ་ཆེ།"})
    message = response.get_json()["message"]
    assert response.status_code == 201 and texts.TIBETAN_RECEIPT_CODE in message and "来信已收到" in message


def test_the_status_shows_state_department_deadline_and_timeline(client, session, cal):
    code = post(client, {"mailbox": "governor", "text": LETTER, **PERSON}).get_json()["tracking_code"]
    status = client.get(f"/api/v1/petitions/{code}").get_json()
    assert (status["status"], status["status_name"]) == ("received", "已登记")
    assert status["deadline"]["clock"] == "route" and "第二十二条" in status["deadline"]["name"]
    assert [e["label"] for e in status["timeline"]] == ["登记"]
    assert status["mailbox"] == "州长信箱" and status["reply"] is None

    answer(session, cal, session.scalar(select(Case)))
    status = client.get(f"/api/v1/petitions/{code.lower()}").get_json()
    assert status["status"] == "replied" and status["department"] == "州交通运输局"
    assert [e["label"] for e in status["timeline"]] == ["登记", "转送/交办", "受理", "答复（处理意见）"]
    assert status["timeline"][1]["note"] == "转送州交通运输局"
    assert status["reply"]["outcome"] == "支持" and "农村公路条例" in status["reply"]["basis"]
    assert status["review"]["action"] == "request_review"


def test_the_public_status_carries_no_personal_data(client, session, cal):
    text = f"我叫格桑卓玛，电话{PERSON['phone']}，身份证513301199001011234。{LETTER}"
    code = post(client, {"mailbox": "governor", "text": text, **PERSON}).get_json()["tracking_code"]
    case = session.scalar(select(Case))
    case.petitioner.openid = "oOPENID-of-the-citizen"
    case.petitioner.id_number = "513301199001011234"
    session.commit()
    answer(session, cal, case, text=f"已联系格桑卓玛（{PERSON['phone']}），村道将于下月修复。")
    raw = client.get(f"/api/v1/petitions/{code}").get_data(as_text=True)
    for secret in (*PERSON.values(), "oOPENID", "513301199001011234", "王科长", "卓玛", "1391234"):
        assert secret not in raw
    assert "格某" in json.loads(raw)["reply"]["text"]


def test_an_unknown_code_is_a_404_and_repeated_misses_are_slowed(app, client, session):
    app.config["XINFANG_RATE_LIMITS"] = {"lookup_failures": (3, 900)}
    code = post(client, {"mailbox": "governor", "text": LETTER}).get_json()["tracking_code"]
    for guess in ("ABCDEFGHJK", "nonsense", "ZZZZZZZZZZ"):
        missed = client.get(f"/api/v1/petitions/{guess}")
        assert missed.status_code == 404 and missed.get_json()["field"] == "tracking_code"
    blocked = client.get(f"/api/v1/petitions/{code}")
    assert blocked.status_code == 429 and "查询失败次数过多" in blocked.get_json()["message"]
    # Another address still finds its case.
    assert client.get(f"/api/v1/petitions/{code}", environ_base={"REMOTE_ADDR": "10.0.0.8"}).status_code == 200


def test_the_api_needs_no_csrf_token_and_answers_json_to_wrong_methods(client):
    assert post(client, {"mailbox": "governor", "text": LETTER}).status_code == 201
    response = client.delete("/api/v1/petitions")
    assert response.status_code == 405


def test_petitioners_are_not_created_for_anonymous_posts(client, session):
    post(client, {"mailbox": "governor", "text": LETTER})
    assert session.scalar(select(func.count()).select_from(Petitioner)) == 0
