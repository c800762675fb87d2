"""What the citizen is told at each step (《信访工作条例》 Art. 21-23, 32, 34-36).

Each notice is a short text for a phone screen with named placeholders; the
same text goes to WeChat, SMS, email and the tracking page. The default texts
are here. An admin may override one (cases.templates checks that it keeps what
the law asks the citizen be told); the override is read when a notice is
written into the outbox, so it never changes a notice already there.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, object_session

from ..models import TemplateOverride
from .remembered import Remembered
from .workflow import NOT_ACCEPTED_GROUNDS, ROUTES

# The statutory window of each legal procedure, told to a citizen routed there (LAW.md §7.6).
ROUTE_WINDOWS = {
    "litigation": "民事纠纷的诉讼时效一般为3年；不服一审判决的，上诉期限为15日。",
    "arbitration": "劳动争议申请仲裁的时效期间为1年，从知道或者应当知道权利被侵害之日起计算。",
    "reconsideration": "应自知道该行政行为之日起60日内提出行政复议申请；也可依法在6个月内提起行政诉讼。",
    "discipline": "实名检举控告的，纪检监察机关将依规告知受理和处理情况，检举人信息严格保密。",
    "organ": "",
}
# Litigation covers matters whose windows differ (LAW.md §17 rows 5-8): keyed by the rule of
# channel.decide_path that chose it. A theft is reported to the police, not sued within 3 years.
LITIGATION_WINDOWS = {
    "court": "不服一审判决的上诉期限为15日（裁定为10日）；判决生效后申请再审，一般应在6个月内提出；"
             "尚未起诉的民事纠纷，诉讼时效一般为3年。",
    "police": "公安机关不立案的，可以申请复议，也可以向人民检察院申请立案监督；正在发生的违法犯罪请立即拨打110。",
    "crime": "请尽快向公安机关报案，正在发生的违法犯罪请立即拨打110；公安机关不立案的，"
             "可以申请复议，也可以向人民检察院申请立案监督。",
    "civil": "民事纠纷的诉讼时效一般为3年，从知道或者应当知道权利受到损害之日起计算（《民法典》第一百八十八条）。",
}


def route_window(route: str | None, rule: str | None = None) -> str:
    """What the citizen is told of the time they have, for a case routed to `route`; `rule`: the
    classifier's path_rule, when it chose that route."""
    if route == "litigation" and rule in LITIGATION_WINDOWS:
        return LITIGATION_WINDOWS[rule]
    return ROUTE_WINDOWS.get(route, "")


# Every placeholder a notice may use, with what it stands for (shown to the admin who edits a text).
PLACEHOLDERS = {
    "查询码": "案件的查询码",
    "期限": "当前期限的截止日期（答复后为申请复查、复核的截止日期）",
    "单位": "承办单位名称",
    "途径": "应当通过的法定途径",
    "机关": "受理机关",
    "原因": "导入法定途径的原因",
    "时效": "该法定途径的时效说明",
    "依据": "不予受理的依据",
    "说明": "不予受理的具体说明",
    "延长天数": "延长的天数",
    "理由": "延期理由",
    "处理结果": "支持、解释说明或不予支持",
    "处理意见": "处理意见正文",
    "上级机关": "受理复查或复核的上一级机关",
}


