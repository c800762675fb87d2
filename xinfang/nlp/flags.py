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

_URGENT = re.compile(
    r"自杀|轻生|寻死|不想活|活不下去|活不成|去死|死给|一死|跳楼|跳河|跳江|跳崖|喝农药|喝药|上吊|割腕|同归于尽|拼命|拼了"
    r"|杀(了|人|死)|砍(人|伤|死)|捅|持刀|拿刀|动刀|打死|打伤|被打|殴打|暴打|家暴|威胁[^，。]{0,6}(生命|杀|砍|打|弄死|报复)|报复"
    r"|要(杀|砍|打死|弄死)|弄死|人身安全|生命安全|有生命危险|危及生命"
    r"|倒塌|垮塌|坍塌|塌了|要塌|快塌|随时[^，。]{0,6}(塌|垮|倒|滑)|裂缝[^，。]{0,10}(越来越|危险|随时|要塌)|危房[^，。]{0,10}(住人|随时|倒)"
    r"|滑坡|泥石流|山洪|洪水|决堤|溃坝|堰塞|被(水|洪水)冲|淹了|被困|困在"
    r"|泄漏|漏气|煤气味|燃气味|着火|起火|火灾|爆炸|触电|电线[^，。]{0,6}(掉|垂|断)|高压线[^，。]{0,6}(掉|断|垂)"
    r"|失踪|走失|找不到人|联系不上|下落不明|没有?饭吃|断粮|饿(死|肚子)|冻死|无人照顾|没人管[^，。]{0,6}(老人|孩子)"
    r"|急救|抢救|病危|快不行|昏迷|大出血|中毒|危险"
)
# Fear of harm to property or anger at officials is not a risk to a person.
_NOT_URGENT = re.compile(r"没有(人员)?伤亡|无人员伤亡|已经(修好|处理|解决)|以前|去年[^，。]{0,6}(洪水|滑坡)")

_TIBETAN = re.compile(r"[\u0F00-\u0FFF]")


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
    return bool(re.search(r"(我家|家里|家中|一家|全家|我们家)[^，。]{0,2}$", before))


def urgent(text: str) -> tuple[bool, str]:
    m = _URGENT.search(text)
    if not m:
        return False, ""
    if _NOT_URGENT.search(text) and len(_URGENT.findall(text)) < 2:
        return False, ""
    return True, m.group()


def tibetan(text: str) -> bool:
    return bool(_TIBETAN.search(text))
