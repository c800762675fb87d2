"""The gateway behind /wechat, driven by the project's WeChat platform stand-in."""
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from xinfang import create_app
from xinfang.models import Case, InboundMessage
from xinfang.simulator.platform import WeChatPlatform
from xinfang.simulator.transport import flask_transport

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx0123456789abcdef"
OPENID = "oHerder0000000000000000001"


def work_off_intake(rt) -> None:
    """What `xinfang worker` does within moments: run the intake queue's jobs (a 确认 becomes a case)
    and the pending queue's (a message stored while Redis was away is answered)."""
    from rq import Queue

    from xinfang.cases import followups
    from xinfang.queue.worker import Worker

    queues = [Queue(name, connection=rt.redis) for name in ("intake", followups.PENDING_QUEUE)]
    Worker(queues, connection=rt.redis).work(burst=True, logging_level="WARNING")


def with_intake_worker(transport, rt):
    """The gateway with a worker beside it: after each callback the intake queue is worked off."""

    def call(method, params, body, timeout):
        answer = transport(method, params, body, timeout)
        work_off_intake(rt)
        return answer

    return call


@pytest.fixture
def make_gateway(rt, settings):
    """(app, platform) for a mode: plain, compatible or safe; the platform posts to the app's /wechat,
    and a worker works off the intake queue after each callback."""

    def make(mode="safe", worker=True, **overrides):
        s = replace(settings, wechat_appid=APPID, wechat_aes_key=AES_KEY if mode != "plain" else None,
                    **overrides)
        app = create_app(s)
        app.config["TESTING"] = True
        platform = WeChatPlatform("http://gateway.invalid/wechat", s.wechat_token, APPID,
                                  AES_KEY if mode != "plain" else None, mode=mode,
                                  transport=(with_intake_worker(flask_transport(app.test_client()), rt) if worker
                                             else flask_transport(app.test_client())))
        return app, platform

    return make


@pytest.fixture
def wechat(make_gateway):
    """The platform in safe mode (encrypted both ways), as production runs."""
    return make_gateway("safe")[1]


@pytest.fixture
def count(session):
    def count(model, *where):
        session.expire_all()
        return session.scalar(select(func.count()).select_from(model).where(*where))

    return count


@pytest.fixture
def cases(session):
    def cases():
        session.expire_all()
        return list(session.scalars(select(Case).order_by(Case.id)))

    return cases


@pytest.fixture
def messages(session):
    def messages():
        session.expire_all()
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))

    return messages
