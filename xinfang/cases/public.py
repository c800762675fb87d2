"""What anyone holding a 查询码, and the public replies board, may see of a case.

No personal data leaves through here: no name, phone, email, openid or ID
number of the petitioner, no staff names (PIPL Art. 25; 《信访工作条例》 Art. 30).
Texts are shown with every name, phone, ID number and email found in them
replaced (`redact`). The tracking page and the public API both render
`status_view`, so they can never disagree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import Case, CaseEvent, Department, Mailbox, utcnow
from ..nlp.personal import extract_personal, mask
from . import notices
from .deadlines import Calendar
from .workflow import STATES, TRANSITIONS, WorkflowError, check_action

HIDDEN = "＊＊"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")

# What each statutory clock is for, in the citizen's words (deadlines.running_clock).
CLOCK_NAMES = {
    "route": "登记后转送、交办并告知去向（《信访工作条例》第二十二条）",
    "notify": "承办单位告知是否受理（第二十三条）",
    "reply": "出具处理意见（第三十四条）",
    "review_window": "如不服，申请复查（复核）的期限（第三十五条、第三十六条）",
    "review": "出具复查意见（第三十五条）",
    "rereview": "出具复核意见（第三十六条）",
}
REPLY_KINDS = ("处理意见", "复查意见", "复核意见")
# The public board shows a case once a reply has been given (replied, in review, or closed after one).
PUBLISHED_STATES = ("replied", "review", "rereview", "closed")
# The citizen's own actions after a reply (Art. 35, 36), asked for from the tracking page.
REVIEW_ACTIONS = ("request_review", "request_rereview")
# Timeline lines the citizen sees that are not workflow transitions.
CITIZEN_LINES = {"register": "登记", "supplement": "补充材料"}


def redact(text: str | None, known: tuple[str | None, ...] = ()) -> str | None:
    """The text with names, phones, ID numbers and emails hidden.

    `known` is the writer's (name, phone, email, ID number): hidden wherever they appear, named or not.
    Names keep their first character (张某), as published replies do.
    """
    if not text:
        return text
    name, *values = known or (None,)
    personal = extract_personal(text)
    for value in (*values, *personal.id_numbers, *personal.phones):
        if value and len(value) >= 2:
            text = text.replace(value, HIDDEN)
    for found in sorted({name, *personal.names} - {None}, key=len, reverse=True):
        if len(found) >= 2:
            text = text.replace(found, found[0] + "某")
    text = _EMAIL.sub(HIDDEN, text)
    return mask(text)  # numbers the extractor wrote differently (spaces, dashes)


def _known(case: Case) -> tuple[str | None, ...]:
    p = case.petitioner
    return (p.name, p.phone, p.email, p.id_number) if p else ()


def _date(cal: Calendar, moment: datetime | None) -> str | None:
    if moment is None:
        return None
    d = cal.local_date(moment)
    return f"{d.year}年{d.month}月{d.day}日"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def review_action(case: Case, cal: Calendar, now: datetime) -> str | None:
    """request_review or request_rereview when the citizen may ask for it now, else None."""
    for action in REVIEW_ACTIONS:
        try:
            check_action(case, action, "citizen", {}, now, cal)
        except WorkflowError:
            continue
        return action
    return None


def status_view(session: Session, cal: Calendar, case: Case, now: datetime | None = None) -> dict:
    """The public status of a case: state, department, deadline, timeline, reply. JSON-ready."""
    now = now or utcnow()
    known = _known(case)
    departments = dict(session.execute(select(Department.code, Department.name)).all())
    mailbox = session.scalar(select(Mailbox.name).where(Mailbox.slug == case.mailbox_slug)) if case.mailbox_slug else None
    events = session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.citizen_visible.is_(True)).order_by(CaseEvent.id)).all()
    deadline = None
    if case.due_at and case.clock:
        deadline = {"clock": case.clock, "name": CLOCK_NAMES.get(case.clock, case.clock),
                    "due_at": _iso(case.due_at), "due_date": _date(cal, case.due_at),
                    "days_left": cal.days_left(case.due_at, now)}
    reply = None
    if case.reply_outcome:
        reply = {"kind": REPLY_KINDS[min(case.review_level, 2)], "outcome": case.reply_outcome,
                 "text": redact(case.reply_text, known), "facts": redact(case.reply_facts, known),
                 "basis": redact(case.reply_basis, known), "replied_at": _iso(case.replied_at),
                 "replied_date": _date(cal, case.replied_at)}
    action = review_action(case, cal, now)
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_name": STATES.get(case.status, case.status),
        "title": redact(case.title, known),
        "mailbox": mailbox,
        "category": case.category,
        "county": case.county,
        "received_at": _iso(case.received_at),
        "received_date": _date(cal, case.received_at),
        "department": departments.get(case.department_code),
        "deadline": deadline,
        "route": {"body": case.route_body, "reason": redact(case.route_reason, known),
                  "window": notices.case_route_window(case) or None} if case.status == "routed" else None,
        "not_accepted_reason": redact(case.not_accepted_reason, known) if case.status == "not_accepted" else None,
        "reply": reply,
        "review": {"action": action, "label": TRANSITIONS[action].label, "until": _iso(case.due_at),
                   "until_date": _date(cal, case.due_at)} if action else None,
        "timeline": [_event_view(cal, e, departments, known) for e in events],
    }


def _event_view(cal: Calendar, event: CaseEvent, departments: dict, known) -> dict:
    transition = TRANSITIONS.get(event.action)
    label = CITIZEN_LINES.get(event.action) or (transition.label if transition else event.action)
    department = departments.get((event.data or {}).get("department"))
    note = redact(event.note, known)
    if department:
        note = f"转送{department}" + (f"：{note}" if note else "")
    return {"at": _iso(event.at), "date": _date(cal, event.at), "action": event.action, "label": label,
            "status": event.to_status, "status_name": STATES.get(event.to_status), "note": note}


# --- the public replies board (办理过程全公开) ----------------------------------

@dataclass(frozen=True)
class Page:
    items: list[dict]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def published_replies(session: Session, cal: Calendar, *, category: str | None = None, county: str | None = None,
                      query: str | None = None, page: int = 1, per_page: int = 10) -> Page:
    """Replies the citizens agreed to publish, newest first; never a 检举控告 (Art. 30)."""
    where = _published()
    if category:
        where.append(Case.category == category)
    if county:
        where.append(Case.county == county)
    if query:
        like = f"%{query}%"
        where.append(or_(Case.title.ilike(like), Case.text.ilike(like), Case.reply_text.ilike(like)))
    total = session.scalar(select(func.count()).select_from(Case).where(*where))
    page = max(1, page)
    cases = session.scalars(select(Case).where(*where).order_by(Case.replied_at.desc(), Case.id.desc())
                            .offset((page - 1) * per_page).limit(per_page)).all()
    mailboxes = dict(session.execute(select(Mailbox.slug, Mailbox.name)).all())
    departments = dict(session.execute(select(Department.code, Department.name)).all())
    items = []
    for case in cases:
        known = _known(case)
        items.append({
            "title": redact(case.title, known) or redact(case.text[:30], known),
            "text": redact(case.text, known),
            "mailbox": mailboxes.get(case.mailbox_slug),
            "category": case.category,
            "county": case.county,
            "received_date": _date(cal, case.received_at),
            "department": departments.get(case.department_code),
            "reply_kind": REPLY_KINDS[min(case.review_level, 2)],
            "outcome": case.reply_outcome,
            "reply": redact(case.reply_text, known),
            "facts": redact(case.reply_facts, known),
            "basis": redact(case.reply_basis, known),
            "replied_date": _date(cal, case.replied_at),
        })
    return Page(items, total, page, per_page)


def published_categories(session: Session) -> list[str]:
    """The categories that have published replies, for the board's filter."""
    return sorted(session.scalars(select(Case.category).distinct().where(
        *_published(), Case.category.is_not(None))).all())


def _published() -> list:
    return [Case.publish_consent.is_(True), Case.confidential.is_(False), Case.reply_outcome.is_not(None),
            Case.status.in_(PUBLISHED_STATES)]
