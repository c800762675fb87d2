"""Search keys for a petitioner's name: staff find 扎西 by "zhaxi" or "zx" (and 扎喜 the same way)."""
from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin without tones, initials), both lower case and without spaces."""
    syllables = [s for s in lazy_pinyin(name.strip(), style=Style.NORMAL) if s.strip()]
    return "".join(syllables).lower(), "".join(s[0] for s in syllables).lower()
