"""Recognising a returned 督查 sheet (issue 13) by its hidden marker, and deciding whether to trust it (issue 22).

The office's sheets (supervision/sheets.py writes them) carry a very-hidden worksheet `bulletin-marker` with
three rows: kind / round / unit. Recognition reads only that sheet's first cells, straight from its XML
(core/sheetsafety.small_cells): a far cell elsewhere, or a huge part, costs nothing here. The marker format is
unchanged since the first round: old sheets are still recognised.

This lives in intake because the mailbox (intake/collect.py) must recognise a sheet, and intake never imports
supervision; supervision imports the marker from here.

Trust: a marker proves nothing (anyone can write one into a workbook made from scratch). A sheet received by
mail is filed in the round's 反馈/ only when its sender's address is registered (units.csv 邮箱) for the unit
the marker names; anything else (a stranger, another unit's address, a roster without 邮箱) goes to the
round's 待核实/ (inputs/督查/<YYYY-MM>/待核实/) with the reason, for the office to check and move into 反馈/
itself. A file the office puts into 反馈/ is trusted: the office chose it. Macro workbooks (.xlsm) are never
taken as returned sheets.
"""

from __future__ import annotations

from ..core.sheetsafety import small_cells

MARKER_SHEET = "bulletin-marker"
MARKER_KIND = "bulletin-supervision-sheet"
HOLD_FOLDER = "待核实"  # inputs/督查/<YYYY-MM>/待核实/: returned sheets whose sender is not the unit's address


def marker_of_bytes(data: bytes) -> tuple[str, str] | None:
    """(round, unit) from a returned sheet's hidden marker; None for any other file (or a file not safe to read)."""
    cells = small_cells(data, MARKER_SHEET, max_rows=10, max_columns=2)
    if not cells:
        return None
    values = {}
    for (row, column), text in sorted(cells.items()):
        if column == 1 and text:
            values.setdefault(text, cells.get((row, 2), ""))
    if values.get("kind") != MARKER_KIND or not values.get("unit"):
        return None
    return values.get("round", ""), values["unit"]


def untrusted_reason(marker_unit: str, sender: str, sender_unit: str | None) -> str | None:
    """Why a mailed sheet for `marker_unit` is not filed as that unit's answer, or None when it may be."""
    if sender_unit == marker_unit:
        return None
    if sender_unit:
        return (f"发件邮箱 {sender} 登记为{sender_unit}的邮箱，而这份反馈表是{marker_unit}的，"
                "已放入待核实，由办公室核实后使用")
    return (f"发件邮箱 {sender or '（无）'} 不是{marker_unit}在单位名册中登记的邮箱，"
            "反馈表已放入待核实，由办公室核实后使用；请用登记的邮箱发送")
