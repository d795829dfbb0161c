"""领导批示 (issue 26): `bulletin instructions` (the register with each instruction's feedback state),
`bulletin instructions feedback ROW --text …` (feedback written into the register's own cells), and the feedback
reminders `bulletin remind` sends (office/remind.py calls `remind_instructions`).

The register is the office's own spreadsheet, inputs/领导批示.xlsx (intake/instructions.py says what it holds):
the product reads it and, for feedback, writes two cells of one row; it keeps no second copy, so what the office
types in Excel and what the command records are the same thing.

Reminders go through the calendar's mail path (delivery/reminders.mail_units → deliver, the ledger): each acting
unit is mailed once per instruction and stage ([calendar] instruction_remind_days_before, default [3, 0]: three
days before the due date and on the day; a missed day is caught up by the next run until the due date), never
after feedback is recorded. The deliveries are kept under the due date's month.

The workbench's 领导批示 page (and `bulletin instructions add`) write the same file: `add_instruction` appends one
row checked as the reader checks it (and stricter: an unknown 落实单位 or 级别 is refused at the form, where the
reader would only note it), `replace_register` takes a whole register uploaded from the office's Excel (the old
file kept under .bulletin/instructions-history/ first), `feedback` is record_feedback with a check that the row
still holds the instruction the page showed. Text is written as string cells as typed (never a formula: the cell's
type says text; no apostrophe added, since titles are matched against the ledger's). One file lock serialises the
workbench's writers; every write is atomic, and every action is in the audit table.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..core.atomic import write_atomic
from ..core.errors import BulletinError
from ..core.workspace import Workspace
from ..delivery.reminders import (
    UnitMail,
    UnitMailing,
    instruction_body,
    instruction_purpose,
    instruction_subject,
    mail_units,
    unit_addresses,
)
from ..delivery.transports import Transport
from ..intake.instructions import (
    FED,
    FED_LATE,
    FILE_NAME,
    HEADERS,
    OPEN,
    STATES,
    due_stage,
    find_header,
    match_key,
    parse_day,
)
from ..intake.roster import Roster
from ..stats.instructions import ScoredInstruction
from ..stats.run import instruction_figures, office_today, read_instructions


@dataclass
class InstructionList:
    year: int
    today: date
    found: bool
    scored: list[ScoredInstruction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for s in self.scored:
            counts[s.state] += 1
        return counts

    def lines(self) -> list[str]:
        if not self.found:
            return [f"没有 inputs/{FILE_NAME}：领导批示登记表见 README“领导批示”（可从 Excel 填写）。"]
        counts = self.counts()
        head = (f"{self.year}年领导批示 {len(self.scored)} 条（截至{self.today:%Y-%m-%d}）："
                + "，".join(f"{state} {n}" for state, n in counts.items() if n))
        lines = [head]
        for s in self.scored:
            i = s.instruction
            acting = f"落实：{'、'.join(i.units)}" if i.units else "无落实单位"
            due = f"，期限 {i.due:%Y-%m-%d}" if i.due else ""
            fed = f"（{i.feedback_day:%Y-%m-%d} 反馈）" if i.feedback_day else ""
            owner = s.unit or "报送单位未找到"
            lines.append(f"  第{i.row}行 {i.item}（{owner}） {i.leader} {i.level}·{i.kind} {i.day:%Y-%m-%d}；"
                         f"{acting}{due}：{s.state}{fed}")
        lines += [f"注意：{p}" for p in self.problems]
        return lines


def listing(ws: Workspace, year: int | None = None, today: date | None = None) -> InstructionList:
    """The year's instructions (by their date; default the year of `today`) with their feedback state on `today`
    (default the office's today, Asia/Shanghai)."""
    today = today or office_today()
    year = year or today.year
    roster = Roster.load(ws.roster_path)
    register = read_instructions(ws, roster)
    result = InstructionList(year, today, register.found, problems=list(register.problems))
    figures = instruction_figures(ws, register, roster, today, year=str(year))
    if figures is not None:
        result.scored = figures.scored
        result.problems += figures.problems
    return result


def record_feedback(ws: Workspace, row: int, text: str, day: date | None = None) -> str:
    """Write 反馈情况 (text) and 反馈日期 (day, default the office's today) into the register's row `row` (as
    Excel numbers it); the two columns are added to the header when the sheet has none. Returns a Chinese
    sentence. Other cells, sheets and formatting the office made stay as openpyxl keeps them."""
    text = " ".join(text.split())
    if not text:
        raise BulletinError("反馈情况不能为空（--text \"…\"）。")
    day = day or office_today()
    path = ws.inputs / FILE_NAME
    register = read_instructions(ws)
    if not register.found:
        raise BulletinError(f"没有 {ws.shown(path)}，无法记录反馈。")
    if not register.columns:
        raise BulletinError("；".join(register.problems) or f"{FILE_NAME} 无法读取。")
    instruction = next((i for i in register.instructions if i.row == row), None)
    if instruction is None:
        bad = [p for p in register.problems if f"第{row}行" in p]
        raise BulletinError(f"{FILE_NAME} 第{row}行不是一条可用的批示" + (f"：{bad[0]}" if bad else "（请核对行号）") + "。")
    from openpyxl import load_workbook  # the file passed core/sheetsafety's bounds in read_instructions

    try:
        book = load_workbook(io.BytesIO(path.read_bytes()))
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise BulletinError(f"{FILE_NAME} 无法打开（{type(exc).__name__}）。") from None
    sheet = book.worksheets[0]
    header = register.header_row
    columns = dict(register.columns)
    last = max(columns.values()) + 1  # 0-based index of the next free column
    for name in ("反馈情况", "反馈日期"):
        if name not in columns:
            columns[name] = last
            sheet.cell(row=header, column=last + 1, value=name)
            last += 1
    sheet.cell(row=row, column=columns["反馈情况"] + 1, value=text)
    cell = sheet.cell(row=row, column=columns["反馈日期"] + 1, value=day)
    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    try:
        write_atomic(path, out.getvalue())
    except PermissionError:
        raise BulletinError(f"无法写入 {FILE_NAME}：请先在 Excel/WPS 中关闭该文件后重试。") from None
    state = FED_LATE if instruction.due and day > instruction.due else FED
    return f"已记录 {FILE_NAME} 第{row}行 {instruction.item} 的反馈（{day:%Y-%m-%d}）：{state}。"


@dataclass
class InstructionReminders:
    """What one `bulletin remind` run did for 领导批示 feedback."""

    today: date
    due: list[tuple[int, str, int]] = field(default_factory=list)  # (row, unit, stage) due today
    mailings: list[UnitMailing] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(m.complete for m in self.mailings)

    def lines(self) -> list[str]:
        if not self.due and not self.problems:
            return []
        lines = []
        sent = [u for m in self.mailings for u in (m.would_send if m.dry_run else m.sent)]
        already = [u for m in self.mailings for u in m.already]
        failed = [f"{u} {r.email}：{why}" for m in self.mailings for u, r, why in m.failed]
        none = list(dict.fromkeys(u for m in self.mailings for u in m.no_address))
        if self.due:
            verb = "将提醒" if any(m.dry_run for m in self.mailings) else "本次提醒"
            lines.append(f"  批示落实反馈提醒：{verb} {len(sent)} 个单位：{'、'.join(sent) or '（无）'}")
        if already:
            lines.append(f"    此前已发（未重复发送）：{'、'.join(already)}")
        lines += [f"    ✗ {f}" for f in failed]
        if none:
            lines.append("    以下单位没有邮箱（units.csv 的“邮箱”列），请电话通知：" + "、".join(none))
        lines += [f"  注意：{p}" for p in self.problems]
        return lines


def remind_instructions(ws: Workspace, today: date, roster: Roster, dry_run: bool = False,
                        transport: Transport | None = None) -> InstructionReminders:
    """Mail each acting unit of each instruction whose reminder stage is due today; never raises for the
    register's content (its problems are listed)."""
    result = InstructionReminders(today)
    cal = ws.settings.calendar
    if cal is None or not cal.instruction_remind_days_before:
        return result
    register = read_instructions(ws, roster)
    result.problems += register.problems
    by_month: dict[str, list[UnitMail]] = {}
    for i in register.instructions:
        if i.state(today) != OPEN or i.due is None:
            continue
        stage = due_stage(i.due, today, cal.instruction_remind_days_before)
        if stage is None:
            continue
        month = f"{i.due.year:04d}-{i.due.month:02d}"
        for unit in i.units:
            result.due.append((i.row, unit, stage))
            by_month.setdefault(month, []).append(
                UnitMail(unit, instruction_purpose(stage, i.key, unit), instruction_subject(ws, i, stage),
                         instruction_body(ws, i, unit)))
    if not by_month:
        return result
    addresses = unit_addresses(ws, roster)
    for month, mails in sorted(by_month.items()):
        for mail in mails:  # mail_units keys its result by unit: one unit with two instructions, two calls
            result.mailings.append(mail_units(ws, month, [mail], addresses, transport, dry_run))
    return result


# -- writing the register from the workbench (and `bulletin instructions add`) ------------------------------------
MAX_TITLE = 200
MAX_LEADER = 50
MAX_TEXT = 2000
MAX_FEEDBACK = 2000
MAX_UNITS = 30
MAX_REGISTER_BYTES = 5 * 1024 * 1024  # an uploaded register (a year's register is tens of KB)
HISTORY_DIR = "instructions-history"  # under the state folder: the registers an upload replaced
LOCK_FILE = "instructions.lock"
LOCK_WAIT_SECONDS = 30
_UNIT_SPLIT = re.compile(r"[、,，;；/\n]")  # as the register's reader splits 落实单位
ADDED, FED_BACK, REPLACED = "登记领导批示", "记录批示反馈", "上传领导批示登记表"  # the audit table's actions
CLOSE_IT = f"无法写入 {FILE_NAME}：请先在 Excel/WPS 中关闭该文件后重试。"


@dataclass(frozen=True)
class NewInstruction:
    """One instruction as the add form gave it, checked (canonical level, kind and unit names)."""

    number: int | None
    title: str
    source_unit: str
    leader: str
    level: str
    kind: str
    day: date
    text: str
    units: tuple[str, ...]
    due: date | None

    @property
    def item(self) -> str:
        parts = [f"第{self.number}期" if self.number else "", f"《{self.title}》" if self.title else ""]
        return "".join(parts)

    def cells(self) -> dict[str, object]:
        """canonical column -> the value written (dates as date cells, 期号 a number, the rest text)."""
        return {"期号": self.number, "标题": self.title, "报送单位": self.source_unit, "领导": self.leader,
                "级别": self.level, "类别": self.kind, "日期": self.day, "批示内容": self.text,
                "落实单位": "、".join(self.units), "反馈期限": self.due}


@dataclass(frozen=True)
class Added:
    row: int  # the row as Excel numbers it
    instruction: NewInstruction
    created: bool  # the register did not exist and was made

    def line(self) -> str:
        made = f"（新建 inputs/{FILE_NAME}）" if self.created else ""
        return f"已登记领导批示：{FILE_NAME} 第{self.row}行 {self.instruction.item} {self.instruction.leader}{made}。"


def _one_line(value: object) -> str:
    return " ".join(str(value if value is not None else "").split())


def _day(value: object, what: str, required: bool) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _one_line(value)
    if not text:
        if required:
            raise BulletinError(f"请填写{what}（如 2026-10-15）。")
        return None
    day = parse_day(text[:40])
    if day is None or not 2000 <= day.year <= 2100:
        raise BulletinError(f"{what}“{text[:40]}”无法识别：应为 2026-10-15 这样的日期。")
    return day


def _choice(value: str, keys: list[str], what: str, section: str, suffixes: tuple[str, ...]) -> str:
    text = _one_line(value)
    found = match_key(text, keys, suffixes) if text else None
    if found is None:
        raise BulletinError(f"{what}“{text[:20]}”不对：应为 {'/'.join(keys)} 之一（见 bulletin.toml 的 {section}）。")
    return found


def check_instruction(ws: Workspace, *, number: object = "", title: str = "", source_unit: str = "",
                      leader: str = "", level: str = "", kind: str = "", day: object = "", text: str = "",
                      units: object = (), due: object = "", roster: Roster | None = None) -> NewInstruction:
    """The form's values as the register's reader would take them, or BulletinError with the reason in Chinese.
    Stricter than the reader where a form can be: an unknown 落实单位 or 报送单位 is refused (the reader keeps the
    row and notes it), a 反馈期限 needs a 落实单位 and cannot be before the 批示日期."""
    rules = ws.settings.scoring.instructions
    roster = roster if roster is not None else Roster.load(ws.roster_path)
    number_text = _one_line(number)
    if number_text and not (number_text.isdigit() and 0 < int(number_text) < 1_000_000):
        raise BulletinError(f"期号“{number_text[:20]}”应为数字（如 65）。")
    title = _one_line(title)
    if not title and not number_text:
        raise BulletinError("请填写期号或标题（至少一项，指明批示的是哪篇信息）。")
    leader = _one_line(leader)
    if not leader:
        raise BulletinError("请填写批示领导。")
    for name, value, limit in (("标题", title, MAX_TITLE), ("批示领导", leader, MAX_LEADER),
                               ("批示内容", _one_line(text), MAX_TEXT)):
        if len(value) > limit:
            raise BulletinError(f"{name}过长：最多 {limit} 个字（现有 {len(value)} 个）。")
    level = _choice(level, list(rules.levels), "级别", "[scoring.instructions.levels]", ("领导", "同志"))
    kind = _choice(kind, list(rules.kinds), "类别", "[scoring.instructions.kinds]", ("类", "件", "性", "性批示", "批示"))
    day = _day(day, "批示日期", True)
    due = _day(due, "反馈期限", False)
    tokens = [units] if isinstance(units, str) else list(units or ())
    names = [t.strip() for token in tokens for t in _UNIT_SPLIT.split(str(token)) if t.strip()]
    if len(names) > MAX_UNITS:
        raise BulletinError(f"落实单位最多 {MAX_UNITS} 个。")
    acting: list[str] = []
    for name in names:
        unit = roster.resolve(name) if roster else None
        if unit is None:
            raise BulletinError(f"落实单位“{name[:40]}”不在单位名册（inputs/units.csv）中：请从名册中选择。")
        if unit not in acting:
            acting.append(unit)
    source = _one_line(source_unit)
    if source:
        resolved = roster.resolve(source) if roster else None
        if resolved is None:
            raise BulletinError(f"报送单位“{source[:40]}”不在单位名册（inputs/units.csv）中：请从名册中选择，或留空。")
        source = resolved
    if due is not None and not acting:
        raise BulletinError("填写了反馈期限，请同时选择落实单位（无需反馈的批示不填反馈期限）。")
    if due is not None and due < day:
        raise BulletinError(f"反馈期限 {due:%Y-%m-%d} 早于批示日期 {day:%Y-%m-%d}。")
    return NewInstruction(int(number_text) if number_text else None, title, source, leader, level, kind, day,
                          _one_line(text), tuple(acting), due)


def _lock(ws: Workspace):
    from filelock import FileLock

    from ..core.locks import waiting_lock

    ws.state_dir.mkdir(parents=True, exist_ok=True)
    return waiting_lock(FileLock(str(ws.state_dir / LOCK_FILE)), f"{FILE_NAME} 正由他人写入",
                        wait_seconds=LOCK_WAIT_SECONDS)


def _set(cell, value: object) -> None:
    """A value into a cell: a date as a date, a number as a number, text as a string cell (never a formula)."""
    cell.value = value if value != "" else None
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str) and value:
        cell.data_type = "s"


