"""The panel in Chromium on a tablet: a WeChat petition from 待登记 to the reply pushed to the citizen.

The citizen writes through the real /wechat endpoint (the project's WeChat
platform stand-in signs the callbacks); the reply reaches the simulator's
outbox through the queue's send_notification job. Screenshots go to
test-output/admin/<test>/ for a person to look at.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tests.admin.conftest import PASSWORD
from xinfang.simulator import messages
from xinfang.simulator.app import create_simulator_app
from xinfang.simulator.core import EXTENSION
from xinfang.simulator.platform import WeChatPlatform
from xinfang.simulator.server import BackgroundServer
from xinfang.simulator.settings import SimulatorSettings

TABLET = {"width": 1024, "height": 768}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "admin"
OPENID = "oHerderBrowser000000000001"
CODE = re.compile(r"查询码：([23456789A-HJKMNP-Z]{10})")


@pytest.fixture
def simulator():
    app = create_simulator_app(SimulatorSettings(token="testtoken", appid="wx0000000000000000",
                                                 secret="simulator-secret", template_finish_delay=None))
    server = BackgroundServer(app).start()
    yield app.extensions[EXTENSION], server.url
    server.stop()


@pytest.fixture
def settings(settings, simulator):
    # Pushes go to the simulator, at any hour of the day the suite runs.
    return dataclasses.replace(settings, wechat_api_base=simulator[1] + "/cgi-bin/", quiet_hours=None)


@pytest.fixture
def tablet(browser, request):
    context = browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15000)
    page = context.new_page()
    folder = OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    shots = []

    def screenshot(name):
        shots.append(name)
        page.screenshot(path=str(folder / f"{len(shots):02d}-{name}.png"), full_page=True)

    page.screenshot_as = screenshot
    yield page
    context.close()


@pytest.fixture
def run_jobs(rt):
    from xinfang.queue.worker import make_worker

    def run():
        make_worker(rt.redis).work(burst=True, with_scheduler=True, logging_level="WARNING")
    return run


def sign_in(page, base, username):
    page.goto(f"{base}/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/admin/queue/"))


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/admin/login"))


def test_a_wechat_petition_is_registered_assigned_and_answered_in_the_panel(
        live_server, tablet, simulator, staff, session, run_jobs):  # noqa: F811
    sim, _ = simulator
    staff["clerk"], staff["handler"]
    outside = []
    tablet.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))

    # The herder writes in the official account and confirms the summary.
    sim.state.record_inbound(messages.event_message(sim.settings.account_id, OPENID, "subscribe"))
    wechat = WeChatPlatform(f"{live_server}/wechat", "testtoken", state=sim.state)
    first = wechat.send_text(OPENID, "康定市新都桥镇的工地老板拖欠我们十几个人的工资三个月了，电话13812345678，请帮忙讨薪")
    assert first.ok and "确认" in first.content
    code = CODE.search(wechat.send_text(OPENID, "确认").content).group(1)
    run_jobs()  # the worker registers the submitted intake

    # The clerk finds it in 待登记 with the classifier's proposal, corrects the category, assigns it.
    page = tablet
    sign_in(page, live_server, "clerk")
    page.goto(f"{live_server}/admin/queue/intake")
    assert "138****5678" in page.inner_text("main") and "13812345678" not in page.inner_text("main")
    page.screenshot_as("intake")
    page.get_by_role("link", name=code).click()
    assert "系统判断依据" in page.inner_text("main")
    page.screenshot_as("case-as-received")
    page.select_option("#correct-category", "农村农业")
    page.locator("form.correct").first.get_by_role("button", name="更正").click()
    assert "分类已更正" in page.inner_text("main") and "已人工确认" in page.inner_text("main")
    page.get_by_role("link", name="转送/交办").click()
    page.select_option("select[name=department]", "rsj")
    page.get_by_role("button", name=re.compile("下一步")).click()
    assert "已转送州人力资源和社会保障局办理" in page.inner_text("main")
    page.screenshot_as("assign-confirm")
    page.get_by_role("button", name="确认转送/交办").click()
    assert "已转送/交办" in page.inner_text("main")
    sign_out(page)

    # The department's handler accepts it and replies from the 支持 template.
    sign_in(page, live_server, "handler")
    page.goto(f"{live_server}/admin/queue/mine")
    page.get_by_role("link", name=code).click()
    page.get_by_role("link", name="受理", exact=True).click()
    page.get_by_role("button", name=re.compile("下一步")).click()
    page.get_by_role("button", name="确认受理").click()
    page.get_by_role("link", name="答复（处理意见）：支持").click()
    assert "予以支持" in page.input_value("textarea[name=text]")
    page.fill("textarea[name=text]", "经调查核实，您反映的问题属实，诉求合理，予以支持。已责令项目方于10日内足额支付。")
    page.fill("textarea[name=facts]", "经调查核实，该工地拖欠12名工人工资共计18万元属实。")
    page.fill("textarea[name=basis]", "依据《保障农民工工资支付条例》第三条、第二十九条。")
    page.screenshot_as("reply-composer")
    page.get_by_role("button", name=re.compile("下一步")).click()
    notice = page.inner_text("blockquote.notice")
    assert f"您的信访事项（{code}）已出具处理意见：支持" in notice
    page.screenshot_as("reply-confirm")
    page.get_by_role("button", name=re.compile("确认答复")).click()
    assert "已答复" in page.inner_text("main")
    page.screenshot_as("case-replied")
    assert outside == []

    # The queue pushes the reply; the citizen reads it in WeChat.
    run_jobs()
    pushed = [e["payload"] for e in sim.state.sent(OPENID)]
    texts = [p["text"]["content"] if "text" in p else p["data"]["first"]["value"] for p in pushed]
    assert any("已出具处理意见：支持" in t for t in texts), texts
