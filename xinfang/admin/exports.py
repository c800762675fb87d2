"""Exports: tables as CSV and Excel, case lists without identities, label corrections for retraining.

No export carries a petitioner's identity or contact: a list names a writer
by a masked name at most, and a 检举控告 writer not at all (Art. 30).
"""
from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Case, LabelCorrection
from ..nlp.personal import mask

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
CASE_COLUMNS = (
    ("查询码", "tracking_code"), ("状态", "status_name"), ("分类", "category"), ("途径", "path"),
    ("诉求类型", "demand_type"), ("县（市）", "county"), ("承办单位", "department_name"), ("渠道", "channel"),
    ("信访人", "petitioner"), ("登记时间", "received_at"), ("期限", "due_date"), ("剩余天数", "days_left"),
)


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on a government PC opens the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula from a citizen's words
    return value


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One sheet per (title, headers, rows); rates (floats below 1) formatted as percentages."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for row in rows:
            sheet.append([_cell(v) for v in row])
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, float) and 0 <= cell.value <= 1:
                    cell.number_format = "0.0%"
        for i, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(header)) * 2 + 4))
        sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def case_rows(summaries: list[dict], cal) -> tuple[list[str], list[list]]:
    """A case list as a table: the summaries the list shows (masked names, none for 检举控告)."""
    rows = []
    for s in summaries:
        deadline = s["deadline"] or {}
        values = {**s, "received_at": s["received_at"].astimezone(cal.tz).strftime("%Y-%m-%d %H:%M"),
                  "due_date": deadline.get("due_date"), "days_left": deadline.get("days_left"),
                  "petitioner": None if s["flags"]["confidential"] else s["petitioner"]}
        rows.append([values.get(key) for _, key in CASE_COLUMNS])
    return [title for title, _ in CASE_COLUMNS], rows


def corrections_jsonl(session: Session) -> str:
    """Every corrected case, one JSON line with its text and the labels people settled on, for `xinfang nlp train`.

    Phone and ID numbers are masked: training data needs the words, not the person.
    """
    corrected = select(LabelCorrection.case_id).distinct()
    lines = []
    for case in session.scalars(select(Case).where(Case.id.in_(corrected)).order_by(Case.id)):
        lines.append(json.dumps({
            "id": case.tracking_code, "text": mask(case.text), "category": case.category, "path": case.path,
            "demand_type": case.demand_type, "county": case.county, "collective": case.collective,
            "urgent": case.urgent, "tibetan": case.tibetan,
        }, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")