def _publish(path, book) -> None:
    out = io.BytesIO()
    book.save(out)
    try:
        write_atomic(path, out.getvalue())
    except PermissionError:
        raise BulletinError(CLOSE_IT) from None


def _actor(ws: Workspace, actor: str | None) -> tuple[str, str]:
    from .accounts import ADMIN, command_actor, role_of

    return (actor, role_of(ws, actor)) if actor else (command_actor(), ADMIN)


def add_instruction(ws: Workspace, *, actor: str | None = None, **fields) -> Added:
    """Append one instruction (check_instruction's fields) to inputs/领导批示.xlsx, after the register's last row
    that holds anything; the register is created with a header row of the canonical column names when absent.
    A column the office's header lacks (e.g. 批示内容) is added at its end when the row has a value for it.
    The office's other cells, sheets and formatting stay as openpyxl keeps them; the new row takes the style of
    the row above it when that is a row of the register."""
    from copy import copy

    from openpyxl import Workbook, load_workbook

    new = check_instruction(ws, **fields)
    path = ws.inputs / FILE_NAME
    with _lock(ws):
        register = read_instructions(ws)
        created = not register.found
        if created:
            book = Workbook()
            sheet = book.active
            sheet.title = "领导批示"
            sheet.append(list(HEADERS))
            header, columns = 1, {name: i for i, name in enumerate(HEADERS)}
            for letter, width in zip("ABCDEFGHIJKL", (6, 36, 14, 10, 8, 8, 12, 40, 24, 12, 30, 12)):
                sheet.column_dimensions[letter].width = width
        else:
            if not register.columns:
                raise BulletinError("；".join(register.problems) or f"{FILE_NAME} 无法读取。")
            try:
                book = load_workbook(io.BytesIO(path.read_bytes()))
            except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
                raise BulletinError(f"{FILE_NAME} 无法打开（{type(exc).__name__}）。") from None
            sheet = book.worksheets[0]
            header, columns = register.header_row, dict(register.columns)
        cells = new.cells()
        last = max(columns.values()) + 1
        for name, value in cells.items():
            if name not in columns and value not in (None, ""):
                columns[name] = last
                _set(sheet.cell(row=header, column=last + 1), name)
                last += 1
        used = header
        for row in sheet.iter_rows(min_row=header + 1, max_row=sheet.max_row):
            if any(c.value not in (None, "") for c in row):
                used = row[0].row
        at = used + 1
        for name, value in cells.items():
            if name not in columns:
                continue
            cell = sheet.cell(row=at, column=columns[name] + 1)
            if used > header:
                above = sheet.cell(row=used, column=columns[name] + 1)
                if above.has_style:
                    cell._style = copy(above._style)
            _set(cell, value)
        _publish(path, book)
    who, role = _actor(ws, actor)
    from .accounts import record

    record(ws, who, role, ADDED, f"{new.day:%Y-%m}",
           f"第{at}行 {new.item} {new.leader} {new.level}·{new.kind} {new.day:%Y-%m-%d}"
           + (f" 落实：{'、'.join(new.units)}" if new.units else ""))
    return Added(at, new, created)


