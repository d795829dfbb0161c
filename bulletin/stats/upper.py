"""inputs/上级采用.xlsx: items that higher-level publications took up (单位, 标题, 采用刊物, 级别, 日期), kept by the
office by hand. A bad row is named (row and column) and left out; the rest still count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..core.sheetsafety import SheetRefused, read_sheet
from ..intake.roster import Roster, normalize

FILE_NAME = "上级采用.xlsx"
HEADERS = ("单位", "标题", "采用刊物", "级别", "日期")


@dataclass(frozen=True)
class UpperAdoption:
    unit: str
    title: str
    publication: str
    level: str
    day: date

    @property
    def month(self) -> str:
        return f"{self.day.year:04d}-{self.day.month:02d}"


def read_upper(path: Path, roster: Roster, levels: dict[str, float]) -> tuple[list[UpperAdoption], list[str]]:
    """(rows, problems). Units are resolved through the roster's aliases; 级别 must be one of [scoring.levels]."""
    if not path.is_file():
        return [], []
    try:  # checked and bounded first (core/sheetsafety.py): a far cell or a bomb is refused by name
        rows = read_sheet(path, 0).rows
    except SheetRefused as exc:
        return [], [f"{exc}；本次未计上级采用。"]
    if not rows:
        return [], []
    header = [normalize(str(cell or "")) for cell in rows[0]]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        return [], [f"{path.name}：缺少“{'、'.join(missing)}”列（第一行应为 {'、'.join(HEADERS)}），本次未计上级采用。"]
    at = {h: header.index(h) for h in HEADERS}
    found, problems = [], []
    for row_no, row in enumerate(rows[1:], start=2):
        cells = {h: row[i] if i < len(row) else None for h, i in at.items()}
        if all(v in (None, "") for v in cells.values()):
            continue
        where = f"{path.name} 第{row_no}行"
        unit_text = str(cells["单位"] or "").strip()
        unit = roster.resolve(unit_text) or unit_text
        level = str(cells["级别"] or "").strip()
        day = _as_date(cells["日期"])
        if not unit:
            problems.append(f"{where}：缺少单位，未计入。")
        elif level not in levels:
            problems.append(f"{where}：级别“{level}”不在 {'/'.join(levels)} 之中，未计入。")
        elif day is None:
            problems.append(f"{where}：日期“{cells['日期'] or ''}”无法识别（应为 2026-10-15 这样的日期），未计入。")
        else:
            found.append(UpperAdoption(unit, str(cells["标题"] or "").strip(), str(cells["采用刊物"] or "").strip(),
                                       level, day))
    return found, problems


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in text.split("-")[:3])
        return date(year, month, day)
    except (ValueError, TypeError):
        return None
