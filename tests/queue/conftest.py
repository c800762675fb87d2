"""The queue against the real database and Redis, with the WeChat simulator as the API.

Jobs run in-process in a burst worker (`run_jobs`), as `xinfang worker` runs them.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
import time_machine

from tests.beijing_time import at
from xinfang.cases import service
from xinfang.cases.service import Actor
from xinfang.models import Notification, Petitioner
from xinfang.simulator import messages
from xinfang.simulator.app import create_simulator_app
from xinfang.simulator.core import EXTENSION
from xinfang.simulator.server import BackgroundServer
from xinfang.simulator.transport import flask_transport
from xinfang.simulator.settings import SimulatorSettings

ADMIN = Actor("staff", "admin", None, "管理员")
DAYTIME = "2026-03-02 10:00"  # a Monday morning in Beijing, outside quiet hours
TEXT = "我家的草场被邻村占用了，请政府帮忙协调解决。"


class Platform:
    """The simulated WeChat platform: what it recorded, and its knobs."""

    def __init__(self, app, server):
        self.app = app
        self.server = server
        self.simulator = app.extensions[EXTENSION]
        self.state = self.simulator.state
        self.api_base = server.url + "/cgi-bin/"
        self.gateway = None  # the gateway app the citizens' messages go to

    def connect(self, gateway_app) -> None:
        self.gateway = flask_transport(gateway_app.test_client())

    def say(self, openid: str, text: str) -> str:
        """A citizen writes in the chat; returns the passive reply's text."""
        return self.simulator.platform.send_text(openid, text).content

    def follow(self, openid: str) -> None:
        """The citizen follows the account and writes: a follower inside the 48-hour window."""
        account = self.simulator.settings.account_id
        self.state.record_inbound(messages.event_message(account, openid, "subscribe"))
        self.state.record_inbound(messages.text_message(account, openid, "你好"))

    def unfollow(self, openid: str) -> None:
        self.state.record_inbound(messages.event_message(self.simulator.settings.account_id, openid, "unsubscribe"))

    def sent(self, openid: str | None = None) -> list[dict]:
        return self.state.sent(openid)

    def texts(self, openid: str) -> list[str]:
        """What the citizen reads: customer-service text, or a template's first field."""
        out = []
        for entry in self.sent(openid):
            payload = entry["payload"]
            out.append(payload["text"]["content"] if "text" in payload else payload["data"]["first"]["value"])
        return out

    def fault(self, endpoint: str, mode: str = "errcode", errcode: int = 0, times: int = 1) -> None:
        self.state.add_fault(endpoint, mode, errcode, times)

    def calls(self, endpoint: str | None = None) -> list[dict]:
        return self.state.calls(endpoint)


@pytest.fixture
def platform():
    holder = {}
    app = create_simulator_app(SimulatorSettings(
        token="testtoken", appid="wx0000000000000000", secret="simulator-secret",
        gateway_url="http://127.0.0.1:9/wechat", template_finish_delay=None),
        transport=lambda *args: holder["platform"].gateway(*args))
    server = BackgroundServer(app).start()
    holder["platform"] = Platform(app, server)
    yield holder["platform"]
    server.stop()


@pytest.fixture
def settings(settings, platform):
    return dataclasses.replace(settings, wechat_api_base=platform.api_base)


@pytest.fixture
def daytime():
    with time_machine.travel(at(DAYTIME)) as traveller:
        yield traveller


@pytest.fixture
def run_jobs(rt):
    """Run every queued job (and scheduled ones now due) in this process; returns how many ran."""
    from rq.registry import FinishedJobRegistry

    from xinfang.cases.followups import QUEUES
    from xinfang.queue.worker import make_worker

    def run() -> int:
        worker = make_worker(rt.redis)
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
        return sum(FinishedJobRegistry(q, connection=rt.redis).count for q in QUEUES)

    return run


@pytest.fixture
def citizen(session, platform):
    """A WeChat citizen who wrote just now (inside the 48-hour window)."""

    def make(openid: str = "o-citizen-1", **fields) -> Petitioner:
        from xinfang.models import utcnow

        petitioner = service.find_or_create_petitioner(session, openid=openid, **fields)
        petitioner.last_inbound_at = utcnow()
        session.commit()
        platform.follow(openid)
        return petitioner

    return make


@pytest.fixture
def new_case(session, cal):
    def make(petitioner: Petitioner | None, text: str = TEXT, now: datetime | None = None, **labels):
        return service.register_case(session, cal, channel="wechat", text=text, petitioner=petitioner,
                                     county="康定市", labels=labels or None, now=now)

    return make


def notifications(session, **where) -> list[Notification]:
    from sqlalchemy import select

    query = select(Notification).order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    session.expire_all()
    return list(session.scalars(query))
