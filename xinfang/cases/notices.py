"""What the citizen is told at each step (《信访工作条例》 Art. 21-23, 32, 34-36).

One function per notice; each returns a short text for a phone screen. The
same text goes to WeChat, SMS, email and the tracking page.
"""
from __future__ import annotations

from .workflow import NOT_ACCEPTED_GROUNDS, ROUTES

# The statutory window of each legal procedure, told to a citizen routed there (LAW.md §7.6).
ROUTE_WINDOWS = {
    "litigation": "民事纠纷的诉讼时效一般为3年；不服一审判决的，上诉期限为15日。",
    "arbitration": "劳动争议申请仲裁的时效期间为1年，从知道或者应当知道权利被侵害之日起计算。",
    "reconsideration": "应自知道该行政行为之日起60日内提出行政复议申请；也可依法在6个月内提起行政诉讼。",
    "discipline": "实名检举控告的，纪检监察机关将依规告知受理和处理情况，检举人信息严格保密。",
    "organ": "",
}


def _fmt_date(moment, cal) -> str:
    d = cal.local_date(moment)
    return f"{d.year}年{d.month}月{d.day}日"


def registered(case, cal, department_name=None) -> str:
    return (
        f"您的信访事项已登记，查询码：{case.tracking_code}。"
        f"我们将在{_fmt_date(case.due_at, cal)}前告知处理去向（《信访工作条例》第二十二条）。"
    )


def assigned(case, cal, department_name=None) -> str:
    return f"您的信访事项（{case.tracking_code}）已转送{department_name or '有权处理机关'}办理（第二十三条）。"


def accepted(case, cal, department_name=None) -> str:
    return (
        f"{department_name or '承办单位'}已受理您的信访事项（{case.tracking_code}），"
        f"将在{_fmt_date(case.due_at, cal)}前出具处理意见（第三十四条）。"
    )


def routed(case, cal, department_name=None) -> str:
    body = case.route_body or ROUTES.get(case.route, "")
    window = ROUTE_WINDOWS.get(case.route, "")
    return (
        f"您反映的事项（{case.tracking_code}）依法应通过{ROUTES.get(case.route, '法定途径')}解决，"
        f"请向{body}提出。原因：{case.route_reason}。{window}"
    )


def not_accepted(case, cal, department_name=None) -> str:
    ground = NOT_ACCEPTED_GROUNDS.get(case.not_accepted_ground, "")
    return f"您的信访事项（{case.tracking_code}）不予受理：{ground}。{case.not_accepted_reason or ''}"


def extended(case, cal, department_name=None) -> str:
    return (
        f"您的信访事项（{case.tracking_code}）办理期限延长{case.extension_days}日，"
        f"至{_fmt_date(case.due_at, cal)}。理由：{case.extension_reason}（第三十四条）。"
    )


def _reply(case, cal, kind: str, next_step: str) -> str:
    return (
        f"您的信访事项（{case.tracking_code}）{kind}：{case.reply_outcome}。{case.reply_text} "
        f"{next_step}"
    )


def replied(case, cal, department_name=None) -> str:
    return _reply(case, cal, "已出具处理意见",
                  f"如不服，可在{_fmt_date(case.due_at, cal)}前申请复查（第三十五条），回复“复查 {case.tracking_code}”。")


def review_requested(case, cal, department_name=None) -> str:
    return (f"您的复查申请（{case.tracking_code}）已由{case.review_body or '上一级机关'}受理，"
            f"将在{_fmt_date(case.due_at, cal)}前出具复查意见（第三十五条）。")


def review_replied(case, cal, department_name=None) -> str:
    return _reply(case, cal, f"{case.review_body or ''}复查意见",
                  f"如不服，可在{_fmt_date(case.due_at, cal)}前申请复核（第三十六条），回复“复核 {case.tracking_code}”。")


def rereview_requested(case, cal, department_name=None) -> str:
    return (f"您的复核申请（{case.tracking_code}）已由{case.review_body or '上一级机关'}受理，"
            f"将在{_fmt_date(case.due_at, cal)}前出具复核意见（第三十六条）。")


def rereview_replied(case, cal, department_name=None) -> str:
    return _reply(case, cal, f"{case.review_body or ''}复核意见", "复核意见为最终意见（第三十六条）。")


def closed(case, cal, department_name=None) -> str:
    return f"您的信访事项（{case.tracking_code}）已办结。感谢您的监督。"


NOTICES = {
    "registered": registered,
    "assigned": assigned,
    "accepted": accepted,
    "routed": routed,
    "not_accepted": not_accepted,
    "extended": extended,
    "replied": replied,
    "review_requested": review_requested,
    "review_replied": review_replied,
    "rereview_requested": rereview_requested,
    "rereview_replied": rereview_replied,
    "closed": closed,
}
