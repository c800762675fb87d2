"""The topic model: TF-IDF over jieba words, character n-grams and the opening
characters, a linear SVM (plain, or over features scaled per label by naive
Bayes log-count ratios) or the average of two, plus lexicon evidence
(lexicon.py); train() chooses the pipeline by cross-validated macro-F1.

Works for any label set: the shipped model uses the categories of LABELS.md,
a deployment may retrain on its own history with its own labels.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.svm import LinearSVC

from .scoring import CHAR_BLOCKS, Block, LexiconEvidence, Scorer, word_ngrams

C_GRID = (0.1, 0.3, 1.0, 3.0)
OFFSET_STEPS = tuple(np.round(np.linspace(-0.3, 0.3, 13), 2))
LEXICON_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
RANDOM_STATE = 0


# The TF-IDF blocks a pipeline can use. Character and word n-grams seen in a
# single document are dropped (mostly names and numbers that do not recur),
# and so are those in more than half the documents.
BLOCKS = {
    "words": dict(analyzer=word_ngrams, sublinear_tf=True, min_df=2, max_df=0.5, max_features=200_000),
    "chars": dict(preprocessor=CHAR_BLOCKS["chars"][0], analyzer="char", ngram_range=CHAR_BLOCKS["chars"][1],
                  sublinear_tf=True, min_df=2, max_df=0.5, max_features=400_000),
    "subject": dict(preprocessor=CHAR_BLOCKS["subject"][0], analyzer="char",
                    ngram_range=CHAR_BLOCKS["subject"][1], sublinear_tf=True, max_features=100_000),
}
FEATURE_SETS = {
    "chars": ("chars",),
    "words+chars": ("words", "chars"),
    "words+chars+subject": ("words", "chars", "subject"),
}


# The kinds of member a pipeline is made of: a feature set and a learner.
# "svm" is a linear SVM on the TF-IDF features; "nb" scales them, label by
# label, by naive Bayes log-count ratios first (NBSVM, Wang & Manning 2012),
# which makes words that tell one label from the rest count more.
KINDS = {
    "chars": ("chars", "svm"),
    "words+chars": ("words+chars", "svm"),
    "words+chars+subject": ("words+chars+subject", "svm"),
    "nb words+chars+subject": ("words+chars+subject", "nb"),
}


def make_vectorizer(block: str) -> TfidfVectorizer:
    return TfidfVectorizer(**BLOCKS[block])


def make_features(kind: str = "words+chars") -> FeatureUnion:
    """The TfidfVectorizer of each block of a feature set, side by side."""
    return FeatureUnion([(b, make_vectorizer(b)) for b in FEATURE_SETS[kind]])


@dataclass
class TopicModel:
    """A trained model: the fitted scikit-learn parts, and the scorer made of them (scoring.py),
    which is what is saved and what classifies."""
    features: FeatureUnion
    classifier: "LinearEnsemble"
    lexicon_weight: float
    meta: dict = field(default_factory=dict)

    @cached_property
    def scorer(self) -> Scorer:
        return export_scorer(self.features, self.classifier, self.lexicon_weight, self.meta)

    @property
    def labels(self) -> list[str]:
        return self.scorer.labels

    def scores(self, texts: list[str]) -> np.ndarray:
        return self.scorer.scores(texts)

    def predict(self, text: str) -> tuple[str, float, list[str]]:
        return self.scorer.predict(text)

    def save(self, directory: str | Path) -> None:
        self.scorer.save(directory)


def export_scorer(features: FeatureUnion, classifier: "LinearEnsemble | LinearSVC", lexicon_weight: float = 0.0,
                  meta: dict | None = None) -> Scorer:
    """The fitted TF-IDF union and linear function as plain dictionaries and arrays: the same margins
    as features.transform + decision_function, without scikit-learn (nor its per-call input
    validation, which costs more than the arithmetic for one short petition)."""
    blocks, offset = [], 0
    for name, vec in features.transformer_list:
        blocks.append(Block(name, {term: int(j) for term, j in vec.vocabulary_.items()},
                            np.asarray(vec.idf_, dtype=np.float64), offset, bool(vec.sublinear_tf)))
        offset += len(vec.vocabulary_)
    coef, intercept = _full_coef(classifier)
    return Scorer([str(c) for c in classifier.classes_], blocks, coef.T, intercept, lexicon_weight, meta)


def _cv_folds(labels: list[str], max_folds: int = 5, seed: int = RANDOM_STATE):
    smallest = min(np.unique(labels, return_counts=True)[1])
    folds = min(max_folds, smallest)
    return StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed) if folds >= 2 else None


class LinearEnsemble:
    """The weighted average of linear SVMs, each over some blocks of the
    feature union, plus a per-label offset chosen by cross-validation.

    Still one linear function of the union's features: coef_ and intercept_
    hold it, and decision_function equals the members' weighted
    decision_function plus the offsets. Weights default to equal.
    """

    def __init__(self, members: list[tuple["LinearSVC | NBScaledSVM", tuple[int, ...]]], block_sizes: list[int],
                 offsets: np.ndarray | None = None, weights: list[float] | None = None):
        self.members = members
        self.block_sizes = list(block_sizes)
        self.classes_ = members[0][0].classes_
        self.offsets = np.zeros(len(self.classes_)) if offsets is None else np.asarray(offsets, dtype=np.float64)
        self.weights = [1 / len(members)] * len(members) if weights is None else [float(w) for w in weights]
        starts = np.concatenate([[0], np.cumsum(self.block_sizes)])
        coef = np.zeros((len(self.classes_), int(starts[-1])))
        intercept = self.offsets.copy()
        for (clf, blocks), weight in zip(members, self.weights):
            w, b = _full_coef(clf)
            col = 0
            for k in blocks:
                coef[:, starts[k]:starts[k + 1]] += weight * w[:, col:col + self.block_sizes[k]]
                col += self.block_sizes[k]
            intercept += weight * b
        self.coef_, self.intercept_ = coef, intercept

    def _columns(self, blocks: tuple[int, ...]) -> np.ndarray:
        starts = np.concatenate([[0], np.cumsum(self.block_sizes)])
        return np.concatenate([np.arange(starts[k], starts[k + 1]) for k in blocks])

    def decision_function(self, x) -> np.ndarray:
        x = sparse.csr_matrix(x)
        out = np.zeros((x.shape[0], len(self.classes_))) + self.offsets
        for (clf, blocks), weight in zip(self.members, self.weights):
            out += weight * _two_columns(clf.decision_function(x[:, self._columns(blocks)]))
        return out

    def predict(self, x) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(x), axis=1)]


def _two_columns(margins: np.ndarray) -> np.ndarray:
    """A binary SVM's single margin as a margin per label, like the multi-label case."""
    return np.column_stack([-margins, margins]) if margins.ndim == 1 else margins


