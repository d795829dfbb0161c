"""inputs/领导批示.xlsx: the office's register of leaders' instructions (领导批示) on the bulletin's items, and
the feedback (落实反馈) the acting unit owes by a date (issue 26).

Why a spreadsheet: offices keep this ledger in Excel today; the product reads the same sheet instead of asking
them to type it twice. The header is found by name in the first rows (a title row above it is common), in any
column order, with the names offices use (HEADERS: 期号/期数, 标题/信息标题/事项, 领导/批示领导, ...).
One row is one instruction. Read through core/sheetsafety.py (size, range and zip bounds); every bad row is
named ("领导批示.xlsx 第7行：…") and left out, the others still count (a door fails closed per item).

Feedback is recorded by filling 反馈情况 and/or 反馈日期 in the sheet (or `bulletin instructions feedback ROW
--text …`, which writes the same cells). Its state on a day (`Instruction.state`):
  已反馈      feedback recorded (on or before the due date, or without a date)
  逾期反馈    feedback recorded with a 反馈日期 after the 反馈期限
  未到期      no feedback yet, the due date not passed (the due date itself is still in time)
  逾期未反馈  no feedback, the due date passed
  无需反馈    no 落实单位 or no 反馈期限 (参阅件 usually)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ..core.sheetsafety import SheetRefused, read_sheet
from .roster import Roster, normalize

FILE_NAME = "领导批示.xlsx"

FED = "已反馈"
FED_LATE = "逾期反馈"
OPEN = "未到期"
OVERDUE = "逾期未反馈"
NO_FEEDBACK = "无需反馈"
STATES = (FED, FED_LATE, OPEN, OVERDUE, NO_FEEDBACK)

# canonical column -> the names offices give it (compared after NFKC and without spaces; "(必填)" etc. dropped)
HEADERS: dict[str, tuple[str, ...]] = {
    "期号": ("期号", "期数", "简报期号", "刊期", "期次"),
    "标题": ("标题", "信息标题", "稿件标题", "文章标题", "题目", "事项", "批示事项", "信息名称"),
    "报送单位": ("报送单位", "供稿单位", "信息报送单位", "来源单位", "信息来源"),
    "领导": ("领导", "批示领导", "领导姓名", "批示人"),
    "级别": ("级别", "批示级别", "领导级别", "层级"),
    "类别": ("类别", "批示类别", "批示类型", "类型"),
    "日期": ("日期", "批示日期", "批示时间"),
    "批示内容": ("批示内容", "批示", "批示意见", "内容"),
    "落实单位": ("落实单位", "承办单位", "责任单位", "办理单位"),
    "反馈期限": ("反馈期限", "反馈时限", "办理时限", "反馈截止日期", "截止日期", "期限"),
    "反馈情况": ("反馈情况", "落实情况", "办理情况", "反馈内容"),
    "反馈日期": ("反馈日期", "反馈时间", "办结日期"),
}
REQUIRED = ("领导", "级别", "类别", "日期")
HEADER_ROWS = 5  # the header is looked for in the first rows (a title row, a blank row above it)
_NOTE = re.compile(r"[（(【\[].*?[）)】\]]|[*＊:：]")
_UNIT_SPLIT = re.compile(r"[、,，;；/\n]")
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_NUMBER = re.compile(r"\d{1,6}")
_QUOTES = str.maketrans("", "", "《》〈〉“”\"'‘’「」")


@dataclass(frozen=True)
class Instruction:
    row: int  # the row in the sheet, as Excel numbers it
    number: int | None  # 期号
    title: str
    source_unit: str  # 报送单位 as written ("" when not given: found from the ledger by 期号/标题)
    leader: str
    level: str  # a key of [scoring.instructions.levels]
    kind: str  # a key of [scoring.instructions.kinds]
    day: date
    text: str
    units: tuple[str, ...]  # 落实单位 (canonical names)
    due: date | None
    feedback: str
    feedback_day: date | None

    def state(self, today: date) -> str:
        if self.feedback or self.feedback_day:
            late = self.due is not None and self.feedback_day is not None and self.feedback_day > self.due
            return FED_LATE if late else FED
        if not self.units or self.due is None:
            return NO_FEEDBACK
        return OVERDUE if today > self.due else OPEN

    @property
    def key(self) -> str:
        """Stable across inserted rows (the reminders' ledger purpose): what the instruction is, not where."""
        text = "|".join([self.day.isoformat(), self.leader, str(self.number or ""), normalize(self.title),
                         normalize(self.text)[:200]])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    @property
    def item(self) -> str:
        """The item as people say it: 第65期《标题》."""
        parts = [f"第{self.number}期" if self.number else "", f"《{self.title}》" if self.title else ""]
        return "".join(parts) or f"第{self.row}行的批示"

    @property
    def item_key(self) -> tuple:
        """Instructions on the same item share this key ([scoring.instructions] per_item)."""
        return (self.number, title_key(self.title)) if self.title else ("row", self.row)


@dataclass
class Register:
    instructions: list[Instruction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    found: bool = False  # the file exists
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # canonical column -> 0-based index

    def of_year(self, year: str | int) -> list[Instruction]:
        return [i for i in self.instructions if i.day.year == int(year)]


def title_key(title: str) -> str:
    return normalize(title).translate(_QUOTES)


def header_name(cell: object) -> str | None:
    text = _NOTE.sub("", normalize(str(cell or "")))
    for canonical, names in HEADERS.items():
        if text in names:
            return canonical
    return None


def find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    """(0-based row, canonical -> column) of the first of the first rows that names every required column."""
    for n, row in enumerate(rows[:HEADER_ROWS]):
        columns: dict[str, int] = {}
        for i, cell in enumerate(row):
            name = header_name(cell)
            if name and name not in columns:
                columns[name] = i
        if all(r in columns for r in REQUIRED) and ("标题" in columns or "期号" in columns):
            return n, columns
    return None


def parse_day(value: object) -> date | None:
    """A date as offices write it: a date cell, 2026-10-15, 2026/10/15, 2026.10.15, 2026年10月15日, or an Excel
    serial number left unformatted. None when it is none of these."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # 1954 .. 2119 as an Excel serial
            return date(1899, 12, 30) + timedelta(days=int(value))
        return None
    match = _DAY.search(normalize(str(value or "")))
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def match_key(text: str, keys: Iterable[str], suffixes: tuple[str, ...]) -> str | None:
    """The configured key a cell means: itself, without a trailing word (领导, 类, 件...), or with 级 added
    (市 / 市领导 -> 市级)."""
    keys = list(keys)
    cell = normalize(text)
    candidates = [cell]
    for suffix in suffixes:
        if cell.endswith(suffix) and len(cell) > len(suffix):
            candidates.append(cell[: -len(suffix)])
    candidates += [c + "级" for c in list(candidates) if not c.endswith("级")]
    for c in candidates:
        if c in keys:
            return c
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return " ".join(str(value).split())


def _number(value: object) -> int | None | str:
    """期号: 65, 65.0, "65", "第65期", "2026年第12期" (the last number). "" when it holds no number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 0 < value < 1_000_000 else ""
    numbers = _NUMBER.findall(normalize(str(value)).replace("年", " "))
    return int(numbers[-1]) if numbers and int(numbers[-1]) > 0 else ""


def read_register(path: Path, roster: Roster, levels: Iterable[str], kinds: Iterable[str]) -> Register:
    """The register; never raises for what is in the file (a refused file or a bad header is a problem)."""
    register = Register()
    if not path.is_file():
        return register
    register.found = True
    try:
        rows = read_sheet(path, 0, name=path.name).rows
    except SheetRefused as exc:
        register.problems.append(f"{exc}；本次未读取领导批示。")
        return register
    if not rows:
        return register
    header = find_header(rows)
    if header is None:
        register.problems.append(
            f"{path.name}：前{HEADER_ROWS}行中找不到表头（须有 期号或标题、{'、'.join(REQUIRED)} 列；"
            f"完整表头：{'、'.join(HEADERS)}），本次未读取领导批示。")
        return register
    at, columns = header
    register.header_row, register.columns = at + 1, columns
    levels, kinds = list(levels), list(kinds)
    for row_no, row in enumerate(rows[at + 1:], start=at + 2):
        cells = {name: (row[i] if i < len(row) else None) for name, i in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        item, problems = _instruction(row_no, cells, roster, levels, kinds)
        where = f"{path.name} 第{row_no}行"
        register.problems += [f"{where}：{p}" for p in problems]
        if item is not None:
            register.instructions.append(item)
    return register


def _instruction(row_no: int, cells: dict, roster: Roster, levels: list[str], kinds: list[str]
                 ) -> tuple[Instruction | None, list[str]]:
    problems: list[str] = []
    get = lambda name: cells.get(name)  # noqa: E731
    title = _text(get("标题"))
    number = _number(get("期号"))
    leader = _text(get("领导"))
    level_text, kind_text = _text(get("级别")), _text(get("类别"))
    level = match_key(level_text, levels, ("领导", "同志"))
    kind = match_key(kind_text, kinds, ("类", "件", "性", "性批示", "批示"))
    day = parse_day(get("日期"))
    fatal = []
    if number == "":
        fatal.append(f"期号“{_text(get('期号'))}”不是数字（写 65 或 第65期）")
        number = None
    if not title and number is None:
        fatal.append("缺少期号和标题（至少写一项，指明批示的是哪篇信息）")
    if not leader:
        fatal.append("缺少批示领导")
    if level is None:
        fatal.append(f"级别“{level_text}”不在 {'/'.join(levels)} 之中（见 [scoring.instructions.levels]）")
    if kind is None:
        fatal.append(f"类别“{kind_text}”不在 {'/'.join(kinds)} 之中（见 [scoring.instructions.kinds]）")
    if day is None:
        fatal.append(f"批示日期“{_text(get('日期'))}”无法识别（应为 2026-10-15 这样的日期）")
    units: list[str] = []
    for token in _UNIT_SPLIT.split(_text(get("落实单位"))):
        if not token.strip():
            continue
        unit = roster.resolve(token) if roster else normalize(token)
        if unit is None:
            problems.append(f"落实单位“{token.strip()}”不在单位名册（units.csv）中，不提醒、不计反馈")
        elif unit not in units:
            units.append(unit)
    due_text = _text(get("反馈期限"))
    due = parse_day(get("反馈期限")) if due_text else None
    if due_text and due is None:
        problems.append(f"反馈期限“{due_text}”无法识别（应为 2026-10-15 这样的日期），按无反馈期限处理")
    feedback_day_text = _text(get("反馈日期"))
    feedback_day = parse_day(get("反馈日期")) if feedback_day_text else None
    if feedback_day_text and feedback_day is None:
        problems.append(f"反馈日期“{feedback_day_text}”无法识别（应为 2026-10-15 这样的日期），按已反馈、日期不详处理")
    feedback = _text(get("反馈情况")) or ("（已反馈）" if feedback_day_text and feedback_day is None else "")
    source_text = _text(get("报送单位"))
    source = (roster.resolve(source_text) or source_text) if source_text else ""
    if due is not None and not units and not _text(get("落实单位")):
        problems.append("有反馈期限但没有落实单位，不提醒、不计反馈")
    if fatal:
        return None, ["；".join(fatal) + "，未计入"] + problems
    return Instruction(row_no, number, title, source, leader, level, kind, day, _text(get("批示内容")),
                       tuple(units), due, feedback, feedback_day), problems


def state_counts(instructions: Iterable[Instruction], today: date) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for i in instructions:
        counts[i.state(today)] += 1
    return counts


def due_stage(due: date, today: date, days_before: Iterable[int]) -> int | None:
    """The reminder stage due today: the smallest n with due - n <= today <= due (a missed day is caught up by
    the next run; each stage is mailed once). None before the first stage and after the due date."""
    if today > due:
        return None
    stages = [n for n in days_before if due - timedelta(days=n) <= today]
    return min(stages) if stages else None


__all__ = ["FED", "FED_LATE", "FILE_NAME", "HEADERS", "Instruction", "NO_FEEDBACK", "OPEN", "OVERDUE",
           "Register", "STATES", "due_stage", "find_header", "parse_day", "read_register", "state_counts",
           "title_key"]
