"""Every spreadsheet the product reads goes through here: notices.xlsx, 任务.xlsx, returned 督查 sheets and their
marker, 上级采用.xlsx (issue 22 item 2).

Why: openpyxl trusts the file. A 5 KB .xlsx with one cell at XFD1048576 makes it create every cell up to that
corner (gigabytes, then MemoryError) as soon as a sheet is read whole; a 1 MB file whose theme part inflates to
1 GiB costs 2 GB before a single cell is read. So, before openpyxl sees a file:
1. the zip is checked (core/officezip.py, the same checks as Word drafts: member count, declared sizes, the
   compression ratio, every member inflated in bounded chunks);
2. the chosen sheet's XML is scanned as a stream (lxml iterparse, no entities, no network, elements dropped
   as they are read): the used range is that of the cells that hold something. The sheet's own `<dimension>`
   is only a claim (any writer may put anything there, and styled empty cells widen it), so the cells decide.
   A cell holding something beyond the bound is refused by name ("单元格 XFD1048576"), never materialised;
   empty styled cells beyond it are left unread;
3. openpyxl reads in read_only mode, rows and columns bounded by the used range (iter_rows(max_row, max_col)).
Merged cells (a notice sheet's title row, a unit cell spanning rows) are taken from the scan and filled in the
bounded rows, as Excel shows them.

`small_cells` is the cheap path for a marker: a few cells of one named sheet, read straight from its XML
(and the shared strings it points at), with only the zip directory checked.

Refusals are `SheetRefused`, a Chinese sentence that names the file.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .errors import BulletinError
from .officezip import READ_ERRORS, SHEET_LIMITS, ZipRefused, check_archive, check_directory

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 10_000  # a task list or a notice sheet has hundreds of rows
MAX_COLUMNS = 64  # and a dozen columns
MAX_CELLS = 300_000  # cells present in one sheet's XML (empty ones included)
MAX_MERGED = 10_000
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_RESAVE = "请在 Excel/WPS 中另存为 .xlsx 后重试"


class SheetRefused(BulletinError):
    """A spreadsheet that is not read; str() names the file and says why, in Chinese."""


@dataclass
class SheetData:
    file: str  # the file's name, as the reasons say it
    title: str  # the worksheet read
    rows: list[tuple] = field(default_factory=list)  # cell values, rows and columns bounded by the used range
    others: list[str] = field(default_factory=list)  # other worksheets holding something (only when asked)


def _parser_kwargs() -> dict:
    return {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}


def column_letter(index: int) -> str:
    """1 -> A, 16384 -> XFD."""
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _column_index(letters: str) -> int:
    value = 0
    for ch in letters.upper():
        value = value * 26 + ord(ch) - 64
    return value


def _ref(text: str | None) -> tuple[int, int] | None:
    match = _CELL_REF.match(text or "")
    return (int(match.group(2)), _column_index(match.group(1))) if match else None


def load(source: Path | bytes, name: str | None = None) -> tuple[bytes, str]:
    """(bytes, file name): a path is read once, size-checked first; everything after works on the bytes."""
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), name or "表格"
    else:
        path = Path(source)
        name = name or path.name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise SheetRefused(f"{name} 过大（{size // (1024 * 1024)} MB），疑似异常文件，未读取；{_RESAVE}")
            data = path.read_bytes()
        except OSError as exc:
            raise SheetRefused(f"无法读取 {name}（{exc.strerror or exc}）") from None
    if len(data) > MAX_FILE_BYTES:
        raise SheetRefused(f"{name} 过大（{len(data) // (1024 * 1024)} MB），疑似异常文件，未读取；{_RESAVE}")
    if not data.startswith(b"PK\x03\x04"):
        raise SheetRefused(f"{name} 不是 .xlsx 表格（可能是 .xls/.et 或改了扩展名的其他文件），{_RESAVE}")
    return data, name


def check(data: bytes, name: str) -> None:
    """The zip checks (core/officezip.py), with the file's name in the reason."""
    try:
        check_archive(data, SHEET_LIMITS)
    except ZipRefused as exc:
        raise SheetRefused(f"{name}：{exc}") from None


