"""Benchmark of xinfang.nlp.classify against bare jieba segmentation.

Builds a few thousand petitions from the training texts (shuffled clauses of
two texts joined, so no text repeats), then prints petitions per second on
one core, the cost ratio to bare `jieba.lcut` of the same texts, and peak RSS.

    python bench/bench_classify.py [--n 3000]
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jieba  # noqa: E402

from xinfang.nlp import build, classify, warm_up  # noqa: E402


def petitions(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    texts = [r["text"] for r in build.training_rows()]
    out = []
    for _ in range(n):
        clauses = [c for t in rng.sample(texts, 2) for c in t.split("，") if c]
        rng.shuffle(clauses)
        out.append("，".join(clauses))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    texts = petitions(args.n)
    jieba.initialize()
    warm_up()

    start = time.process_time()
    for t in texts:
        jieba.lcut(t)
    seg = time.process_time() - start

    start = time.process_time()
    for t in texts:
        classify(t)
    cls = time.process_time() - start

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chars = sum(map(len, texts)) / len(texts)
    print(f"petitions: {len(texts)} (mean {chars:.0f} characters)")
    print(f"classify: {len(texts) / cls:.0f} petitions/s per core ({1000 * cls / len(texts):.2f} ms each)")
    print(f"jieba.lcut: {len(texts) / seg:.0f} petitions/s per core ({1000 * seg / len(texts):.2f} ms each)")
    print(f"ratio classify / bare segmentation: {cls / seg:.2f}x")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
