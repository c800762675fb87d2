"""Tracking codes (查询码): unique, unguessable, easy to read aloud and type."""
from __future__ import annotations

import secrets
import unicodedata

# No 0/O, 1/I/L: a herder reading the code over the phone cannot mistake one for another.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10  # 31**10 ≈ 8e14: guessing one live code is hopeless


_CODES = len(ALPHABET) ** LENGTH


def new_tracking_code() -> str:
    # One draw from the system's randomness, written in base 31 (a draw per letter costs ten).
    n = secrets.randbelow(_CODES)
    letters = []
    for _ in range(LENGTH):
        n, digit = divmod(n, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters)


def normalize_tracking_code(raw: str) -> str | None:
    """The code as a citizen typed it (spaces, dashes, lower case), or None when it cannot be one."""
    code = unicodedata.normalize("NFKC", raw).strip().upper().replace(" ", "").replace("-", "")  # ＡＢＣ too
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code
