"""The 督查 round's stages (`bulletin tasks …`, the supervision flow, the workbench): split the task list into
one sheet per unit (and mail them), merge the returned sheets, write the 督查专报. The report is then reviewed,
decided and sent like any issue, through the series' workspace (`Workspace.for_series`)."""

from __future__ import annotations

from datetime import date

from ..core.month import Month
from ..core.workspace import Workspace
from ..supervision.mailing import SheetMailing, mail_sheets
from ..supervision.report import ReportResult, write_report
from ..supervision.round import MergeReport, Round, SplitReport, merge_round, split_round
from ..supervision.series import DEFAULT_SERIES


def round_of(ws: Workspace, month: Month, series: str | None = None) -> Round:
    return Round.of(ws, month, series or DEFAULT_SERIES)


def split(rnd: Round, due: date | None = None) -> SplitReport:
    return split_round(rnd, due)


def mail(rnd: Round, report: SplitReport) -> SheetMailing:
    return mail_sheets(rnd, report)


def merge(rnd: Round) -> MergeReport:
    return merge_round(rnd)


def report(rnd: Round, day: date | None = None, number: int | None = None) -> ReportResult:
    return write_report(rnd, day, number)


__all__ = ["DEFAULT_SERIES", "MergeReport", "ReportResult", "Round", "SheetMailing", "SplitReport", "mail", "merge",
           "report", "round_of", "split"]
