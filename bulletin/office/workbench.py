"""What the workbench's pages read that no other door needs (issue 24): the roster's unit names for the unit
select, the files of a month folder that the last compile has not read yet, the units that sent nothing, the
months and years there are, and the 上级采用 register (inputs/上级采用.xlsx) kept in a form.

The 上级采用 register is written with openpyxl and published atomically (core/atomic.write_atomic), read back
through the spreadsheet door (core/sheetsafety, as the statistics read it), and every value is written as a
string cell whose first character is never a formula's (=, +, -, @): a title typed into the form can never
become a formula in the office's Excel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.atomic import write_atomic
from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.month import Month
from ..core.sheetsafety import SheetRefused, read_sheet
from ..core.vocabulary import DraftStatus
from ..core.workspace import Workspace
from ..intake.intake import candidate_files, is_column, is_notice_sheet
from ..intake.roster import Roster
from ..stats.upper import FILE_NAME as UPPER_FILE
from ..stats.upper import HEADERS as UPPER_HEADERS
from .accounts import record, role_of


def roster_units(ws: Workspace) -> list[str]:
    return sorted(set(Roster.load(ws.roster_path).canonical.values()))


def months(ws: Workspace) -> list[str]:
    """Months with a folder under inputs/ or a compile in the ledger, newest first."""
    found = set(ws.month_folders())
    if ws.ledger_path.is_file():
        with Ledger(ws.ledger_path) as ledger:
            found |= set(ledger.compiled_months())
    return sorted(found, reverse=True)


def new_files(ws: Workspace, month: Month, compiled: list[dict]) -> list[str]:
    """Files of the month folder (and its column folders) the last compile did not name: uploaded since."""
    folder = ws.month_inputs(month)
    if not folder.is_dir():
        return []
    known = {row.get("file") for row in compiled}
    names = []
    for path in candidate_files(folder):
        if is_column(path):
            names += [f"{path.name}/{p.name}" for p in candidate_files(path) if p.is_file()]
        elif path.is_file() and not is_notice_sheet(path) and path.suffix.lower() in (".docx", ".zip", ".doc", ".wps"):
            names.append(path.name)
    return sorted(n for n in names if n not in known)


def silent_units(ws: Workspace, month: Month, compiled: list[dict]) -> list[str]:
    """Roster units with no file in the month's last compile (any state: a refused file still was sent)."""
    sent = {row.get("unit") for row in compiled if row.get("unit")}
    return [u for u in roster_units(ws) if u not in sent]


def printed_count(compiled: list[dict]) -> int:
    return sum(1 for row in compiled if row.get("status") in (DraftStatus.ACCEPTED, DraftStatus.FLAGGED))


# -- 上级采用 -----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UpperRow:
    unit: str
    title: str
    publication: str
    level: str
    day: str


def upper_path(ws: Workspace) -> Path:
    return ws.inputs / UPPER_FILE


def upper_rows(ws: Workspace) -> list[UpperRow]:
    path = upper_path(ws)
    if not path.is_file():
        return []
    try:
        rows = read_sheet(path, 0).rows
    except SheetRefused as exc:
        raise BulletinError(str(exc)) from None
    if not rows:
        return []
    header = [str(c or "").strip() for c in rows[0]]
    at = {h: header.index(h) for h in UPPER_HEADERS if h in header}
    found = []
    for row in rows[1:]:
        cells = [row[at[h]] if h in at and at[h] < len(row) else "" for h in UPPER_HEADERS]
        if all(c in (None, "") for c in cells):
            continue
        cells = [c.isoformat()[:10] if isinstance(c, date) else str(c if c is not None else "") for c in cells]
        found.append(UpperRow(*cells))
    return found


def _cell(text: str) -> str:
    text = " ".join(str(text).split())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _write_upper(ws: Workspace, rows: list[UpperRow]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "上级采用"
    sheet.append(list(UPPER_HEADERS))
    for r in rows:
        sheet.append([_cell(r.unit), _cell(r.title), _cell(r.publication), _cell(r.level), _cell(r.day)])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula
    for column, width in zip("ABCDE", (18, 40, 20, 8, 12)):
        sheet.column_dimensions[column].width = width
    data = io.BytesIO()
    book.save(data)
    write_atomic(upper_path(ws), data.getvalue())


def check_upper(ws: Workspace, unit: str, title: str, publication: str, level: str, day: str) -> UpperRow:
    unit_name = Roster.load(ws.roster_path).resolve(unit.strip())
    if not unit_name:
        raise BulletinError(f"“{unit.strip()}”不在单位名册中：请从名册中选择。")
    levels = list(ws.settings.scoring.levels)
    if level not in levels:
        raise BulletinError(f"级别应为 {'/'.join(levels)} 之一。")
    try:
        parsed = date.fromisoformat(day.strip())
    except ValueError:
        raise BulletinError("日期应为 2026-10-15 这样的日期。") from None
    if not title.strip() or len(title) > 200 or len(publication) > 100:
        raise BulletinError("请填写标题（200 字以内）和采用刊物（100 字以内）。")
    return UpperRow(unit_name, " ".join(title.split()), " ".join(publication.split()), level, parsed.isoformat())


def add_upper(ws: Workspace, row: UpperRow, *, actor: str, replace_index: int | None = None) -> None:
    """Add a row, or correct row `replace_index` (0-based among the register's rows)."""
    rows = upper_rows(ws)
    if replace_index is None:
        rows.append(row)
        action = "添加上级采用"
    else:
        if not 0 <= replace_index < len(rows):
            raise BulletinError("没有这一行（请刷新页面）。")
        rows[replace_index] = row
        action = "更正上级采用"
    _write_upper(ws, rows)
    record(ws, actor, role_of(ws, actor), action, row.day[:7], f"{row.unit}《{row.title}》{row.publication}（{row.level}）")


def delete_upper(ws: Workspace, index: int, *, actor: str) -> None:
    rows = upper_rows(ws)
    if not 0 <= index < len(rows):
        raise BulletinError("没有这一行（请刷新页面）。")
    gone = rows.pop(index)
    _write_upper(ws, rows)
    record(ws, actor, role_of(ws, actor), "删除上级采用", gone.day[:7], f"{gone.unit}《{gone.title}》")


__all__ = ["UpperRow", "add_upper", "check_upper", "delete_upper", "months", "new_files", "printed_count",
           "roster_units", "silent_units", "upper_rows"]
