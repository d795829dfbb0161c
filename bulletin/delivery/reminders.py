"""The month's call for drafts (约稿通知) and the reminders (催报) as mail to units, through the send machinery.

Each unit and stage is its own delivery purpose in the ledger (`call:<unit>`, `remind:<days before>:<unit>`;
outbox mode adds `@outbox` like every purpose), so `deliver()` sends each unit each mail once: a rerun on the
same day mails nobody twice, a unit whose send failed is retried alone, and [smtp] configured after an outbox
run still mails. Texts are short and name what a unit needs: the month, the deadline (day and time) and
where to send (the submission mailbox [mailbox] user, else [bulletin] email).

Addresses: a unit's registered mailboxes in units.csv (column 邮箱), else the rows of recipients.csv named
after the unit (as the 督查 sheets are mailed, supervision/mailing.py). A unit with neither is listed for the
clerk, never skipped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from filelock import FileLock, Timeout

from ..core.atomic import sha256_bytes
from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.vocabulary import SendState, both_modes
from ..core.workspace import Workspace
from ..intake.calendar import CallNotice, MonthCalendar, short_date
from ..intake.instructions import Instruction
from ..intake.roster import Roster
from .delivery import DeliveryReport, deliver
from .recipients import Recipient, read_recipients
from .transports import Transport, transport_for

CALL = "call"
REMIND = "remind"
INSTRUCTION = "instruction"  # 领导批示 feedback reminders (issue 26): instruction:<days before>:<key>:<unit>
LIST_NAME = "约稿催报"


def call_purpose(unit: str) -> str:
    return f"{CALL}:{unit}"


def remind_purpose(days_before: int, unit: str) -> str:
    return f"{REMIND}:{days_before}:{unit}"


def instruction_purpose(days_before: int, key: str, unit: str) -> str:
    """Once per instruction (its stable key, intake/instructions.py), stage and acting unit."""
    return f"{INSTRUCTION}:{days_before}:{key}:{unit}"


def submission_address(ws: Workspace) -> str:
    """Where units send drafts: the submission mailbox ([mailbox] user, when it is an address), else the office's
    [bulletin] email."""
    settings = ws.settings
    box = settings.mailbox.user if settings.mailbox is not None else ""
    return box if "@" in box else settings.bulletin.email


def unit_addresses(ws: Workspace, roster: Roster) -> dict[str, list[Recipient]]:
    """unit -> its recipients: units.csv 邮箱 first; else recipients.csv rows whose 名称 is the unit (or alias)."""
    registered: dict[str, list[Recipient]] = {}
    for email, unit in roster.emails.items():
        registered.setdefault(unit, []).append(Recipient(LIST_NAME, unit, email))
    listed: dict[str, list[Recipient]] = {}
    if ws.recipients_path.is_file():
        try:
            rows, _ = read_recipients(ws.recipients_path)
        except BulletinError:
            rows = []
        for r in rows:
            unit = roster.resolve(r.name)
            if unit and all(x.email != r.email for x in listed.get(unit, [])):
                listed.setdefault(unit, []).append(Recipient(LIST_NAME, unit, r.email))
    return {**listed, **registered}


# -- texts ---------------------------------------------------------------------------------------------------
def _month_words(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:])}月"


def call_subject(ws: Workspace, month: str) -> str:
    return f"【约稿通知】{ws.settings.bulletin.short_title}{_month_words(month)}工作信息"


def call_body(ws: Workspace, cal: MonthCalendar, notice: CallNotice | None, unit: str) -> str:
    settings = ws.settings.bulletin
    lines = [f"{unit}：", "",
             f"现就{_month_words(cal.month)}《{settings.short_title}》约稿，请于{cal.deadline_text}前"
             f"将稿件（Word 文档 .docx，标题下一行注明报送单位）发送至 {submission_address(ws)}。"]
    own = notice.topics_of(unit) if notice else []
    if own:
        lines += ["", "请贵单位重点报送以下约稿题目："] + [f"  {n}. {t.topic}" for n, t in enumerate(own, 1)]
    if notice and notice.points:
        lines += ["", "本月报送要点："] + [f"  {p}" for p in notice.points]
    lines += ["", f"联系电话：{settings.phone}", settings.office, ""]
    return "\n".join(lines)


def reminder_subject(ws: Workspace, cal: MonthCalendar, days_before: int) -> str:
    when = "今天截止" if days_before == 0 else f"还有{days_before}天截止"
    return f"【催报】{_month_words(cal.month)}工作信息{when}（{ws.settings.bulletin.short_title}）"


def reminder_body(ws: Workspace, cal: MonthCalendar, unit: str, today: date, *, silent: bool,
                  topics: list[str]) -> str:
    settings = ws.settings.bulletin
    lines = [f"{unit}：", ""]
    if silent:
        lines.append(f"截至{short_date(today)}，尚未收到贵单位{_month_words(cal.month)}的工作信息。")
    if topics:
        head = "贵单位的约稿题目" if silent else "贵单位已报送稿件，但约稿题目"
        lines.append(f"{head}“{'”“'.join(topics)}”尚未收到。")
    lines += [f"报送截止时间：{cal.deadline_text}，请按时发送至 {submission_address(ws)}"
              "（Word 文档 .docx）。已报送的请忽略本提醒。", "", f"联系电话：{settings.phone}", settings.office, ""]
    return "\n".join(lines)


def instruction_subject(ws: Workspace, instruction: Instruction, days_before: int) -> str:
    when = "今天到期" if days_before == 0 else f"还有{days_before}天到期"
    return f"【批示落实反馈提醒】{instruction.leader}同志批示的落实情况反馈{when}（{ws.settings.bulletin.short_title}）"


def instruction_body(ws: Workspace, instruction: Instruction, unit: str) -> str:
    settings = ws.settings.bulletin
    i = instruction
    lines = [f"{unit}：", "",
             f"{i.leader}同志于{short_date(i.day)}对{i.item}作出批示，请贵单位抓好落实，并于"
             f"{short_date(i.due)}前将落实情况反馈至 {submission_address(ws)}。"]
    if i.text:
        lines += ["", f"批示内容：{i.text}"]
    lines += ["", "已反馈的请忽略本提醒。", "", f"联系电话：{settings.phone}", settings.office, ""]
    return "\n".join(lines)


# -- mailing ---------------------------------------------------------------------------------------------------
@dataclass
class UnitMail:
    unit: str
    purpose: str  # without the outbox suffix
    subject: str
    body: str


@dataclass
class UnitMailing:
    """What one run mailed, unit by unit, and who has no address."""

    reports: dict[str, DeliveryReport] = field(default_factory=dict)
    no_address: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def sent(self) -> list[str]:
        return [u for u, r in self.reports.items() if r.sent]

    @property
    def already(self) -> list[str]:
        return [u for u, r in self.reports.items() if r.already and not r.sent and not r.failed and not r.not_attempted]

    @property
    def would_send(self) -> list[str]:
        return [u for u, r in self.reports.items() if r.dry_run and r.not_attempted]

    @property
    def failed(self) -> list[tuple[str, Recipient, str]]:
        return [(u, rec, why) for u, r in self.reports.items() for rec, why in r.failed]

    @property
    def complete(self) -> bool:
        return not any(r.failed or (r.not_attempted and not r.dry_run) for r in self.reports.values())


def remind_lock(ws: Workspace, month: str) -> FileLock:
    return FileLock(str(ws.state_dir / f"remind-{month}.lock"), timeout=0)


def mail_units(ws: Workspace, month: str, mails: list[UnitMail], addresses: dict[str, list[Recipient]],
               transport: Transport | None = None, dry_run: bool = False) -> UnitMailing:
    """Each unit its mail, once per purpose (the ledger); units without an address are listed."""
    result = UnitMailing(dry_run=dry_run)
    todo = []
    for mail in mails:
        if addresses.get(mail.unit):
            todo.append(mail)
        elif mail.unit not in result.no_address:
            result.no_address.append(mail.unit)
    if not todo:
        return result
    settings = ws.settings
    transport = transport or transport_for(settings, ws.month_outputs(month) / "outbox" / "约稿催报")
    outbox = transport.kind == "outbox"
    ws.state_dir.mkdir(parents=True, exist_ok=True)
    try:
        with remind_lock(ws, month), Ledger(ws.ledger_path) as ledger:
            for mail in todo:
                body = mail.body.encode("utf-8")
                report = DeliveryReport(
                    month=month, purpose=mail.purpose + ("@outbox" if outbox else ""), transport=transport.kind,
                    where=transport.where, subject=mail.subject, sha256=sha256_bytes(body), dry_run=dry_run,
                )
                deliver(ledger, report, addresses[mail.unit], b"", "", mail.body, settings, transport)
                result.reports[mail.unit] = report
    except Timeout:
        raise BulletinError(f"{month} 的约稿/催报邮件正在由另一个程序发送，请稍后再试。") from None
    return result


def sent_times(ledger: Ledger, month: str, purpose: str) -> str:
    """When the purpose's mail reached its first recipient ("" when it did not), in SMTP or outbox mode."""
    times = [r.updated_at for p in both_modes(purpose) for r in ledger.deliveries(month, p).values()
             if r.status == SendState.SENT]
    return min(times) if times else ""


__all__ = ["CALL", "INSTRUCTION", "REMIND", "UnitMail", "instruction_body", "instruction_purpose",
           "instruction_subject", "UnitMailing", "call_body", "call_purpose", "call_subject", "mail_units",
           "remind_purpose", "reminder_body", "reminder_subject", "sent_times", "submission_address",
           "unit_addresses"]
