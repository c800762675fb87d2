"""python -m xinfang.nlp train|evaluate|classify|build-model ..."""
from __future__ import annotations

import argparse
import sys

from . import cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xinfang.nlp")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, configure, run in (
        ("train", cli.configure_train, cli.train_main),
        ("evaluate", cli.configure_evaluate, cli.evaluate_main),
        ("classify", cli.configure_classify, cli.classify_main),
    ):
        p = sub.add_parser(name)
        configure(p)
        p.set_defaults(run=run)
    p = sub.add_parser("build-model", help="rebuild the shipped model from training/*.jsonl")
    p.add_argument("--out", default=None)
    p.set_defaults(run=cli.build_model_main)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
