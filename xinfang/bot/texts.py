"""Every text the bot sends a citizen, in one place: short enough for a phone screen.

Plain words, no jargon; where a rule decides, the article is named so a
citizen can look it up. Functions take only plain values, never models.
"""
from __future__ import annotations

from ..cases.notices import excerpt

# Words the citizen types to steer the dialogue.
CONFIRM = "确认"
AMEND = "修改"
CANCEL = "取消"
SKIP = "跳过"
QUERY = "查询"
REVIEW = "复查"
REREVIEW = "复核"
EVALUATE = "评价"

WELCOME = (
    "欢迎关注甘孜州信访通！在这里您可以：\n"
    "1. 直接写下要反映的问题、建议或检举，可发文字、语音、图片、位置；\n"
    "2. 发“查询”看办理进度；\n"
    "3. 发“办事指南”了解办理流程和时限。\n"
    "个人信息说明：您的姓名、电话和反映内容只用于依法办理您的事项，"
    "仅承办人员可见，检举人信息严格保密，不会公开（《个人信息保护法》第十七条）。"
)

HELP = (
    "您好！请直接写下您要反映的事情（什么事、在哪里、希望怎么解决），我会一步步帮您提交。\n"
    "发“查询”看办理进度，发“办事指南”了解流程。"
)

YOU_ARE_WELCOME = "不客气。有事随时写给我；发“查询”看办理进度。"

# The petition channel runs on days; a life at risk needs the emergency services now (flags.urgent).
EMERGENCY = "如有人身危险，请立即拨打 110 报警、120 急救、119 火警。您反映的事情我们也会尽快登记。"

GUIDE = (
    "办事指南：\n"
    "1. 写下事情经过和诉求，确认后得到查询码；\n"
    "2. 15日内告知您转到哪个部门（《信访工作条例》第二十二条）；\n"
    "3. 受理后60日内出具处理意见，复杂的可延长30日（第三十四条）；\n"
    "4. 不服处理意见，30日内可申请复查，再不服可申请复核（第三十五、三十六条）；\n"
    "5. 应通过诉讼、仲裁、行政复议解决的，我们会告诉您去哪里办。"
)

START_REPORT = "请写下您要反映的事情：什么事、在哪里、希望怎么解决。可以发文字或语音。"
ASK_TEXT = "请用文字说说您要反映的事情：什么事、在哪里、希望怎么解决。"
VOICE_NOT_RECOGNIZED = "没能听清这段语音，请改发文字，或重新发一次语音。"
LOCATION_UNREADABLE = "没能读出这个位置，请用文字告诉我地点。"
HOLDING = "已收到您的消息，正在处理，稍后回复您。"
CANCELLED = "已取消，刚才的内容不会提交。需要时可随时重新发送。"
NOTHING_TO_CANCEL = "当前没有正在填写的事项。"
NOTHING_TO_CONFIRM = "当前没有待提交的事项。请直接写下您要反映的事情。"
AMEND_PROMPT = "请发送要补充或更正的内容，我会加到您的反映里。"
TOO_FAST = "您发送得太快了，请{wait}后再发。已收到的消息都已保存。"
INTAKE_EXPIRED = "（上次未提交的内容已超时，请重新发送。）"
ASK_CODE = "请发送“{word} 查询码”，例如“{word} ABCDE23456”。"


def ask_review_code(word: str, codes: list[str]) -> str:
    """复查 or 复核 without a code: which of the citizen's cases it may be, or how to ask."""
    if not codes:
        opinion = "处理意见" if word == REVIEW else "复查意见"
        return f"您目前没有可以申请{word}的事项（收到{opinion}后30日内可申请）。" + ASK_CODE.format(word=word)
    return (f"您有{len(codes)}件可以申请{word}的事项：" + "、".join(codes) +
            f"\n请发送“{word} 查询码”，例如“{word} {codes[0]}”。")
NOT_YOURS = "没有找到您名下查询码为 {code} 的事项，请核对。"
NO_SUCH_CODE = "没有找到查询码为 {code} 的事项，请核对后再发。"
# A 确认 a moment ago: the code is given, the case is being registered by the queue.
BEING_REGISTERED = "查询码 {code}：已提交，正在登记分送，请稍后再查。"
BEING_REGISTERED_STATUS = "正在登记"
NO_OPEN_CASES = "您目前没有在办的事项。发“查询 查询码”可查某一件的进度。"
PHONE_INVALID = "号码格式不对，请发11位手机号（或带区号的座机号），不留请回复“跳过”。"
COUNTY_NOT_RECOGNIZED = "没有认出是哪个县（市），请回复序号，例如“1”。"
LOCATION_OUTSIDE = "您发送的位置不在甘孜州内，请回复事情发生地的县（市）序号。"
LOCATION_OUTSIDE_SHORT = "您发送的位置不在甘孜州内，地点请用文字告诉我。"

# Tibetan script: acknowledged in Tibetan and Chinese; staff who read Tibetan handle the case.
TIBETAN_ACK = ("ཐུགས་རྗེ་ཆེ། ཁྱེད་ཀྱི་ཡི་གེ་འབྱོར་སོང་། བོད་ཡིག་ཤེས་པའི་ལས་བྱེད་པས་ཐག་གཅོད་བྱེད་ངེས།\n"
               "谢谢，已收到您的藏文来信，将由懂藏文的工作人员办理。")

