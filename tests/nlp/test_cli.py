"""The command-line contracts: train/evaluate on any label set, classify JSON lines."""
import csv
import json
import subprocess
import sys

import pytest

from xinfang.nlp import classify

FIELDS = {"id", "category", "channel", "path", "demand_type", "county", "collective", "urgent",
          "tibetan", "department", "township", "confidence", "reasons"}

FRUIT = ["苹果又红又甜", "这个苹果很脆", "苹果园丰收了", "买了一箱苹果", "苹果削皮吃", "青苹果有点酸"]
TEA = ["酥油茶很香", "喝一碗酥油茶", "早上打酥油茶", "酥油茶配糌粑", "酥油茶要趁热喝", "阿妈做的酥油茶"]


def run(*args, stdin=None):
    """`xinfang nlp train|evaluate …` and `xinfang classify …`, as a user types them."""
    command = list(args) if args[0] == "classify" else ["nlp", *args]
    return subprocess.run([sys.executable, "-m", "xinfang", *command], input=stdin,
                          capture_output=True, text=True, timeout=300, check=True).stdout


@pytest.fixture
def fruit_csv(tmp_path):
    path = tmp_path / "train.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["message", "kind"])
        for t in FRUIT:
            w.writerow([t, "fruit"])
        for t in TEA:
            w.writerow([t, "tea"])
    return path


def test_train_evaluate_classify_with_own_labels(tmp_path, fruit_csv):
    model = tmp_path / "model"
    run("train", "--data", str(fruit_csv), "--text-column", "message", "--label-column", "kind", "--out", str(model))
    test = tmp_path / "test.jsonl"
    test.write_text("\n".join(json.dumps({"message": t, "kind": k}, ensure_ascii=False)
                              for t, k in [("苹果好吃", "fruit"), ("想喝酥油茶", "tea")]), encoding="utf-8")
    report = run("evaluate", "--data", str(test), "--model", str(model))
    assert "category (kind): accuracy 1.000" in report
    out = run("classify", "--model", str(model), stdin='{"id": "a", "text": "一筐苹果"}\n')
    assert json.loads(out)["category"] == "fruit"


def test_train_reads_tsv(tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text("text\tlabel\n" + "".join(f"{t}\tfruit\n" for t in FRUIT)
                    + "".join(f"{t}\ttea\n" for t in TEA), encoding="utf-8")
    run("train", "--data", str(path), "--text-column", "text", "--label-column", "label", "--out", str(tmp_path / "m"))
    assert classify("苹果", str(tmp_path / "m")).category == "fruit"


def test_evaluate_reports_every_labels_field(tmp_path):
    row = {"id": "x", "text": "康定市新都桥镇工地包工头拖欠我们12名工人工资", "category": "劳动和社会保障",
           "channel": "administrative", "path": "petition", "demand_type": "求决", "county": "康定市",
           "collective": True, "urgent": False, "tibetan": False}
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    report = run("evaluate", "--data", str(path))
    for field in ("category", "channel", "path", "demand_type", "county", "collective", "urgent", "tibetan"):
        assert f"== {field}: accuracy 1.000" in report


def test_classify_io_contract(tmp_path):
    lines = [{"id": "1", "text": "公司把我辞退了不给补偿"}, {"id": 2, "text": "理唐县的路灯坏了"},
             {"id": "3", "text": "སློབ་གྲྭ། 学校老师乱收补课费"}]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    out = [json.loads(line) for line in run("classify", str(path)).splitlines()]
    assert [o["id"] for o in out] == ["1", 2, "3"]
    assert all(set(o) == FIELDS for o in out)
    assert out[0]["path"] == "arbitration" and out[0]["channel"] == "litigation"
    assert out[1]["county"] == "理塘县"
    assert out[2]["tibetan"] is True and out[2]["category"] == "教育文体"
    assert all(isinstance(o["reasons"], list) and o["reasons"] for o in out)


def test_classify_keeps_one_line_per_input_on_bad_lines():
    out = run("classify", stdin='{"id": "ok", "text": "路灯坏了"}\nnot json\n{"id": "no-text"}\n').splitlines()
    assert len(out) == 3
    assert "error" in json.loads(out[1]) and json.loads(out[2])["id"] == "no-text"


def test_discipline_cases_are_纪检监察_and_go_to_jw():
    c = classify("实名举报某乡党委书记收受工程老板的好处费")
    assert (c.category, c.path, c.demand_type, c.department) == ("纪检监察", "discipline", "检举控告", "jw")


def test_train_chooses_by_cross_validation_and_evaluate_prints_macro_f1(tmp_path):
    # Two kinds of complaint whose words overlap; the chosen setting and its
    # cross-validated score are printed, and a held-out file is scored.
    roads = ["公路塌方没人修", "村道坑洼不平车辆难行", "公交车改线后没有站点", "高速路口长期拥堵",
             "桥梁护栏损坏很危险", "乡村公路硬化迟迟不动工", "客运班车票价上涨", "出租车拒载还绕路"]
    schools = ["学校乱收补课费", "幼儿园学位不够", "老师体罚学生", "校车超载很危险",
               "学区划分不合理", "学校食堂饭菜变质", "中学违规招生", "培训机构收费不退"]
    path = tmp_path / "train.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        for i in range(3):
            w.writerows([[f"{t}，请领导重视{i}", "交通"] for t in roads])
            w.writerows([[f"{t}，请领导重视{i}", "教育"] for t in schools])
    model = tmp_path / "model"
    out = run("train", "--data", str(path), "--text-column", "text", "--label-column", "label", "--out", str(model))
    cv = float(out.split("cv_macro_f1=")[1].split(";")[0])
    assert 0.5 < cv <= 1.0
    assert "C=" in out and "features=" in out
    test = tmp_path / "test.csv"
    test.write_text("text,label\n公路塌方堵了三天,交通\n学校乱收费,教育\n", encoding="utf-8")
    report = run("evaluate", "--data", str(test), "--model", str(model))
    assert "== category (label): accuracy 1.000  macro-F1 1.000" in report
