"""A decision taken at any door (command line, web page) also resumes the month's flow run that waits for it.

The ledger names the waiting run; Prefect is imported only when one waits (bulletin/ never needs Prefect)."""

from __future__ import annotations

from ..core.ledger import Ledger
from ..core.workspace import Workspace


def resume_waiting_run(ws: Workspace, month: str, approved: bool, reviewer: str, comment: str,
                       sha256: str) -> str | None:
    """The Chinese outcome of resuming the waiting run; None when no run waits for this month."""
    with Ledger(ws.ledger_path) as ledger:
        waiting = ledger.flow_run(month)
    if not waiting or waiting[1] != "waiting_for_approval":
        return None
    try:
        from flows.resume import resume_month_run  # imports Prefect only when a run is waiting
    except ImportError:
        return "提示：有一个等待审核的流程运行，但未安装 Prefect，无法自动继续。"
    return resume_month_run(waiting[0], approved=approved, reviewer=reviewer, comment=comment, sha256=sha256)
