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


_departments: tuple[float, list[dict]] = (0.0, [])


def departments() -> list[dict]:
    """Department reference data, re-read only when the file changes."""
    global _departments
    path = DATA_DIR / "departments.json"
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return []
    if mtime != _departments[0]:
        with open(path, encoding="utf-8") as fh:
            _departments = (mtime, json.load(fh))
    return _departments[1]
