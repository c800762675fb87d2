"""The staff side: accounts, the panel and the staff API."""
from __future__ import annotations


def register_admin(app) -> None:
    """The panel under /admin/ and the staff API under /api/v1/staff/."""
    from . import manage, staff_api, views

    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(staff_api.bp)
