"""The departments' score (`bulletin stats`, the monthly flow's table, the workbench): figures from the
ledger, the workbook and the ranking picture (stats/)."""

from __future__ import annotations

from ..core.month import Month
from ..core.workspace import Workspace
from ..stats.run import StatsResult, run_stats


def stats(ws: Workspace, year: int | str | None = None, month: Month | None = None) -> StatsResult:
    return run_stats(ws, str(year) if year else None, month)


__all__ = ["StatsResult", "stats"]
