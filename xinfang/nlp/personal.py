"""Personal data in a petition: phones, ID numbers, names, money, head counts.

extract_personal() fills the case form; mask() keeps numbers out of logs and
lists (DESIGN.md §7: phone and ID numbers are masked in lists and logs).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .flags import head_counts
from .numbers import NUMBER, parse_number

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)")
_ID = re.compile(r"(?<![\dXx])(\d{6})(\d{8})(\d{3})([\dXx])(?![\dXx])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_NAME = re.compile(
    r"(?:我叫|我的名字(?:是|叫)|本人(?:叫|是)?|姓名[:：]?\s*|信访人[:：]?\s*|反映人[:：]?\s*|联系人[:：]?\s*)"
    r"([\u4e00-\u9fff·]{2,6}?)(?=[，,。\s：:（(、]|$|的|，|电话|联系|身份证|性别|男|女|现|家住|是|来自|\d)")
_NOT_NAME = re.compile(r"^(一个|一名|本人|我们|村民|群众|农民|牧民|家长|老人|党员|退休|职工|工人|户主|代表|今年|现在|因为|在|是)")
_MONEY = re.compile(rf"({NUMBER})\s*(万元|万块|万|千元|元|块钱|块)")


@dataclass(frozen=True)
class PersonalData:
    phones: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    amounts_yuan: list[float] = field(default_factory=list)
    head_counts: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def valid_id_number(s: str) -> bool:
    """An 18-digit resident ID whose last character is the GB 11643 checksum."""
    s = (s or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    total = sum(int(d) * w for d, w in zip(s[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == s[17]


def _amount(number: str, unit: str) -> float | None:
    value = parse_number(number)
    if value is None:
        return None
    return value * (10000 if unit.startswith("万") else 1000 if unit.startswith("千") else 1)


# A Chinese keyboard often types full-width digits: numbers are found (and masked) in them too.
_HALF_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def extract_personal(text: str) -> PersonalData:
    text = text.translate(_HALF_WIDTH_DIGITS)
    ids = ["".join(m.groups()).upper() for m in _ID.finditer(text) if valid_id_number("".join(m.groups()))]
    id_free = _ID.sub(" ", text)  # an ID contains digit runs that look like phones
    phones = ["".join(m.groups()) for m in _MOBILE.finditer(id_free)]
    phones += ["-".join(m.groups()) for m in _LANDLINE.finditer(id_free)]
    names = [m.group(1) for m in _NAME.finditer(text) if not _NOT_NAME.match(m.group(1))]
    amounts = [a for m in _MONEY.finditer(id_free) if (a := _amount(m.group(1), m.group(2))) is not None]
    return PersonalData(list(dict.fromkeys(phones)), list(dict.fromkeys(ids)), list(dict.fromkeys(names)),
                        amounts, head_counts(id_free))


def mask(text: str) -> str:
    """Text safe for logs: ID numbers 5133**********1234, phones 138****1234."""
    # Every 18-character ID-like number is masked, valid checksum or not.
    text = text.translate(_HALF_WIDTH_DIGITS)
    text = _ID.sub(lambda m: m.group()[:4] + "*" * 10 + m.group()[-4:], text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-{'*' * (len(m.group(2)) - 4)}{m.group(2)[-4:]}", text)
