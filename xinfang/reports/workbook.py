"""The 通报 as an Excel workbook: one sheet per dimension, a chart of the departments' 满意率."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..cases.figures import DIMENSIONS, MonthFigures
from .labels import COLUMNS, DEFINITIONS, DIMENSION_TITLES, rows, summary, title

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
PERCENT = "0.0%"


def write_workbook(figures: MonthFigures, out) -> None:
    book = Workbook()
    overview = book.active
    overview.title = "概况"
    overview["A1"] = title(figures)
    overview["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(summary(figures) + [""] + list(DEFINITIONS), start=3):
        overview.cell(row=i, column=1, value=line)
    overview.column_dimensions["A"].width = 120

    for dimension in DIMENSIONS:
        sheet = book.create_sheet(DIMENSION_TITLES[dimension])
        _table(sheet, figures, dimension)
    _satisfaction_chart(book[DIMENSION_TITLES["department"]])
    book.save(out)


def _table(sheet, figures: MonthFigures, dimension: str) -> None:
    ranked = dimension == "department"
    headers = (["排名"] if ranked else []) + [DIMENSION_TITLES[dimension]] + [t for t, _ in COLUMNS]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for rank, (name, counts) in enumerate(rows(figures, dimension), start=1):
        # Rates stay numbers (formatted as %), so the sheet can be sorted and charted; a missing rate stays empty.
        sheet.append(([rank] if ranked else []) + [name] + [value(counts) for _, value in COLUMNS])
    first_rate = len(headers) - len(COLUMNS) + 4
    for row in sheet.iter_rows(min_row=2, min_col=first_rate, max_col=len(headers)):
        for cell in row:
            cell.number_format = PERCENT
    sheet.freeze_panes = "B2" if not ranked else "C2"
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = 26 if header == headers[int(ranked)] else 12


def _satisfaction_chart(sheet) -> None:
    count = sheet.max_row - 1
    if count < 1:
        return
    headers = [c.value for c in sheet[1]]
    chart = BarChart()
    chart.type = "bar"
    chart.title = "各单位满意率"
    chart.y_axis.number_format = PERCENT
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    for name in ("满意率（满意）", "满意率（含基本满意）"):
        column = headers.index(name) + 1
        chart.add_data(Reference(sheet, min_col=column, min_row=1, max_row=count + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=count + 1))
    chart.height, chart.width = max(7.5, 0.6 * count + 3), 18
    sheet.add_chart(chart, f"A{count + 4}")
