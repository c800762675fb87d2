"""Browser fixtures (imported by tests/conftest.py, so one Chromium serves every test): the app served on a loopback port, and a phone-sized page in Debian's Chromium.

Playwright drives the system's chromium on the PATH (never a downloaded browser
build). The tests are skipped where Chromium is not installed; scripts/test
installs it.
Screenshots go to test-output/browser/<test name>/ for a person to look at.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from xinfang.simulator.server import BackgroundServer

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# WeChat's in-app browser on an Android phone: pages must open well inside it.
WECHAT_USER_AGENT = ("Mozilla/5.0 (Linux; Android 12; V2118A Build/SP1A.210812.003; wv) AppleWebKit/537.36 "
                     "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 "
                     "MMWEBSDK/20230202 MMWEBID/2585 MicroMessenger/8.0.33.2320(0x28002151) WeChat/arm64 "
                     "Weixin NetType/WIFI Language/zh_CN ABI/arm64")
PHONE = {"width": 360, "height": 740}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


@pytest.fixture
def live_server(app):
    """The app on an ephemeral loopback port in a thread; its base URL."""
    server = BackgroundServer(app).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser):
    """A 360×740 phone page with WeChat's user agent, Chinese locale, touch."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_USER_AGENT)
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request, browser_page):
    """screenshot("receipt") saves the whole page as test-output/browser/<test>/NN-receipt.png."""
    folder = OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    taken = []

    def take(name: str) -> Path:
        taken.append(name)
        path = folder / f"{len(taken):02d}-{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return take
