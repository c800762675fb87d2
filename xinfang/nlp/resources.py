"""Locations of the reference data and the shipped model inside the package."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR.parent / "data"
MODEL_DIR = PACKAGE_DIR / "model"
TRAINING_DIR = PACKAGE_DIR / "training"


@lru_cache(maxsize=None)
def counties() -> list[dict]:
    """The 18 counties in the order of LABELS.md, with townships and places."""
    with open(DATA_DIR / "counties.json", encoding="utf-8") as fh:
        return json.load(fh)


def departments() -> list[dict]:
    """Department reference data; empty until the lead engineer ships it.

    Not cached: the file may appear while a long-lived process runs.
    """
    path = DATA_DIR / "departments.json"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
