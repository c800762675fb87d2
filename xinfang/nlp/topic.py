"""The topic model: TF-IDF over jieba words and character n-grams, a linear SVM,
plus lexicon evidence (lexicon.py) weighted by cross-validation.

Works for any label set: the shipped model uses the categories of LABELS.md,
a deployment may retrain on its own history with its own labels.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from . import lexicon
from .segment import normalize, tokens

MODEL_FILE = "topic.joblib"
META_FILE = "meta.json"
C_GRID = (0.3, 1.0, 3.0, 10.0)
LEXICON_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
RANDOM_STATE = 0
_DIGITS = re.compile(r"\d+")


def word_ngrams(text: str) -> list[str]:
    """jieba words and word bigrams; digits folded so amounts and dates generalise."""
    words = tokens(_DIGITS.sub("0", text))
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def char_text(text: str) -> str:
    return _DIGITS.sub("0", normalize(text))


FEATURE_SETS = ("words+chars", "chars")


def make_features(kind: str = "words+chars") -> FeatureUnion:
    """jieba words and bigrams with character 1-4-grams, or the characters alone.

    Character n-grams seen in a single document are dropped: they are mostly
    names and numbers that do not recur.
    """
    blocks = [("chars", TfidfVectorizer(preprocessor=char_text, analyzer="char", ngram_range=(1, 4),
                                        sublinear_tf=True, min_df=2, max_features=400_000))]
    if kind == "words+chars":
        blocks.insert(0, ("words", TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, max_features=200_000)))
    return FeatureUnion(blocks)


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
class TopicModel:
    features: FeatureUnion
    classifier: LinearSVC
    lexicon_weight: float
    meta: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def scores(self, texts: list[str]) -> np.ndarray:
        margins = np.vstack([self._scorer().margins(t) for t in texts])
        if self.lexicon_weight:
            margins = margins + self.lexicon_weight * self._lexicon().matrix(texts)
        return margins

    def predict(self, text: str) -> tuple[str, float, list[str]]:
        """Label, a confidence in 0..1, and the lexicon words that supported it."""
        scores = self.scores([text])[0]
        best = int(np.argmax(scores))
        probs = np.exp(3 * (scores - scores.max()))
        label = self.labels[best]
        evidence = [w for w in self._lexicon().found(text) if self._lexicon().words[w][0] == best]
        return label, float(probs[best] / probs.sum()), list(dict.fromkeys(evidence))

    def _scorer(self) -> "FastScorer":
        if not hasattr(self, "_scorer_cache"):
            self._scorer_cache = FastScorer(self.features, self.classifier)
        return self._scorer_cache

    def _lexicon(self) -> LexiconEvidence:
        if not hasattr(self, "_lexicon_cache"):
            self._lexicon_cache = LexiconEvidence(self.labels)
        return self._lexicon_cache

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.__dict__.pop("_lexicon_cache", None)
        self.__dict__.pop("_scorer_cache", None)
        joblib.dump(self, directory / MODEL_FILE, compress=3)
        (directory / META_FILE).write_text(json.dumps(self.meta, ensure_ascii=False, indent=1), encoding="utf-8")


class FastScorer:
    """The fitted TF-IDF union and linear SVM as plain dictionaries and arrays.

    Gives the same margins as features.transform + decision_function, without
    scikit-learn's per-call input validation, which costs more than the
    arithmetic for one short petition.
    """

    def __init__(self, features: FeatureUnion, classifier: LinearSVC):
        self.blocks = []
        offset = 0
        for _, vec in features.transformer_list:
            self.blocks.append((vec.build_analyzer(), vec.vocabulary_, vec.idf_, offset, vec.sublinear_tf))
            offset += len(vec.vocabulary_)
        coef = classifier.coef_
        if coef.shape[0] == 1:  # two labels: one margin for the second
            coef = np.vstack([-coef, coef])
            intercept = np.array([-classifier.intercept_[0], classifier.intercept_[0]])
        else:
            intercept = classifier.intercept_
        self.weights = np.ascontiguousarray(coef.T, dtype=np.float64)
        self.intercept = intercept.astype(np.float64)

    def margins(self, text: str) -> np.ndarray:
        out = self.intercept.copy()
        for analyze, vocabulary, idf, offset, sublinear in self.blocks:
            counts: dict[int, int] = {}
            for gram in analyze(text):
                j = vocabulary.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(tf) if sublinear else tf) * idf[cols]
            values /= np.sqrt(values @ values)
            out += values @ self.weights[cols + offset]
        return out


def load(directory: str | Path) -> TopicModel:
    return joblib.load(Path(directory) / MODEL_FILE)


def _cv_folds(labels: list[str], max_folds: int = 5):
    smallest = min(np.unique(labels, return_counts=True)[1])
    folds = min(max_folds, smallest)
    return StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE) if folds >= 2 else None


def train(texts: list[str], labels: list[str], meta: dict | None = None) -> TopicModel:
    """Fit the model; features, C and the lexicon weight are chosen by cross-validated macro-F1.

    Classes are weighted by inverse frequency, since macro-F1 counts rare labels
    as much as common ones.
    """
    texts, labels = list(texts), [str(y) for y in labels]
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError("training needs at least two different labels")
    lex_all = LexiconEvidence(classes).matrix(texts)
    y = np.array(labels)
    grid = [(f, c, w) for f in FEATURE_SETS for c in C_GRID for w in LEXICON_WEIGHTS]
    results: dict[tuple, list[float]] = {g: [] for g in grid}
    folds = _cv_folds(labels)
    if folds is not None:
        for train_idx, test_idx in folds.split(texts, y):
            for kind in FEATURE_SETS:
                feats = make_features(kind)
                x_train = feats.fit_transform([texts[i] for i in train_idx])
                x_test = feats.transform([texts[i] for i in test_idx])
                for c in C_GRID:
                    clf = _classifier(c).fit(x_train, y[train_idx])
                    margins = clf.decision_function(x_test)
                    if margins.ndim == 1:
                        margins = np.column_stack([-margins, margins])
                    for w in LEXICON_WEIGHTS:
                        pred = clf.classes_[np.argmax(margins + w * lex_all[test_idx], axis=1)]
                        results[(kind, c, w)].append(f1_score(y[test_idx], pred, average="macro"))
        best = max(grid, key=lambda g: np.mean(results[g]))
        cv_f1 = float(np.mean(results[best]))
    else:
        best, cv_f1 = ("words+chars", 1.0, 0.5), None
    kind, best_c, best_w = best
    features = make_features(kind)
    clf = _classifier(best_c).fit(features.fit_transform(texts), y)
    info = dict(meta or {})
    info.update({"labels": classes, "examples": len(texts), "features": kind, "C": best_c,
                 "lexicon_weight": best_w, "cv_macro_f1": cv_f1})
    return TopicModel(features, clf, best_w, info)


def _classifier(c: float) -> LinearSVC:
    return LinearSVC(C=c, class_weight="balanced", random_state=RANDOM_STATE)
