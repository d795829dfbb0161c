"""The month's notice sheet -> rows of the 【情况通报】 table, read with pandas.

The sheet is notices.xlsx / notices.csv, or any .xlsx/.csv whose name says 通报 ("2026年10月情况通报.xlsx").
A bad row is never dropped silently: it is left out of the table and named (row and column) in the problems.
A sheet that exists but cannot be used at all sets `unusable`: the compile stops (unless --no-notices), since
a bulletin silently without its notice table is a wrong bulletin.
"""

from __future__ import annotations

import io
import math
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import BulletinError
from ..core.sheetsafety import SheetRefused, read_sheet
from .intake import NOTICE_STEMS, is_ignored, is_notice_sheet
from .roster import Roster, normalize
from ..core.textio import clean_text, read_office_text

if TYPE_CHECKING:  # pandas costs ~0.2 s and 50 MB to import: only months with a sheet pay it
    import pandas as pd

_CATEGORY_ALIASES = {"表扬": "通报表扬", "批评": "通报批评", "通报表扬": "通报表扬", "通报批评": "通报批评"}
COLUMNS = {  # field -> accepted header names (normalized)
    "unit": ("单位名称", "单位", "被通报单位", "unit"),
    "matter": ("通报事项", "通报内容", "事项", "内容", "matter", "item", "items"),
    "category": ("通报类别", "通报类型", "类别", "类型", "category"),
    "remark": ("备注", "remark", "remarks"),
}
LABELS = {"unit": "单位名称", "matter": "通报事项", "category": "通报类别", "remark": "备注"}
_SERIAL_HEADERS = ("序号", "no", "no.", "index", "#")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")
# Preference when a folder holds more than one notice sheet; the others are named in the problems.
_SUFFIX_ORDER = (".xlsx", ".csv", ".xlsm", ".xls", ".et")


@dataclass(frozen=True)
class NoticeRow:
    index: int
    unit: str
    matter: str
    category: str
    remark: str


