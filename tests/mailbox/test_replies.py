"""/mailbox/replies: the public board shows only consented replies, with personal data removed."""
from xinfang.cases import service

from .letters import LETTER, answer

WRITER = "我叫次仁拉姆，电话13898765432，身份证513301199001011234。"


def published(session, cal, text, *, county="康定市", consent=True, confidential=False, title="村道冲毁",
              category="交通运输"):
    case = service.register_case(session, cal, channel="mailbox", mailbox_slug="governor", title=title, text=text,
                                 county=county, petitioner=service.find_or_create_petitioner(
                                     session, name="次仁拉姆", phone="13898765432"))
    case.publish_consent, case.confidential, case.category = consent, confidential, category
    session.commit()
    return answer(session, cal, case, text="已联系次仁拉姆（13898765432）。村道下月修复。")


def test_a_consented_reply_is_published_without_personal_data(client, session, cal):
    published(session, cal, WRITER + LETTER)
    html = client.get("/mailbox/replies").get_data(as_text=True)
    assert "村道冲毁" in html and "下月修复" in html and "农村公路条例" in html and "州交通运输局" in html
    assert "次某" in html
    for secret in ("次仁拉姆", "13898765432", "513301199001011234", "王科长"):
        assert secret not in html


def test_replies_without_consent_or_of_a_report_are_never_published(client, session, cal):
    published(session, cal, LETTER, consent=False, title="不同意公开的信")
    published(session, cal, LETTER, confidential=True, title="检举信")
    unanswered = service.register_case(session, cal, channel="mailbox", text=LETTER, title="尚未答复")
    unanswered.publish_consent = True
    session.commit()
    html = client.get("/mailbox/replies").get_data(as_text=True)
    assert "共 0 件" in html and "暂无符合条件的公开答复" in html
    for title in ("不同意公开的信", "检举信", "尚未答复"):
        assert title not in html


def test_the_board_is_searchable_by_county_category_and_words(client, session, cal):
    published(session, cal, LETTER, county="康定市", title="康定的路")
    published(session, cal, "理塘县的草场被邻村占用，请求处理。", county="理塘县", title="理塘的草场",
              category="农业农村")
    by_county = client.get("/mailbox/replies", query_string={"county": "理塘县"}).get_data(as_text=True)
    assert "理塘的草场" in by_county and "康定的路" not in by_county
    by_category = client.get("/mailbox/replies", query_string={"category": "交通运输"}).get_data(as_text=True)
    assert "康定的路" in by_category and "理塘的草场" not in by_category
    assert '<option value="交通运输" selected>' in by_category and '<option value="农业农村">' in by_category
    by_word = client.get("/mailbox/replies", query_string={"q": "草场"}).get_data(as_text=True)
    assert "理塘的草场" in by_word and "康定的路" not in by_word


def test_the_board_is_paginated(client, session, cal):
    for i in range(12):
        published(session, cal, f"{LETTER}（第{i}封）", title=f"来信{i:02d}")
    first = client.get("/mailbox/replies").get_data(as_text=True)
    second = client.get("/mailbox/replies", query_string={"page": "2"}).get_data(as_text=True)
    assert "共 12 件" in first and "第 1 / 2 页" in first and first.count('class="card published"') == 10
    assert second.count('class="card published"') == 2 and "上一页" in second
    assert client.get("/mailbox/replies", query_string={"page": "x\x00"}).status_code == 200
