"""The case workflow as one transition table (《信访工作条例》 2022; LAW.md §3, §16).

Pure: `check_action` decides from a case's attributes, the actor's role, the
action's parameters and the time whether a transition is allowed, and raises
`WorkflowError` with the reason a person can read when it is not. It writes
nothing; `cases.service` applies what it allows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import deadlines
from .deadlines import Calendar

STATES = {
    "received": "已登记",
    "assigned": "已转送/交办",
    "accepted": "已受理",
    "routed": "已导入法定途径",
    "not_accepted": "不予受理",
    "replied": "已答复",
    "review": "复查中",
    "rereview": "复核中",
    "closed": "已办结",
}
OPEN_STATES = ("received", "assigned", "accepted", "replied", "review", "rereview")
# States in which a staff clock runs and the case can be overdue.
HANDLING_STATES = ("received", "assigned", "accepted", "review", "rereview")

STAFF_ROLES = ("clerk", "handler", "supervisor", "leader", "admin")
CITIZEN = "citizen"
SYSTEM = "system"

REPLY_OUTCOMES = ("支持", "解释说明", "不予支持")  # Art. 32

# Where a case outside the petition procedure goes (Art. 22 ¶2, 28, 30, 31(1)-(5)).
ROUTES = {
    "litigation": "诉讼程序（人民法院、人民检察院、公安机关）",
    "arbitration": "仲裁程序（劳动人事争议仲裁委员会、农村土地承包仲裁委员会）",
    "reconsideration": "行政复议",
    "discipline": "纪检监察机关",
    "organ": "其他有权处理的机关",
}

# Grounds for 不予受理 / 不再受理 (LAW.md §5).
NOT_ACCEPTED_GROUNDS = {
    "duplicate": "同一事项正在办理中（《信访工作条例》第十九条）",
    "final": "已经复核，就同一事实和理由再次提出（第三十六条）",
    "late": "超过复查、复核申请期限",
    "closed": "已审核认定办结",
    "outside_remit": "不属于本机关职责范围（第二十三条）",
}


class WorkflowError(Exception):
    """The workflow forbids this action now; the message says why, in words staff and citizens read."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change
    actors: frozenset[str]
    # The event the citizen is told of (a notice in cases.notices), or None.
    notice: str | None
    basis: str
    required: tuple[str, ...] = ()


def _t(action, label, sources, target, actors, notice, basis, required=()):
    return Transition(action, label, tuple(sources), target, frozenset(actors), notice, basis, tuple(required))


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("assign", "转送/交办", ["received"], "assigned", ["clerk", "supervisor", "admin"],
           "assigned", "第二十二条、第二十三条第一款", ["department"]),
        _t("object", "退回（异议）", ["assigned"], "received", ["handler", "admin"],
           None, "第二十三条第三款", ["reason"]),
        _t("accept", "受理", ["assigned"], "accepted", ["handler", "admin"],
           "accepted", "第二十三条第三款"),
        _t("route", "导入法定途径", ["received", "assigned", "accepted"], "routed",
           ["clerk", "handler", "supervisor", "admin"], "routed", "第二十二条第二款、第二十八条、第三十一条",
           ["route", "reason"]),
        _t("not_accept", "不予受理", ["received", "assigned"], "not_accepted",
           ["clerk", "handler", "supervisor", "admin"], "not_accepted", "第十九条、第三十六条",
           ["ground", "reason"]),
        _t("extend", "延期", ["accepted"], None, ["handler", "admin"],
           "extended", "第三十四条", ["days", "reason"]),
        _t("reply", "答复（处理意见）", ["accepted"], "replied", ["handler", "admin"],
           "replied", "第三十二条", ["outcome", "text", "facts", "basis"]),
        _t("supervise", "督办", list(HANDLING_STATES), None, ["supervisor", "admin"],
           None, "第四十条", ["note"]),
        _t("request_review", "申请复查", ["replied"], "review", [CITIZEN, "clerk", "admin"],
           "review_requested", "第三十五条"),
        _t("review_reply", "复查意见", ["review"], "replied", ["handler", "supervisor", "admin"],
           "review_replied", "第三十五条", ["outcome", "text", "facts", "basis"]),
        _t("request_rereview", "申请复核", ["replied"], "rereview", [CITIZEN, "clerk", "admin"],
           "rereview_requested", "第三十六条"),
        _t("rereview_reply", "复核意见", ["rereview"], "closed", ["handler", "supervisor", "admin"],
           "rereview_replied", "第三十六条", ["outcome", "text", "facts", "basis"]),
        _t("close", "办结", ["replied"], "closed", [SYSTEM, "clerk", "supervisor", "admin"],
           "closed", "第三十五条、第三十六条"),
        _t("note", "内部备注", list(STATES), None, ["clerk", "handler", "supervisor", "admin"],
           None, "", ["note"]),
        # A staff member with a stake in the matter or in the petitioner steps aside; others of the
        # body carry the case on (service.check_staff_action keeps them from acting on it).
        _t("recuse", "回避", list(OPEN_STATES), None, ["clerk", "handler", "supervisor", "admin"],
           None, "第二十八条第三项", ["reason"]),
    )
}