@dataclass
class NoticeSheet:
    source: Path | None
    rows: list[NoticeRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unusable: str = ""  # why the sheet as a whole could not be used ("" when it could, or there is none)
    skipped: bool = False  # --no-notices: not read on purpose


def _preference(path: Path) -> tuple:
    stem = path.stem.lower()
    rank = NOTICE_STEMS.index(stem) if stem in NOTICE_STEMS else len(NOTICE_STEMS)
    return rank, _SUFFIX_ORDER.index(path.suffix.lower()), stem


def find_sheets(folder: Path) -> list[Path]:
    """Every notice sheet in the folder, the one to use first (same names as intake leaves out)."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir()  # a link out of the folder is refused by intake, not read here
             if p.is_file() and not p.is_symlink() and not is_ignored(p) and is_notice_sheet(p)]
    return sorted(found, key=_preference)


def find_sheet(folder: Path) -> Path | None:
    sheets = find_sheets(folder)
    return sheets[0] if sheets else None


def read_notices(folder: Path, roster: Roster | None = None, skip: bool = False) -> NoticeSheet:
    """skip: --no-notices, the office compiles without the notice section on purpose."""
    sheets = find_sheets(folder)
    sheet = NoticeSheet(source=sheets[0] if sheets else None, skipped=skip)
    if not sheets or skip:
        return sheet
    path = sheet.source
    for other in sheets[1:]:
        sheet.problems.append(f"另有通报表 {other.name} 未使用：每月只读取一个通报表（本期读取 {path.name}）")
    try:
        table = _read_table(path, sheet.problems)
    except _SheetError as exc:
        sheet.problems.append(f"{path.name}：{exc}，本期未编入情况通报")
        sheet.unusable = str(exc)
        return sheet
    before = len(sheet.problems)
    _parse(table, path.name, roster or Roster(), sheet)
    if not sheet.rows and len(sheet.problems) > before and not sheet.unusable:
        sheet.unusable = "没有一行可以编入"
    return sheet


class _SheetError(Exception):
    pass


def _read_table(path: Path, problems: list[str]) -> pd.DataFrame:
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise _SheetError("是旧版 Excel 格式（.xls），请在 Excel/WPS 中“另存为” .xlsx 后重试")
    if suffix == ".et":
        raise _SheetError("是 WPS 表格格式（.et），请在 WPS 中“另存为” .xlsx 后重试")
    if suffix == ".csv":
        try:
            text = read_office_text(path)
        except BulletinError as exc:
            raise _SheetError(str(exc).rstrip("。")) from None
        try:
            return pd.read_csv(io.StringIO(text), header=None, dtype=object,
                               keep_default_na=False, skip_blank_lines=False)
        except Exception as exc:  # noqa: BLE001 - pandas raises several parser errors
            raise _SheetError(f"无法读取 CSV（{exc.__class__.__name__}），请检查是否为逗号分隔的表格") from None
    try:  # zip checks, far cells refused by name, rows bounded (core/sheetsafety.py)
        return _read_xlsx_filled(path, problems)
    except SheetRefused as exc:
        raise _SheetError(str(exc).removeprefix(f"{path.name}：").removeprefix(f"{path.name} ").rstrip("。")) from None


def _read_xlsx_filled(path: Path, problems: list[str]) -> pd.DataFrame:
    """The first sheet as a DataFrame, merged cells filled with their value (Excel shows them that way)."""
    import pandas as pd

    sheet = read_sheet(path, 0, fill_merged=True, others=True)
    if sheet.others:
        problems.append(
            f"{path.name}：只读取第一个工作表“{sheet.title}”，工作表“{'、'.join(sheet.others)}”未读取；"
            "如通报在其他工作表中，请移到第一个工作表"
        )
    return pd.DataFrame(sheet.rows, dtype=object)


def _is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _find_header(table: pd.DataFrame) -> tuple[int, dict[str, int]] | None:
    """The header row may sit under a merged title row: look in the first rows for known column names."""
    for row_no in range(min(len(table), 6)):
        found: dict[str, int] = {}
        for col_no, value in enumerate(table.iloc[row_no].tolist()):
            if _is_blank(value):
                continue
            name = normalize(str(value)).lower()
            for field_name, names in COLUMNS.items():
                if name in names and field_name not in found:
                    found[field_name] = col_no
        if len(found) >= 2:
            return row_no, found
    return None


def _parse(table: pd.DataFrame, file_name: str, roster: Roster, sheet: NoticeSheet) -> None:
    header = _find_header(table)
    if header is None:
        sheet.problems.append(
            f"{file_name}：找不到表头，第一行应为“单位名称、通报事项、通报类别、备注”，本期未编入情况通报"
        )
        sheet.unusable = "找不到表头"
        return
    header_row, columns = header
    extra_ok = {c for c, v in enumerate(table.iloc[header_row].tolist())
                if not _is_blank(v) and normalize(str(v)).lower() in _SERIAL_HEADERS}
    missing = [LABELS[f] for f in ("unit", "matter", "category") if f not in columns]
    if missing:
        sheet.problems.append(f"{file_name}：缺少“{'、'.join(missing)}”列，本期未编入情况通报")
        sheet.unusable = f"缺少“{'、'.join(missing)}”列"
        return

    for row_no in range(header_row + 1, len(table)):
        values = table.iloc[row_no].tolist()
        where = f"{file_name} 第{row_no + 1}行"
        cells = {f: values[c] if c < len(values) else None for f, c in columns.items()}
        if all(_is_blank(v) for v in cells.values()):
            stray = [c for c, v in enumerate(values) if not _is_blank(v) and c not in extra_ok]
            if stray:  # something was typed in the wrong column: say so rather than drop it
                sheet.problems.append(
                    f"{where}{_letter(stray[0])}列有内容，但“单位名称、通报事项、通报类别”都是空的，此行未编入"
                )
            continue  # an empty line (or only a pre-filled 序号) is not a notice
        row, problems = _row(cells, columns, where, roster)
        sheet.problems.extend(problems)
        if row is not None:
            sheet.rows.append(NoticeRow(len(sheet.rows) + 1, *row))


def _row(cells: dict, columns: dict[str, int], where: str, roster: Roster):
    """(unit, matter, category, remark) or None, and every problem of the row (all of them at once)."""
    problems: list[str] = []
    text: dict[str, str] = {}
    for field_name, value in cells.items():
        at = f"{where}{_letter(columns[field_name])}列“{LABELS[field_name]}”"
        text[field_name] = "" if _is_blank(value) else clean_text(_as_text(value))
        numeric = isinstance(value, (bool, numbers.Number)) or bool(_NUMBER.fullmatch(text[field_name]))
        if field_name == "remark":
            continue
        if not text[field_name]:
            problems.append(f"{at}是空的")
        elif numeric:
            problems.append(f"{at}填的是数字（{text[field_name]}），应为文字")
        elif field_name == "category" and normalize(text["category"]) not in _CATEGORY_ALIASES:
            problems.append(f"{at}为“{text['category']}”，应为“通报表扬”或“通报批评”")
    if problems:
        return None, [f"{'；'.join(problems)}，此行未编入"]
    category = _CATEGORY_ALIASES[normalize(text["category"])]
    names = units_named(text["unit"], roster)
    unit = printed_unit(text["unit"], roster)
    unknown = [name for name in names if not roster.resolve(name)]
    if roster and unknown:
        problems.append(f"{where}单位“{'、'.join(unknown)}”不在单位名册中，请核对（已照录）")
    return (unit, text["matter"], category, text.get("remark", "")), problems


# A notice row may name several units ("区财政局、市交警支队直属大队", as in the real bulletins): one row, printed
# as written with the roster's names, each name checked on its own. Roster names and aliases never hold these
# separators (units.csv separates aliases with the same marks).
_UNIT_SEPARATORS = re.compile(r"[、，,；;]+")


def printed_unit(cell: str, roster: Roster) -> str:
    """The 单位名称 cell as the bulletin prints it: as written (separators, spaces, a name written twice, a
    trailing 、), only each name the roster knows by an alias replaced by the roster's name. The cell was once
    rebuilt from its split names ("0;" printed "0", "甲，乙" as "甲、乙"): the split is for checking, not printing."""
    whole = roster.resolve(cell) if cell.strip() else None
    if whole:
        return whole
    pieces = re.split(f"({_UNIT_SEPARATORS.pattern})", cell)  # names at even places, separators at odd ones
    for at in range(0, len(pieces), 2):
        name = pieces[at].strip()
        known = roster.resolve(name) if name else None
        if known:
            pieces[at] = pieces[at].replace(name, known, 1)
    return "".join(pieces)


def units_named(cell: str, roster: Roster) -> list[str]:
    """The units a notice row's 单位名称 cell names, each resolved through the roster (an unknown name is kept
    as written), in order, once each. Used by the sheet check and by whoever asks "who was praised"."""
    whole = roster.resolve(cell) if cell.strip() else None
    parts = [whole] if whole else [p.strip() for p in _UNIT_SEPARATORS.split(cell) if p.strip()]
    return list(dict.fromkeys(roster.resolve(p) or p for p in parts))


def _letter(index: int) -> str:
    """Excel's column name: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):  # datetime, pandas Timestamp
        return value.strftime("%Y-%m-%d")
    return str(value)


# ===== suggested notice rows written by other parts (statistics, supervision) (owner: lead keeps one) ========
def write_notice_suggestions(path: Path, rows: list[NoticeRow]) -> None:
    """Write rows in the notice sheet's own format (单位名称, 通报事项, 通报类别, 备注), atomically: the office
    reviews them and copies what it keeps into the month's notice sheet."""
    from ..core.atomic import write_atomic
    from ..core.xlsxparts import plain_workbook  # no openpyxl on the compile's path

    header = [LABELS[key] for key in ("unit", "matter", "category", "remark")]
    table = [[row.unit, row.matter, row.category, row.remark] for row in rows]
    write_atomic(Path(path), plain_workbook("通报建议", header, table, [24, 60, 12, 30]))
# ===== end of suggested notice rows =========================================================================
