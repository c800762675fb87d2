"""Titles, column names and definitions shared by the workbook and the PDF."""
from __future__ import annotations

from ..cases.figures import RATES, Counts, MonthFigures

PREFECTURE = "甘孜藏族自治州"
DIMENSION_TITLES = {"department": "承办单位", "county": "县（市）", "category": "问题类别"}
# The columns of every table: (title, value of a Counts row).
COLUMNS = (
    ("评价发出", lambda c: c.sent),
    ("已评价", lambda c: c.answered),
    ("超期未评价", lambda c: c.expired),
    *((title, (lambda name: lambda c: getattr(c, name))(name)) for name, title in RATES.items()),
)
DEFINITIONS = (
    "参评率 = 已评价 ÷ 本月发出的评价（超期未评价计入分母，不视为满意）。",
    "满意率按两种口径列出：仅“满意”÷ 已评价；（“满意”+“基本满意”）÷ 已评价。",
    "及时受理率 = 自转送交办之日起15日内受理的件数 ÷ 本月受理件数（《信访工作条例》第二十三条）。",
    "按期答复率 = 在60日（含延期）内出具处理意见的件数 ÷ 本月出具处理意见件数（第三十四条）。",
    "复查率 = 本月出具处理意见的事项中信访人申请复查的比例（第三十五条）。",
    "重复信访率 = 本月登记事项中同一信访人就同一事项再次信访的比例。",
    "排名依据：满意率（满意+基本满意）从高到低，相同时按按期答复率；本月无评价的单位列后。",
)


def title(figures: MonthFigures) -> str:
    year, month = figures.month.split("-")
    return f"{PREFECTURE}信访事项办理情况通报（{int(year)}年{int(month)}月）"


def cell(value) -> str:
    """A figure as shown: rates as percentages, a missing rate as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value * 100:.1f}%"
    return str(value)


def summary(figures: MonthFigures) -> list[str]:
    t: Counts = figures.total
    return [
        f"本月发出满意度评价{t.sent}件，已评价{t.answered}件（参评率{cell(t.participation_rate)}），"
        f"满意{t.satisfied}件、基本满意{t.basically}件、不满意{t.dissatisfied}件，超期未评价{t.expired}件。",
        f"满意率（满意）{cell(t.satisfaction_rate)}，满意率（满意+基本满意）{cell(t.satisfaction_rate_broad)}。",
        f"本月受理{t.accepted}件（及时受理率{cell(t.on_time_acceptance_rate)}），出具处理意见{t.replied}件"
        f"（按期答复率{cell(t.on_time_reply_rate)}），申请复查{t.reopened}件；登记{t.registered}件，"
        f"其中重复信访{t.repeats}件。",
    ]


def rows(figures: MonthFigures, dimension: str) -> list[tuple[str, Counts]]:
    """The rows of a table: departments in ranking order, counties and categories by volume."""
    if dimension == "department":
        return [(name, counts) for _, name, counts in figures.department_ranking()]
    groups = figures.by[dimension]
    return sorted(groups.items(), key=lambda item: (-item[1].sent, -item[1].registered, item[0]))
