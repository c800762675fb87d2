"""The trained topic model as it runs: plain dictionaries and arrays, no scikit-learn.

Training (topic.py) fits TF-IDF blocks and linear SVMs with scikit-learn;
what scoring a petition needs of them is each block's vocabulary and idf and
one linear function, which `Scorer` holds and `save` writes beside meta.json.
A process that only classifies (the web, a worker) loads that and never
imports scikit-learn: the import alone cost more than the rest of its start.

The text analysis here is the one the blocks are fitted with (topic.BLOCKS
takes its preprocessors and n-gram ranges from CHAR_BLOCKS), so the margins
equal scikit-learn's transform and decision_function.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import lexicon
from .segment import normalize, tokens

SCORER_FILE = "scorer.json"
WEIGHTS_FILE = "weights.npy"
META_FILE = "meta.json"
_DIGITS = re.compile(r"\d+")
_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's char analyzer folds them
SUBJECT_CHARS = 40


def word_ngrams(text: str) -> list[str]:
    """jieba words and word bigrams; digits folded so amounts and dates generalise."""
    words = tokens(_DIGITS.sub("0", text))
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def char_text(text: str) -> str:
    return _DIGITS.sub("0", normalize(text))


def subject_text(text: str) -> str:
    """The opening of a message, where a subject line or the gist usually is."""
    return char_text(text)[:SUBJECT_CHARS]


# The character blocks: (preprocessor, n-gram range).
CHAR_BLOCKS = {"chars": (char_text, (1, 4)), "subject": (subject_text, (1, 3))}


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams, low to high, as scikit-learn's analyzer="char" makes them."""
    text = _WHITE_SPACES.sub(" ", text)
    grams = list(text) if low == 1 else []
    for n in range(max(low, 2), min(high, len(text)) + 1):
        grams += [text[i:i + n] for i in range(len(text) - n + 1)]
    return grams


def analyze(block: str, text: str) -> list[str]:
    """The terms of a text in one TF-IDF block (topic.BLOCKS)."""
    if block == "words":
        return word_ngrams(text)
    preprocess, (low, high) = CHAR_BLOCKS[block]
    return char_ngrams(preprocess(text), low, high)


class LexiconEvidence:
    """Per-label evidence: log(1 + summed weights of the label's words in the text)."""

    def __init__(self, labels: list[str]):
        self.labels = labels
        self.words: dict[str, tuple[int, int]] = {}
        for j, label in enumerate(labels):
            for word, weight in lexicon.TOPIC_WORDS.get(label, {}).items():
                self.words.setdefault(word, (j, weight))
        names = sorted(self.words, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, names))) if names else None

    def matrix(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.labels)))
        for i, text in enumerate(texts):
            for word in self.found(text):
                j, weight = self.words[word]
                out[i, j] += weight
        return np.log1p(out)

    def found(self, text: str) -> list[str]:
        return [m.group() for m in self.pattern.finditer(text)] if self.pattern else []


@dataclass
class Block:
    """One TF-IDF block: its terms' columns (offset by the blocks before it) and idf."""
    name: str
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int
    sublinear: bool


class Scorer:
    """The topic model's margins, label and confidence for a text."""

    def __init__(self, labels: list[str], blocks: list[Block], weights: np.ndarray, intercept: np.ndarray,
                 lexicon_weight: float, meta: dict | None = None):
        self.labels = list(labels)
        self.blocks = blocks
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)  # features × labels
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.lexicon_weight = float(lexicon_weight)
        self.meta = dict(meta or {})
        self.lexicon = LexiconEvidence(self.labels)

    def margins(self, text: str) -> np.ndarray:
        """The linear function's margin per label (without the lexicon evidence)."""
        out = self.intercept.copy()
        for block in self.blocks:
            counts: dict[int, int] = {}
            for gram in analyze(block.name, text):
                j = block.vocabulary.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(tf) if block.sublinear else tf) * block.idf[cols]
            values /= np.sqrt(values @ values)
            out += values @ self.weights[cols + block.offset]
        return out

    def scores(self, texts: list[str]) -> np.ndarray:
        margins = np.vstack([self.margins(t) for t in texts])
        if self.lexicon_weight:
            margins = margins + self.lexicon_weight * self.lexicon.matrix(texts)
        return margins

    def predict(self, text: str) -> tuple[str, float, list[str]]:
        """Label, a confidence in 0..1, and the lexicon words that supported it."""
        scores = self.scores([text])[0]
        best = int(np.argmax(scores))
        probs = np.exp(3 * (scores - scores.max()))
        evidence = [w for w in self.lexicon.found(text) if self.lexicon.words[w][0] == best]
        return self.labels[best], float(probs[best] / probs.sum()), list(dict.fromkeys(evidence))

    def save(self, directory: str | Path) -> None:
        """Write the scorer: its terms, idf and labels as JSON, its weights as one array (both byte
        for byte the same for the same model, so a rebuild changes no file), and meta.json."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / WEIGHTS_FILE, self.weights, allow_pickle=False)
        spec = {"labels": self.labels, "lexicon_weight": self.lexicon_weight, "intercept": self.intercept.tolist(),
                "blocks": [{"name": b.name, "sublinear": b.sublinear, "offset": b.offset, "idf": b.idf.tolist(),
                            "terms": sorted(b.vocabulary, key=b.vocabulary.get)} for b in self.blocks]}
        (directory / SCORER_FILE).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        (directory / META_FILE).write_text(json.dumps(self.meta, ensure_ascii=False, indent=1), encoding="utf-8")


def load(directory: str | Path) -> Scorer:
    directory = Path(directory)
    spec = json.loads((directory / SCORER_FILE).read_text(encoding="utf-8"))
    meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    blocks = [Block(b["name"], {term: j for j, term in enumerate(b["terms"])}, np.array(b["idf"], dtype=np.float64),
                    b["offset"], b["sublinear"]) for b in spec["blocks"]]
    return Scorer(spec["labels"], blocks, np.load(directory / WEIGHTS_FILE, allow_pickle=False),
                  np.array(spec["intercept"], dtype=np.float64), spec["lexicon_weight"], meta)
