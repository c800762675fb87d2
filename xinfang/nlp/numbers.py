"""Numbers as citizens write them: 12, 十二, 三十多, 二十几, 上百, 1.5万."""
from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}

# One number: Arabic digits, or Chinese numerals, optionally followed by a
# vagueness marker (多/几/余/来) that we read as "at least".
NUMBER = r"(?:几十|十几|上百|数百|几百|上千|数十|上万|\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十百千万]+)(?:多|几|余|来)?"
_VAGUE_ONLY = {"几十": 20, "十几": 11, "上百": 100, "数百": 200, "几百": 200,
               "上千": 1000, "数十": 20, "上万": 10000}


def chinese_to_int(text: str) -> int | None:
    """Value of a Chinese numeral such as 三十五, 一百二, 十; None if not one."""
    if not text:
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit == 10000:
                section = (section + (digit or 0)) * unit
                total += section
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def parse_number(text: str) -> float | None:
    """Lower bound of a written quantity: '三十多' -> 30, '1.5' -> 1.5."""
    text = text.strip()
    for word, value in _VAGUE_ONLY.items():
        if text.startswith(word):
            return float(value)
    core = re.sub(r"(多|几|余|来)$", "", text)
    if not core:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", core):
        return float(core)
    value = chinese_to_int(core)
    return float(value) if value is not None else None
