"""The 通报 as a PDF (reportlab): summary, the departments ranked with a chart, counties, categories.

Chinese text uses reportlab's built-in CID font STSong-Light, so no font file
has to be shipped or downloaded; the reader's PDF viewer supplies the glyphs.
"""
from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from ..cases.figures import MonthFigures
from .labels import COLUMNS, DEFINITIONS, DIMENSION_TITLES, cell, rows, summary, title

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE = landscape(A4)
MARGIN = 14 * mm
CHART_MAX_HEIGHT = PAGE[1] - 2 * MARGIN - 20 * mm
STRICT, BROAD = colors.HexColor("#2F5D8A"), colors.HexColor("#9DB8D6")
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=17, leading=24, alignment=1, spaceAfter=4 * mm)
HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=12.5, leading=18, spaceBefore=4 * mm, spaceAfter=2 * mm)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444"))
HEAD_CELL = ParagraphStyle("head", fontName=FONT, fontSize=8, leading=10, alignment=1, wordWrap="CJK")


def write_pdf(figures: MonthFigures, out) -> None:
    doc = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title(figures), author="信访通")
    story = [Paragraph(title(figures), TITLE)]
    story += [Paragraph(line, BODY) for line in summary(figures)]
    chart = _satisfaction_chart(figures)
    for heading, flowable in (("一、承办单位排名", _table(figures, "department")),
                              ("各单位满意率", chart),
                              ("二、各县（市）情况", _table(figures, "county")),
                              ("三、各类问题情况", _table(figures, "category"))):
        # A heading never ends a page: tables need room for a few rows, the chart for all of it.
        room = getattr(flowable, "height", 0) if flowable is chart else 0
        story += [CondPageBreak(room + 30 * mm), Paragraph(heading, HEADING), flowable]
    story += [CondPageBreak(25 * mm), Paragraph("说明", HEADING)]
    story += [Paragraph(line, SMALL) for line in DEFINITIONS]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)


def _table(figures: MonthFigures, dimension: str) -> Table:
    ranked = dimension == "department"
    headers = (["排名"] if ranked else []) + [DIMENSION_TITLES[dimension]] + [t for t, _ in COLUMNS]
    body = [([str(rank)] if ranked else []) + [name] + [cell(value(counts)) for _, value in COLUMNS]
            for rank, (name, counts) in enumerate(rows(figures, dimension), start=1)]
    if not body:
        body = [["本月无数据"] + [""] * (len(headers) - 1)]
    name_width = 58 * mm
    rank_width = 10 * mm if ranked else 0
    rest = (PAGE[0] - 2 * MARGIN - name_width - rank_width) / len(COLUMNS)
    widths = ([rank_width] if ranked else []) + [name_width] + [rest] * len(COLUMNS)
    table = Table([[Paragraph(h, HEAD_CELL) for h in headers]] + body, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE6F0")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8A9BB0")),
        ("ALIGN", (0, 1), (-1, -1), "CENTER"),
        ("ALIGN", (int(ranked), 1), (int(ranked), -1), "LEFT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F5F7FA")]),
    ]))
    return table


def _satisfaction_chart(figures: MonthFigures):
    evaluated = [(name, c) for _, name, c in figures.department_ranking() if c.answered]
    if not evaluated:
        return Paragraph("本月无评价数据。", BODY)
    evaluated.reverse()  # a horizontal chart draws its first category at the bottom
    # Every department on one page: the bands narrow as their number grows.
    bar_band = min(9 * mm, (CHART_MAX_HEIGHT - 22 * mm) / len(evaluated))
    height = bar_band * len(evaluated) + 22 * mm
    drawing = Drawing(PAGE[0] - 2 * MARGIN, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 60 * mm, 14 * mm
    chart.width, chart.height = PAGE[0] - 2 * MARGIN - 95 * mm, bar_band * len(evaluated)
    chart.data = [[c.satisfaction_rate * 100 for _, c in evaluated],
                  [c.satisfaction_rate_broad * 100 for _, c in evaluated]]
    chart.bars[0].fillColor, chart.bars[1].fillColor = STRICT, BROAD
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.labels.fontName = FONT
    chart.categoryAxis.categoryNames = [name for name, _ in evaluated]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = min(8, bar_band * 0.7)
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = min(7, bar_band * 0.4)
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 6 * mm, chart.y + chart.height
    legend.fontName, legend.fontSize = FONT, 8
    legend.colorNamePairs = [(STRICT, "满意"), (BROAD, "满意+基本满意")]
    drawing.add(legend)
    return drawing


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(colors.HexColor("#666666"))
    canvas.drawString(MARGIN, 8 * mm, "信访通 自动生成；数据以信访信息系统登记为准")
    canvas.drawRightString(PAGE[0] - MARGIN, 8 * mm, f"第 {doc.page} 页")
    canvas.restoreState()
