"""Suggested notice rows for the monthly bulletin (通报批评): units with overdue tasks or no answer.

A unit's overdue tasks are those past 完成时限 that the unit itself has not reported done (counts.py): a unit
that finished its part of a shared task is not criticised for a partner's delay."""

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
            numbers = "、".join(str(n) for n in figures.overdue_numbers)  # its own answers, not a partner's
            rows.append(NoticeRow(len(rows) + 1, figures.unit, f"第{numbers}项重点任务逾期未完成（{figures.overdue}项）",
                                  "通报批评", source))
    return rows
