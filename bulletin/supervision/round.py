"""The supervision round of a month: where its files are, split (one sheet per unit) and merge (answers back).

    inputs/督查/<YYYY-MM>/任务.xlsx          the task list the office keeps
    inputs/督查/<YYYY-MM>/反馈/*.xlsx        returned sheets (any file name: recognised by the hidden marker)
    outputs/<series>/<YYYY-MM>/分发/<单位>.xlsx   each unit's sheet
    outputs/<series>/<YYYY-MM>/汇总.xlsx         the merged round (the report is written from it)

Merging reads only; it writes 汇总.xlsx when the merged content differs from what is there, so merging twice
changes nothing.

What merge trusts (issue 22): every file in 反馈/, because only the office and the mailbox put files there, and
the mailbox only a sheet whose sender is registered for the unit its marker names (others wait in
inputs/督查/<YYYY-MM>/待核实/ until the office moves them in: intake/returnsheets.py). Every sheet is read
through core/sheetsafety.py: one with a far cell or a bomb is named in the problems, never read whole.

Two answers from one unit (two different files in 反馈/ whose markers name the same unit) are a CONFLICT, never
"the newer wins": the merge names both files and, for every task on which they differ, uses neither answer (the
unit counts as not having answered that task) until the office removes one; tasks they answer alike are used.

A sheet saved as .xls (issue 23) is converted with LibreOffice headless (layout/render.py) and read like an
.xlsx; without LibreOffice it is named in the problems ("……的反馈表是 .xls 格式……请另存为 .xlsx"), and its unit
is listed in `unreadable`, never among the silent units (未反馈, 通报批评). Other formats (.xlsm, .et, …) in 反馈/
are named and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..core.errors import BulletinError
from ..core.workspace import Workspace, check_month
from ..intake.roster import Roster
from .counts import Answers, task_state
from .series import DEFAULT_SERIES
from ..core.sheetsafety import SheetRefused
from .sheets import ReturnedSheet, read_returned, write_unit_sheet
from .tasks import COMPLETE, STATUS_WORDS, Task, TaskList, read_tasks, status_word, with_answer, write_tasks

INPUT_FOLDER = "督查"
TASKS_FILE = "任务.xlsx"
RETURNS_FOLDER = "反馈"
SPLIT_FOLDER = "分发"
MERGED_FILE = "汇总.xlsx"
LOCKED = ("篇", "章", "任务", "责任单位", "完成时限")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class Round:
    ws: Workspace
    month: str

    @classmethod
    def of(cls, ws: Workspace, month: str, series: str | None = None) -> "Round":
        view = ws.for_series(series or DEFAULT_SERIES)
        return cls(view, check_month(month))

    @property
    def id(self) -> str:
        return f"{self.ws.series}/{self.month}"

    @property
    def inputs(self) -> Path:
        return self.ws.inputs / INPUT_FOLDER / self.month

    @property
    def tasks_path(self) -> Path:
        return self.inputs / TASKS_FILE

    @property
    def returns(self) -> Path:
        return self.inputs / RETURNS_FOLDER

    @property
    def outputs(self) -> Path:
        return self.ws.month_outputs(self.month)

    @property
    def merged_path(self) -> Path:
        return self.outputs / MERGED_FILE

    def sheet_path(self, unit: str) -> Path:
        return self.outputs / SPLIT_FOLDER / f"{_UNSAFE.sub('_', unit)}.xlsx"

    def roster(self) -> Roster:
        return Roster.load(self.ws.roster_path)

    def task_list(self) -> TaskList:
        return read_tasks(self.tasks_path, self.roster())


# -- split -----------------------------------------------------------------------------------------------
@dataclass
class SplitReport:
    round_id: str
    sheets: dict[str, Path] = field(default_factory=dict)  # unit -> its sheet
    counts: dict[str, int] = field(default_factory=dict)  # unit -> tasks

    def lines(self) -> list[str]:
        lines = [f"{self.round_id}：已为 {len(self.sheets)} 个责任单位生成任务表："]
        lines += [f"  {unit}：{self.counts[unit]} 项 → {path}" for unit, path in self.sheets.items()]
        return lines


def split_round(rnd: Round, due: date | None = None) -> SplitReport:
    """Write one sheet per responsible unit with only its tasks (状态/落实情况 left empty to fill)."""
    tasks = rnd.task_list()
    report = SplitReport(rnd.id)
    for unit in tasks.units():
        own = [with_answer(t, "", "") for t in tasks.tasks_of(unit)]
        path = rnd.sheet_path(unit)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_unit_sheet(path, rnd.id, unit, own, due)
        report.sheets[unit], report.counts[unit] = path, len(own)
    return report


# -- merge -----------------------------------------------------------------------------------------------
@dataclass
class MergeReport:
    round_id: str
    merged_path: Path
    tasks: list[Task] = field(default_factory=list)
    answered: dict[str, Path] = field(default_factory=dict)  # unit -> the returned file used
    missing: list[str] = field(default_factory=list)  # units that have not answered
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files in 反馈/ that are not this round's sheets
    answers: Answers = field(default_factory=dict)  # task number -> unit -> (status or "", text): each unit's own
    conflicts: dict[str, list[Path]] = field(default_factory=dict)  # unit -> its two (or more) different sheets
    unreadable: dict[str, str] = field(default_factory=dict)  # unit -> why its returned file could not be read
    written: bool = False

    def lines(self) -> list[str]:
        lines = [f"{self.round_id}：已收到 {len(self.answered)} 个单位的反馈，"
                 f"未反馈 {len(self.missing)} 个单位；汇总表：{self.merged_path}"
                 + ("（已更新）" if self.written else "（内容无变化，未改写）")]
        if self.missing:
            lines.append("  未反馈单位：" + "、".join(self.missing))
        for unit, why in self.unreadable.items():
            lines.append(f"  ! {unit} 有反馈表但无法读取（未列为未反馈）：{why}")
        lines += [f"  ! {p}" for p in self.problems]
        lines += [f"  · {i}" for i in self.ignored]
        return lines


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_NOT_DONE = re.compile(r"尚未|未启动|未完成|未开展")  # not 暂未: "暂未发现…" reports a finding


def contradiction(status: str, text: str) -> str | None:
    """Why the status word and the text disagree, or None."""
    # "推进中。…" restates a status; "已完成规划评审…" is a sentence about a step: only the first counts
    lead = next((w for w in sorted(STATUS_WORDS, key=len, reverse=True)
                 if re.match(re.escape(w) + r"(?:[。，,.；;]|$)", text)), None)
    if lead and lead != status:
        return f"状态选的是“{status}”，落实情况却写“{lead}”"
    if status in COMPLETE and _NOT_DONE.search(text):
        return f"状态为“{status}”，落实情况中却有“{_NOT_DONE.search(text).group()}”"
    if status == "未启动" and "已完成" in text:
        return "状态为“未启动”，落实情况中却有“已完成”"
    return None


def _returned_files(folder: Path) -> list[Path]:
    """Every file in 反馈/ (Excel's lock files ~$… and hidden files left out), in name order."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(("~$", "."))]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def _xls_unit(path: Path, units: list[str]) -> str | None:
    """The unit of an .xls that could not be converted: the one whose sheet's first row ("<单位>：以下是贵单位…",
    UTF-16 in an .xls) it holds, else the one its file name names."""
    try:
        data = path.read_bytes()[:20 * 1024 * 1024]
    except OSError:
        data = b""
    found = [u for u in units if f"{u}：以下是贵单位".encode("utf-16-le") in data]
    if len(found) == 1:
        return found[0]
    named = [u for u in units if u in path.name]
    return max(named, key=len) if named else None


def _read_one(path: Path, name: str, units: list[str], report: "MergeReport") -> ReturnedSheet | None | bool:
    """A returned file read safely; None when it has no marker; False when it was refused (the reason is
    already in the report)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return read_returned(path)
        if suffix == ".xls":
            from ..layout.render import convert

            try:
                data = convert(path, "xlsx", ".xlsx")
            except BulletinError as exc:
                unit = _xls_unit(path, units)
                why = (f"{name} 是 .xls 格式，本机无法转换（{exc}）：请在 Excel/WPS 中打开后另存为 .xlsx 放回 反馈/，"
                       "再汇总")
                if unit:
                    report.unreadable[unit] = why
                report.problems.append(f"{unit or '（单位无法识别）'} 的反馈表是 .xls 格式，未能读取：{why}")
                return False
            return read_returned(path, data)
    except SheetRefused as exc:
        reason = str(exc).removeprefix(f"{path.name}：")
        report.problems.append(f"{name}：{reason}；此反馈表未采用。")
        return False
    why = "含宏的表格（.xlsm）不予读取" if suffix == ".xlsm" else f"不是 .xlsx 表格（{suffix or '无扩展名'}）"
    report.ignored.append(f"{name}：{why}，已忽略；请使用办公室发出的 .xlsx 表格。")
    return False


def merge_round(rnd: Round, write: bool = True) -> MergeReport:
    """Read every returned sheet of the round and merge the answers into 汇总.xlsx (write=False: only look)."""
    tasks = rnd.task_list()
    master = tasks.by_number()
    report = MergeReport(rnd.id, rnd.merged_path)
    units = tasks.units()
    chosen: dict[str, ReturnedSheet] = {}
    others: dict[str, list[ReturnedSheet]] = {}  # a unit's further, different sheets: a conflict
    for path in _returned_files(rnd.returns):
        name = path.relative_to(rnd.returns).as_posix()
        sheet = _read_one(path, name, units, report)
        if sheet is False:
            continue
        if sheet is None:
            report.ignored.append(f"{name}：不是本系统分发的任务表（没有识别标记），已忽略。")
            continue
        if sheet.round_id != rnd.id:
            report.ignored.append(f"{name}：是“{sheet.round_id}”一轮的任务表，不是本轮（{rnd.id}），已忽略。")
            continue
        if sheet.unit not in units:
            report.ignored.append(f"{name}：单位“{sheet.unit}”不是本轮任务的责任单位，已忽略。")
            continue
        if sheet.unit in chosen:
            if [_answer_key(r) for r in sheet.rows] != [_answer_key(r) for r in chosen[sheet.unit].rows]:
                others.setdefault(sheet.unit, []).append(sheet)  # the same answers twice (a copy): no conflict
            continue
        chosen[sheet.unit] = sheet
    conflicting = _conflicts(chosen, others, rnd.returns, report)
    answers: dict[int, dict[str, tuple[str, str]]] = {}
    for unit in units:
        sheet = chosen.get(unit)
        if sheet is None:
            if unit not in report.unreadable:  # a unit whose file could not be read is said so, not silent
                report.missing.append(unit)
            continue
        report.unreadable.pop(unit, None)  # another file of the unit was read
        report.answered[unit] = sheet.path
        name = sheet.path.relative_to(rnd.returns).as_posix()
        for row in sheet.rows:
            where = f"{unit}（{name} 第{row['_line']}行）"
            raw = _cell_text(row.get("序号"))
            try:
                number = int(raw)
            except ValueError:
                report.problems.append(f"{where}：序号“{raw}”不是本轮的任务序号，此行未采用。")
                continue
            task = master.get(number)
            if task is None or unit not in task.units:
                report.problems.append(f"{where}：第{number}项不是本轮分给该单位的任务，此行未采用。")
                continue
            original = dict(zip(("篇", "章", "任务", "责任单位", "完成时限"), task.row()[1:6]))
            for column in LOCKED:
                if column in row and _cell_text(row[column]) != _cell_text(original[column]):
                    report.problems.append(f"{where}：第{number}项的“{column}”被改动过，已按原任务清单处理。")
            raw_status = _cell_text(row.get("状态"))
            status = status_word(raw_status) or ""
            text = _cell_text(row.get("落实情况"))
            if raw_status and not status:
                report.problems.append(f"{where}：第{number}项的状态“{raw_status}”不是 {'/'.join(STATUS_WORDS)} 之一。")
            if number in conflicting.get(unit, ()):
                continue  # two different answers of the unit: neither is used (named in the problems)
            if not status and not text:
                report.problems.append(f"{where}：第{number}项未填写。")
                continue
            if not status:  # answered without a status: printed as written, never as 未报送 (counts.py)
                report.problems.append(f"{where}：第{number}项写了落实情况，但没有选择状态：请该单位补选状态"
                                       "（或在汇总表中补填）；补上之前，专报照印其落实情况，该项不计入已完成。")
            elif why := contradiction(status, text):
                report.problems.append(f"{where}：第{number}项{why}，请核实。")
            answers.setdefault(number, {})[unit] = (status, text)
    report.answers = answers
    report.tasks = [_merged(task, answers.get(task.number, {})) for task in tasks.tasks]
    if write:
        report.written = _write_if_changed(rnd.merged_path, report.tasks)
    return report


def _answer_key(row: dict) -> tuple[str, str, str]:
    return _cell_text(row.get("序号")), _cell_text(row.get("状态")), _cell_text(row.get("落实情况"))


def _conflicts(chosen: dict[str, ReturnedSheet], others: dict[str, list[ReturnedSheet]], folder: Path,
               report: MergeReport) -> dict[str, set[int]]:
    """{unit: task numbers its sheets answer differently}; each conflict named in the problems with its files."""
    found: dict[str, set[int]] = {}
    for unit, extra in others.items():
        sheets = [chosen[unit], *extra]
        report.conflicts[unit] = [s.path for s in sheets]
        by_file = [{key[0]: key[1:] for key in map(_answer_key, s.rows)} for s in sheets]
        numbers = {n for answers in by_file for n in answers}
        differ = sorted(int(n) for n in numbers if n.isdigit() and len({a.get(n) for a in by_file}) > 1)
        found[unit] = set(differ)
        names = "”与“".join(s.path.relative_to(folder).as_posix() for s in sheets)
        report.problems.append(
            f"{unit} 有 {len(sheets)} 份不同的反馈表（“{names}”）："
            + (f"第{'、'.join(map(str, differ))}项的回答不一致，这几项暂不采用任何一份；" if differ else "")
            + "请核实后从 反馈/ 中删去不用的一份，再汇总。")
    return found


def _merged(task: Task, given: dict[str, tuple[str, str]]) -> Task:
    """One task with its units' answers: the status by counts.task_state (已完成 only when every unit says so;
    none when a unit is silent or gave no status); texts labelled by unit when they differ or when some unit has
    not answered."""
    if not given:
        return with_answer(task, "", "")
    status = task_state(task.units, given)
    status = status if status in STATUS_WORDS else ""
    groups: dict[str, list[str]] = {}
    for unit in task.units:
        if unit in given and given[unit][1]:
            groups.setdefault(given[unit][1], []).append(unit)
    silent = [u for u in task.units if u not in given]
    if len(groups) == 1 and not silent:
        return with_answer(task, status, next(iter(groups)))
    parts = [f"【{'、'.join(us)}】{text}" for text, us in groups.items()]
    if silent:
        parts.append(f"【{'、'.join(silent)}】未报送。")
    return with_answer(task, status, "\n".join(parts))


def _write_if_changed(path: Path, tasks: list[Task]) -> bool:
    if path.is_file():
        try:
            if read_tasks(path).tasks == tasks:
                return False
        except BulletinError:
            pass  # unreadable: write it anew
    path.parent.mkdir(parents=True, exist_ok=True)
    write_tasks(path, tasks)
    return True


def merged_tasks(rnd: Round) -> list[Task]:
    """The merged round as last written by merge_round."""
    if not rnd.merged_path.is_file():
        raise BulletinError(f"尚未汇总 {rnd.id} 的反馈：请先执行 bulletin tasks merge --month {rnd.month}。")
    return read_tasks(rnd.merged_path).tasks