@dataclass(frozen=True)
class Notice:
    label: str
    default: str
    # Placeholders the text must keep, and why: the citizen must be told these (articles in `basis`).
    required: tuple[str, ...]
    basis: str
    optional: tuple[str, ...] = ()
    # Wording the text must keep, e.g. the right to ask for 复查.
    words: tuple[str, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.required + self.optional


NOTICE_TEXTS = {
    "registered": Notice(
        "登记", "您的信访事项已登记，查询码：{查询码}。我们将在{期限}前告知处理去向（《信访工作条例》第二十二条）。",
        ("查询码", "期限"), "第二十二条"),
    "assigned": Notice(
        "转送/交办", "您的信访事项（{查询码}）已转送{单位}办理（第二十三条）。", ("查询码", "单位"), "第二十三条"),
    "accepted": Notice(
        "受理", "{单位}已受理您的信访事项（{查询码}），将在{期限}前出具处理意见（第三十四条）。",
        ("查询码", "单位", "期限"), "第二十三条、第三十四条"),
    "routed": Notice(
        "导入法定途径", "您反映的事项（{查询码}）依法应通过{途径}解决，请向{机关}提出。原因：{原因}。{时效}",
        ("查询码", "途径", "机关", "原因", "时效"), "第二十二条第二款、第三十一条"),
    "not_accepted": Notice(
        "不予受理", "您的信访事项（{查询码}）不予受理：{依据}。{说明}", ("查询码", "依据", "说明"), "第十九条、第三十六条"),
    "extended": Notice(
        "延期", "您的信访事项（{查询码}）办理期限延长{延长天数}日，至{期限}。理由：{理由}（第三十四条）。",
        ("查询码", "延长天数", "期限", "理由"), "第三十四条"),
    "replied": Notice(
        "处理意见",
        "您的信访事项（{查询码}）已出具处理意见：{处理结果}。{处理意见} "
        "如不服，可在{期限}前申请复查（第三十五条），回复“复查 {查询码}”。",
        ("查询码", "处理结果", "处理意见", "期限"), "第三十二条、第三十五条", words=("复查",)),
    "review_requested": Notice(
        "复查受理", "您的复查申请（{查询码}）已由{上级机关}受理，将在{期限}前出具复查意见（第三十五条）。",
        ("查询码", "上级机关", "期限"), "第三十五条"),
    "review_replied": Notice(
        "复查意见",
        "您的信访事项（{查询码}）{上级机关}复查意见：{处理结果}。{处理意见} "
        "如不服，可在{期限}前申请复核（第三十六条），回复“复核 {查询码}”。",
        ("查询码", "上级机关", "处理结果", "处理意见", "期限"), "第三十五条、第三十六条", words=("复核",)),
    "rereview_requested": Notice(
        "复核受理", "您的复核申请（{查询码}）已由{上级机关}受理，将在{期限}前出具复核意见（第三十六条）。",
        ("查询码", "上级机关", "期限"), "第三十六条"),
    "rereview_replied": Notice(
        "复核意见", "您的信访事项（{查询码}）{上级机关}复核意见：{处理结果}。{处理意见} 复核意见为最终意见（第三十六条）。",
        ("查询码", "处理结果", "处理意见"), "第三十六条", optional=("上级机关",), words=("最终意见",)),
    "closed": Notice("办结", "您的信访事项（{查询码}）已办结。感谢您的监督。", ("查询码",), "第三十五条、第三十六条"),
}


def excerpt(text: str, limit: int) -> str:
    """The text cut to `limit` characters for a phone screen or a list, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[:limit] + "…"


def _fmt_date(moment, cal) -> str:
    if moment is None:
        return ""
    d = cal.local_date(moment)
    return f"{d.year}年{d.month}月{d.day}日"


def values(case, cal, department_name=None) -> dict[str, str]:
    """The placeholders' values for a case (an ORM case, or the detached draft of a preview)."""
    return {
        "查询码": case.tracking_code, "期限": _fmt_date(case.due_at, cal), "单位": department_name or "承办单位",
        "途径": ROUTES.get(case.route, "法定途径"), "机关": case.route_body or ROUTES.get(case.route, ""),
        "原因": case.route_reason or "", "时效": case_route_window(case),
        "依据": NOT_ACCEPTED_GROUNDS.get(case.not_accepted_ground, ""), "说明": case.not_accepted_reason or "",
        "延长天数": str(case.extension_days or ""), "理由": case.extension_reason or "",
        "处理结果": case.reply_outcome or "", "处理意见": case.reply_text or "", "上级机关": case.review_body or "上一级机关",
    }


def case_route_window(case) -> str:
    """The window a routed case's citizen is told, by its route and, when staff routed it as the
    machine suggested, the rule behind the suggestion."""
    suggestion = getattr(case, "classification", None) or {}
    return route_window(case.route, suggestion.get("path_rule") if suggestion.get("path") == case.route else None)


def render(template: str, case, cal, department_name=None) -> str:
    return template.format_map(values(case, cal, department_name))


def override_key(name: str) -> str:
    return f"notice.{name}"


# An admin's text reaches this process at once (`forget_overrides`), the other processes within the minute.
_overrides = Remembered()


def _override(session: Session, name: str) -> str | None:
    def read() -> str | None:
        row = session.get(TemplateOverride, override_key(name))
        return row.fields["text"] if row else None

    return _overrides.get(name, read)


def forget_overrides() -> None:
    _overrides.forget()


def text(session: Session | None, name: str, case, cal, department_name=None) -> str:
    """The notice as the citizen reads it if written now: the admin's text if there is one, else the default."""
    override = _override(session, name) if session is not None else None
    return render(override or NOTICE_TEXTS[name].default, case, cal, department_name)


def _notice(name: str):
    def notice(case, cal, department_name=None) -> str:
        return text(object_session(case), name, case, cal, department_name)
    notice.__name__ = name
    return notice


# For callers holding a case in a session (the bot's answer to 复查): the same text as the outbox gets.
NOTICES = {name: _notice(name) for name in NOTICE_TEXTS}
