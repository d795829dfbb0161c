"""`bulletin remind` (and the daily Prefect run `remind`): the day's 约稿 and 催报 from the month's calendar.

Run every day (cron, or the deployment `bulletin deploy` registers at [calendar] remind_time); what it does
depends on the day:
- from the call day until the deadline: the month's call (inputs/<month>/约稿.txt) to every roster unit with an
  address that does not have it yet (once per unit: a day missed is caught up the next day);
- on a reminder day ([calendar] remind_days_before): a short reminder to each unit that has sent nothing for
  the month and to each unit that still owes a commissioned topic; once per unit and stage; a unit that has sent
  (and owes no topic) is never reminded;
- every day: the month folder's files are recorded as seen (their received time, for 迟报);
- every day: 领导批示 feedback reminders to the acting units ([calendar] instruction_remind_days_before before
  the register's due dates, once per instruction and stage: office/instructions.py), whatever the month.
Units without an address are listed for the clerk. `--today` makes the run act as that day's scheduled run
(at [calendar] remind_time): to catch up a missed day, or to try the calendar out with `--dry-run`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.month import Month
from ..core.workspace import OFFICE_TZ, Workspace
from ..delivery.reminders import (
    UnitMail,
    UnitMailing,
    call_body,
    call_purpose,
    call_subject,
    mail_units,
    remind_purpose,
    reminder_body,
    reminder_subject,
    sent_times,
    unit_addresses,
)
from ..delivery.transports import Transport
from ..intake.calendar import CALL_FILE, MonthCalendar, short_date
from ..intake.roster import Roster
from .calendar import month_calendar, read_month
from .instructions import InstructionReminders, remind_instructions


@dataclass
class RemindResult:
    month: str
    today: date
    calendar: MonthCalendar
    dry_run: bool = False
    call: UnitMailing | None = None
    stage: int | None = None  # the reminder due today (days before the deadline)
    reminders: UnitMailing | None = None
    silent: list[str] = field(default_factory=list)  # roster units with nothing received
    owing: dict[str, list[str]] = field(default_factory=dict)  # unit -> topics not received
    sent_units: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    instructions: InstructionReminders | None = None  # 领导批示 feedback reminders due today (issue 26)

    @property
    def complete(self) -> bool:
        return all(m is None or m.complete for m in (self.call, self.reminders, self.instructions))

    def lines(self) -> list[str]:
        cal = self.calendar
        lines = [f"{self.month} 约稿催报（{short_date(self.today)}）" + ("：试运行，不发送" if self.dry_run else ""),
                 *[f"  {line}" for line in cal.lines()],
                 f"  已报送 {len(self.sent_units)} 个单位：{'、'.join(self.sent_units) or '（无）'}",
                 f"  未报送 {len(self.silent)} 个单位：{'、'.join(self.silent) or '（无）'}"]
        if self.owing:
            lines.append("  约稿未收到：" + "；".join(f"{u}“{'”“'.join(t)}”" for u, t in self.owing.items()))
        for label, mailing in (("约稿通知", self.call), (self._stage_label(), self.reminders)):
            if mailing is not None:
                lines += _mailing_lines(label, mailing)
        if self.stage is None and self.reminders is None:
            lines.append("  今天不是催报日，未发催报。")
        lines += [f"  注意：{n}" for n in self.notes]
        lines += self.instructions.lines() if self.instructions is not None else []
        return lines

    def _stage_label(self) -> str:
        return "催报（截止当天）" if self.stage == 0 else f"催报（提前{self.stage}天）"

    def summary(self) -> str:
        return "\n".join(self.lines())


def _mailing_lines(label: str, m: UnitMailing) -> list[str]:
    if m.dry_run:
        lines = [f"  {label}：将发给 {len(m.would_send)} 个单位：{'、'.join(m.would_send) or '（无）'}"]
    else:
        lines = [f"  {label}：本次发给 {len(m.sent)} 个单位：{'、'.join(m.sent) or '（无）'}"]
    if m.already:
        lines.append(f"    此前已发（未重复发送）：{'、'.join(m.already)}")
    lines += [f"    ✗ {unit} {r.email}：{why}" for unit, r, why in m.failed]
    if m.no_address:
        lines.append("    以下单位没有邮箱（units.csv 的“邮箱”列），请电话通知：" + "、".join(m.no_address))
    return lines


def office_today() -> date:
    return datetime.now(OFFICE_TZ).date()


def remind(ws: Workspace, month: Month | None = None, today: date | None = None, dry_run: bool = False,
           transport: Transport | None = None) -> RemindResult:
    """The day's call and reminders for `month` (default: the month of `today`, default the office's today)."""
    real_today = office_today()
    today = today or real_today
    month = month or Month(f"{today.year:04d}-{today.month:02d}")
    cal = month_calendar(ws, month)
    if cal is None:
        raise BulletinError("bulletin.toml 中没有 [calendar] 配置节：请先设置报送截止日 deadline、约稿日 call_day 和"
                            " remind_days_before（见 README“约稿与催报”）。")
    now = datetime.now(OFFICE_TZ) if today == real_today else datetime.combine(today, cal.remind_at, OFFICE_TZ)
    timing, roster = read_month(ws, month, now, record=not dry_run)
    units = list(dict.fromkeys(roster.canonical.values()))
    if not units:
        raise BulletinError(f"没有单位名册 {ws.roster_path}（或其中没有单位）：约稿和催报需要知道有哪些单位。")
    sent = timing.units_sent
    result = RemindResult(month, today, cal, dry_run, sent_units=[u for u in units if u in sent],
                          silent=[u for u in units if u not in sent], owing=timing.owing())
    if timing.notice is not None:
        result.notes += timing.notice.problems
    addresses = unit_addresses(ws, roster)
    if cal.call_day <= today <= cal.deadline.date():
        if timing.notice is None:
            result.notes.append(f"inputs/{month}/ 中没有 {CALL_FILE}，未发约稿通知（写好要点和约稿题目后再运行即可补发）。")
        else:
            mails = [UnitMail(u, call_purpose(u), call_subject(ws, month), call_body(ws, cal, timing.notice, u))
                     for u in units]
            result.call = mail_units(ws, month, mails, addresses, transport, dry_run)
    result.stage = cal.stage_on(today)
    if result.stage is not None:
        targets = [u for u in units if u in result.silent or u in result.owing]
        mails = [UnitMail(u, remind_purpose(result.stage, u), reminder_subject(ws, cal, result.stage),
                          reminder_body(ws, cal, u, today, silent=u in result.silent, topics=result.owing.get(u, [])))
                 for u in targets]
        result.reminders = mail_units(ws, month, mails, addresses, transport, dry_run)
    elif today > cal.deadline.date():
        result.notes.append(f"已过报送截止时间（{cal.deadline_text}），不再催报。")
    # 领导批示 feedback: due dates are not the month's; the same daily run reminds the acting units
    result.instructions = remind_instructions(ws, today, roster, dry_run, transport)
    return result


def calendar_lines(ws: Workspace, month: str) -> list[str]:
    """For `bulletin status` (and the workbench): the month's calendar, when the call went to how many units,
    and who was reminded when. Empty without [calendar]."""
    cal = month_calendar(ws, month)
    if cal is None:
        return []
    roster = Roster.load(ws.roster_path)
    units = list(dict.fromkeys(roster.canonical.values()))
    lines = [f"约稿催报：{cal.lines()[0]}", f"  {cal.lines()[1]}"]
    if not ws.ledger_path.exists():
        return lines
    with Ledger(ws.ledger_path) as ledger:
        called = {u: sent_times(ledger, month, call_purpose(u)) for u in units}
        stages = [(n, d, {u: sent_times(ledger, month, remind_purpose(n, u)) for u in units})
                  for n, d in cal.reminders]
    got = [u for u, t in called.items() if t]
    if got:
        first = min(called[u] for u in got)
        lines.append(f"  约稿通知：已发 {len(got)} 个单位（{first[5:16].replace('T', ' ')} 起）")
    for n, day, sent in stages:
        reached = [f"{u}（{t[5:16].replace('T', ' ')}）" for u, t in sent.items() if t]
        if reached:
            lines.append(f"  {short_date(day)}催报：" + "、".join(reached))
    return lines


__all__ = ["RemindResult", "calendar_lines", "remind"]
