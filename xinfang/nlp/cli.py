"""Command-line entry points, plain functions over an argparse Namespace.

`xinfang nlp train|evaluate|build-model` and `xinfang classify`
share them; configure_* add the flags to a parser. Each command imports
what it runs: every `xinfang` start (a worker's, the web's) builds this
parser, and scikit-learn alone takes a second to import.
"""
from __future__ import annotations

import argparse
import json
import sys


def configure_train(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, help="CSV, TSV or JSON lines with a text and a label column")
    p.add_argument("--text-column", default="text")
    p.add_argument("--label-column", default="category")
    p.add_argument("--out", required=True, help="directory for the model")


def configure_evaluate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True)
    p.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    p.add_argument("--text-column", default=None)
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def configure_classify(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=None)
    p.add_argument("file", nargs="?", default=None, help="JSON lines {id, text}; stdin when absent")


def train_main(args: argparse.Namespace) -> int:
    from . import dataio, topic

    rows = dataio.read_rows(args.data)
    texts = [str(t) for t in dataio.column(rows, args.text_column, args.data)]
    labels = [str(y) for y in dataio.column(rows, args.label_column, args.data)]
    tm = topic.train(texts, labels, meta={"text_column": args.text_column, "label_column": args.label_column})
    tm.save(args.out)
    print(f"trained on {len(texts)} rows, {len(tm.labels)} labels; chosen by cross-validation: "
          f"features={tm.meta['features']} C={tm.meta['C']} lexicon_weight={tm.meta['lexicon_weight']} "
          f"offsets={tm.meta['offsets']} cv_macro_f1={tm.meta['cv_macro_f1']}; saved to {args.out}")
    return 0


def evaluate_main(args: argparse.Namespace) -> int:
    from . import dataio
    from .evaluate import evaluate, format_report

    report = evaluate(dataio.read_rows(args.data), args.model, getattr(args, "text_column", None))
    print(json.dumps(report, ensure_ascii=False, indent=1) if getattr(args, "json", False) else format_report(report))
    return 0


def classify_main(args: argparse.Namespace) -> int:
    from .classifier import classify

    source = open(args.file, encoding="utf-8") if args.file else sys.stdin
    try:
        for line in source:
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                labels = classify(str(item["text"]), args.model).to_dict()
                del labels["path_rule"]  # internal (which window a route carries), not the contract's
                result = {"id": item.get("id"), **labels}
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                # One line out per line in, so the caller's order survives a bad line.
                result = {"id": item.get("id") if isinstance(item, dict) else None, "error": f"bad input: {exc}"}
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    finally:
        if args.file:
            source.close()
    return 0


def build_model_main(args: argparse.Namespace) -> int:
    from . import build

    tm = build.build_model(args.out) if args.out else build.build_model()
    print(f"built topic model: {tm.meta['examples']} examples, C={tm.meta['C']}, "
          f"lexicon_weight={tm.meta['lexicon_weight']}, cv_macro_f1={tm.meta['cv_macro_f1']:.3f}")
    return 0
