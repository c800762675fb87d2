"""The topic model's training pipeline: CV shortcuts equal scikit-learn, the fast scorer equals it too."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from xinfang.nlp import scoring, topic

_SUBJECTS = {
    "交通": ["公交车站取消", "道路坑洼不平", "红绿灯故障", "出租车拒载", "高速收费站拥堵"],
    "教育": ["学校乱收补课费", "幼儿园学位紧张", "老师体罚学生", "学区划分不合理", "校车安全隐患"],
    "环保": ["工厂排放废气", "河道污水直排", "夜间施工噪音", "垃圾焚烧臭味", "养猪场污染水源"],
}


def _corpus(n_per_label: int = 12) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for label, subjects in _SUBJECTS.items():
        for i in range(n_per_label):
            parts = rng.choice(subjects, size=3)
            texts.append(f"{parts[0]}问题反映尊敬的领导：我们小区附近{parts[1]}，{parts[2]}，已经{i + 1}个月了，请尽快处理。")
            labels.append(label)
    return texts, labels


def test_fold_tfidf_equals_a_vectorizer_fitted_on_the_fold():
    texts, _ = _corpus()
    rows = np.arange(0, len(texts), 2)
    for block in topic.BLOCKS:
        vec = topic.make_vectorizer(block)
        counts = CountVectorizer(analyzer=vec.build_analyzer()).fit_transform(texts).tocsr()
        fast = topic._fold_tfidf(counts, rows, vec)
        fitted = topic.make_vectorizer(block).fit([texts[i] for i in rows]).transform(texts)
        assert fast.shape == fitted.shape
        assert abs(fast - fitted).max() < 1e-12


def test_training_is_deterministic_and_the_fast_scorer_equals_sklearn():
    texts, labels = _corpus()
    a = topic.train(texts, labels)
    b = topic.train(texts, labels)
    assert a.meta["pipeline"] == b.meta["pipeline"] and a.meta["cv_macro_f1"] == b.meta["cv_macro_f1"]
    probe = texts[:5] + ["", "河道污水", "１２３路公交"]
    sk = a.classifier.decision_function(a.features.transform(probe))
    fast = np.vstack([a.scorer.margins(t) for t in probe])
    assert np.allclose(sk, fast, atol=1e-10)
    assert a.predict("化工厂排放废气污染河道")[0] == "环保"


def test_the_saved_scorer_scores_as_the_trained_model_and_needs_no_scikit_learn(tmp_path):
    texts, labels = _corpus()
    trained = topic.train(texts, labels, meta={"source": "test"})
    trained.save(tmp_path)
    probe = texts[:5] + ["", "河道污水  直排", "１２３路公交"]
    loaded = scoring.load(tmp_path)
    assert loaded.labels == trained.labels and loaded.meta["source"] == "test"
    assert np.array_equal(loaded.scores(probe), trained.scores(probe))
    assert [loaded.predict(t) for t in probe] == [trained.predict(t) for t in probe]
    # A process that only classifies (the web, a worker) never imports scikit-learn or SciPy.
    code = ("import sys; from xinfang.nlp import classify; classify('化工厂排放废气污染河道'); "
            "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def test_an_ensemble_is_one_linear_function():
    texts, labels = _corpus()
    y = np.array(labels)
    features = topic.FeatureUnion([(b, topic.make_vectorizer(b)) for b in ("words", "chars", "subject")])
    x = features.fit_transform(texts).tocsr()
    sizes = topic._sizes(features)
    chars = topic._classifier(1.0).fit(x[:, sizes[0]:sizes[0] + sizes[1]], y)
    everything = topic._classifier(0.3).fit(x, y)
    ens = topic.LinearEnsemble([(chars, (1,)), (everything, (0, 1, 2))], sizes, offsets=np.array([0.1, 0.0, -0.1]),
                               weights=[0.7, 0.3])
    expected = (0.7 * chars.decision_function(x[:, sizes[0]:sizes[0] + sizes[1]])
                + 0.3 * everything.decision_function(x))
    assert np.allclose(ens.decision_function(x), expected + [0.1, 0.0, -0.1])
    assert np.allclose(x @ ens.coef_.T + ens.intercept_, ens.decision_function(x))
    scorer = topic.export_scorer(features, ens)
    assert np.allclose(np.vstack([scorer.margins(t) for t in texts]), ens.decision_function(x))


def test_two_labels():
    texts, labels = _corpus()
    keep = [i for i, y in enumerate(labels) if y != "环保"]
    tm = topic.train([texts[i] for i in keep], [labels[i] for i in keep])
    x = tm.features.transform(texts[:3])
    assert tm.classifier.decision_function(x).shape == (3, 2)
    assert np.allclose(tm.scores(texts[:3]) - tm.lexicon_weight * tm.scorer.lexicon.matrix(texts[:3]),
                       tm.classifier.decision_function(x))


def test_nb_scaled_svm_is_a_linear_svm_over_features_scaled_by_log_count_ratios():
    texts, labels = _corpus()
    y = np.array(labels)
    features = topic.make_features("words+chars+subject")
    x = features.fit_transform(texts).tocsr()
    nb = topic.NBScaledSVM(C=1.0).fit(x, y)
    present = (x > 0).astype(float)
    inside = y == nb.classes_[0]
    p = 1 + np.asarray(present[inside].sum(axis=0)).ravel()
    q = 1 + np.asarray(present[~inside].sum(axis=0)).ravel()
    ratio = np.log(p / p.sum()) - np.log(q / q.sum())
    scaled = x.multiply(ratio).tocsr()
    svm = topic.LinearSVC(C=1.0, class_weight="balanced", random_state=topic.RANDOM_STATE).fit(scaled, inside)
    assert np.allclose(nb.decision_function(x)[:, 0], svm.decision_function(scaled))
    sizes = topic._sizes(features)
    ens = topic.LinearEnsemble([(nb, (0, 1, 2)), (topic._classifier(0.3).fit(x, y), (0, 1, 2))], sizes)
    scorer = topic.export_scorer(features, ens)
    assert np.allclose(np.vstack([scorer.margins(t) for t in texts]), ens.decision_function(x))


def test_kinds_limit_the_candidates():
    texts, labels = _corpus()
    fast = topic.kinds_without("words")
    assert fast and all("words" not in topic.FEATURE_SETS[topic.KINDS[k][0]] for k in fast)
    tm = topic.train(texts, labels, kinds=fast)
    assert {kind for kind, _ in tm.meta["pipeline"]} <= set(fast)
    assert [name for name, _ in tm.features.transformer_list] == ["chars"]
    try:
        topic.train(texts, labels, kinds=("no such kind",))
    except ValueError:
        pass
    else:
        raise AssertionError("an unknown kind must be refused")
