"""Load or refresh the reference data: counties and townships, departments, mailboxes.

The files live in xinfang/data/; a deployment loads its own copies with
`xinfang seed --directory DIR`. Loading is idempotent: rows are matched by code or slug and
updated in place, so a refresh never breaks the cases that point at them.
"""
from __future__ import annotations

import json
from pathlib import Path

from pypinyin import lazy_pinyin
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import County, Department, Mailbox, Township

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(directory: Path, name: str):
    return json.loads((directory / name).read_text(encoding="utf-8"))


def load_reference_data(session: Session, directory: Path | None = None) -> dict[str, int]:
    directory = Path(directory or DATA_DIR)
    counts = {"counties": 0, "townships": 0, "departments": 0, "mailboxes": 0}
    for position, item in enumerate(_read(directory, "counties.json")):
        county = session.scalar(select(County).where(County.code == item["code"])) or County(code=item["code"])
        county.name = item["name"]
        county.short_name = item.get("short") or item["name"][:-1]
        county.pinyin = item.get("pinyin") or "".join(lazy_pinyin(county.short_name))
        county.position = position
        session.add(county)
        session.flush()
        known = {t.name: t for t in county.townships}
        for town in item.get("townships", []):
            township = known.get(town["name"]) or Township(county=county, name=town["name"])
            township.pinyin = town.get("pinyin") or "".join(lazy_pinyin(town["name"]))
            session.add(township)
            counts["townships"] += 1
        counts["counties"] += 1
    for item in _read(directory, "departments.json"):
        dept = session.scalar(select(Department).where(Department.code == item["code"])) or Department(code=item["code"])
        dept.name, dept.categories, dept.duties = item["name"], item.get("categories", []), item.get("duties", "")
        session.add(dept)
        counts["departments"] += 1
    for item in _read(directory, "mailboxes.json"):
        box = session.scalar(select(Mailbox).where(Mailbox.slug == item["slug"])) or Mailbox(slug=item["slug"])
        box.name, box.reaches, box.handled_by = item["name"], item["reaches"], item["handled_by"]
        box.description = item.get("description", "")
        session.add(box)
        counts["mailboxes"] += 1
    session.commit()
    return counts
