"""Suggested notice rows for the monthly bulletin (通报批评): units with overdue tasks or no answer."""

from __future__ import annotations

from ..intake.notices import NoticeRow
from .counts import RoundFigures


def suggested_notices(figs: RoundFigures, missing: list[str], month: str, source: str) -> list[NoticeRow]:
    """One row per unit that did not answer, one per unit with overdue tasks, in the report's unit order."""
    year, mon = (int(x) for x in month.split("-"))
    rows: list[NoticeRow] = []
    for unit in missing:
        rows.append(NoticeRow(len(rows) + 1, unit, f"未按时反馈{year}年{mon}月重点任务落实情况", "通报批评", source))
    for figures in figs.units:
        if figures.overdue:
            numbers = "、".join(str(t.number) for t in figs.overdue if figures.unit in t.units)
            rows.append(NoticeRow(len(rows) + 1, figures.unit, f"第{numbers}项重点任务逾期未完成（{figures.overdue}项）",
                                  "通报批评", source))
    return rows
