"""What the office sees of a month (`bulletin status`, the review desk, the flow's tables): the compile, its
drafts, the review, every recipient's delivery; the months compiled; page images of the current file."""

from __future__ import annotations

from pathlib import Path

from ..core.ledger import Ledger
from ..core.month import Month
from ..core.workspace import Workspace
from ..delivery.status import MonthStatus, month_status
from ..core.errors import BulletinError
from ..core.atomic import sha256_file
from ..intake.notices import find_sheets, read_notices
from ..intake.roster import Roster
from ..layout.render import page_images

PAGES = "pages"  # ws.state_dir / pages / <sha256> / page-N.png and bulletin.pdf


def status(ws: Workspace, month: Month) -> MonthStatus:
    result = month_status(ws, month)
    from .remind import calendar_lines  # [calendar]: the call, the deadline, who was reminded when

    result.calendar = calendar_lines(ws, month)
    return result


def compiled_months(ws: Workspace) -> list[Month]:
    """Months with a compile, newest first."""
    with Ledger(ws.ledger_path) as ledger:
        return [Month(m) for m in reversed(ledger.compiled_months())]


def pages(ws: Workspace, docx: Path) -> list[Path]:
    """PNG images of each page of `docx` (made once per version by LibreOffice; BulletinError without it)."""
    return page_images(docx, ws.state_dir / PAGES)


def preview_pdf(ws: Workspace, sha256: str) -> Path:
    """The PDF the page images were made from (after `pages`)."""
    return ws.state_dir / PAGES / sha256 / "bulletin.pdf"


_NOTICE_CACHE: dict[tuple, list[dict]] = {}
_NOTICE_CACHE_SIZE = 64


def notice_rows(ws: Workspace, month: Month) -> list[dict]:
    """The month's notice sheet as the compile reads it (rows only; its problems are in the intake report).

    Read once per version of the sheet (issue 22 item 10: the desk re-read notices.xlsx on every page): the rows
    are kept by the sha256 of the sheet(s) and of the roster that resolves their units; hashing a file costs
    far less than openpyxl. A changed sheet or roster is read again."""
    folder = ws.month_inputs(month)
    try:
        sheets = find_sheets(folder)
        key = (str(folder), tuple((p.name, sha256_file(p)) for p in sheets),
               sha256_file(ws.roster_path) if ws.roster_path.is_file() else "")
    except OSError:
        return []
    if key in _NOTICE_CACHE:
        return [dict(row) for row in _NOTICE_CACHE[key]]
    try:
        sheet = read_notices(folder, Roster.load(ws.roster_path))
    except BulletinError:
        return []
    rows = [{"unit": r.unit, "matter": r.matter, "category": r.category, "remark": r.remark} for r in sheet.rows]
    if len(_NOTICE_CACHE) >= _NOTICE_CACHE_SIZE:
        _NOTICE_CACHE.pop(next(iter(_NOTICE_CACHE)))
    _NOTICE_CACHE[key] = rows
    return [dict(row) for row in rows]


def flow_run_state(ws: Workspace, month: Month) -> tuple[str, str] | None:
    """(run id, state) of the month's flow run as last recorded, or None."""
    with Ledger(ws.ledger_path) as ledger:
        return ledger.flow_run(month)


def waiting_since(ws: Workspace, month: Month) -> str | None:
    """When the month's flow run started waiting for a review decision (ISO time), if it waits."""
    with Ledger(ws.ledger_path) as ledger:
        run = ledger.flow_run(month)
        return ledger.flow_run_updated(month) if run and run[1] == "waiting_for_approval" else None


def record_flow_run(ws: Workspace, month: Month, run_id: str, state: str) -> None:
    """The flow run working on `month` and where it is (e.g. waiting for approval): read by every door."""
    with Ledger(ws.ledger_path) as ledger:
        ledger.record_flow_run(month, run_id, state)


__all__ = ["MonthStatus", "PAGES", "compiled_months", "flow_run_state", "notice_rows", "waiting_since", "pages", "preview_pdf", "record_flow_run", "status"]