def feedback(ws: Workspace, row: int, key: str | None, text: str, day: object = "", *,
             actor: str | None = None) -> str:
    """record_feedback under the register's lock, recorded in the audit table. From the workbench (`key` the
    page carried): refused when that row no longer holds that instruction (rows were inserted or deleted in Excel
    meanwhile). From the command line (`key` None): the row as the office reads it in Excel now."""
    text = _one_line(text)
    if len(text) > MAX_FEEDBACK:
        raise BulletinError(f"反馈情况过长：最多 {MAX_FEEDBACK} 个字。")
    when = _day(day, "反馈日期", False)
    with _lock(ws):
        instruction = next((i for i in read_instructions(ws).instructions if i.row == row), None)
        if key is not None and (instruction is None or instruction.key != key):
            raise BulletinError(f"{FILE_NAME} 已被改动（第{row}行不再是页面上的那条批示）：请刷新页面后重试。")
        line = record_feedback(ws, row, text, when)
    who, role = _actor(ws, actor)
    from .accounts import record

    record(ws, who, role, FED_BACK, f"{instruction.day:%Y-%m}", f"第{row}行 {instruction.item}：{text[:200]}")
    return line


def register_path(ws: Workspace):
    return ws.inputs / FILE_NAME


def form_choices(ws: Workspace) -> dict[str, list[str]]:
    """What the add form offers: the roster's units, [scoring.instructions] levels and kinds."""
    rules = ws.settings.scoring.instructions
    units = sorted(set(Roster.load(ws.roster_path).canonical.values()))
    return {"units": units, "levels": list(rules.levels), "kinds": list(rules.kinds)}


