"""`bulletin fetch`: the submission mailbox -> drafts in inputs/<month>/, a ledger entry for every message,
a receipt for every submission.

Every new message (by UIDVALIDITY + UID, and its Message-ID as a second key: the same message twice, or a
mailbox whose UIDVALIDITY changed, is recognised) is read once:
- its month is the month it arrived (Asia/Shanghai), or the next when that month's bulletin is approved;
- each file is placed by `attachments.place` (drafts in inputs/<month>/, senders the roster does not know in
  inputs/<month>/待核实/, other formats refused with advice); a .zip is unpacked, forwarded messages searched;
- with no usable attachment, a body of real text becomes a draft (bodydraft.py);
- too large, machine-written (RFC 3834) and bounced mail is recorded and never answered.

Crash safety: a message's files are first written to a staging folder under .bulletin/, then the message and
the names of its files go into the ledger in one transaction, then each file is renamed into place, then the
message is marked done. A fetch killed anywhere leaves either no row (the message is read again; the orphaned
staging folder is removed) or a row whose staged files the next fetch puts in place: nothing lost, nothing
saved twice. Receipts go out at the end, through [smtp], by the application layer (office/fetch.py) which
passes them in as `answer`, still inside the mailbox lock; those not sent are retried by the next fetch.
"""

from __future__ import annotations

import logging
import re
import mimetypes
import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock

from ..core.atomic import sha256_bytes, sha256_file, write_atomic
from ..core.config import Settings
from ..core.errors import BulletinError, ConfigError
from ..core.ledger import Ledger
from ..core.locks import waiting_lock
from .mailledger import MailFile, MailLedger
from ..core.textio import printable, shorten
from ..core.month import Month, check_month
from ..core.workspace import OFFICE_TZ, Workspace
from .attachments import QUARANTINE, Item, Placement, digest, is_archive, place, safe_name, unique_name, unpack_zip
from .bodydraft import FLAG, body_draft
from .mailbox import Envelope, MailboxSession, imap_password, tls_context
from .mailparse import Submission, parse_message
from .mailrecords import OUTCOME_TEXT
from .returnsheets import HOLD_FOLDER, marker_of_bytes, untrusted_reason
from .roster import Roster

log = logging.getLogger("bulletin.fetch")

STAGING = "mail-staging"
SUPERVISION_INPUTS, SUPERVISION_RETURNS = "督查", "反馈"  # bulletin/supervision/round.py INPUT_FOLDER, RETURNS_FOLDER
_ROUND_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def returned_marker(item: Item) -> tuple[str, str] | None:
    """(round, unit) when the file is one of the 督查 sheets the office sent out (recognised by its hidden
    marker, not by its name, reading only the marker's few cells: intake/returnsheets.py); None for anything
    else. Only .xlsx: a macro workbook (.xlsm) is never taken as a returned sheet (place() refuses it)."""
    if item.suffix != ".xlsx" or not item.data.startswith(b"PK"):
        return None
    return marker_of_bytes(item.data)
_NAMED_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
}


