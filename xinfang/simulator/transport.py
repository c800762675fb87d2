"""How a callback reaches the gateway.

A transport is a callable ``(method, params, body, timeout) -> (status, body)``
that raises ``TimeoutError`` when the gateway does not answer in time and
``ConnectionError`` when it cannot be reached. Real HTTP for the simulator
and benchmarks; Flask's test client for tests that need no server.
"""

import http.client
import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

Transport = Callable[[str, dict, bytes | None, float], tuple[int, bytes]]

# Servers close an idle kept-alive connection after a few seconds (gunicorn: 2); one idle
# longer than this is not reused.
KEEP_ALIVE_SECONDS = 1.5


class HttpTransport:
    """Posts to the gateway's callback URL over real HTTP, one kept-alive connection per thread
    (http.client: a callback costs the simulator, which plays WeChat on the same machine, a
    fraction of what requests would)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.host, self.port = parts.hostname, parts.port
        self.path = parts.path or "/"
        self._local = threading.local()

    def __call__(self, method: str, params: dict, body: bytes | None,
                 timeout: float) -> tuple[int, bytes]:
        headers = {"Content-Type": "text/xml; charset=utf-8"} if body is not None else {}
        target = f"{self.path}?{urlencode(params)}" if params else self.path
        while True:
            conn, reused = self._connection(timeout)
            try:
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
                answer = response.status, response.read()
                self._local.used_at = time.monotonic()
                return answer
            except TimeoutError as exc:
                self._drop()
                raise TimeoutError(str(exc)) from None
            except (http.client.HTTPException, OSError) as exc:
                self._drop()
                if not reused:
                    raise ConnectionError(str(exc)) from None
                # The server closed the kept-alive connection before reading this: once more, on a new one.

    def _connection(self, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        conn = getattr(self._local, "conn", None)
        if conn is not None and time.monotonic() - self._local.used_at < KEEP_ALIVE_SECONDS:
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
        self._drop()
        conn = self._local.conn = self.connection_class(self.host, self.port, timeout=timeout)
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None


def flask_transport(client, path: str = "/wechat") -> Transport:
    """A transport over a Flask test client (no timeout: the call is in-process)."""

    def send(method: str, params: dict, body: bytes | None, timeout: float):
        response = client.open(path, method=method, query_string=params, data=body,
                               content_type="text/xml; charset=utf-8")
        return response.status_code, response.get_data()

    return send
