"""Flags of LABELS.md: collective (five or more people), urgent, tibetan."""
from __future__ import annotations

import re

from .numbers import NUMBER, parse_number

COLLECTIVE_MIN = 5  # 集体访: five or more (《信访工作条例》 Art. 20 ¶3 caps representatives at five)

_PEOPLE_UNIT = r"(?:个|名|位|户|家|人|多人|余人|余户|多户|名?村民|个?工人|个?农民工|名?职工|户村民|户人家|户群众|个家庭|户牧民|名学生|个学生|位老人|名业主|户业主)"
_HEADCOUNT = re.compile(rf"({NUMBER})\s*{_PEOPLE_UNIT}")
# A household's own members or ages are not a group of petitioners.
_NOT_GROUP_AFTER = re.compile(r"^(口人|口|岁|年|月|天|元|块|万|亩|头|只|匹|次|层|间|平)")
_GROUP_WORDS = re.compile(
    r"全村|全组|全社|全体(村民|职工|工人|业主|家长|牧民|群众)|整个(村|小区|组)|村民们|工友们|业主们|家长们|牧民们"
    r"|群众们|老乡们|联名|集体(上访|反映|信访)|大家一起|几十户|上百户|数十户|所有(工人|村民|业主|家长|农民工|住户)")

# Urgent (LABELS.md): a person at risk now. Threats of self-harm or violence and
# cries for help are urgent by themselves; dangers (a crack, a flood, a beating)
# only when the text says they are happening now, since petitions often recount
# past harm. Anger and threats to petition higher up are not urgent.
_URGENT_ALONE = re.compile(
    r"自杀|轻生|寻死|不想活|不活了|活不下去|活不成|死给|一死了之|以死|跳楼|跳河|跳江|跳崖|跳下去|跳下来|喝农药|喝药|上吊|割腕"
    r"|同归于尽|汽油|自焚|点火烧|救命|求救|快来人|紧急[!！]|^紧急|非常紧急|很紧急|紧急求助|急急急|十万火急|ཉེན་ཁ"
    r"|要(杀|砍|弄死|打死)|说要[^，。]{0,4}(杀|砍|弄死|打死)|威胁[^，。]{0,8}(杀|砍|弄死|打死|生命)|(砍|杀|弄|打)死(我|你|他|她|我们|全家)|要打起来|打起来了|求保护"
    r"|情况(很|非常|十分)?(危险|危急)"
    r"|随时[^，。]{0,6}(塌|垮|倒|滑|冲|出人命)|马上要(塌|垮|倒)|要塌了|快塌了|快要塌|今晚就?(垮|塌|倒)"
    r"|煤气味|燃气味|天然气味|天然气的?味道|漏气|燃气泄漏|泄漏"
    r"|要生了|快生了|难产|快不行|病危|没有?吃的了|断粮|饿(死|晕)|冻(死|僵|得说不出)")
_DANGER = re.compile(
    r"打伤|殴打|被打|家暴|打人|倒塌|垮塌|坍塌|塌方|塌了|垮了|裂缝|裂了|开裂|滑坡|泥石流|山洪|洪水|决堤|溃坝|堰塞|被困|困在"
    r"|失踪|走失|联系不上|下落不明|中毒|触电|着火|起火|火灾|爆炸|掉石头|落石|滚石|渗水|渗泥|危险|无人照顾|没人管|独居|高反|发烧"
    r"|高压线|电线[^，。]{0,6}(掉|垂|断)|传染|拿着?(刀|棍|枪)|持刀|喘不上气|嘴唇[^，。]{0,2}紫|吐血|昏迷|抽搐|起不来|说不出话|ཆུ་འཛུལ|ཆུ་ལོག")
_NOW = re.compile(
    r"(?<![到至])现在|正在|马上|立即|立刻|赶快|赶紧|快派|快来|派人|来人|今天|今晚|昨晚|昨天|这几天|刚才|刚刚|一直在|越来越|随时|求求|急[!！]|急急|着急|急死|等不了|还在|还住"
    r"|ད་ལྟ|མྱུར་དུ|རོགས་རམ་གནང་རོགས")
# The danger is over, or the writer thanks those who helped.
_RESOLVED = re.compile(r"幸好|幸亏|脱险|没事了|转危为安|感谢|谢谢")
_TIBETAN = re.compile(r"[\u0F00-\u0FFF]")
_HOUSEHOLD_BEFORE = re.compile(r"(我家|家里|家中|一家|全家|我们家)[^，。]{0,2}$")


def head_counts(text: str) -> list[int]:
    """Numbers of people written in the text: '三十多户' -> 30, '12名工人' -> 12."""
    counts = []
    for m in _HEADCOUNT.finditer(text):
        if _NOT_GROUP_AFTER.match(text[m.end(1):m.end(1) + 2]) and not m.group().endswith(("人", "户")):
            continue
        value = parse_number(m.group(1))
        if value is not None and value == int(value):
            counts.append(int(value))
    return counts


def collective(text: str) -> tuple[bool, str]:
    group = _GROUP_WORDS.search(text)
    if group:
        return True, group.group()
    for m in _HEADCOUNT.finditer(text):
        following = text[m.end(1):m.end(1) + 2]
        if _NOT_GROUP_AFTER.match(following) or _family_size(text, m.start()):
            continue
        value = parse_number(m.group(1))
        if value is not None and value >= COLLECTIVE_MIN:
            return True, m.group()
    return False, ""


def _family_size(text: str, start: int) -> bool:
    """'我家5个人' / '一家六口' describe one household, not a group of petitioners."""
    before = text[max(0, start - 4):start]
    return bool(_HOUSEHOLD_BEFORE.search(before))


def urgent(text: str) -> tuple[bool, str]:
    alone = _URGENT_ALONE.search(text)
    if alone:
        return True, alone.group()
    danger, now = _DANGER.search(text), _NOW.search(text)
    if danger and now and not _RESOLVED.search(text):
        return True, f"{danger.group()}…{now.group()}"
    return False, ""


def tibetan(text: str) -> bool:
    return bool(_TIBETAN.search(text))
