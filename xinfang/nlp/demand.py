"""诉求类型 (LABELS.md, demand_type): what the writer asks for.

The three kinds of 《信访工作条例》 (Art. 29 建议意见, Art. 30 检举控告,
Art. 31 申诉求决) with 申诉求决 split into 申诉 and 求决, plus 咨询.
"""
from __future__ import annotations

import re

_APPEAL = re.compile(
    r"不服|申诉|不公|冤|不认可|不接受[^，。]{0,6}(决定|结果|判决|认定|处理)|(要求|申请|请求)[^，。]{0,6}(撤销|重新|纠正|改判|复查|复核|再审)"
    r"|重新认定|错判|判得不对|判错|复查|复核|处理结果[^，。]{0,6}(不|有失)|凭什么[^，。]{0,10}(取消|罚|认定|判|停)")
_ACCUSE = re.compile(
    r"举报|检举|控告|揭发|实名反映|贪污|受贿|索贿|挪用|截留|侵吞|优亲厚友|吃拿卡要|以权谋私|滥用职权"
    r"|偷排|非法(集资|开采|采砂|经营|占地|排污)|违法(排污|开采|建设|经营)|请[^，。]{0,6}(查处|严查|调查|彻查)|查处")
_INQUIRY = re.compile(
    r"请问|咨询|想问|问一下|问下|想了解|了解一下|想知道|打听|"
    r"(怎么|如何|怎样|去哪|哪里|在哪)[^，。]{0,8}(办|申请|办理|报名|领取|缴|交|查|认定|补办|开具)|"
    r"需要(哪些|什么)[^，。]{0,6}(材料|手续|条件|证件)|有没有[^，。]{0,12}(政策|补贴|补助|规定)|"
    r"(能不能|可不可以|可以吗|是否可以|能否|符合[^，。]{0,6}条件吗|算不算|吗[？?]|么[？?]|呢[？?])")
_SUGGEST = re.compile(
    r"建议|提议|呼吁|提个?意见|意见建议|希望[^，。]{0,12}(增设|增加|开通|修建|设置|多|加强|改进|完善|考虑)"
    r"|能否[^，。]{0,10}(增设|增加|开通|修建|设置)|感谢|谢谢|表扬|点赞|锦旗|致敬")
_DEMAND = re.compile(r"要求|请求|恳请|希望|帮(我|我们|忙)|解决|尽快|给[^，。]{0,4}(钱|补|发)|还(我|我们)|赔偿|落实|发放|退还")

DEFAULT_OF_PATH = {"discipline": "检举控告"}
_STRONG_APPEAL = re.compile(r"不服|申诉|复查|复核|重新认定|撤销")
_QUESTION_END = re.compile(r"[？?吗]\s*$")


def decide_demand(text: str, path: str) -> tuple[str, str]:
    """The demand type and the words that decided it, for the reasons list."""
    if path == "discipline":
        return "检举控告", "检举控告公职人员"
    for label, pattern in (("申诉", _APPEAL), ("检举控告", _ACCUSE)):
        m = pattern.search(text)
        if m and not (label == "申诉" and path in ("petition", "arbitration") and not _strong_appeal(text)):
            return label, m.group()
    suggest = _SUGGEST.search(text)
    inquiry = _INQUIRY.search(text)
    demand = _DEMAND.search(text)
    if inquiry and not (demand and not _ends_with_question(text)):
        return "咨询", inquiry.group()
    if suggest and not demand:
        return "建议意见", suggest.group()
    if suggest and demand and suggest.start() < demand.start():
        return "建议意见", suggest.group()
    return "求决", demand.group() if demand else ""


def _strong_appeal(text: str) -> bool:
    return bool(_STRONG_APPEAL.search(text))


def _ends_with_question(text: str) -> bool:
    return bool(_QUESTION_END.search(text.strip()))
