"""The shipped examples cover every label, and the rules agree with them."""
from collections import Counter

from xinfang.nlp import build, classify, resources

CATEGORIES = {"城乡建设", "国土资源", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游",
              "卫生计生", "农村农业", "水电移民", "民政", "政法", "纪检监察", "金融", "其他"}


def test_every_label_is_represented():
    rows = build.training_rows()
    assert len(rows) >= 600
    per_category = Counter(r["category"] for r in rows)
    assert set(per_category) == CATEGORIES and min(per_category.values()) >= 39
    assert {r["path"] for r in rows} == {"petition", "litigation", "arbitration", "reconsideration", "discipline"}
    assert {r["demand_type"] for r in rows} == {"求决", "建议意见", "检举控告", "申诉", "咨询"}
    assert {r["county"] for r in rows} - {None} == {c["name"] for c in resources.counties()}
    for flag in ("collective", "urgent", "tibetan"):
        assert sum(r[flag] for r in rows) >= 15


def test_shipped_model_is_small_and_knows_every_category():
    assert sum(path.stat().st_size for path in resources.MODEL_DIR.iterdir()) < 5_000_000
    assert classify("路灯坏了").category in CATEGORIES


def test_rules_agree_with_the_examples():
    rows = build.training_rows()
    results = [classify(r["text"]) for r in rows]
    path_agreement = sum(c.path == r["path"] for c, r in zip(results, rows)) / len(rows)
    urgent_missed = [r["text"] for c, r in zip(results, rows) if r["urgent"] and not c.urgent]
    assert path_agreement >= 0.95
    assert urgent_missed == []