def recent_actions(ws: Workspace, limit: int = 30) -> list:
    """The audit table's rows of the register (added, feedback, uploads), newest first."""
    from .accounts import audit

    return [a for a in audit(ws, None, 2000) if a.action in (ADDED, FED_BACK, REPLACED)][:limit]


def history_dir(ws: Workspace):
    return ws.state_dir / HISTORY_DIR


def replace_register(ws: Workspace, data: bytes, *, actor: str | None = None, name: str = "") -> list[str]:
    """A whole register uploaded from the office's Excel takes the place of inputs/领导批示.xlsx: read through the
    spreadsheet door (core/sheetsafety: size, zip and range bounds) and refused without a usable header; the old
    file is copied to .bulletin/instructions-history/<time>-领导批示.xlsx first. Returns the receipt's lines
    (how many instructions it holds, and what the reader noted)."""
    from ..core.sheetsafety import SheetRefused, read_sheet
    from ..core.workspace import OFFICE_TZ

    shown = _one_line(name)[:100] or FILE_NAME
    if not data:
        raise BulletinError("请选择领导批示登记表（.xlsx）。")
    if len(data) > MAX_REGISTER_BYTES:
        raise BulletinError(f"{shown} 过大（上限 {MAX_REGISTER_BYTES // (1024 * 1024)} MB）。")
    if not data.startswith(b"PK\x03\x04"):
        raise BulletinError(f"{shown} 不是 .xlsx 文件（.xls 等旧格式请在 Excel/WPS 中另存为 .xlsx）。")
    try:
        rows = read_sheet(data, 0, name=shown).rows
    except SheetRefused as exc:
        raise BulletinError(str(exc)) from None
    if find_header(rows) is None:
        raise BulletinError(f"{shown}：前几行中找不到表头（须有 期号或标题、领导、级别、类别、日期 列；"
                            f"完整表头：{'、'.join(HEADERS)}），未替换登记表。")
    path = ws.inputs / FILE_NAME
    kept = None
    with _lock(ws):
        if path.is_file():
            stamp = datetime.now(OFFICE_TZ).strftime("%Y%m%d-%H%M%S-%f")
            kept = history_dir(ws) / f"{stamp}-{FILE_NAME}"
            write_atomic(kept, path.read_bytes())
        try:
            write_atomic(path, data)
        except PermissionError:
            raise BulletinError(CLOSE_IT) from None
    register = read_instructions(ws)
    who, role = _actor(ws, actor)
    from .accounts import record

    record(ws, who, role, REPLACED, "",
           f"{shown}：{len(register.instructions)} 条，{len(register.problems)} 处问题"
           + (f"；原登记表存为 {ws.shown(kept)}" if kept else ""))
    lines = [f"已替换 inputs/{FILE_NAME}（{shown}）：可用批示 {len(register.instructions)} 条。"]
    if kept:
        lines.append(f"原登记表已保存为 {ws.shown(kept)}。")
    lines += [f"注意：{p}" for p in register.problems]
    return lines


__all__ = ["ADDED", "FED_BACK", "FILE_NAME", "REPLACED", "Added", "InstructionList", "InstructionReminders",
           "NewInstruction", "add_instruction", "check_instruction", "feedback", "form_choices", "listing", "parse_day",
           "recent_actions", "record_feedback", "register_path", "remind_instructions", "replace_register"]
