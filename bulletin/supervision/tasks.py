"""The round's task list (任务.xlsx): key tasks with their chapter, section, responsible units and answers.

Columns (row 1 is the header; a first note row above it is allowed): 序号, 篇 (一、…), 章 ((一)…), 任务,
责任单位 (several separated by 、，, or ;, resolved through the roster and its aliases), 完成时限 (optional date),
状态, 落实情况. `read_tasks` refuses a list with duplicate 序号, empty tasks, no unit or units the roster does
not know, naming the file and row of each problem in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..core.atomic import write_atomic
from ..core.errors import BulletinError
from ..core.sheetsafety import SheetRefused, read_sheet
from ..intake.roster import Roster
from ..core.xlsxparts import workbook_bytes

COLUMNS = ("序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况")
# Least to most advanced: a task answered by several units is as far as its least advanced unit.
STATUS_WORDS = ("未启动", "推进中", "已完成", "已完成并长期坚持")
COMPLETE = frozenset({"已完成", "已完成并长期坚持"})
_UNIT_SPLIT = re.compile(r"[、，,;；\n]+")


@dataclass(frozen=True)
class Task:
    number: int
    part: str  # 篇: 一、聚焦…
    chapter: str  # 章: (一)抓实抓细…, may be empty
    text: str
    units: tuple[str, ...]
    deadline: date | None = None
    status: str = ""
    answer: str = ""

    @property
    def complete(self) -> bool:
        return self.status in COMPLETE

    def overdue(self, on: date) -> bool:
        """The deadline has passed and the task is not complete."""
        return self.deadline is not None and self.deadline < on and not self.complete

    def row(self) -> list:
        return [self.number, self.part, self.chapter, self.text, "、".join(self.units), self.deadline,
                self.status, self.answer]


@dataclass
class TaskList:
    path: Path
    tasks: list[Task] = field(default_factory=list)

    def by_number(self) -> dict[int, Task]:
        return {t.number: t for t in self.tasks}

    def units(self) -> list[str]:
        """Every responsible unit, in order of first appearance."""
        seen: dict[str, None] = {}
        for task in self.tasks:
            for unit in task.units:
                seen.setdefault(unit, None)
        return list(seen)

    def tasks_of(self, unit: str) -> list[Task]:
        return [t for t in self.tasks if unit in t.units]


def split_units(cell: str) -> list[str]:
    return [u.strip() for u in _UNIT_SPLIT.split(cell or "") if u.strip()]


def status_word(text: str) -> str | None:
    """The allowed status word `text` is (full-width spaces and a trailing 。 ignored), else None."""
    word = (text or "").strip().strip("。.").strip()
    return word if word in STATUS_WORDS else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, where: str, problems: list[str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.match(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$", text)
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    problems.append(f"{where}：完成时限“{text}”不是日期（请写成 2026-12-31）。")
    return None


def _header(rows: list[tuple], path: Path) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:5]):
        cells = [_text(c) for c in row]
        if "序号" in cells and "任务" in cells:
            return index, {name: cells.index(name) for name in COLUMNS if name in cells}
    raise BulletinError(f"任务清单 {path.name} 找不到表头：前几行中应有“序号”“任务”“责任单位”等列。")


def read_tasks(path: Path, roster: Roster | None = None) -> TaskList:
    """Read and validate a task list; BulletinError (Chinese, every problem with its row) when unusable."""
    path = Path(path)
    if not path.is_file():
        raise BulletinError(f"找不到任务清单 {path}：请按 序号、篇、章、任务、责任单位、完成时限 各列准备该文件。")
    try:  # bounded and checked first (core/sheetsafety.py): a far cell or a bomb is refused by name
        rows = read_sheet(path, 0).rows
    except SheetRefused as exc:
        raise BulletinError(f"任务清单 {exc}。") from None
    head, columns = _header(rows, path)
    missing = [c for c in ("序号", "任务", "责任单位") if c not in columns]
    if missing:
        raise BulletinError(f"任务清单 {path.name} 缺少列：{'、'.join(missing)}。")
    roster = roster or Roster()
    problems: list[str] = []
    tasks: list[Task] = []
    seen: dict[int, int] = {}

    def cell(row: tuple, name: str):
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    for line, row in enumerate(rows[head + 1:], start=head + 2):
        if not any(_text(c) for c in row):
            continue
        where = f"{path.name} 第{line}行"
        raw_number = _text(cell(row, "序号"))
        try:
            number = int(raw_number)
        except ValueError:
            problems.append(f"{where}：序号“{raw_number}”不是整数。")
            continue
        if number in seen:
            problems.append(f"{where}：序号 {number} 与第{seen[number]}行重复。")
            continue
        seen[number] = line
        text = _text(cell(row, "任务"))
        if not text:
            problems.append(f"{where}：第{number}项任务内容为空。")
        units: list[str] = []
        for name in split_units(_text(cell(row, "责任单位"))):
            known = roster.resolve(name) if roster else name
            if known is None:
                problems.append(f"{where}：责任单位“{name}”不在单位名册 units.csv 中（可在名册中添加该单位或别名）。")
            elif known not in units:
                units.append(known)
        if not _text(cell(row, "责任单位")):
            problems.append(f"{where}：第{number}项任务没有填写责任单位。")
        status = _text(cell(row, "状态"))
        if status and status_word(status) is None:
            problems.append(f"{where}：状态“{status}”不是 {'/'.join(STATUS_WORDS)} 之一。")
        tasks.append(Task(
            number=number, part=_text(cell(row, "篇")), chapter=_text(cell(row, "章")), text=text,
            units=tuple(units), deadline=_date(cell(row, "完成时限"), where, problems),
            status=status_word(status) or "", answer=_text(cell(row, "落实情况")),
        ))
    if problems:
        raise BulletinError(f"任务清单 {path.name} 有 {len(problems)} 处问题，请改正后重试：\n" +
                            "\n".join(f"  - {p}" for p in problems))
    if not tasks:
        raise BulletinError(f"任务清单 {path.name} 中没有任务。")
    return TaskList(path=path, tasks=tasks)


def tasks_workbook(tasks: list[Task], note: str = "") -> Workbook:
    """The task list as a workbook (the merged round, or a fixture): header row, one row per task."""
    book = Workbook()
    sheet = book.active
    sheet.title = "任务"
    if note:
        sheet.append([note])
    sheet.append(list(COLUMNS))
    for task in tasks:
        sheet.append(task.row())
    header_row = 2 if note else 1
    for c in sheet[header_row]:
        c.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=header_row + 1):
        row[5].number_format = "yyyy-mm-dd"
        for c in (row[3], row[7]):
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGH", (6, 18, 18, 50, 24, 12, 14, 60)):
        sheet.column_dimensions[letter].width = width
    return book


def write_tasks(path: Path, tasks: list[Task], note: str = "") -> None:
    write_atomic(Path(path), workbook_bytes(tasks_workbook(tasks, note)))


def with_answer(task: Task, status: str, answer: str) -> Task:
    return replace(task, status=status, answer=answer)
