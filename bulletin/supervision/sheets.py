"""One unit's sheet of the round (分发/<单位>.xlsx) and reading it back when the unit returns it.

The sheet lists only the unit's tasks. Sheet protection locks every cell except 状态 (a drop-down of the allowed
words) and 落实情况; a first row says what to fill and by when. A hidden sheet holds the marker (round and
unit), so a returned file is recognised whatever it was renamed to. Protection without a password is a guard
against slips, not security: merge compares the locked columns with the round's list anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from ..core.atomic import write_atomic
from ..core.sheetsafety import MAX_FILE_BYTES, SheetRefused, load, read_sheet
from ..core.xlsxparts import workbook_bytes
from ..intake.returnsheets import MARKER_KIND, MARKER_SHEET, marker_of_bytes
from .tasks import COLUMNS, STATUS_WORDS, Task, status_word, tasks_workbook
EDITABLE = ("状态", "落实情况")
_FILL = PatternFill("solid", fgColor="FFF2CC")


def instruction(unit: str, due: date | None) -> str:
    by = f"请于{due.year}年{due.month}月{due.day}日前" if due else "请尽快"
    return (
        f"{unit}：以下是贵单位承担的重点任务。请在“状态”列下拉选择（{'/'.join(STATUS_WORDS)}），"
        f"在“落实情况”列填写工作进展（可写多段），其他单元格已锁定、请勿改动。{by}将本表发回（文件名可改）。"
    )


def unit_sheet_bytes(round_id: str, unit: str, tasks: list[Task], due: date | None) -> bytes:
    """The .xlsx a unit fills in: its tasks with 状态/落实情况 empty (or as last merged)."""
    book = tasks_workbook([t for t in tasks], note=instruction(unit, due))
    sheet = book["任务"]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True)
    sheet.row_dimensions[1].height = 48
    sheet.freeze_panes = "A3"
    status_col, answer_col = COLUMNS.index("状态") + 1, COLUMNS.index("落实情况") + 1
    validation = DataValidation(
        type="list", formula1='"' + ",".join(STATUS_WORDS) + '"', allow_blank=True, showDropDown=False,
        showErrorMessage=True, errorTitle="状态不对", error=f"请从下拉列表中选择：{'/'.join(STATUS_WORDS)}",
        promptTitle="状态", prompt="请从下拉列表中选择", showInputMessage=True,
    )
    sheet.add_data_validation(validation)
    last = 2 + len(tasks)
    if tasks:
        validation.add(f"{sheet.cell(3, status_col).coordinate}:{sheet.cell(last, status_col).coordinate}")
    for row in range(3, last + 1):
        for col in (status_col, answer_col):
            cell = sheet.cell(row, col)
            cell.protection = Protection(locked=False)
            cell.fill = _FILL
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths and heights may still be changed
    sheet.protection.formatRows = False
    marker = book.create_sheet(MARKER_SHEET)
    marker.append(["kind", MARKER_KIND])
    marker.append(["round", round_id])
    marker.append(["unit", unit])
    marker.sheet_state = "veryHidden"
    marker.protection.sheet = True
    return workbook_bytes(book)


def write_unit_sheet(path: Path, round_id: str, unit: str, tasks: list[Task], due: date | None) -> None:
    write_atomic(path, unit_sheet_bytes(round_id, unit, tasks, due))


@dataclass
class ReturnedSheet:
    path: Path
    round_id: str
    unit: str
    rows: list[dict] = field(default_factory=list)  # column name -> cell text, plus "_line"


def marker_of(path: Path) -> tuple[str, str] | None:
    """(round, unit) from a returned sheet's hidden marker; None for any other file (intake/returnsheets.py)."""
    return marker_of_bytes(Path(path).read_bytes())


def read_returned(path: Path, data: bytes | None = None) -> ReturnedSheet | None:
    """The answers of a returned sheet; None when it has no marker (not one of ours). SheetRefused (Chinese,
    naming the file) when it is one of ours but cannot be read safely (core/sheetsafety.py): a far cell, a
    bomb, no 任务 sheet. `data`: the bytes when they are not the file's own (a converted .xls)."""
    path = Path(path)
    if data is None:  # a file too large is refused by name; any other file without a marker is not ours
        data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else load(path)[0]
    marker = marker_of_bytes(data)
    if marker is None:
        return None
    rows = read_sheet(data, "任务", name=path.name).rows
    header = next((i for i, r in enumerate(rows[:5]) if r and "序号" in [str(c or "").strip() for c in r]), None)
    returned = ReturnedSheet(path=path, round_id=marker[0], unit=marker[1])
    if header is None:
        return returned
    names = [str(c or "").strip() for c in rows[header]]
    for line, row in enumerate(rows[header + 1:], start=header + 2):
        if not any(c not in (None, "") for c in row):
            continue
        item = {name: row[i] if i < len(row) else None for i, name in enumerate(names) if name}
        item["_line"] = line
        returned.rows.append(item)
    return returned


__all__ = ["EDITABLE", "MARKER_KIND", "MARKER_SHEET", "ReturnedSheet", "SheetRefused", "marker_of", "read_returned", "status_word", "write_unit_sheet"]
