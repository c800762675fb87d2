"""A stub gateway (the thing the simulator talks to) and simulator fixtures."""

import threading
import time
from types import SimpleNamespace

import pytest
from flask import Flask, Response, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from xinfang.simulator.app import create_simulator_app
from xinfang.simulator.core import EXTENSION
from xinfang.simulator.server import BackgroundServer
from xinfang.simulator.settings import SimulatorSettings

TOKEN = "xinfang-test-token"
APPID = "wx0123456789abcdef"
SECRET = "s3cr3t-of-the-account"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters


class StubGateway:
    """Checks every callback as the real gateway must, then answers.

    ``plan`` holds what to do with the next requests, one entry each:
    ("sleep", seconds) or ("status", code); when empty it answers with a
    text reply "收到：<content>" (encrypted when the callback was).
    """

    def __init__(self, token=TOKEN, appid=APPID, aes_key=None):
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self.plan = []
        self.requests = []  # (query args, parsed message) of every valid request
        self.lock = threading.Lock()
        self.app = Flask(__name__)
        self.app.add_url_rule("/wechat", view_func=self.callback, methods=["GET", "POST"])

    def callback(self):
        args = request.args
        check_signature(self.token, args["signature"], args["timestamp"], args["nonce"])
        if request.method == "GET":
            return args["echostr"]
        body = request.get_data()
        encrypted = args.get("encrypt_type") == "aes"
        if encrypted:
            body = self.crypto.decrypt_message(
                body, args["msg_signature"], args["timestamp"], args["nonce"])
        message = parse_message(body)
        with self.lock:
            self.requests.append((dict(args), message))
            step = self.plan.pop(0) if self.plan else None
        if step and step[0] == "sleep":
            time.sleep(step[1])
        elif step and step[0] == "status":
            return Response("boom", status=step[1])
        if message.type == "event":
            return "success"
        reply = TextReply(message=message, content=f"收到：{getattr(message, 'content', '')}")
        xml = reply.render()
        if encrypted:
            xml = self.crypto.encrypt_message(xml, args["nonce"], args["timestamp"])
        return Response(xml, mimetype="application/xml")


@pytest.fixture
def make_gateway():
    """Start stub gateways on ephemeral loopback ports; stopped after the test."""
    servers = []

    def make(aes_key=None):
        stub = StubGateway(aes_key=aes_key)
        server = BackgroundServer(stub.app).start()
        servers.append(server)
        stub.url = server.url + "/wechat"
        return stub

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def gateway(make_gateway):
    return make_gateway()


@pytest.fixture
def make_simulator(gateway):
    """Build a simulator app calling the stub gateway; returns (app, simulator)."""

    def make(**overrides):
        options = {"token": TOKEN, "appid": APPID, "secret": SECRET,
                   "gateway_url": gateway.url, "template_finish_delay": None,
                   "timeout": 1.0, **overrides}
        app = create_simulator_app(SimulatorSettings(**options))
        return app, app.extensions[EXTENSION]

    return make


@pytest.fixture
def simulator(make_simulator):
    return make_simulator()


@pytest.fixture
def api(simulator):
    """Test client of the simulator's HTTP side."""
    return simulator[0].test_client()


@pytest.fixture
def account():
    """The credentials of the simulated official account."""
    return SimpleNamespace(token=TOKEN, appid=APPID, secret=SECRET, aes_key=AES_KEY)


@pytest.fixture
def fetch_token():
    def fetch(client) -> str:
        response = client.get("/cgi-bin/token", query_string={
            "grant_type": "client_credential", "appid": APPID, "secret": SECRET})
        return response.get_json()["access_token"]

    return fetch
