"""The CSRF check of the HTML forms (the citizen's pages and the staff panel).

/wechat and the JSON APIs authenticate otherwise (signatures, tokens) and need none.
"""
from __future__ import annotations

from flask import request
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError


def csrf_ok(time_limit: int) -> bool:
    """Whether the form (or the X-CSRFToken header) carries a valid token no older than time_limit seconds."""
    try:
        validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"), time_limit=time_limit)
    except ValidationError:
        return False
    return True
