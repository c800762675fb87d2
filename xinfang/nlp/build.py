"""Reproducible build of the shipped topic model from training/*.jsonl."""
from __future__ import annotations

from pathlib import Path

from . import dataio, resources, topic


def training_rows() -> list[dict]:
    rows = []
    for path in sorted(resources.TRAINING_DIR.glob("*.jsonl")):
        rows += dataio.read_rows(path)
    return rows


def build_model(out: str | Path = resources.MODEL_DIR) -> topic.TopicModel:
    rows = training_rows()
    tm = topic.train([r["text"] for r in rows], [r["category"] for r in rows],
                     meta={"text_column": "text", "label_column": "category",
                           "source": "xinfang/nlp/training/*.jsonl"})
    tm.save(out)
    return tm
