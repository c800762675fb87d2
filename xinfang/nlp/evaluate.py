"""Measuring the classifier against labelled data, field by field."""
from __future__ import annotations

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from .classifier import classify, model

FIELDS = ("category", "channel", "path", "demand_type", "county", "collective", "urgent", "tibetan")
BOOLEAN_FIELDS = ("collective", "urgent", "tibetan")


def _value(v) -> str:
    if v is None or (isinstance(v, str) and v.strip().lower() in ("", "null", "none")):
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower()
    return str(v).strip()


def evaluate(rows: list[dict], model_dir: str | None = None, text_column: str | None = None) -> dict:
    """Per field: accuracy, macro-F1, per-label precision/recall/F1, confusion matrix."""
    meta = model(model_dir).meta
    text_column = text_column or meta.get("text_column", "text")
    gold_fields = {f: f for f in FIELDS if all(f in r for r in rows)}
    label_column = meta.get("label_column")
    if label_column and label_column != "category" and all(label_column in r for r in rows):
        gold_fields[f"category ({label_column})"] = label_column
    predictions = [classify(r[text_column], model_dir).to_dict() for r in rows]
    report = {}
    for name, column in gold_fields.items():
        field = name.split(" ")[0]
        gold = [_value(r[column]) for r in rows]
        pred = [_value(p[field]) for p in predictions]
        report[name] = field_report(gold, pred, positive="true" if field in BOOLEAN_FIELDS else None)
    return {"rows": len(rows), "fields": report}


def field_report(gold: list[str], pred: list[str], positive: str | None = None) -> dict:
    labels = sorted(set(gold) | set(pred))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    out = {
        "accuracy": accuracy_score(gold, pred),
        "macro_f1": f1_score(gold, pred, labels=sorted(set(gold)), average="macro", zero_division=0),
        "labels": {lab: {"precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
                   for i, lab in enumerate(labels)},
        "confusion": {"labels": labels, "matrix": confusion_matrix(gold, pred, labels=labels).tolist()},
    }
    if positive is not None:
        out["positive"] = out["labels"].get(positive, {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0})
    return out


def format_report(report: dict) -> str:
    lines = [f"rows: {report['rows']}"]
    for name, r in report["fields"].items():
        lines.append("")
        lines.append(f"== {name}: accuracy {r['accuracy']:.3f}  macro-F1 {r['macro_f1']:.3f}")
        if "positive" in r:
            pos = r["positive"]
            lines.append(f"   true: precision {pos['precision']:.3f}  recall {pos['recall']:.3f}  "
                         f"F1 {pos['f1']:.3f}  support {pos['support']}")
        lines.append(f"   {'label':<16}{'prec':>7}{'recall':>8}{'f1':>7}{'n':>6}")
        for label, m in r["labels"].items():
            lines.append(f"   {label:<16}{m['precision']:>7.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>6}")
        labels, matrix = r["confusion"]["labels"], r["confusion"]["matrix"]
        lines.append("   confusion (rows gold, columns predicted; columns in label order):")
        for i, label in enumerate(labels):
            lines.append(f"   {i:>2} {label:<16}" + " ".join(f"{n:>3}" for n in matrix[i]))
    return "\n".join(lines)
