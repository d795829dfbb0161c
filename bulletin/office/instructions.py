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
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

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
from ..intake.instructions import FED, FED_LATE, FILE_NAME, OPEN, STATES, due_stage, parse_day
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


__all__ = ["InstructionList", "InstructionReminders", "listing", "parse_day", "record_feedback",
           "remind_instructions"]
