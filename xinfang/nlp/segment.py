"""Word segmentation: jieba with the prefecture's place names and petition words.

One tokenizer per process (jieba's default one, with the domain words added),
built on first use or by warm_up() at start, so a request never pays for
loading the dictionary.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata

import jieba

from . import lexicon, resources

jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None

_SPACE = re.compile(r"\s+")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")


def normalize(text: str) -> str:
    """Full-width letters and digits to half-width, collapsed whitespace."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def user_words() -> list[str]:
    """The domain dictionary: places, departments, petition vocabulary."""
    words: list[str] = []
    for county in resources.counties():
        words += [county["name"], county["short"]]
        words += [t["name"] for t in county["townships"]]
        words += county["places"]
    words += lexicon.PETITION_WORDS + lexicon.DEPARTMENT_WORDS
    for topic_words in lexicon.TOPIC_WORDS.values():
        words += list(topic_words)
    return words


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                # The process-wide tokenizer: a second dictionary would cost ~70 MB.
                tk = jieba.dt
                tk.initialize()
                for word in user_words():
                    # A high frequency makes jieba prefer the whole word.
                    tk.add_word(word, freq=max(tk.suggest_freq(word), 2000))
                _tokenizer = tk
    return _tokenizer


def tokens(text: str) -> list[str]:
    """Words of a text, without whitespace and punctuation tokens."""
    return [w for w in tokenizer().lcut(normalize(text)) if w.strip() and not _PUNCT_ONLY.match(w)]


def is_common_word(word: str, min_freq: int = 20) -> bool:
    """True when jieba's general dictionary knows the word as a frequent word."""
    return tokenizer().FREQ.get(word, 0) >= min_freq
