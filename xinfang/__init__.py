"""信访通 — the petition intake gateway of 甘孜藏族自治州.

`create_app()` is the composition root; importing the package does nothing else.
"""
from __future__ import annotations


def create_app(settings=None):
    from flask import Flask

    from . import requestctx, runtime
    from .config import Settings
    from .handlers import register_handlers

    settings = (settings or Settings.from_env()).with_secret()
    runtime.init_runtime(settings)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        XINFANG=settings,
        JSON_AS_ASCII=False,
        # Attachments are checked one by one; this only stops absurd bodies early.
        MAX_CONTENT_LENGTH=30 * 1024 * 1024,
    )
    app.json.ensure_ascii = False
    requestctx.init_app(app)
    register_handlers(app)
    from .admin import register_admin  # the staff panel and the staff API
    register_admin(app)
    from .queue.dashboard import mount_dashboard, session_is_admin

    mount_dashboard(app, session_is_admin)
    return app
