"""A case as a staff member sees it: one dict for the case page and the staff API alike.

Personal data is shown in full only when `may_see_identity` allows: a leader
sees it masked; the staff of a department accused in a 检举控告 see no trace
of the writer, in the petitioner block or in the petition text (Art. 30).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cases import reviews, service, supervision
from ..cases.deadlines import Calendar
from ..cases.service import Actor
from ..cases.workflow import ROUTES, NOT_ACCEPTED_GROUNDS, STATES, TRANSITIONS
from ..models import Case, Department, Notification, Supervision
from ..nlp.personal import extract_personal, mask
from . import queries

CATEGORIES = ("城乡建设", "国土资源", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生",
              "农村农业", "水电移民", "民政", "政法", "纪检监察", "金融", "其他")
PATHS = {"petition": "信访渠道", "litigation": "诉讼", "arbitration": "仲裁", "reconsideration": "行政复议",
         "discipline": "纪检监察"}
DEMAND_TYPES = ("求决", "建议意见", "检举控告", "申诉", "咨询")
CLOCK_NAMES = {"route": "登记转送期限", "notify": "受理告知期限", "reply": "办理期限", "review_window": "复查申请期",
               "review": "复查期限", "rereview": "复核期限"}
CHANNEL_NAMES = queries.CHANNELS
HIDDEN = "（检举控告：信访人信息依法保密）"
# Timeline lines the system writes that are not workflow transitions.
SYSTEM_LINES = {"register": "登记", "correct": "更正分类", "judgement": "研判", "escalate": "挂牌督办",
                "overdue": "超期提醒", "supplement": "信访人补充"}
SUPERVISION_STATUS = {"open": "待办", "answered": "已答复", "closed": "已办结"}


def department_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Department.code, Department.name).order_by(Department.id)).all())


def petitioner_view(actor: Actor, case: Case) -> dict:
    """Who wrote: in full, masked, or hidden (Art. 30)."""
    person = case.petitioner
    if person is None:
        return {"visibility": "none"}
    if service.may_see_identity(actor, case):
        return {"visibility": "full", "name": person.name, "phone": person.phone, "id_number": person.id_number,
                "email": person.email, "wechat": bool(person.openid)}
    if case.confidential:
        return {"visibility": "hidden", "note": HIDDEN}
    return {"visibility": "masked", "name": _mask_name(person.name), "phone": mask(person.phone or "") or None,
            "id_number": mask(person.id_number or "") or None, "email": _mask_email(person.email),
            "wechat": bool(person.openid)}


def _mask_name(name: str | None) -> str | None:
    return name[0] + "某" * max(1, len(name) - 1) if name else None


def _mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def visible_text(actor: Actor, case: Case, text: str) -> str:
    """The petition's words, with the writer's name and numbers removed for those who may not see them."""
    if service.may_see_identity(actor, case):
        return text
    names = set(extract_personal(text).names)
    if case.petitioner and case.petitioner.name:
        names.add(case.petitioner.name)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "某某")
    return mask(text)


def deadline_view(cal: Calendar, case: Case, now: datetime) -> dict | None:
    if not case.clock or not case.due_at:
        return None
    return {"clock": case.clock, "name": CLOCK_NAMES.get(case.clock, case.clock), "due_at": case.due_at,
            "due_date": cal.local_date(case.due_at).isoformat(), "days_left": cal.days_left(case.due_at, now),
            "overdue": service.is_overdue(case, now)}


def summary(cal: Calendar, actor: Actor, case: Case, now: datetime, names: dict[str, str]) -> dict:
    """A list row: no personal data beyond a masked name."""
    department = case.department_code or case.suggested_department_code
    person = case.petitioner
    return {
        "tracking_code": case.tracking_code, "status": case.status, "status_name": STATES[case.status],
        "title": case.title, "excerpt": mask(visible_text(actor, case, case.text[:60])),
        "category": case.category, "path": case.path, "demand_type": case.demand_type, "county": case.county,
        "department": department, "department_name": names.get(department or "", None),
        "assigned": bool(case.department_code), "channel": case.channel, "mailbox": case.mailbox_slug,
        "petitioner": None if person is None or case.confidential else _mask_name(person.name),
        "flags": {"urgent": case.urgent, "collective": case.collective, "tibetan": case.tibetan,
                  "confidential": case.confidential, "repeat": case.duplicate_of_id is not None},
        "received_at": case.received_at, "deadline": deadline_view(cal, case, now),
    }


def detail(session: Session, cal: Calendar, actor: Actor, case: Case, now: datetime) -> dict:
    """Everything the case page and GET /api/v1/staff/cases/<code> show."""
    names = department_names(session)
    view = summary(cal, actor, case, now, names)
    original = session.get(Case, case.duplicate_of_id) if case.duplicate_of_id else None
    view.update({
        "text": visible_text(actor, case, case.text),
        "petitioner": petitioner_view(actor, case),
        "suggested_department": case.suggested_department_code,
        "township": case.township,
        "classification": _classification(case),
        "confirmed": case.confirmed_by is not None,
        "attachments": [{"id": a.id, "kind": a.kind, "filename": a.filename, "content_type": a.content_type,
                         "size": a.size} for a in case.attachments],
        "duplicate_of": original.tracking_code if original and service.can_see(actor, original) else None,
        "repeats": [c.tracking_code for c in queries.repeats_of(session, case) if service.can_see(actor, c)],
        "timeline": [_event(e) for e in case.events],
        "allowed_actions": service.available_actions(session, cal, case, actor, now),
        "reply": _reply(case),
        "route": {"route": case.route, "name": ROUTES.get(case.route), "body": case.route_body,
                  "reason": case.route_reason} if case.route else None,
        "not_accepted": {"ground": case.not_accepted_ground,
                         "name": NOT_ACCEPTED_GROUNDS.get(case.not_accepted_ground),
                         "reason": case.not_accepted_reason} if case.not_accepted_ground else None,
        "extension": {"days": case.extension_days, "reason": case.extension_reason} if case.extension_days else None,
        "review": {"level": case.review_level, "body": case.review_body} if case.review_body else None,
        "suggestion": reviews.not_accept_suggestion(session, case),
    })
    return view


def _classification(case: Case) -> dict | None:
    c = case.classification
    if not c:
        return None
    return {"category": c.get("category"), "path": c.get("path"), "demand_type": c.get("demand_type"),
            "county": c.get("county"), "department": c.get("department"), "confidence": c.get("confidence"),
            "reasons": list(c.get("reasons") or [])}


def _reply(case: Case) -> dict | None:
    if not case.reply_outcome:
        return None
    return {"outcome": case.reply_outcome, "text": case.reply_text, "facts": case.reply_facts,
            "basis": case.reply_basis, "replied_at": case.replied_at}


def _event(event) -> dict:
    label = TRANSITIONS[event.action].label if event.action in TRANSITIONS else \
        SYSTEM_LINES.get(event.action, event.action)
    return {"at": event.at, "action": event.action, "label": label, "actor": event.actor_name,
            "actor_kind": event.actor_kind, "from": event.from_status, "to": event.to_status,
            "note": event.note, "data": event.data, "citizen_visible": event.citizen_visible}


NOTICE_NAMES = {"reminder": "临期提醒", "overdue": "超期", "supervise": "待督办", "supplement": "信访人补充"}


def staff_notice(notice: Notification) -> dict:
    """A reminder, overdue mark or 督办 notice as the panel and GET /api/v1/staff/notices show it."""
    return {"id": notice.id, "event": notice.event, "event_name": NOTICE_NAMES.get(notice.event, notice.event),
            "text": notice.text, "tracking_code": notice.data.get("tracking_code"), "at": notice.created_at,
            "urgent": notice.urgent}


def supervision_item(cal: Calendar, actor: Actor, item: Supervision, now: datetime, names: dict[str, str]) -> dict:
    """A row of the 研判, 督办 and 挂牌督办 lists, for the panel and the staff API alike."""
    case = item.case
    return {
        "id": item.id, "kind": item.kind, "kind_name": supervision.KIND_NAMES[item.kind], "status": item.status,
        "status_name": SUPERVISION_STATUS[item.status], "tracking_code": case.tracking_code,
        "case_status_name": STATES[case.status], "title": case.title or mask(visible_text(actor, case, case.text[:60])),
        "department": item.department_code, "department_name": names.get(item.department_code or "", None),
        "county": item.county, "reason": visible_text(actor, case, item.reason or ""), "issued_at": item.issued_at,
        "due_at": item.due_at, "due_date": cal.local_date(item.due_at).isoformat() if item.due_at else None,
        "days_left": cal.days_left(item.due_at, now) if item.due_at else None,
        "escalated_at": item.escalated_at, "answer": item.answer, "answered_at": item.answered_at,
        "conclusion": item.conclusion, "closed_at": item.closed_at,
    }
