"""Public HTTP edges. Thin: parse, call a service, answer."""
from __future__ import annotations


def register_handlers(app) -> None:
    # One line per blueprint; each area registers its own.
    from . import health

    app.register_blueprint(health.bp)
    from . import api, mailbox, openapi, track  # the mailboxes, the public API, tracking

    app.register_blueprint(mailbox.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(track.bp)
    app.register_blueprint(openapi.bp)
    from . import evaluation  # the satisfaction evaluation on the tracking page

    app.register_blueprint(evaluation.bp)
