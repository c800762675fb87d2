"""What a citizen's text asks for: a command with its argument, or free text.

Pure functions over the text. Commands are matched only when the message is
short and starts with the word, so "取消了我家的低保" stays a petition.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..cases.codes import normalize_tracking_code
from ..simulator.constants import MENU_GUIDE, MENU_REPORT, MENU_TRACK
from . import texts

TIBETAN = re.compile(r"[\u0F00-\u0FFF]")
_PUNCT = " \t\r\n。.，,！!？?：:；;、~～"
_CONFIRM_WORDS = {texts.CONFIRM, "确认提交", "提交", "确定"}
_AMEND_WORDS = {texts.AMEND, "补充", "补充一下", "补充材料", "补充说明", "我要补充", "我想补充"}
_GREETINGS = {"你好", "您好", "你好啊", "您好啊", "在吗", "在么", "在不在", "有人吗", "有人在吗", "喂", "喂喂", "哈喽",
              "嗨", "请问", "hello", "hi", "帮助", "help", "菜单", "?", "？"}
_GUIDE_WORDS = {"办事指南", "指南", "流程", "怎么办理"}
_THANKS_WORDS = {"谢谢", "谢谢你", "谢谢您", "感谢", "多谢", "辛苦了", "辛苦", "谢了", "thanks", "thank you"}
# A yes to whatever was asked: at the summary it submits, as 确认 does.
_AGREE_WORDS = {"好的", "好", "好滴", "可以", "是的", "是", "对", "对的", "没问题", "行", "嗯", "嗯嗯", "ok", "提交吧",
                "👍", "👌", "[强]", "[ok]", "[好的]"}
# WeChat sends its own emoticons as codes in brackets: "[微笑]", "[强]".
_EMOTICONS = re.compile(r"^(\[[^\[\]]{1,4}\])+$")
# "我之前反映的事情怎么样了": asking after a matter already sent, in the citizen's own words.
_PROGRESS = re.compile(r"怎么样了|进展|进度|办得怎么样|处理得怎么样|处理了吗|办了吗|有结果了?吗|有没有结果|有回复了?吗"
                       r"|回复了吗|到哪一?步|什么时候(能|会)?(有结果|回复|处理|办好|解决)|要多久|多久(能|会|才)"
                       r"|能不能快点|快点(处理|办)|催一下")
# Asked only of a matter the words say was sent before ("我刚才反映的事有人管吗"): alone it may be a
# new petition ("路灯坏了有人管吗").
_HANDLED = re.compile(r"有人管吗|有没有人管|管不管|有人处理吗|有没有人处理")
_EARLIER = re.compile(r"之前|上次|上回|以前|前几天|前段时间|刚才|刚刚|我反映的|反映的事|我提交的|我写的|我的事|那件事"
                      r"|我的问题|我的信")
_PROGRESS_MAX = 30
# "补充一下，老板叫张三": more words for a matter already sent (or for the open draft).
_SUPPLEMENT = re.compile(r"^(?:我)?(?:再|还要|还想)?补充(?:一下|一点|几句|说明|材料|情况)?[：:，,。\s]+(?P<rest>\S.*)$",
                         re.S)
# "I want to report" with nothing reported yet, 反应 (a common slip for 反映) included: the bot asks for
# the story instead of taking the words for it.
_REPORT = re.compile(r"^(?:我|我们)?(?:要|想|需要)?(?:反映|反应|投诉|举报|上访|信访|求助)(?:一下|一个|个)?"
                     r"(?:问题|情况|事情|事)?$")
# "我想撤回", "不反映了": the citizen no longer wants a matter handled.
# Only the wish itself, perhaps with its reason after a comma: "我要撤销罚款决定" is a petition.
_WITHDRAW = re.compile(r"^(?:我|我们)?(?:想|要|申请)?(?:撤回|撤销|不反映了|不告了|不投诉了|不用处理了|不需要处理了)"
                       r"(?:这个|我的|刚才的)?(?:事情?|信访|反映|投诉|申请)?(?:$|[，,。.！!；;\s])")
_WITHDRAW_MAX = 30
# What may follow 查询 / 复查 / 复核 and still be the command: a try at a code, or a filler word
# ("查询一下"); "查询低保政策" asks about a policy and stays a petition (a 咨询).
_ATTEMPTED_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{1,19}")
_COMMAND_FILLERS = {"一下", "进度", "进展", "结果", "情况", "办理进度", "办理情况", "处理结果", "一下进度", "我的",
                    "我的事", "我的事情", "一下我的事", "申请"}
_SURVEY_START = re.compile(r"^\s*(评价|[123１２３](?!\d)|非常满意|很满意|满意|基本满意|比较满意|不太满意|很不满意|非常不满意|不满意|已解决|未解决|没解决|没有解决)")
_SURVEY_MAX = 40
# Declining to leave a number, in the citizen's words ("没有电话", "不方便留").
_NO_NUMBER = re.compile(r"^(没有|没|无|不方便|不想|不留|不用|不要|不需要|不给|算了|保密)")
_PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$|^(0\d{2,3})-?(\d{7,8})$")

# Menu keys of the official account (the simulator's constants are the account's menu).
MENU = {MENU_REPORT: "report", MENU_TRACK: "query", MENU_GUIDE: "guide"}


@dataclass(frozen=True)
class Intent:
    kind: str  # confirm, agree, amend, cancel, skip, query, review, rereview, survey, guide, report, help,
    #            thanks, supplement, withdraw, text
    arg: str | None = None


def _bare(text: str) -> str:
    return text.strip(_PUNCT).lower()


def _code_after(word: str, text: str) -> tuple[bool, str | None]:
    """(matched, tracking code or None) for "查询 ABCDE23456", "查询ABCDE23456", "查询", "查询一下".

    A mistyped code ("查询 ABC") is the command with that code, which the lookup then does not find:
    the citizen is told to check it, rather than asked about a petition they did not write.
    """
    rest = text.strip()
    if not rest.startswith(word):
        return False, None
    rest = rest[len(word):].strip(_PUNCT + "码")
    if not rest:
        return True, None
    code = normalize_tracking_code(rest)
    if code:
        return True, code
    if _ATTEMPTED_CODE.fullmatch(rest):
        return True, rest.upper()
    return (True, None) if rest in _COMMAND_FILLERS else (False, None)


def parse(text: str) -> Intent:
    bare = _bare(text)
    for words, kind in ((_CONFIRM_WORDS, "confirm"), (_AMEND_WORDS, "amend"),
                        ({texts.CANCEL, "不提交了"}, "cancel"), ({texts.SKIP, "不留"}, "skip")):
        if bare in words:
            return Intent(kind)
    for word, kind in ((texts.QUERY, "query"), (texts.REVIEW, "review"), (texts.REREVIEW, "rereview")):
        matched, code = _code_after(word, text)
        if matched:
            return Intent(kind, code)
    if bare in _GUIDE_WORDS:
        return Intent("guide")
    if _REPORT.match(bare):
        return Intent("report")
    if bare in _THANKS_WORDS:
        return Intent("thanks")
    if bare in _AGREE_WORDS:
        return Intent("agree")
    if bare in _GREETINGS or _EMOTICONS.match(bare) or not any(c.isalnum() for c in bare):
        return Intent("help")  # a greeting, an emoticon, or no word at all: not a petition
    stripped = text.strip()
    supplement = _SUPPLEMENT.match(stripped)
    if supplement:
        return Intent("supplement", supplement.group("rest").strip())
    if len(stripped) <= _WITHDRAW_MAX and _WITHDRAW.match(stripped):
        return Intent("withdraw", stripped)
    earlier = _EARLIER.search(stripped)
    if len(stripped) <= _PROGRESS_MAX and (
            (_PROGRESS.search(stripped) and (earlier or len(stripped) <= 10))
            or (_HANDLED.search(stripped) and earlier)):
        return Intent("query")
    if len(stripped) <= _SURVEY_MAX and _SURVEY_START.match(stripped):
        return Intent("survey", stripped)
    return Intent("text", stripped)


def phone_number(text: str) -> str | None:
    """A contact number as typed ("138 0000 0000", "0836-2812345", full-width digits of a Chinese
    keyboard), normalised, or None."""
    compact = re.sub(r"[\s\-—()]", "", unicodedata.normalize("NFKC", text).strip(_PUNCT))
    match = _PHONE.match(compact)
    if not match:
        return None
    mobile, area, number = match.groups()
    return mobile or f"{area}-{number}"


def declines_number(text: str) -> bool:
    """Whether an answer to the phone question says no ("没有电话", "不方便留") rather than mistyping one."""
    bare = _bare(text)
    return bool(_NO_NUMBER.match(bare)) and not any(c.isdigit() for c in bare)


# A Tibetan syllable (its letters and vowel signs, with the tsheg or shad that ends it).
_TIBETAN_SYLLABLE = re.compile(r"[\u0f40-\u0fbc]+[\u0f0b\u0f0d]?")


def reply_length(text: str) -> int:
    """How long a reply is, in characters, a Tibetan syllable counting as one as a Chinese character
    does: "དར་རྩེ་མདོ་རྫོང་" (康定县) is four, not sixteen."""
    return len(_TIBETAN_SYLLABLE.sub("字", text.strip()))


def has_tibetan(text: str) -> bool:
    return bool(TIBETAN.search(text or ""))
