"""Reading labelled data: CSV, TSV or JSON lines, chosen by extension or content."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

csv.field_size_limit(sys.maxsize)


def read_rows(path: str | Path) -> list[dict]:
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        content = fh.read()
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson") or content.lstrip().startswith("{"):
        return [json.loads(line) for line in content.splitlines() if line.strip()]
    delimiter = "\t" if suffix == ".tsv" or (suffix != ".csv" and "\t" in content.split("\n", 1)[0]) else ","
    return list(csv.DictReader(content.splitlines(keepends=True), delimiter=delimiter))


def column(rows: list[dict], name: str, path: str | Path) -> list:
    missing = [i for i, row in enumerate(rows) if name not in row]
    if missing:
        raise KeyError(f"{path}: column {name!r} missing in row {missing[0] + 1}")
    return [row[name] for row in rows]
