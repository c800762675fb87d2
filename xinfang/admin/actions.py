"""Taking a workflow action from the panel or the API: read the parameters, preview the notice, perform, audit.

The panel and the staff API both call `perform` (and `supervision_step` for a
研判 or 督办 item), so the role rules, the checks and the audit entry are the
same whichever door a member of staff uses.
The workflow itself decides (cases.workflow); the case service commits.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..cases import notices, reviews, service, supervision
from ..cases.deadlines import Calendar, running_clock
from ..cases.departments import department_name
from ..cases.service import Actor
from ..cases.workflow import NOT_ACCEPTED_GROUNDS, REPLY_OUTCOMES, ROUTES, TRANSITIONS, WorkflowError
from ..models import Case, Department, StaffUser, Supervision
from . import audit

TEXT_MAX = 5000
SUPERVISION_DAYS = 7

# The parameters each action reads; anything else is refused.
PARAMS = {
    "assign": ("department", "note"),
    "object": ("reason",),
    "accept": ("note",),
    "route": ("route", "body", "reason"),
    "not_accept": ("ground", "reason"),
    "extend": ("days", "reason"),
    "reply": ("outcome", "text", "facts", "basis"),
    "supervise": ("note", "due"),
    "request_review": ("note",),
    "review_reply": ("outcome", "text", "facts", "basis"),
    "request_rereview": ("note",),
    "rereview_reply": ("outcome", "text", "facts", "basis"),
    "close": ("note",),
    "note": ("note",),
    "recuse": ("reason",),
}
assert set(PARAMS) == set(TRANSITIONS)

FIELD_NAMES = {"department": "承办单位", "reason": "理由", "route": "法定途径", "body": "受理机关", "ground": "不予受理依据",
               "days": "延期天数", "outcome": "处理结果", "text": "处理意见", "facts": "认定的事实", "basis": "依据",
               "note": "说明", "due": "督办期限"}

BLANK = "〔 〕"


class ActionInputError(ValueError):
    """The request itself is malformed (HTTP 400); a workflow refusal is a WorkflowError (409)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def read_params(action: str, raw: dict) -> dict:
    """The action's parameters from a form or a JSON body: known names only, trimmed, required ones present."""
    if action not in TRANSITIONS:
        raise ActionInputError(f"未知的操作：{action}", "action")
    allowed = PARAMS[action]
    unknown = sorted(k for k in raw if k not in allowed and k not in ("action", "csrf_token", "confirm"))
    if unknown:
        raise ActionInputError(f"“{TRANSITIONS[action].label}”不接受字段：{unknown[0]}", unknown[0])
    params = {}
    for name in allowed:
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ActionInputError(f"{FIELD_NAMES[name]}应为文字", name)
        value = str(value).strip()
        if len(value) > TEXT_MAX:
            raise ActionInputError(f"{FIELD_NAMES[name]}不能超过{TEXT_MAX}字", name)
        if BLANK in value:
            raise ActionInputError(f"请补全{FIELD_NAMES[name]}中的〔 〕处", name)
        if value:
            params[name] = value
    for name in TRANSITIONS[action].required:
        if name not in params:
            raise ActionInputError(f"请填写{FIELD_NAMES[name]}", name)
    _check_choice(params, "outcome", REPLY_OUTCOMES)
    _check_choice(params, "route", ROUTES)
    _check_choice(params, "ground", NOT_ACCEPTED_GROUNDS)
    if "days" in params:
        if not params["days"].isdigit():
            raise ActionInputError("延期天数应为整数", "days")
        params["days"] = int(params["days"])
    if "due" in params:
        try:
            date.fromisoformat(params["due"])
        except ValueError:
            raise ActionInputError("督办期限应为日期，如 2026-03-09", "due") from None
    return params


def _check_choice(params: dict, name: str, choices) -> None:
    if name in params and params[name] not in choices:
        raise ActionInputError(f"{FIELD_NAMES[name]}应为：{'、'.join(choices)}", name)


def preview(session: Session, cal: Calendar, case: Case, action: str, actor: Actor, params: dict,
            now: datetime) -> dict:
    """What the citizen will be told if the action is taken now, without writing anything.

    Raises WorkflowError when the action would be refused, so the confirm step never shows a notice
    that cannot be sent.
    """
    transition = service.check_staff_action(session, cal, case, action, actor, params, now)
    if action == "assign" and not session.scalar(select(Department.id).where(Department.code == params["department"])):
        raise WorkflowError(f"没有编码为 {params['department']} 的部门")
    if transition.notice is None:
        return {"text": None, "channels": []}
    # A detached copy of the case, changed as the action would change it.
    draft = SimpleNamespace(**{attr.key: getattr(case, attr.key) for attr in inspect(Case).column_attrs})
    draft_params = dict(params)
    if action in reviews.REVIEW_REQUESTS:
        draft_params["body"] = draft.review_body = reviews.next_body(session, case).name
    service._EFFECTS[action](draft, draft_params, now)
    if transition.target:
        draft.status = transition.target
    draft.clock, draft.due_at = running_clock(draft, cal)
    text = notices.text(session, transition.notice, draft, cal, department_name(session, draft.department_code))
    return {"text": text, "channels": service.notification_channels(case.petitioner)}