@dataclass
class FetchReport:
    messages: int = 0  # new messages read this time (duplicates and skipped ones included)
    drafts: int = 0
    quarantined: int = 0
    refused: int = 0
    duplicates: int = 0  # copies of a message already read, and files identical to ones already saved
    skipped: int = 0  # bounces, auto-replies, our own mail: nothing taken
    too_large: int = 0
    left: int = 0  # over max_messages: read by the next fetch
    recovered: int = 0  # files put in place for a fetch that had stopped part way
    returned: int = 0  # 督查 sheets sent back by units, saved in inputs/督查/<month>/反馈/
    unreadable: int = 0  # messages that could not be read safely: recorded, left on the server, never answered
    receipts: dict = field(default_factory=lambda: {"sent": 0, "failed": 0, "waiting": 0, "errors": []})
    months: set[str] = field(default_factory=set)  # months that got drafts (in the folder or 待核实/)
    touched: set[str] = field(default_factory=set)  # months that got any message (for the mailbox table)
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        r = self.receipts
        text = [
            f"收取新邮件 {self.messages} 封：保存稿件 {self.drafts} 篇，待核实 {self.quarantined} 篇，"
            f"未收取 {self.refused} 份，重复 {self.duplicates} 份，超过大小上限 {self.too_large} 封，"
            f"系统邮件 {self.skipped} 封。" + (f"督查反馈表 {self.returned} 份。" if self.returned else ""),
            f"回执：发出 {r['sent']} 份，失败 {r['failed']} 份（下次收稿时重试）"
            + (f"，{r['waiting']} 份未发（未配置 [smtp]，配置后下次收稿时补发）" if r["waiting"] else "") + "。",
        ]
        if self.unreadable:
            text.append(f"无法解析 {self.unreadable} 封（已留在邮箱中，未发回执），原因见上。")
        if self.recovered:
            text.append(f"上次收稿中断，本次补存文件 {self.recovered} 份。")
        if self.left:
            text.append(f"还有 {self.left} 封邮件超过本次数量上限，下次收稿时收取。")
        if self.months:
            text.append("稿件已放入：" + "、".join(f"inputs/{m}/" for m in sorted(self.months)))
        return "\n".join(text)


# -- month -----------------------------------------------------------------------------------------------------
def assign_month(ledger: Ledger, arrived: datetime) -> str:
    """The month a message arrived in (Asia/Shanghai), or the first later month whose bulletin is not approved."""
    month = Month(arrived.astimezone(OFFICE_TZ).strftime("%Y-%m"))
    for _ in range(36):
        decision = ledger.latest_decision(month)
        if decision is None or not decision.approved:
            return month
        month = month.next()
    return month


# -- the fetch ---------------------------------------------------------------------------------------------------
def fetch(ws: Workspace, month: str | None = None, *, on_wait=None,
          answer: Callable[[MailLedger], dict] | None = None) -> FetchReport:
    """Read the new messages of the submission mailbox; see the module docstring. `answer(mail_ledger)` sends
    the receipts that are due and returns their counts (FetchReport.receipts); it runs under the same lock,
    so two fetches never answer one message twice. Raises BulletinError (Chinese) on configuration,
    connection, TLS or login trouble."""
    settings = ws.settings
    mailbox = settings.mailbox
    if mailbox is None:
        raise ConfigError("bulletin.toml 中没有 [mailbox]（投稿邮箱）设置：请先配置投稿邮箱（见 README “从投稿邮箱收稿”）。")
    if month:
        check_month(month)
    password = imap_password(mailbox)
    context = tls_context(mailbox, ws.root)
    lock = FileLock(str(ws.state_dir / "mailbox.lock"))
    with waiting_lock(lock, "另一个收稿任务正在进行", on_wait), Ledger(ws.ledger_path) as ledger:
        run = _Fetch(ws, settings, ledger, Roster.load(ws.roster_path), month)
        run.recover()
        with MailboxSession(mailbox, password, context) as session:
            run.read(session)
        if answer is not None:
            run.report.receipts = answer(run.mail)
        return run.report