def _member(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    info = archive.getinfo(member)  # KeyError when absent
    if info.file_size > limit:
        raise ZipRefused(f"文件内部的 {member} 过大，疑似异常文件，已拒收")
    with archive.open(info) as part:
        data = part.read(limit + 1)
    if len(data) > limit:
        raise ZipRefused(f"文件内部的 {member} 过大，疑似异常文件，已拒收")
    if b"<!DOCTYPE" in data[:65536] or b"<!ENTITY" in data[:65536]:
        raise ZipRefused(f"文件内部的 {member} 含有 DOCTYPE/实体声明，疑似异常文件，已拒收")
    return data


def _xml(data: bytes):
    return etree.fromstring(data, etree.XMLParser(**_parser_kwargs()))


def _target(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


@dataclass(frozen=True)
class _Sheet:
    title: str
    state: str
    part: str


def _book(archive: zipfile.ZipFile) -> tuple[list[_Sheet], str | None]:
    """The worksheets (title, state, part) in order, and the shared strings part, from workbook.xml and its rels."""
    workbook = "xl/workbook.xml"
    try:
        for rel in _xml(_member(archive, "_rels/.rels", 1 << 20)).iter(f"{{{_REL}}}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook = _target("", rel.get("Target", ""))
    except KeyError:
        pass
    root = _xml(_member(archive, workbook, 4 << 20))
    rels_name = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
    targets: dict[str, str] = {}
    shared = None
    for rel in _xml(_member(archive, rels_name, 4 << 20)).iter(f"{{{_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        part = _target(workbook, rel.get("Target", ""))
        targets[rel.get("Id", "")] = part
        if rel.get("Type", "").endswith("/sharedStrings"):
            shared = part
    sheets = []
    for sheet in root.iter(f"{{{_MAIN}}}sheet"):
        part = targets.get(sheet.get(f"{{{_DOC_REL}}}id", ""))
        if part:
            sheets.append(_Sheet(sheet.get("name", ""), sheet.get("state", "visible"), part))
    return sheets, shared


@dataclass
class _Scan:
    rows: int = 0  # used range: the last row and column holding something
    columns: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    far: str = ""  # the first cell holding something beyond the bound


def _scan(part: bytes, max_rows: int, max_columns: int, name: str, title: str) -> _Scan:
    """One pass over the sheet's XML as a stream; see the module docstring."""
    scan = _Scan()
    cells = 0
    row_no = column_no = 0
    context = etree.iterparse(io.BytesIO(part), events=("start", "end"), **_parser_kwargs())
    for event, element in context:
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "row":
                row_no = int(element.get("r") or row_no + 1)
                column_no = 0
            continue
        if tag == "c":
            cells += 1
            if cells > MAX_CELLS:
                raise SheetRefused(f"{name}：工作表“{title}”的单元格超过 {MAX_CELLS} 个，疑似异常文件，未读取；{_RESAVE}")
            at = _ref(element.get("r"))
            row, column = at if at else (row_no, column_no + 1)
            column_no = column
            if any((child.text or len(child)) for child in element):  # <v>, <f>, <is>: it holds something
                if row > max_rows or column > max_columns:
                    if not scan.far:
                        scan.far = f"{column_letter(column)}{row}"
                else:
                    scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, column)
            element.clear()
        elif tag == "row":
            element.clear()
        elif tag == "mergeCell":
            bounds = (element.get("ref") or "").split(":")
            first, last = _ref(bounds[0]), _ref(bounds[-1])
            if first and last and len(scan.merged) < MAX_MERGED:
                scan.merged.append((first[0], first[1], last[0], last[1]))
            element.clear()
    if scan.far:
        raise SheetRefused(
            f"{name}：工作表“{title}”的单元格 {scan.far} 超出可读取的范围（最多 {max_rows} 行、"
            f"{column_letter(max_columns)} 列），疑似异常文件，未读取；请删除该单元格或把内容复制到新表格中另存为 .xlsx 后重试"
        )
    return scan


def read_sheet(source: Path | bytes, sheet: str | int = 0, *, name: str | None = None, max_rows: int = MAX_ROWS,
               max_columns: int = MAX_COLUMNS, fill_merged: bool = False, others: bool = False) -> SheetData:
    """One worksheet's values, bounded; SheetRefused (Chinese, naming the file) when it cannot be read safely.
    `sheet`: a title, or the index among the worksheets. `others`: also name the other worksheets that hold
    something (each scanned the same way)."""
    data, name = load(source, name)
    check(data, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets, _ = _book(archive)
            if isinstance(sheet, int):
                chosen = sheets[sheet] if sheet < len(sheets) else None
            else:
                chosen = next((s for s in sheets if s.title == sheet), None)
            if chosen is None:
                raise SheetRefused(f"{name} 中没有工作表“{sheet}”" if isinstance(sheet, str) else f"{name} 中没有工作表")
            scan = _scan(_member(archive, chosen.part, SHEET_LIMITS.part), max_rows, max_columns, name, chosen.title)
            result = SheetData(name, chosen.title)
            if others:
                for other in sheets:
                    if other is chosen:
                        continue
                    try:
                        found = _scan(_member(archive, other.part, SHEET_LIMITS.part), max_rows, max_columns,
                                      name, other.title)
                    except SheetRefused:
                        result.others.append(other.title)
                        continue
                    if found.rows:
                        result.others.append(other.title)
    except SheetRefused:
        raise
    except (KeyError, etree.XMLSyntaxError, ZipRefused, *READ_ERRORS) as exc:
        raise SheetRefused(f"{name} 无法打开（{type(exc).__name__}），文件可能已损坏或不是 .xlsx，{_RESAVE}") from None
    result.rows = _values(data, name, chosen.title, scan)
    if fill_merged:
        _fill(result.rows, scan)
    return result


def _values(data: bytes, name: str, title: str, scan: _Scan) -> list[tuple]:
    if not scan.rows:
        return []
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise SheetRefused(f"{name} 无法打开（{type(exc).__name__}），文件可能已损坏或不是 .xlsx，{_RESAVE}") from None
    try:
        rows = [tuple(row) for row in book[title].iter_rows(min_row=1, max_row=scan.rows, max_col=scan.columns,
                                                           values_only=True)]
    except Exception as exc:  # noqa: BLE001
        raise SheetRefused(f"{name} 无法读取（{type(exc).__name__}），文件可能已损坏，{_RESAVE}") from None
    finally:
        book.close()
    width = scan.columns
    rows = [row + (None,) * (width - len(row)) if len(row) < width else row for row in rows]
    return rows + [(None,) * width] * (scan.rows - len(rows))


def _fill(rows: list[tuple], scan: _Scan) -> None:
    """Each merged range's cells take its first cell's value, clipped to the rows read."""
    grid = [list(row) for row in rows]
    for min_row, min_col, max_row, max_col in scan.merged:
        if min_row > len(grid) or min_col > scan.columns:
            continue
        value = grid[min_row - 1][min_col - 1]
        for r in range(min_row, min(max_row, len(grid)) + 1):
            for c in range(min_col, min(max_col, scan.columns) + 1):
                grid[r - 1][c - 1] = value
    rows[:] = [tuple(row) for row in grid]


def _shared(archive: zipfile.ZipFile, part: str | None, wanted: set[int]) -> dict[int, str]:
    """Only the shared strings at the `wanted` indexes, read as a stream that stops after the last one."""
    if not part or not wanted:
        return {}
    found: dict[int, str] = {}
    last = max(wanted)
    index = -1
    data = _member(archive, part, SHEET_LIMITS.part)
    for _, element in etree.iterparse(io.BytesIO(data), events=("end",), tag=f"{{{_MAIN}}}si", **_parser_kwargs()):
        index += 1
        if index in wanted:
            found[index] = "".join(t.text or "" for t in element.iter(f"{{{_MAIN}}}t")
                                   if t.getparent().tag != f"{{{_MAIN}}}rPh")
        element.clear()
        if index >= last:
            break
    return found


def small_cells(data: bytes, title: str, max_rows: int = 10, max_columns: int = 4,
                part_limit: int = 1 << 20) -> dict[tuple[int, int], str] | None:
    """{(row, column): text} of the first few cells of the worksheet `title`; None when the file is not a sane
    .xlsx or has no such sheet. Cheap: only the zip directory is checked and only that sheet's first rows (its
    part at most `part_limit` bytes) and the shared strings they use are read; nothing is materialised."""
    if not data.startswith(b"PK\x03\x04") or len(data) > MAX_FILE_BYTES:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_directory(archive, SHEET_LIMITS)
            sheets, shared = _book(archive)
            sheet = next((s for s in sheets if s.title == title), None)
            if sheet is None:
                return None
            raw: dict[tuple[int, int], tuple[str, str]] = {}
            row_no = column_no = 0
            part = _member(archive, sheet.part, part_limit)
            context = etree.iterparse(io.BytesIO(part), events=("start", "end"), **_parser_kwargs())
            for event, element in context:
                tag = element.tag.rpartition("}")[2]
                if event == "start":
                    if tag == "row":
                        row_no = int(element.get("r") or row_no + 1)
                        column_no = 0
                        if row_no > max_rows:
                            break
                    continue
                if tag == "c":
                    at = _ref(element.get("r"))
                    row, column = at if at else (row_no, column_no + 1)
                    column_no = column
                    # rows and columns count from 1: a `<row r="0">` (or negative) or a reference such as A0
                    # names no cell of the sheet (found by tests/intake/test_marker_properties.py)
                    if 1 <= row <= max_rows and 1 <= column <= max_columns:
                        kind = element.get("t", "n")
                        if kind == "inlineStr":
                            text = "".join(t.text or "" for t in element.iter(f"{{{_MAIN}}}t"))
                        else:
                            v = element.find(f"{{{_MAIN}}}v")
                            text = (v.text or "") if v is not None else ""
                        raw[(row, column)] = (kind, text)
                    element.clear()
                elif tag == "row":
                    element.clear()
            wanted = {int(text) for kind, text in raw.values() if kind == "s" and text.isdigit()}
            strings = _shared(archive, shared, wanted)
    except (ZipRefused, KeyError, ValueError, etree.XMLSyntaxError, *READ_ERRORS):
        return None
    return {at: (strings.get(int(text), "") if kind == "s" and text.isdigit() else text)
            for at, (kind, text) in raw.items()}
