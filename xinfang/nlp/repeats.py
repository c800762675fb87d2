"""Near-duplicate petitions and repeat petitioners (重复信访, LAW.md §10).

fingerprint() is a MinHash over character bigrams of the normalised text:
bigrams, not jieba words, because a retold petition changes particles and
typos far more than its substance. The signature is a short string a case
can store; similarity() estimates the Jaccard similarity of two texts.

DUPLICATE_THRESHOLD was chosen from measurements on the training texts
(tests/nlp/test_repeats.py re-measures it): retellings of one petition
(reordered clauses, added greetings, typos, dropped sentences) score
0.45-0.95, different petitions on the same topic score below 0.25.
"""
from __future__ import annotations

import base64
import re
from functools import cache

import numpy as np
from pypinyin import Style, lazy_pinyin

from .segment import normalize

NUM_PERM = 64
SEED = 20240611
DUPLICATE_THRESHOLD = 0.35
_NOISE = re.compile(r"[\W_]+|您好|你好|领导|尊敬的|谢谢|麻烦|请问")
_PREFIX = "m1:"


def _shingles(text: str) -> set[str]:
    core = _NOISE.sub("", normalize(text))
    if len(core) < 2:
        return {core} if core else set()
    return {core[i:i + 2] for i in range(len(core) - 1)}


@cache
def _blank():
    """Drawing the permutations costs more than hashing a petition: drawn once per process, on first
    use (datasketch brings scipy, a second to import: a restarted worker sends pushes meanwhile)."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED)


def fingerprint(text: str) -> str:
    """A compact, serialisable signature of a petition's text (about 350 characters)."""
    blank = _blank()
    mh = type(blank)(num_perm=NUM_PERM, seed=SEED, permutations=blank.permutations, scheme=blank.scheme)
    shingles = _shingles(text)
    if shingles:
        mh.update_batch([s.encode("utf-8") for s in shingles])
    return _PREFIX + base64.b64encode(mh.hashvalues.astype("<u4").tobytes()).decode("ascii")


def _values(fp: str) -> np.ndarray:
    if not fp.startswith(_PREFIX):
        raise ValueError("not a fingerprint made by xinfang.nlp.repeats")
    return np.frombuffer(base64.b64decode(fp[len(_PREFIX):]), dtype="<u4")


def similarity(fp_a: str, fp_b: str) -> float:
    """Estimated Jaccard similarity (0..1) of the texts behind two fingerprints."""
    a, b = _values(fp_a), _values(fp_b)
    return float(np.mean(a == b))


def similarities(fp: str, others: list[str], decoded: dict | None = None) -> np.ndarray:
    """similarity() of one fingerprint with many, in one vectorised comparison.

    `decoded` keeps the bytes of the fingerprints decoded so far: a registration batch compares each
    of its cases with the same stored candidates, up to hundreds a county.
    """
    if not others:
        return np.zeros(0)
    decoded = {} if decoded is None else decoded
    raw = []
    for other in others:
        found = decoded.get(other)
        if found is None:
            found = decoded[other] = base64.b64decode(other[len(_PREFIX):])
        raw.append(found)
    matrix = np.frombuffer(b"".join(raw), dtype="<u4")
    return np.mean(matrix.reshape(len(others), NUM_PERM) == _values(fp), axis=1)


def is_duplicate(fp_a: str, fp_b: str, threshold: float = DUPLICATE_THRESHOLD) -> bool:
    return similarity(fp_a, fp_b) >= threshold


def _name_key(name: str) -> str:
    """Pinyin without tones, with the distinctions transliteration blurs collapsed."""
    syllables = lazy_pinyin(re.sub(r"[\s·•.]", "", name), style=Style.NORMAL)
    key = "".join(syllables)
    key = re.sub(r"(zh|ch|sh)", lambda m: m.group(1)[0], key)
    return re.sub(r"(ang|eng|ing)", lambda m: m.group(1)[:-1], key)


def same_person_name(a: str, b: str) -> bool:
    """Whether two written names are the same name: 扎西 / 扎喜, 卓玛 / 卓嘛."""
    if not a or not b:
        return False
    return _name_key(a) == _name_key(b)
