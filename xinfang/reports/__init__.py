"""The monthly 通报: the figures of cases.figures as an Excel workbook and a PDF, departments ranked.

`write_monthly(session, cal, month, directory)` writes both files (the CLI's
`xinfang report`); `monthly_file(session, cal, month, fmt)` renders one in
memory for the admin panel's download link.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from ..cases.deadlines import Calendar
from ..cases.figures import monthly_figures
from ..models import utcnow
from . import pdf, workbook

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook.write_workbook),
    "pdf": ("application/pdf", pdf.write_pdf),
}


@dataclass(frozen=True)
class ReportFiles:
    xlsx: Path
    pdf: Path


def last_month(cal: Calendar) -> str:
    """The month before today's, local time: what a report run early in a month is about."""
    first = cal.local_date(utcnow()).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def file_stem(month: str) -> str:
    return f"信访通报-{month}"


def write_monthly(session: Session, cal: Calendar, month: str, directory: Path) -> ReportFiles:
    figures = monthly_figures(session, cal, month)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt, (_, write) in FORMATS.items():
        paths[fmt] = directory / f"{file_stem(month)}.{fmt}"
        with paths[fmt].open("wb") as out:
            write(figures, out)
    return ReportFiles(**paths)


def monthly_file(session: Session, cal: Calendar, month: str, fmt: str) -> tuple[str, str, bytes]:
    """(file name, MIME type, content) of one month's 通报 in `fmt` ("xlsx" or "pdf")."""
    if fmt not in FORMATS:
        raise ValueError(f"report format should be one of {', '.join(FORMATS)}, got {fmt!r}")
    mimetype, write = FORMATS[fmt]
    out = io.BytesIO()
    write(monthly_figures(session, cal, month), out)
    return f"{file_stem(month)}.{fmt}", mimetype, out.getvalue()
