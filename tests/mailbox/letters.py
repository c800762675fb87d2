"""Submitting letters as a citizen's browser does: open the form, fill it, post it."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from xinfang.models import Case, InboundMessage

LETTER = "康定市新都桥镇的村道去年冲毁了，到现在没有修，娃娃上学要绕很远的路，请领导帮忙解决。"


def hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def open_form(client, slug="governor") -> dict:
    response = client.get(f"/mailbox/{slug}/")
    assert response.status_code == 200
    return hidden_fields(response.get_data(as_text=True))


def post_letter(client, slug="governor", hidden=None, files=None, environ=None, **fields):
    """Post the form the way the page does; `fields` override the defaults (None drops one)."""
    data = dict(hidden if hidden is not None else open_form(client, slug))
    data.update({"action": "submit", "text": LETTER, "privacy": "1"})
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    if files:
        data["attachments"] = files
    return client.post(f"/mailbox/{slug}/", data=data, content_type="multipart/form-data",
                       environ_base=environ or {})


def tracking_code(html: str) -> str:
    return re.search(r'<p class="code" id="tracking-code">(\w+)</p>', html).group(1)


def counts(session) -> tuple[int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(InboundMessage)),
            session.scalar(select(func.count()).select_from(Case)))
