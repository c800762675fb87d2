"""Submitting letters as a citizen's browser does: open the form, fill it, post it."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from xinfang.cases.service import Actor, perform_action
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


STAFF = Actor("staff", "admin", None, "王科长")


def answer(session, cal, case, *, now=None, text="已安排修复村道，预计下月完工。", facts="经核实，该村道于去年汛期冲毁。",
           basis="《农村公路条例》第十五条"):
    """Take a case through 转送, 受理 and 答复 as staff do (a reply at `now`, default the present)."""
    perform_action(session, cal, case, "assign", STAFF, {"department": "jtysj"}, now=now)
    perform_action(session, cal, case, "accept", STAFF, now=now)
    perform_action(session, cal, case, "reply", STAFF,
                   {"outcome": "支持", "text": text, "facts": facts, "basis": basis}, now=now)
    return case