class NBScaledSVM:
    """One-vs-rest linear SVMs, each over the features scaled by its label's
    naive Bayes log-count ratio r = log((p/|p|) / (q/|q|)), with p and q the
    smoothed counts of documents holding a feature in and outside the label.

    Each label's margin, w . (x * r) + b, is linear in x: coef_ holds w * r,
    so the model joins a LinearEnsemble and the fast scorer like any SVM.
    """

    def __init__(self, C: float = 1.0, alpha: float = 1.0, random_state: int = RANDOM_STATE):
        self.C, self.alpha, self.random_state = C, alpha, random_state

    def fit(self, x, y) -> "NBScaledSVM":
        x, y = sparse.csr_matrix(x, dtype=np.float64), np.asarray(y)
        self.classes_ = np.unique(y)
        present = x.copy()
        present.data[:] = 1.0
        coef = np.zeros((len(self.classes_), x.shape[1]))
        intercept = np.zeros(len(self.classes_))
        for j, label in enumerate(self.classes_):
            inside = y == label
            p = self.alpha + np.asarray(present[inside].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(present[~inside].sum(axis=0)).ravel()
            ratio = np.log(p / p.sum()) - np.log(q / q.sum())
            # Balanced weights: one label against all the others is lopsided.
            svm = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
            svm.fit(x @ sparse.diags(ratio), inside)
            coef[j] = svm.coef_.ravel() * ratio
            intercept[j] = svm.intercept_[0]
        self.coef_, self.intercept_ = coef, intercept
        return self

    def decision_function(self, x) -> np.ndarray:
        return np.asarray(sparse.csr_matrix(x) @ self.coef_.T) + self.intercept_


def _full_coef(clf: LinearSVC) -> tuple[np.ndarray, np.ndarray]:
    if clf.coef_.shape[0] == 1:
        return np.vstack([-clf.coef_, clf.coef_]), np.array([-clf.intercept_[0], clf.intercept_[0]])
    return clf.coef_, clf.intercept_


def _fold_tfidf(counts: sparse.csr_matrix, rows: np.ndarray, vec: TfidfVectorizer) -> sparse.csr_matrix:
    """What `vec` fitted on `rows` would give for every row, from the raw counts of all rows.

    Same vocabulary (min_df, max_df, max_features), idf and normalisation as
    TfidfVectorizer.fit on those rows, without analysing the texts again.
    """
    part = counts[rows]
    n = len(rows)
    df = np.bincount(part.indices, minlength=counts.shape[1])
    min_df = vec.min_df if isinstance(vec.min_df, int) else vec.min_df * n
    max_df = vec.max_df if isinstance(vec.max_df, int) else vec.max_df * n
    cols = np.flatnonzero((df >= max(min_df, 1)) & (df <= max_df))
    if vec.max_features is not None and len(cols) > vec.max_features:
        tfs = np.asarray(part[:, cols].sum(axis=0)).ravel()
        cols = np.sort(cols[(-tfs).argsort()[:vec.max_features]])
    x = counts[:, cols].astype(np.float64)
    if vec.sublinear_tf:
        np.log(x.data, x.data)
        x.data += 1.0
    x = x @ sparse.diags(np.log((1.0 + n) / (1.0 + df[cols])) + 1.0)
    return l2_normalize(x.tocsr())


def _macro_f1(y: np.ndarray, margins: np.ndarray, classes: np.ndarray) -> float:
    return f1_score(y, classes[np.argmax(margins, axis=1)], average="macro")


def _tune_offsets(margins: np.ndarray, y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Per-label offsets to the margins that raise macro-F1, label by label, twice over."""
    offsets = np.zeros(len(classes))
    for _ in range(2):
        for j in range(len(classes)):
            def score(step, j=j):
                trial = offsets.copy()
                trial[j] = step
                return (_macro_f1(y, margins + trial, classes), -abs(step))
            offsets[j] = max(OFFSET_STEPS, key=score)
    return offsets


def kinds_without(block: str) -> tuple[str, ...]:
    """The member kinds whose features do not use `block`."""
    return tuple(k for k, (feature_set, _) in KINDS.items() if block not in FEATURE_SETS[feature_set])


def train(texts: list[str], labels: list[str], meta: dict | None = None,
          kinds: tuple[str, ...] | None = None) -> TopicModel:
    """Fit the model; the pipeline is chosen by cross-validated macro-F1 on the given data.

    Candidates: a member of each kind (KINDS: feature set and learner) for
    each C, and the average of two members of different kinds; then the weight of the
    lexicon evidence; then per-label offsets to the margins, kept only when a
    cross-validation of the tuning itself (on the out-of-fold margins) says
    they help. Classes are weighted by inverse frequency, since macro-F1
    counts rare labels as much as common ones. Deterministic (fixed folds
    and seeds). `kinds` limits the candidates to some of KINDS (default: all),
    e.g. to keep a model that must be fast clear of word segmentation.
    """
    kinds = tuple(KINDS) if kinds is None else tuple(kinds)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise ValueError(f"unknown or no member kinds: {unknown}")
    texts, labels = list(texts), [str(y) for y in labels]
    classes = np.array(sorted(set(labels)))
    if len(classes) < 2:
        raise ValueError("training needs at least two different labels")
    y = np.array(labels)
    lex_all = LexiconEvidence(list(classes)).matrix(texts)
    folds = _cv_folds(labels)
    if folds is None:
        kind = "words+chars" if "words+chars" in kinds else kinds[0]
        c, w = 1.0, 0.5
        feature_set, learner = KINDS[kind]
        features = make_features(feature_set)
        clf = LinearEnsemble([(_learner(learner, c).fit(features.fit_transform(texts), y),
                               tuple(range(len(FEATURE_SETS[feature_set]))))], _sizes(features))
        info = dict(meta or {})
        info.update({"labels": list(classes), "examples": len(texts), "pipeline": [[kind, c]], "features": kind,
                     "C": c, "lexicon_weight": w, "offsets": False, "cv_macro_f1": None})
        return TopicModel(features, clf, w, info)

    # Out-of-fold margins of every single pipeline; each block's text analysis is done once.
    blocks = sorted({b for k in kinds for b in FEATURE_SETS[KINDS[k][0]]}, key=list(BLOCKS).index)
    counts = {b: CountVectorizer(analyzer=make_vectorizer(b).build_analyzer()).fit_transform(texts).tocsr()
              for b in blocks}
    splits = list(folds.split(texts, y))
    oof = {(kind, c): np.zeros((len(y), len(classes))) for kind in kinds for c in C_GRID}
    for train_idx, test_idx in splits:
        block_x = {b: _fold_tfidf(counts[b], train_idx, make_vectorizer(b)) for b in blocks}
        for kind in kinds:
            feature_set, learner = KINDS[kind]
            x = sparse.hstack([block_x[b] for b in FEATURE_SETS[feature_set]]).tocsr()
            for c in C_GRID:
                clf = _learner(learner, c).fit(x[train_idx], y[train_idx])
                oof[(kind, c)][test_idx] = _two_columns(clf.decision_function(x[test_idx]))
    del counts

    # Members of a pair count alike: each weighted by the inverse spread of its
    # margins, since a smaller C gives smaller margins for the same confidence.
    spread = {key: float(m.std()) for key, m in oof.items()}

    def weights(pipeline):
        inverse = np.array([1 / spread[key] for key in pipeline])
        return inverse / inverse.sum()

    def blend(pipeline):
        return sum(w * oof[key] for w, key in zip(weights(pipeline), pipeline))

    singles = [(key,) for key in oof]
    pairs = [(a, b) for i, a in enumerate(oof) for b in list(oof)[i + 1:] if a[0] != b[0]]
    scores = {}
    for pipeline in singles + pairs:
        margins = blend(pipeline)
        for w in LEXICON_WEIGHTS:
            scores[(pipeline, w)] = _macro_f1(y, margins + w * lex_all, classes)
    # Ties go to the simpler pipeline: a single model, the lower lexicon weight.
    order = {p: i for i, p in enumerate(singles + pairs)}
    (pipeline, best_w) = max(scores, key=lambda k: (round(scores[k], 10), -order[k[0]], -k[1]))
    cv_f1 = scores[(pipeline, best_w)]
    margins = blend(pipeline) + best_w * lex_all

    # Offsets: tuned on all out-of-fold margins, kept if tuning on part of them helps the rest.
    nested = np.empty(len(y), dtype=int)
    for part, rest in _cv_folds(labels, seed=RANDOM_STATE + 1).split(texts, y):
        nested[rest] = np.argmax(margins[rest] + _tune_offsets(margins[part], y[part], classes), axis=1)
    nested_f1 = f1_score(y, classes[nested], average="macro")
    use_offsets = nested_f1 > cv_f1
    offsets = _tune_offsets(margins, y, classes) if use_offsets else np.zeros(len(classes))

    # The chosen pipeline on all the data, as one feature union and one linear function.
    union_blocks = [b for b in BLOCKS if any(b in FEATURE_SETS[KINDS[kind][0]] for kind, _ in pipeline)]
    features = FeatureUnion([(b, make_vectorizer(b)) for b in union_blocks])
    x = features.fit_transform(texts).tocsr()
    sizes = _sizes(features)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    members = []
    for kind, c in pipeline:
        feature_set, learner = KINDS[kind]
        idx = tuple(union_blocks.index(b) for b in FEATURE_SETS[feature_set])
        cols = np.concatenate([np.arange(starts[k], starts[k + 1]) for k in idx])
        members.append((_learner(learner, c).fit(x[:, cols], y), idx))
    clf = LinearEnsemble(members, sizes, offsets, list(weights(pipeline)))
    info = dict(meta or {})
    info.update({"labels": list(classes), "examples": len(texts),
                 "pipeline": [[kind, c] for kind, c in pipeline],
                 "features": " | ".join(kind for kind, _ in pipeline),
                 "C": "+".join(str(c) for _, c in pipeline) if len(pipeline) > 1 else pipeline[0][1],
                 "weights": [round(float(w), 4) for w in weights(pipeline)],
                 "lexicon_weight": best_w, "offsets": use_offsets,
                 "cv_macro_f1": float(nested_f1 if use_offsets else cv_f1),
                 "cv_macro_f1_without_offsets": float(cv_f1),
                 "cv_single_models": {f"{k} C={c}": round(float(_macro_f1(y, m, classes)), 4)
                                      for (k, c), m in oof.items()}})
    return TopicModel(features, clf, best_w, info)


def _sizes(features: FeatureUnion) -> list[int]:
    return [len(vec.vocabulary_) for _, vec in features.transformer_list]


def _classifier(c: float) -> LinearSVC:
    return LinearSVC(C=c, class_weight="balanced", random_state=RANDOM_STATE)


def _learner(learner: str, c: float) -> "LinearSVC | NBScaledSVM":
    return NBScaledSVM(C=c) if learner == "nb" else _classifier(c)
