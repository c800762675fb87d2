"""rq-dashboard under /admin/rq, for admins only.

rq-dashboard has no authentication of its own ("the responsibility of the
hosting app"): every request to its blueprint first asks `is_admin()`, the
admin panel's xinfang.admin.auth.current_user_is_admin.
"""
from __future__ import annotations

import logging

from flask import abort, request

log = logging.getLogger(__name__)

URL_PREFIX = "/admin/rq"


def mount_dashboard(app, is_admin) -> None:
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection

    redis_url = app.config["XINFANG"].redis_url
    if not redis_url:
        log.warning("rq-dashboard not mounted: XINFANG_REDIS_URL is not set")
        return
    app.config["RQ_DASHBOARD_REDIS_URL"] = redis_url
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=URL_PREFIX)
    setup_rq_connection(app)

    @app.before_request
    def _admins_only():
        if request.blueprint == rq_dashboard.blueprint.name and not is_admin():
            abort(403, description="需要管理员权限")
