"""The departments' score (`bulletin stats`, the monthly flow's table, the workbench): figures from the
ledger, the workbook and the ranking picture (stats/)."""

from __future__ import annotations

from datetime import date

from ..core.month import Month
from ..core.workspace import Workspace
from ..stats.run import StatsResult, run_stats


def stats(ws: Workspace, year: int | str | None = None, month: Month | None = None,
          today: date | None = None) -> StatsResult:
    """today: the day 领导批示 feedback is judged on (default the office's today)."""
    return run_stats(ws, str(year) if year else None, month, today)


__all__ = ["StatsResult", "stats"]
