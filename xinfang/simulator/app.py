"""The simulator as a Flask app, and the entry point of `xinfang simulate`.

One process, many threads: all state is in that process's memory.
"""

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from . import api, chat, control
from .core import EXTENSION, Simulator
from .settings import DEFAULT_GATEWAY_URL, DEFAULT_PORT, SimulatorSettings
from .transport import Transport


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


class QuietPollHandler(WSGIRequestHandler):
    """Logs every request but the chat page's poll, which comes every second."""

    def log_request(self, code="-", size="-"):
        if not self.path.startswith("/_sim/feed"):
            super().log_request(code, size)


def run_simulator(host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                  gateway_url: str = DEFAULT_GATEWAY_URL, token: str = "",
                  appid: str = "", secret: str = "", aes_key: str | None = None,
                  **options) -> None:
    """Serve the simulator until interrupted. ``options`` are further
    SimulatorSettings fields (mode, account_id, window_seconds, …)."""
    settings = SimulatorSettings(token=token, appid=appid, secret=secret,
                                 gateway_url=gateway_url, aes_key=aes_key or None, **options)
    server = make_server(host, port, create_simulator_app(settings), threaded=True,
                         request_handler=QuietPollHandler)
    base = f"http://{host}:{server.server_port}"
    mode = settings.mode or ("safe" if settings.aes_key else "plain")
    print(f"微信平台模拟器已启动（单进程，状态只在内存中）\n"
          f"  手机聊天页面：{base}/\n"
          f"  接口地址（XINFANG_WECHAT_API_BASE）：{base}/cgi-bin/\n"
          f"  消息推送到：{settings.gateway_url}（{mode} 模式）\n"
          f"按 Ctrl+C 停止。", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
