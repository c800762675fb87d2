"""`xinfang web`: gunicorn serving the app (nginx in front in production)."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from .config import Settings

# Threads per worker: the callback waits briefly on Redis and the database, and threads overlap
# those waits. Four and eight cost the same CPU per message (bench/bench_wechat.py --threads);
# eight leave more room while a backend is slow to answer.
THREADS = 8


class GunicornServer(BaseApplication):
    """gunicorn running the WSGI app that `load_app()` builds in each worker."""

    def __init__(self, load_app, options: dict):
        self.load_app = load_app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.load_app()


def gateway_loader(settings: Settings):
    def load():
        from . import create_app

        return create_app(settings)

    return load


def warm_classifier(worker):
    # Load the segmenter and the model before the first request, not during it.
    from . import nlp

    nlp.warm_up()


def gunicorn_options(bind: str, workers: int, threads: int = THREADS) -> dict:
    """How `xinfang web` runs gunicorn; the callback benchmark serves both of its handlers with these."""
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 30,
        "graceful_timeout": 10,
        # Several gunicorns may run on one host (web, benchmarks); none needs the control socket.
        "control_socket_disable": True,
        "post_worker_init": warm_classifier,
    }


def run_web(settings: Settings, host: str, port: int, workers: int = 2) -> int:
    options = gunicorn_options(f"{host}:{port}", workers) | {"accesslog": "-"}
    GunicornServer(gateway_loader(settings), options).run()
    return 0