def perform(session: Session, cal: Calendar, user: StaffUser, case: Case, action: str, params: dict,
            now: datetime | None = None):
    """Take the action as this staff member; every attempt, done or refused, goes to the audit log."""
    actor = Actor.staff(user)
    detail = {"action": action, "from": case.status, **{k: v for k, v in params.items() if k in ("department", "outcome",
                                                                                                    "route", "ground", "days")}}
    try:
        if action == "supervise":
            # 督办 (Art. 40) is an order the department must answer by a date, kept on the supervision list.
            due = _supervision_due(cal, params.get("due"), now)
            supervision.issue_order(session, cal, case, actor, due_at=due, instruction=params["note"], now=now)
        else:
            service.perform_action(session, cal, case, action, actor, params, now=now)
    except WorkflowError as exc:
        session.rollback()
        audit.record(session, user, "action_refused", case=case, detail=detail, note=str(exc))
        raise
    detail["to"] = case.status
    audit.record(session, user, "action", case=case, detail=detail)


# 按建议分送: a page of 待登记 at most.
BATCH_MAX = 100


@dataclass
class BatchResult:
    assigned: list[str]  # tracking codes
    refused: dict[str, str]  # tracking code: why it was left as it was


def read_codes(raw) -> list[str]:
    """The tracking codes of a batch (a list of strings), once each, in order; ActionInputError otherwise."""
    if not isinstance(raw, list) or not all(isinstance(code, str) for code in raw):
        raise ActionInputError("codes 应为查询码的列表", "codes")
    codes = list(dict.fromkeys(code.strip().upper() for code in raw if code.strip()))
    if not codes:
        raise ActionInputError("请选择要分送的案件", "codes")
    if len(codes) > BATCH_MAX:
        raise ActionInputError(f"一次最多分送{BATCH_MAX}件", "codes")
    return codes


def assign_as_suggested(session: Session, cal: Calendar, user: StaffUser, codes: list[str],
                        now: datetime | None = None) -> BatchResult:
    """转送/交办 each chosen case to the department the classifier suggested (Art. 22, 23), one case at
    a time, each with its notice and audit entry as if taken alone. A case that cannot be (taken
    meanwhile, out of scope, no suggestion) is left as it is, with the reason; the others go ahead.
    A person chose every case: the machine's suggestion is confirmed, not applied (Art. 44)."""
    actor = Actor.staff(user)
    result = BatchResult([], {})
    for code in codes:
        try:
            case = service.get_case(session, code, actor)
        except service.CaseNotFound:
            result.refused[code] = "没有这个案件，或不在办理范围内"
            continue
        if not case.suggested_department_code:
            result.refused[code] = "没有建议的单位，请逐件交办"
            continue
        try:
            perform(session, cal, user, case, "assign", {"department": case.suggested_department_code}, now)
        except WorkflowError as exc:
            result.refused[code] = str(exc)
            continue
        result.assigned.append(code)
    return result


@dataclass(frozen=True)
class SupervisionStep:
    audit_name: str  # the "action" of its audit entry
    roles: tuple[str, ...]
    do: Callable  # do(session, cal, item, actor, text, now)
    done: str  # what the panel tells when it is done


# 研判 and 督办 items (Art. 39 ¶3, 40): a supervisor concludes one; the department answers its 督办.
SUPERVISION_STEPS = {
    "conclude": SupervisionStep("conclude", supervision.SUPERVISOR_ROLES, supervision.conclude, "办结"),
    "answer": SupervisionStep("answer_order", ("handler", "admin"), supervision.answer_order, "答复"),
}


def supervision_step(session: Session, cal: Calendar, user: StaffUser, item: Supervision, step: str, text: str,
                     now: datetime) -> None:
    """Take a 研判 / 督办 step through the domain, audited whether it is done or refused (WorkflowError)."""
    detail = {"action": SUPERVISION_STEPS[step].audit_name, "kind": item.kind, "item": item.id}
    try:
        SUPERVISION_STEPS[step].do(session, cal, item, Actor.staff(user), text, now)
    except WorkflowError as exc:
        session.rollback()
        audit.record(session, user, "action_refused", case=item.case, detail=detail, note=str(exc))
        raise
    audit.record(session, user, "action", case=item.case, detail=detail)


def _supervision_due(cal: Calendar, raw: str | None, now: datetime | None) -> datetime:
    if raw:
        return cal.end_of(date.fromisoformat(raw))
    return cal.add_days(now or datetime.now(cal.tz), SUPERVISION_DAYS)


def notice_channels_text(channels: list[str]) -> str:
    names = {"wechat_custom": "微信客服消息", "wechat_template": "微信模板消息", "sms": "短信", "email": "电子邮件"}
    if not channels:
        return "信访人未留联系方式，仅在查询页显示"
    return "、".join(names.get(c, c) for c in channels)