ACTIONS = tuple(TRANSITIONS)


def _missing(params: dict, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if params.get(n) in (None, "")]


def check_action(case, action: str, actor_role: str, params: dict, now: datetime, cal: Calendar) -> Transition:
    """The transition for `action` if the workflow allows it; WorkflowError with the reason if not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError(f"未知的操作：{action}")
    if actor_role not in transition.actors:
        raise WorkflowError(f"当前角色无权执行“{transition.label}”")
    if action in ("request_review", "request_rereview"):
        _check_review_request(case, action, now, cal)
    if case.status not in transition.sources:
        raise WorkflowError(f"案件{STATES.get(case.status, case.status)}，不能执行“{transition.label}”")
    missing = _missing(params, transition.required)
    if missing:
        raise WorkflowError(f"“{transition.label}”缺少：{'、'.join(missing)}")
    guard = _GUARDS.get(action)
    if guard:
        guard(case, params, now, cal)
    return transition


def allowed_actions(case, actor_role: str, now: datetime, cal: Calendar) -> list[str]:
    """The actions this role may take on the case now, parameters aside (for the panel's buttons)."""
    allowed = []
    for action, transition in TRANSITIONS.items():
        params = {name: "-" for name in transition.required}
        params.update(_PLAUSIBLE_PARAMS.get(action, {}))
        try:
            check_action(case, action, actor_role, params, now, cal)
        except WorkflowError:
            continue
        allowed.append(action)
    return allowed


def _check_review_request(case, action: str, now: datetime, cal: Calendar) -> None:
    # Art. 36 ¶3: the 复核 opinion is final; the same facts are not accepted again.
    if case.review_level >= 2:
        raise WorkflowError("该事项已经复核，复核意见为最终意见，不再受理（《信访工作条例》第三十六条）")
    wanted_level = 0 if action == "request_review" else 1
    if case.status == "replied" and case.review_level != wanted_level:
        if wanted_level == 0:
            raise WorkflowError("该事项已经复查，如不服复查意见，请申请复核（第三十六条）")
        raise WorkflowError("尚未复查，应先申请复查（第三十五条）")
    if case.status == "closed" or (
        case.status == "replied" and now > deadlines.review_request_deadline(cal, case.replied_at, case.review_level)
    ):
        kind = "复查" if wanted_level == 0 else "复核"
        raise WorkflowError(f"已超过{kind}申请期限：应在收到书面答复之日起30日内提出（第三十五条、第三十六条）")


def _guard_object(case, params, now, cal):
    if now > deadlines.objection_deadline(cal, case.assigned_at):
        raise WorkflowError("已超过5个工作日的异议期限（《信访工作条例》第二十三条第三款）")


def _guard_route(case, params, now, cal):
    if params["route"] not in ROUTES:
        raise WorkflowError(f"法定途径应为：{'、'.join(ROUTES)}")


def _guard_not_accept(case, params, now, cal):
    if params["ground"] not in NOT_ACCEPTED_GROUNDS:
        raise WorkflowError(f"不予受理理由应为：{'、'.join(NOT_ACCEPTED_GROUNDS)}")


def _guard_extend(case, params, now, cal):
    if case.extension_days:
        raise WorkflowError("办理期限只能延长一次（《信访工作条例》第三十四条）")
    try:
        days = int(params["days"])
    except (TypeError, ValueError):
        raise WorkflowError("延期天数应为整数") from None
    if not 1 <= days <= deadlines.MAX_EXTENSION_DAYS:
        raise WorkflowError(f"延长期限不得超过{deadlines.MAX_EXTENSION_DAYS}日（第三十四条）")
    if now > deadlines.reply_deadline(cal, case.accepted_at):
        raise WorkflowError("办理期限已届满，不能再延期")


def _guard_reply(case, params, now, cal):
    if params["outcome"] not in REPLY_OUTCOMES:
        raise WorkflowError(f"处理意见应为：{'、'.join(REPLY_OUTCOMES)}（第三十二条）")


def _guard_close(case, params, now, cal):
    if now <= deadlines.review_request_deadline(cal, case.replied_at, case.review_level):
        raise WorkflowError("复查（复核）申请期限未届满，暂不能办结")


_GUARDS = {
    "object": _guard_object,
    "route": _guard_route,
    "not_accept": _guard_not_accept,
    "extend": _guard_extend,
    "reply": _guard_reply,
    "review_reply": _guard_reply,
    "rereview_reply": _guard_reply,
    "close": _guard_close,
}

# Parameter values that pass the guards, so allowed_actions asks only about state, role and time.
_PLAUSIBLE_PARAMS = {
    "route": {"route": "litigation"},
    "not_accept": {"ground": "duplicate"},
    "extend": {"days": 1},
    "reply": {"outcome": REPLY_OUTCOMES[0]},
    "review_reply": {"outcome": REPLY_OUTCOMES[0]},
    "rereview_reply": {"outcome": REPLY_OUTCOMES[0]},
}
