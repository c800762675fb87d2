"""A WSGI app on a loopback port in a background thread: the simulator next
to a gateway in one process, and the real HTTP that tests need."""

import threading

from werkzeug.serving import make_server


class BackgroundServer:
    """``with BackgroundServer(app) as server: server.url``; port 0 picks a free one."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self._server = make_server(host, port, app, threaded=True)
        self.host = host
        self.port = self._server.server_port
        # A short poll interval keeps stop() quick (the default waits 0.5 s).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"wsgi-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> "BackgroundServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
