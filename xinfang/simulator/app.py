"""The simulator as a Flask app, and the entry point of `xinfang simulate`.

One process, many threads: all state is in that process's memory.
"""

from flask import Flask

from . import api, chat, control
from .core import EXTENSION, Simulator
from .settings import DEFAULT_GATEWAY_URL, DEFAULT_PORT, SimulatorSettings
from .transport import Transport
from ..web import GunicornServer


def create_simulator_app(settings: SimulatorSettings, *,
                         transport: Transport | None = None) -> Flask:
    """API endpoints under /cgi-bin/, the chat page at /, controls under /_sim/.

    ``transport`` replaces real HTTP to the gateway (e.g. flask_transport).
    """
    app = Flask(__name__, static_folder=None)
    app.json.ensure_ascii = False  # Chinese stays readable in the JSON
    app.extensions[EXTENSION] = Simulator(settings, transport=transport)
    app.register_blueprint(api.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(chat.bp)
    return app


def run_simulator(host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                  gateway_url: str = DEFAULT_GATEWAY_URL, token: str = "",
                  appid: str = "", secret: str = "", aes_key: str | None = None,
                  **options) -> None:
    """Serve the simulator until interrupted. ``options`` are further
    SimulatorSettings fields (mode, account_id, window_seconds, …)."""
    settings = SimulatorSettings(token=token, appid=appid, secret=secret,
                                 gateway_url=gateway_url, aes_key=aes_key or None, **options)
    base = f"http://{host}:{port}"
    mode = settings.mode or ("safe" if settings.aes_key else "plain")
    print(f"微信平台模拟器已启动（单进程，状态只在内存中）\n"
          f"  手机聊天页面：{base}/\n"
          f"  接口地址（XINFANG_WECHAT_API_BASE）：{base}/cgi-bin/\n"
          f"  消息推送到：{settings.gateway_url}（{mode} 模式）\n"
          f"按 Ctrl+C 停止。", flush=True)
    # One process, as the state is in its memory; gunicorn's threads keep the gateway's
    # connections open between calls, as WeChat's servers do, and cost less per call
    # than werkzeug's development server. Many threads: a message the simulator delivers
    # holds its thread until the gateway answers, and a push from the gateway must not
    # queue behind those.
    GunicornServer(lambda: create_simulator_app(settings), {
        "bind": f"{host}:{port}", "workers": 1, "threads": 256, "worker_class": "gthread",
        "timeout": 60, "keepalive": 75, "control_socket_disable": True, "loglevel": "warning"}).run()
