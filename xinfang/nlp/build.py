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
    # The shipped model scores every petition as it arrives, within a few times
    # the cost of segmenting it with jieba; the word block would add a whole
    # segmentation of the text, so this model is chosen among the members
    # over character n-grams only.
    tm = topic.train([r["text"] for r in rows], [r["category"] for r in rows],
                     meta={"text_column": "text", "label_column": "category",
                           "source": "xinfang/nlp/training/*.jsonl"},
                     kinds=topic.kinds_without("words"))
    tm.save(out)
    return tm
