"""The letter form: a citizen writes to a leader's mailbox and gets a 查询码."""
import io

import pytest
from sqlalchemy import select

from xinfang.cases import mailbox as intake
from xinfang.cases import uploads
from xinfang.handlers import public_texts as texts
from xinfang.models import Attachment, Case, InboundMessage, Notification

from .letters import LETTER, counts, hidden_fields, open_form, post_letter, tracking_code

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
TIBETAN = "ང་ནི་དཀར་མཛེས་རྫོང་གི་འབྲོག་པ་ཞིག་ཡིན། ངའི་རྩྭ་ཐང་གི་གནད་དོན་ཐག་གཅོད་གནང་རོགས།"


def test_the_mailboxes_say_whom_they_reach(client):
    html = client.get("/mailbox/").get_data(as_text=True)
    assert "州长信箱" in html and "送达：甘孜州人民政府州长" in html
    assert "州纪委监委举报信箱" in html and 'href="/mailbox/governor/"' in html


def test_the_form_shows_the_privacy_notice_and_the_fields(client):
    response = client.get("/mailbox/governor/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "个人信息处理告知" in html and "第十三条" in html and "保存期限" in html
    assert 'name="csrf_token"' in html and 'name="form_token"' in html
    assert '<option value="康定市">' in html and "识别地区" in html
    assert "https://" not in html and "http://" not in html  # nothing from outside the server
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_letter_becomes_a_case_with_a_receipt(client, session):
    response = post_letter(client, title="村道冲毁", county="康定市", name="扎西", phone="138 1234 5678",
                           publish="1")
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"])
    html = receipt.get_data(as_text=True)
    code = tracking_code(html)
    assert receipt.headers["Cache-Control"] == "no-store"
    assert "来信已收到" in html and "15日内" in html and "60日内" in html and "第三十四条" in html
    assert "扎西" not in html and "13812345678" not in html

    case = session.scalar(select(Case).where(Case.tracking_code == code))
    assert (case.channel, case.mailbox_slug, case.county, case.title) == ("mailbox", "governor", "康定市", "村道冲毁")
    assert case.publish_consent is True and case.classification["category"]
    assert case.petitioner.name == "扎西" and case.petitioner.phone == "13812345678"
    assert case.due_at is not None and f"{case.due_at.astimezone().year}年" in html
    message = session.scalar(select(InboundMessage))
    assert (message.channel, message.status, message.case_id, message.answer) == ("mailbox", "processed", case.id, code)
    assert message.sender == "127.0.0.1"
    receipt_notice = session.scalar(select(Notification).where(Notification.case_id == case.id))
    assert receipt_notice.channels == ["sms"] and code in receipt_notice.text


def test_an_anonymous_letter_is_accepted_and_told_to_keep_the_code(client, session):
    response = post_letter(client)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert texts.RECEIPT_NO_CONTACT in html
    case = session.scalar(select(Case))
    assert case.petitioner_id is None and case.county == "康定市"  # recognised from the text


@pytest.mark.parametrize("fields, field, message", [
    ({"text": ""}, "text", "请填写信件内容"),
    ({"text": "路坏了"}, "text", "至少写5个字"),
    ({"text": "长" * 5001}, "text", "不能超过5000个字"),
    ({"text": "有控制字符\x01在这里的信"}, "text", "无法识别的字符"),
    ({"title": "标" * 101}, "title", "不能超过100个字"),
    ({"county": "成都市"}, "county", "请从列表中选择"),
    ({"name": "名" * 31}, "name", "不能超过30个字"),
    ({"phone": "12345"}, "phone", "电话格式不正确"),
    ({"email": "not-an-email"}, "email", "电子邮箱格式不正确"),
    ({"privacy": None}, "privacy", "请阅读并勾选"),
])
def test_every_bad_field_is_named_and_nothing_is_stored(client, session, fields, field, message):
    response = post_letter(client, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error">' in html and message in html
    assert counts(session) == (0, 0)
    if "text" not in fields:
        assert LETTER in html  # what the citizen wrote is kept in the form


def test_all_problems_are_shown_at_once(client, session):
    response = post_letter(client, phone="abc", email="x@", privacy=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "请修改下面标红的3处" in html
    assert counts(session) == (0, 0)


def test_landline_and_international_mobile_formats(client, session):
    post_letter(client, phone="+86 139-0000-1111")
    post_letter(client, phone="0836-2822222", text=LETTER + "另外")
    post_letter(client, phone="１３８１２３４５６７８", text=LETTER + "还有")  # a Chinese keyboard's full width
    phones = sorted(c.petitioner.phone for c in session.scalars(select(Case)))
    assert phones == ["0836-2822222", "13812345678", "13900001111"]


def test_without_the_csrf_token_nothing_is_stored_and_the_text_is_kept(client, session):
    hidden = open_form(client)
    hidden["csrf_token"] = "forged"
    response = post_letter(client, hidden=hidden)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and texts.CSRF_EXPIRED in html and LETTER in html
    assert counts(session) == (0, 0)
    # The re-rendered form carries a fresh token, and submitting it works.
    assert post_letter(client, hidden=hidden_fields(html)).status_code == 303


def test_a_filled_honeypot_is_refused(client, session):
    response = post_letter(client, homepage="http://spam.example")
    assert response.status_code == 400 and texts.HONEYPOT in response.get_data(as_text=True)
    assert counts(session) == (0, 0)


def test_a_double_tap_yields_one_case_and_the_same_receipt(client, session):
    hidden = open_form(client)
    first = post_letter(client, hidden=hidden, phone="13812345678")
    second = post_letter(client, hidden=hidden, phone="13812345678")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert counts(session) == (1, 1)


def test_an_edited_letter_sent_again_from_the_same_page_is_not_lost(client, session):
    hidden = open_form(client)
    post_letter(client, hidden=hidden)
    post_letter(client, hidden=hidden, text=LETTER + "补充：桥也坏了。")
    assert counts(session) == (2, 2)


def test_too_many_letters_from_one_address_are_refused_with_a_clear_message(app, client, session):
    app.config["XINFANG_RATE_LIMITS"] = {"submit_address": (2, 3600)}
    for i in range(2):
        assert post_letter(client, text=f"{LETTER}第{i}次").status_code == 303
    response = post_letter(client, text=LETTER + "第三次")
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and "提交太频繁，请1小时后再试" in html and "第三次" in html
    assert counts(session) == (2, 2)
    # Another address is not affected.
    assert post_letter(client, text=LETTER + "邻居", environ={"REMOTE_ADDR": "10.1.2.3"}).status_code == 303


def test_too_many_letters_with_one_phone_are_refused_from_any_address(app, client, session):
    app.config["XINFANG_RATE_LIMITS"] = {"submit_phone": (1, 86400)}
    assert post_letter(client, phone="13800000001").status_code == 303
    response = post_letter(client, phone="13800000001", text=LETTER + "再说一遍",
                           environ={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 429 and "提交太频繁" in response.get_data(as_text=True)
    assert counts(session) == (1, 1)


def test_attachments_are_checked_by_content_and_stored(client, session, settings):
    files = [(io.BytesIO(JPEG), "photo.jpg"), (io.BytesIO(PDF), "证明.pdf")]
    assert post_letter(client, files=files).status_code == 303
    case = session.scalar(select(Case))
    stored = session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(a.kind, a.content_type, a.filename, a.case_id) for a in stored] == [
        ("image", "image/jpeg", "photo.jpg", case.id), ("pdf", "application/pdf", "证明.pdf", case.id)]
    assert (settings.data_dir / stored[1].storage).read_bytes() == PDF


@pytest.mark.parametrize("files, message", [
    ([(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "photo.jpg")], "不是图片或PDF文件"),
    ([(io.BytesIO(b"<html><script>"), "a.pdf")], "不是图片或PDF文件"),
    ([(io.BytesIO(JPEG + b"\x00" * uploads.MAX_FILE_BYTES), "big.jpg")], "超过10MB"),
    ([(io.BytesIO(JPEG), f"{i}.jpg") for i in range(6)], "最多上传5个附件"),
])
def test_a_wrong_or_oversized_attachment_is_refused(client, session, settings, files, message):
    response = post_letter(client, files=files)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="attachments-error"' in html and message in html
    assert counts(session) == (0, 0)
    assert not (settings.data_dir / "attachments").exists()


def test_a_body_beyond_the_request_limit_gets_a_clear_page(client, session):
    files = [(io.BytesIO(JPEG + b"\x00" * (8 * 1024 * 1024)), f"{i}.jpg") for i in range(4)]
    response = post_letter(client, files=files)
    assert response.status_code == 413 and "附件太大" in response.get_data(as_text=True)
    assert counts(session) == (0, 0)


def test_a_tibetan_letter_gets_a_bilingual_receipt(client, session):
    response = post_letter(client, text=TIBETAN, county="康定市")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    code = tracking_code(html)
    assert texts.TIBETAN_RECEIPT_CODE in html and 'lang="bo"' in html
    assert "来信已收到" in html and code
    assert session.scalar(select(Case)).tibetan is True


def test_the_county_is_recognised_from_the_text_without_javascript(client, session):
    response = post_letter(client, action="locate", text="泸定县磨西镇的路灯坏了半年了")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="泸定县" selected>' in html and "已根据内容识别地区：泸定县" in html
    assert counts(session) == (0, 0)


def test_the_live_county_lookup_answers_json(client):
    hidden = open_form(client)
    found = client.post("/mailbox/locate", data={"csrf_token": hidden["csrf_token"], "text": "理塘县的草场纠纷"})
    assert found.get_json()["county"] == "理塘县"
    assert client.post("/mailbox/locate", data={"text": "理塘县"}).status_code == 400


def test_a_letter_to_the_discipline_mailbox_is_confidential(client, session):
    post_letter(client, slug="discipline", text="我举报某乡干部虚报冒领低保资金，请纪委调查。", name="卓玛")
    assert session.scalar(select(Case)).confidential is True


def test_when_registration_fails_the_letter_is_kept_and_the_receipt_says_so(client, session, rt, monkeypatch):
    def broken(text):
        raise RuntimeError("classifier unavailable")

    monkeypatch.setattr(intake.nlp, "classify", broken)
    response = post_letter(client, phone="13812345678")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert texts.RECEIPT_PENDING in html and 'id="tracking-code"' not in html
    message = session.scalar(select(InboundMessage))
    assert message.status == "pending" and message.attempts == 1 and "classifier unavailable" in message.error
    assert counts(session) == (1, 0)

    # The sweeper processes it later; the same receipt page then shows the code.
    monkeypatch.undo()
    case = intake.process(session, rt.calendar, message)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert tracking_code(html) == case.tracking_code
    assert intake.process(session, rt.calendar, message).id == case.id and counts(session) == (1, 1)


def test_letters_are_accepted_while_redis_is_down(settings, rt, session):
    from xinfang import create_app

    app = create_app(settings.__class__.from_env({
        "XINFANG_DATA_DIR": str(settings.data_dir), "XINFANG_DATABASE_URL": settings.database_url,
        "XINFANG_REDIS_URL": "redis://127.0.0.1:9/0", "XINFANG_SECRET_KEY": "test-secret"}))
    client = app.test_client()
    response = post_letter(client)
    assert response.status_code == 303
    assert tracking_code(client.get(response.headers["Location"]).get_data(as_text=True))
    assert counts(session) == (1, 1)
