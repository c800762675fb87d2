"""A citizen on a phone (360 px, WeChat's browser) writes to a mailbox, reads the 查询码, tracks the case."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from xinfang.models import Case

from ..mailbox.letters import LETTER


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_citizen_writes_on_a_phone_and_follows_the_case(live_server, browser_page, screenshot, session):
    page = browser_page
    outside = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))

    page.goto(f"{live_server}/mailbox/")
    assert no_horizontal_scroll(page)
    screenshot("mailboxes")
    page.get_by_role("link", name=re.compile("州长信箱")).click()

    page.fill("#title", "村道冲毁没人修")
    page.fill("#text", LETTER)
    page.get_by_role("button", name="识别地区").click()  # works without the script: the server fills it
    assert page.input_value("#county") == "康定市"
    assert "已根据内容识别地区" in page.inner_text("main")
    page.fill("#name", "扎西")
    page.fill("#phone", "13812345678")
    page.check("input[name=privacy]")
    assert no_horizontal_scroll(page)
    screenshot("form")

    page.get_by_role("button", name="提交信件").click()
    page.wait_for_selector("#tracking-code")
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{10}", code)
    assert "来信已收到" in page.inner_text("main") and no_horizontal_scroll(page)
    screenshot("receipt")

    page.get_by_role("link", name="查看办理进度").click()
    page.wait_for_url(f"**/track/{code}")
    body = page.inner_text("main")
    assert "已登记" in body and code in body and "扎西" not in body and "13812345678" not in body
    assert no_horizontal_scroll(page)
    screenshot("tracking")
    assert outside == []  # no asset from outside the server
    assert session.scalar(select(Case.tracking_code)) == code


def test_the_county_is_filled_live_by_the_script(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/mailbox/hotline/")
    page.fill("#text", "理塘县的草场被邻村占用多年，请求处理。")
    page.locator("#text").blur()
    expect(page.locator("#county")).to_have_value("理塘县")  # no eval: the page's CSP forbids it


def test_a_missing_consent_is_shown_next_to_the_box(live_server, browser_page, screenshot):
    page = browser_page
    page.goto(f"{live_server}/mailbox/governor/")
    page.fill("#text", LETTER)
    page.get_by_role("button", name="提交信件").click()
    page.wait_for_selector("#privacy-error")
    assert "请阅读并勾选" in page.inner_text("#privacy-error")
    assert page.input_value("#text") == LETTER
    screenshot("consent-missing")


def test_a_tibetan_letter_gets_a_bilingual_receipt_on_the_phone(live_server, browser_page, screenshot):
    page = browser_page
    page.goto(f"{live_server}/mailbox/governor/")
    page.fill("#text", "ང་ནི་དཀར་མཛེས་རྫོང་གི་འབྲོག་པ་ཞིག་ཡིན། ངའི་རྩྭ་ཐང་གི་གནད་དོན་ཐག་གཅོད་གནང་རོགས།")
    page.check("input[name=privacy]")
    page.get_by_role("button", name="提交信件").click()
    page.wait_for_selector("#tracking-code")
    assert page.locator("[lang=bo]").count() >= 2 and no_horizontal_scroll(page)
    screenshot("tibetan-receipt")