class _Fetch:
    def __init__(self, ws: Workspace, settings: Settings, ledger: Ledger, roster: Roster, month: str | None):
        self.ws, self.settings, self.ledger, self.roster, self.month = ws, settings, ledger, roster, month
        self.mailbox = settings.mailbox
        self.mail = MailLedger(ledger)
        self.report = FetchReport()
        self.staging = ws.state_dir / STAGING
        own = {self.mailbox.user.lower()}
        if settings.smtp is not None:
            own.add(str(settings.smtp.sender).lower())
        self.own = {a for a in own if "@" in a}
        self.account = f"{self.mailbox.user}@{self.mailbox.host}/{self.mailbox.folder}"
        self._index: dict[str, dict[str, str]] = {}

    # -- a fetch that stopped part way ------------------------------------------------------------------------
    def recover(self) -> None:
        """Put in place the staged files of messages a killed fetch had recorded; drop orphaned staging folders."""
        referenced: set[str] = set()
        for message, files in self.mail.unfinished():
            for f in files:
                if f.staged:
                    referenced.add(f.staged.split("/")[1])
                    self.report.recovered += self._put_in_place(message.month, f)
            self.mail.finish(message.id, placed=True)
            log.info("finished the interrupted import of message %s (%s)", message.uid, message.subject)
        if self.staging.is_dir():
            for folder in self.staging.iterdir():
                if folder.name not in referenced:  # staged by a fetch killed before it wrote the ledger
                    shutil.rmtree(folder, ignore_errors=True)

    # -- reading ------------------------------------------------------------------------------------------------
    def read(self, session: MailboxSession) -> None:
        known = self.mail.known_uids(self.account, session.uidvalidity)
        new = [uid for uid in session.uids() if uid not in known]
        todo = new[: self.mailbox.max_messages]
        self.report.left = len(new) - len(todo)
        handled: list[int] = []
        for batch in session.batches(todo):  # a few headers at a time: memory stays bounded
            envelopes = session.envelopes(batch)
            for uid in batch:
                envelope = envelopes.get(uid)
                if envelope is None:  # expunged meanwhile
                    continue
                try:
                    if self._one(session, envelope):
                        handled.append(uid)
                except (BulletinError, OSError, sqlite3.Error):  # the mailbox, the disk or the ledger: not this mail
                    raise
                except Exception as exc:  # noqa: BLE001 - one message's failure is its own (issue 22)
                    log.exception("message %s could not be processed", uid)
                    self._unreadable(session, envelope, f"处理时出错（{type(exc).__name__}），未处理")
        if self.mailbox.move_to and handled:
            session.move(handled, self.mailbox.move_to)

    def _one(self, session: MailboxSession, envelope: Envelope) -> bool:
        head = parse_message(envelope.header, self.own)
        key = head.message_id or "header:" + sha256_bytes(envelope.header)[:40]
        arrived = (envelope.arrived or head.date or datetime.now(OFFICE_TZ)).astimezone(OFFICE_TZ)
        base = {
            "account": self.account, "uidvalidity": session.uidvalidity, "uid": envelope.uid, "message_key": key,
            "message_id": head.message_id, "references": head.references,
            "received_at": arrived.isoformat(timespec="seconds"), "sender": head.sender,
            "sender_name": head.sender_name, "subject": head.subject,
            "unit": self.roster.unit_for_email(head.sender) or "",
        }
        self.report.messages += 1
        first = self.mail.by_key(key)
        if first is not None:
            self.report.touched.add(first.month)
            self.mail.record_message(
                {**base, "month": first.month, "state": "duplicate", "receipt": "none",
                 "note": f"与 {first.received_at[:16].replace('T', ' ')} 收到的邮件相同（Message-ID 相同），未重复处理"}, [],
            )
            self.report.duplicates += 1
            self._line(head, "与此前收到的邮件相同，未重复处理")
            return True
        month = self.month or assign_month(self.ledger, arrived)
        base["month"] = month
        self.report.touched.add(month)
        wants_receipt = self.mailbox.receipts and bool(head.sender) and not head.machine
        limit = self.mailbox.max_message_mb
        if envelope.size > limit * 1024 * 1024:
            note = (f"邮件大小约 {envelope.size / 1048576:.0f} MB，超过 {limit:g} MB 的上限，未接收："
                    "请压缩稿件中的图片，或分几封邮件发送")
            self.mail.record_message({**base, "state": "done", "note": note,
                                      "receipt": "pending" if wants_receipt else "none"}, [])
            self.report.too_large += 1
            self._line(head, note)
            return True
        raw = session.message(envelope.uid)
        if raw is None:
            self.report.messages -= 1
            return False
        sub = parse_message(raw, self.own)
        del raw
        if sub.unreadable:  # too deep, too many parts, broken: recorded once, left on the server, no receipt
            self._unreadable(session, envelope, sub.unreadable, sub)
            return False
        if sub.system:
            self.mail.record_message({**base, "state": "done", "note": f"{sub.machine}，未处理", "receipt": "none"}, [])
            self.report.skipped += 1
            self._line(sub, f"{sub.machine}，未处理，不发回执")
            return True
        self._save(base, sub, arrived, "pending" if wants_receipt and not sub.machine else "none")
        return True

    def _unreadable(self, session: MailboxSession, envelope: Envelope, reason: str, sub: Submission | None = None):
        """Record a message that could not be read safely (once: its UID is then known), name it in the report;
        it stays in the mailbox (never moved) and gets no receipt. Its key is not its Message-ID, so a later
        good copy of the same message is read, not taken for a duplicate."""
        head = sub or parse_message(envelope.header, self.own)
        arrived = (envelope.arrived or head.date or datetime.now(OFFICE_TZ)).astimezone(OFFICE_TZ)
        month = self.month or assign_month(self.ledger, arrived)
        try:
            self.mail.record_message({
                "account": self.account, "uidvalidity": session.uidvalidity, "uid": envelope.uid,
                "message_key": "unreadable:" + sha256_bytes(envelope.header)[:40], "message_id": head.message_id,
                "references": "", "month": month, "received_at": arrived.isoformat(timespec="seconds"),
                "sender": head.sender, "sender_name": head.sender_name, "subject": head.subject,
                "unit": self.roster.unit_for_email(head.sender) or "", "state": "done", "note": reason,
                "receipt": "none"}, [])
        except sqlite3.IntegrityError:  # it failed after its row was written: the row stands
            pass
        self.report.unreadable += 1
        self.report.touched.add(month)
        self._line(head, reason)

    # -- saving a message's files --------------------------------------------------------------------------------
    def _save(self, base: dict, sub: Submission, arrived: datetime, receipt: str) -> None:
        month = base["month"]
        unit = base["unit"]
        known = bool(unit) or not self.roster.emails  # a roster without 邮箱 column: every sender is accepted
        items, refusals = gather_items(sub, self.mailbox.max_attachments)
        folder = self.ws.month_inputs(month)
        taken = self._taken(month)
        outcomes: list[dict] = [{"name": name, "outcome": "refused", "file": "", "reason": reason}
                                for name, reason in refusals]
        staged: list[tuple[dict, bytes]] = []
        for item in items:
            marker = returned_marker(item)
            if marker is not None:  # a unit's 督查 sheet sent back: to the round's 反馈/, whatever its name
                outcomes.append(self._returned(item, *marker, sender=sub.sender, sender_unit=unit))
                continue
            placement = place(item, sender_known=known)
            outcomes.append(self._file(item, placement, folder, taken, staged, origin_of(item)))
        usable = any(o["outcome"] in ("draft", "quarantine", "duplicate", "returned") for o in outcomes)
        if not usable and not sub.machine and sub.body_chars >= 100:
            title = sub.title or "（无标题）"
            data = body_draft(title, unit or None, sub.body, sender=sub.sender, received=arrived)
            item = Item("邮件正文", safe_name(f"{title}（邮件正文）.docx", fallback="邮件正文稿件"), data)
            outcome = self._file(item, Placement("draft" if known else "quarantine"), folder, taken, staged, "body")
            outcome["reason"] = f"{FLAG}，标题《{title}》"
            outcomes.append(outcome)
        note = ""
        if receipt == "pending" and sub.answers_a_receipt and not items and not refusals and not staged:
            receipt, note = "none", "对回执的回复，没有稿件，未再发回执"
        message_dir = f"{base['uidvalidity']}-{base['uid']}-{secrets.token_hex(4)}"
        files = []
        for index, (entry, data) in enumerate(staged):
            relative = f"{STAGING}/{message_dir}/{index}"
            write_atomic(self.ws.state_dir / relative, data)
            files.append({**entry, "staged": relative})
        row = self.mail.record_message(
            {**base, "state": "saving" if files else "done", "note": note, "items": outcomes, "receipt": receipt},
            files,
        )
        for entry in files:
            self._put_in_place(month, MailFile(month, entry["file"], row, sub.sender, entry["sha256"],
                                               entry["origin"], entry["original"], entry["staged"]))
        if files:
            self.mail.finish(row, placed=True)  # one transaction for all its files: a commit costs an fsync
            shutil.rmtree(self.ws.state_dir / STAGING / message_dir, ignore_errors=True)
        for o in outcomes:
            counter = {"draft": "drafts", "quarantine": "quarantined", "refused": "refused",
                       "duplicate": "duplicates", "returned": "returned"}[o["outcome"]]
            setattr(self.report, counter, getattr(self.report, counter) + 1)
        if any(o["outcome"] in ("draft", "quarantine") for o in outcomes):
            self.report.months.add(month)
        self._line(sub, "；".join(f"{o['name']}：{OUTCOME_TEXT[o['outcome']]}" for o in outcomes) or "没有可用的稿件")

    def _returned(self, item: Item, round_id: str, unit: str, *, sender: str = "", sender_unit: str | None = None) -> dict:
        """A returned 督查 sheet goes to inputs/督查/<month>/反馈/ (the round's month comes from the sheet's hidden
        marker, checked to be a month: never a path) when its sender's address is registered for the unit the
        marker names; otherwise to inputs/督查/<month>/待核实/ with the reason (intake/returnsheets.py). Written
        at once and atomically; a rerun after a crash finds the same bytes there and saves nothing twice."""
        month = round_id.rpartition("/")[2]
        if not _ROUND_MONTH.fullmatch(month):
            return {"name": item.label, "outcome": "refused", "file": "",
                    "reason": "督查反馈表中的标记无法识别，未收取：请使用办公室发出的表格填写后发回"}
        held = untrusted_reason(unit, sender, sender_unit)
        relative = f"{SUPERVISION_INPUTS}/{month}/{HOLD_FOLDER if held else SUPERVISION_RETURNS}"
        folder = self.ws.inputs / relative
        sha = digest(item.data)
        names = set()
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                names.add(path.name)
                if path.is_file() and sha256_file(path) == sha:
                    return {"name": item.label, "outcome": "duplicate", "file": f"{relative}/{path.name}",
                            "reason": f"与已收到的《{path.name}》内容相同，未重复保存"}
        name = unique_name(item.name, names)
        write_atomic(folder / name, item.data)
        if held:  # refused as an answer, kept for the office: the receipt tells the sender why
            log.warning("returned sheet for %s from %s held in %s: %s", unit, sender, relative, held)
            return {"name": item.label, "outcome": "refused", "file": f"{relative}/{name}", "reason": held}
        return {"name": item.label, "outcome": "returned", "file": f"{relative}/{name}",
                "reason": f"{unit}的{month}重点任务落实情况反馈表"}

    def _file(self, item: Item, placement: Placement, folder: Path, taken: dict, staged: list, origin: str) -> dict:
        """One file's outcome; drafts get a unique name in their folder and are queued for staging."""
        if placement.kind == "refused":
            return {"name": item.label, "outcome": "refused", "file": "", "reason": placement.reason}
        sha = digest(item.data)
        subfolder = placement.subfolder
        same = self._contents(folder).get(sha)
        if same and placement.kind == "draft" and same.startswith(f"{QUARANTINE}/"):
            same = None  # a known unit sent what an unknown address had sent: the draft goes in, not to 待核实
        if same:
            return {"name": item.label, "outcome": "duplicate", "file": same,
                    "reason": f"与已收到的《{same}》内容相同，未重复保存"}
        name = unique_name(item.name, taken.setdefault(subfolder, set()))
        taken[subfolder].add(name)
        file = f"{subfolder}/{name}" if subfolder else name
        staged.append(({"file": file, "sha256": sha, "origin": origin, "original": item.label}, item.data))
        index = self._contents(folder)
        if placement.kind == "draft" or sha not in index:  # a copy in the month folder wins over one in 待核实/
            index[sha] = file
        return {"name": item.label, "outcome": placement.kind, "file": file, "reason": placement.reason}

    def _contents(self, folder: Path) -> dict[str, str]:
        """{sha256: file} of what the month folder and its 待核实/ hold, hashed once per fetch (then kept up to
        date with what this fetch saves): the same draft sent again is recognised without rehashing the folder
        for every message."""
        key = str(folder)
        if key not in self._index:
            index: dict[str, str] = {}
            for sub, prefix in ((folder / QUARANTINE, f"{QUARANTINE}/"), (folder, "")):  # the month folder wins
                if sub.is_dir():
                    for path in sorted(sub.iterdir()):
                        if path.is_file() and not path.name.startswith("."):
                            try:
                                index[sha256_file(path)] = prefix + path.name
                            except OSError:
                                continue
            self._index[key] = index
        return self._index[key]

    def _taken(self, month: str) -> dict[str, set[str]]:
        """Names in use per sub-folder ('' and 待核实): on disk and reserved in the ledger."""
        folder = self.ws.month_inputs(month)
        taken: dict[str, set[str]] = {"": set(), QUARANTINE: set()}
        for sub in taken:
            path = folder / sub if sub else folder
            if path.is_dir():
                taken[sub].update(p.name for p in path.iterdir())
        for file in self.mail.taken_names(month):
            sub, _, name = file.rpartition("/")
            taken.setdefault(sub, set()).add(name)
        return taken

    def _put_in_place(self, month: str, f: MailFile) -> int:
        """Rename a staged file into inputs/<month>/ (another name if its name was taken meanwhile); 1 if moved."""
        staged = self.ws.state_dir / f.staged
        target = self.ws.month_inputs(month) / f.file
        if not staged.is_file():  # moved by the fetch that stopped, which did not get to record it
            return 0
        target.parent.mkdir(parents=True, exist_ok=True)
        name = f.file
        if target.exists() and not (target.is_file() and sha256_file(target) == f.sha256):
            sub, _, base = f.file.rpartition("/")
            others = {p.name for p in target.parent.iterdir()}
            fresh = unique_name(base, others)
            name = f"{sub}/{fresh}" if sub else fresh
            target = target.parent / fresh
        try:
            os.replace(staged, target)
        except OSError:  # inputs/ on another file system than .bulletin/
            write_atomic(target, staged.read_bytes())
            staged.unlink()
        if name != f.file:  # rare: recorded at once, so a crash cannot leave the ledger naming another file
            self.mail.file_placed(month, f.file, name)
        return 1

    def _line(self, sub: Submission, what: str) -> None:
        """One line of the report; the subject cut short and stripped of control characters (it is printed)."""
        who = sub.sender or "（无发件人）"
        unit = self.roster.unit_for_email(sub.sender) if sub.sender else None
        subject = shorten(printable(sub.subject), 60) or "（无主题）"
        what = shorten(printable(what), 300)  # a message with 60 files: the ledger has them all (bulletin status)
        self.report.lines.append(f"{who}{f'（{unit}）' if unit else ''}《{subject}》：{what}")


