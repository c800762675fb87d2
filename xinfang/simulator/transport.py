"""How a callback reaches the gateway.

A transport is a callable ``(method, params, body, timeout) -> (status, body)``
that raises ``TimeoutError`` when the gateway does not answer in time and
``ConnectionError`` when it cannot be reached. Real HTTP for the simulator
and benchmarks; Flask's test client for tests that need no server.
"""

import threading
from collections.abc import Callable

import requests

Transport = Callable[[str, dict, bytes | None, float], tuple[int, bytes]]


class HttpTransport:
    """Posts to the gateway's callback URL over real HTTP."""

    def __init__(self, url: str):
        self.url = url
        # requests.Session is not documented thread-safe: one per thread.
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def __call__(self, method: str, params: dict, body: bytes | None,
                 timeout: float) -> tuple[int, bytes]:
        headers = {"Content-Type": "text/xml; charset=utf-8"} if body is not None else {}
        try:
            response = self._session().request(
                method, self.url, params=params, data=body, headers=headers, timeout=timeout)
        except requests.Timeout as exc:
            raise TimeoutError(str(exc)) from None
        except requests.ConnectionError as exc:
            raise ConnectionError(str(exc)) from None
        return response.status_code, response.content


def flask_transport(client, path: str = "/wechat") -> Transport:
    """A transport over a Flask test client (no timeout: the call is in-process)."""

    def send(method: str, params: dict, body: bytes | None, timeout: float):
        response = client.open(path, method=method, query_string=params, data=body,
                               content_type="text/xml; charset=utf-8")
        return response.status_code, response.get_data()

    return send
