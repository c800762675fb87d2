"""信访通 — the petition intake gateway of 甘孜藏族自治州.

`create_app()` is the composition root; importing the package does nothing else.
"""
from __future__ import annotations


def create_app(settings=None):
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import requestctx, runtime
    from .admin import register_admin
    from .admin.auth import current_user_is_admin
    from .config import Settings
    from .handlers import register_handlers
    from .handlers.wechat import serve_callback
    from .queue.dashboard import mount_dashboard

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
    app.wsgi_app = serve_callback(app.wsgi_app)  # /wechat before Flask's dispatch
    if settings.trusted_proxies:
        # Behind nginx: the citizen's address (rate limits, audit) comes from X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)
    requestctx.init_app(app)
    register_handlers(app)
    register_admin(app)
    mount_dashboard(app, current_user_is_admin)
    return app