# -- items of a message ------------------------------------------------------------------------------------------
def origin_of(item: Item) -> str:
    if item.via.startswith("压缩包"):
        return "zip"
    return "forwarded" if item.via else "attachment"


def _default_name(content_type: str, n: int) -> str:
    suffix = _NAMED_TYPES.get(content_type) or mimetypes.guess_extension(content_type) or ""
    return f"附件{n}{suffix}"


def gather_items(sub: Submission, max_items: int) -> tuple[list[Item], list[tuple[str, str]]]:
    """The files of a message (attachments, forwarded messages' attachments, .zip entries), within the count
    limit; refusals are (label, reason)."""
    items: list[Item] = []
    refusals: list[tuple[str, str]] = []
    for n, attachment in enumerate(sub.attachments, start=1):
        via = f"转发邮件《{attachment.forwarded_from}》" if attachment.forwarded_from else ""
        original = attachment.name
        item = Item(original, safe_name(original or _default_name(attachment.content_type, n)), attachment.data, via)
        if not is_archive(item):
            items.append(item)
            continue
        inner, bad = unpack_zip(item.data, item.original or item.name, max_items)
        refusals += bad
        for entry in inner:
            if is_archive(entry) or entry.suffix in (".rar", ".7z"):
                refusals.append((entry.label, "压缩包中的压缩包不予解压，请直接附上 .docx"))
            else:
                items.append(entry)
    if len(items) > max_items:
        for extra in items[max_items:]:
            refusals.append((extra.label, f"一封邮件最多收取 {max_items} 个文件，此文件未收取：请分几封邮件发送"))
        items = items[:max_items]
    return items, refusals