ROUTE_PROCEDURES = {"litigation": "诉讼", "arbitration": "仲裁", "reconsideration": "行政复议"}
ROUTE_BODIES = {
    "litigation": "人民法院（刑事案件向公安机关报案）",
    "arbitration": "劳动人事争议仲裁委员会",
    "reconsideration": "县级以上人民政府（行政复议机关）",
}
# Land contract disputes go to the rural land contract arbitration committee (农村土地承包仲裁).
LAND_ARBITRATION_BODY = "农村土地承包仲裁委员会"
# A suspected crime is reported to the police; their handling of a case is for the police's own
# procedures or the procuratorate's 立案监督 (LAW.md §17 row 7).
RULE_BODIES = {"crime": "当地公安机关（派出所）", "police": "公安机关或人民检察院"}
RULE_PROCEDURES = {"crime": "公安机关立案侦查", "police": "公安、检察机关的法律程序"}


def county_question(counties: list[tuple[str, str | None]], tibetan: bool = False) -> str:
    """The 18 counties numbered; with their Tibetan names for a Tibetan writer."""
    if tibetan:
        lines = [f"{i} {name} {bo or ''}".rstrip() for i, (name, bo) in enumerate(counties, 1)]
        head = "ས་གནས་གང་ཡིན། 事情发生在哪个县（市）？回复序号："
    else:
        cells = [f"{i} {name}" for i, (name, _) in enumerate(counties, 1)]
        lines = ["  ".join(cells[i:i + 3]) for i in range(0, len(cells), 3)]
        head = "事情发生在哪个县（市）？回复序号或名称："
    return head + "\n" + "\n".join(lines)


def phone_question() -> str:
    return "方便留个电话吗？办理人员可能要联系您核实。请发手机号，不留请回复“跳过”。"


def summary(*, excerpt: str, category: str, county: str, department: str, phone: str | None,
            attachments: int, procedure: str | None) -> str:
    lines = ["请核对：",
             f"事情：{excerpt}",
             f"类别：{category}",
             f"地点：{county}",
             f"转交：{department}",
             f"电话：{phone or '未留'}"]
    if attachments:
        lines.append(f"附件：{attachments}个")
    if procedure:
        lines.append(f"提示：此事依法应通过{procedure}解决，提交后我们登记并告诉您怎么办。")
    lines.append("回复“确认”提交，“修改”补充内容，“取消”放弃；地点不对请直接回复县名。")
    return "\n".join(lines)


def submitted(code: str, due_date: str) -> str:
    return (f"已提交，查询码：{code}\n请记好查询码，发“查询 {code}”可看进度。"
            f"{due_date}前告诉您由哪个部门办理（《信访工作条例》第二十二条）。")


def routed_submitted(code: str, procedure: str, body: str, why: str, window: str) -> str:
    """A case for a legal procedure: recorded all the same, and the citizen is told where, why and when."""
    return (f"已登记，查询码：{code}\n"
            f"您反映的事情依法应通过{procedure}解决，请向{body}提出。\n"
            f"原因：{why}\n"
            f"时限：{window}\n"
            "这不影响您的权利。工作人员核实后会再告诉您（《信访工作条例》第三十一条）。")


RESULT_CHARS = 120  # of an opinion or a reason, in a chat answer; the tracking page has it whole


def status(code: str, status_name: str, department: str | None, due_date: str | None,
           days_left: int | None, clock: str | None, result: str | None = None) -> str:
    """A case's state in a few lines; `result`: the 处理意见, the legal route or the refusal, in words."""
    lines = [f"查询码 {code}：{status_name}"]
    if department:
        lines.append(f"承办单位：{department}")
    if result:
        lines.append(excerpt(result, RESULT_CHARS))
    if due_date is not None and days_left is not None:
        what = clock or "办理期限"
        if days_left >= 0:
            lines.append(f"{what}：{due_date}，还有{days_left}天")
        else:
            lines.append(f"{what}：{due_date}，已超期{-days_left}天，已提醒督办")
    return "\n".join(lines)


def open_cases(rows: list[tuple[str, str, str | None]]) -> str:
    lines = [f"您有{len(rows)}件在办事项："]
    lines += [f"{code} {status_name}" + (f"（{department}）" if department else "") for code, status_name, department in rows]
    lines.append("发“查询 查询码”看详情。")
    return "\n".join(lines)


def location_noted(county: str) -> str:
    return f"已按位置记下地点：{county}。"


def county_noted(county: str) -> str:
    return f"已记下地点：{county}。"


ASK_SUPPLEMENT = "请发送“补充：”加上要补充的内容，例如“补充：老板姓张”，我会加到您的事项里。"


def supplement_added(code: str) -> str:
    return f"已补充到您的事项（查询码 {code}），办理人员会看到。"


def withdrawal_noted(code: str) -> str:
    return f"已把您不再需要办理的意思转告办理人员（查询码 {code}），工作人员核实后会告诉您结果。"


NOTHING_TO_WITHDRAW = "您目前没有在办的事项。"


def place_noted(county: str) -> str:
    return county_noted(county) + "请写下您要反映的事情：什么事、希望怎么解决。"


def attachment_noted(count: int) -> str:
    return f"已收到，共{count}个附件。"


def summary_hint() -> str:
    return "内容齐了请回复“确认”提交。"


def amended() -> str:
    return "已补充。"


def review_refused(reason: str) -> str:
    return f"暂时不能申请：{reason}"
