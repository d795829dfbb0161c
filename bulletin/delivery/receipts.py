"""Receipts (回执): one reply to every submission, saying what happened to each attachment.

Sent through [smtp] with the mail module's transport (one connection for all receipts of a fetch). Each receipt
answers its message properly (In-Reply-To, References), says it is an automatic answer (Auto-Submitted:
auto-replied, RFC 3834), so well-behaved systems never answer it back, and carries a Message-ID derived from the
message it answers: retried after a crash, it is the same mail to any system that de-duplicates. Whether a
message gets a receipt at all (never to machine-written mail, never twice, never to a message refused as
unreadable) is decided by the fetch and kept in the ledger.

Everything a receipt repeats came from a stranger (issue 22): the subject and file names are cut short and
stripped of control characters, at most MAX_LISTED files are listed ("……等 N 项" after them), the Message-IDs
it answers are used only when they look like Message-IDs, and the one recipient is the parsed address of the
message (the envelope names it alone; a display name is never written into a header). The time it names is
when the mailbox received the message (INTERNALDATE), and a sender the roster knows is greeted by its unit.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from email.header import Header
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate
from pathlib import Path

from ..core.config import Settings
from ..intake.mailledger import MailLedger, MailMessage
from ..core.errors import BulletinError
from ..core.textio import printable, shorten
from .mail import MailError, transport_for

log = logging.getLogger("bulletin.receipts")
MAX_ATTEMPTS = 5  # a receipt refused this often (an address that does not exist) is given up
_POLICY = compat32.clone(linesep="\r\n")
OUTCOME_WORDS = {
    "draft": "已收稿",
    "quarantine": "已收到，待核实",
    "refused": "未收取",
    "duplicate": "已收到（与此前收到的文件相同，未重复保存）",
}
MAX_SUBJECT = 60  # characters of the subject repeated in the receipt
MAX_NAME = 50  # characters of a file name
MAX_REASON = 200
MAX_LISTED = 20  # files listed: about one screen
_MESSAGE_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f]{1,250}>")


def _clean(text: str, limit: int) -> str:
    """Outside text as one short line: no control characters or bidi overrides, white space folded, cut."""
    return shorten(" ".join(printable(text or "").split()), limit)


def receipt_subject(subject: str) -> str:
    return f"回执：{_clean(subject, MAX_SUBJECT) or '（无主题）'}"


def receipt_body(settings: Settings, message: MailMessage) -> str:
    b = settings.bulletin
    when = datetime.fromisoformat(message.received_at)
    stamp = f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"
    year, month = message.month.split("-")
    greeting = message.unit or _clean(message.sender_name, 40) or message.sender
    lines = [
        f"{greeting}：",
        "",
        f"您好！{b.office}于 {stamp} 收到您的邮件《{_clean(message.subject, MAX_SUBJECT) or '（无主题）'}》，处理结果如下：",
        "",
    ]
    for n, item in enumerate(message.items, start=1):
        if n > MAX_LISTED:
            lines.append(f"……等 {len(message.items)} 项（其余 {len(message.items) - MAX_LISTED} 项从略，"
                         "如需逐项说明请联系办公室）")
            break
        outcome = item["outcome"]
        if outcome == "draft":
            how = f"（{item['reason']}）" if item.get("reason") else ""
            text = f"已收稿{how}，将编入{int(year)}年{int(month)}月简报的稿件"
        elif outcome == "quarantine":
            text = "已收到。您的邮箱尚未在单位名册中登记，稿件待办公室核实发件单位后编入"
        elif outcome == "duplicate":
            text = OUTCOME_WORDS["duplicate"]
        elif outcome == "returned":
            text = f"已收到{item['reason']}，将汇总到督查专报"
        else:
            text = f"未收取——{_clean(item['reason'], MAX_REASON)}"
        lines.append(f"{n}. {_clean(item['name'], MAX_NAME)}：{text}")
    if message.note:
        number = min(len(message.items), MAX_LISTED) + 1 if message.items else 1
        lines.append(f"{number}. {_clean(message.note, MAX_REASON)}")
    if not message.items and not message.note:
        lines.append("邮件中没有可用的稿件附件（.docx），正文也不足以成为稿件：请把稿件以 .docx 附件发送。")
    lines += [
        "",
        "稿件请以 Word 文档（.docx）作为附件发送；每封邮件可附多篇稿件，也可把多篇稿件压缩为一个 .zip。",
        f"如有疑问，请联系{b.office}（电话：{b.phone}）。",
        "",
        "（本邮件由系统自动发出。）",
        b.office,
    ]
    return "\n".join(lines) + "\n"


def receipt_message_id(message: MailMessage, domain: str) -> str:
    key = f"{message.account}\n{message.uidvalidity}\n{message.uid}\n{message.message_key}"
    return f"<receipt.{hashlib.sha256(key.encode('utf-8')).hexdigest()[:24]}@{domain}>"


def build_receipt(settings: Settings, message: MailMessage, reply_to: str | None = None) -> bytes:
    """The receipt as ASCII-only MIME (every non-ASCII text encoded)."""
    smtp = settings.smtp
    msg = MIMEText(receipt_body(settings, message), "plain", "utf-8")
    msg["From"] = formataddr((settings.bulletin.office, smtp.sender), charset="utf-8")
    msg["To"] = message.sender  # the parsed address alone: a stranger's display name never goes into a header
    if reply_to and reply_to.lower() != smtp.sender.lower():
        msg["Reply-To"] = reply_to
    msg["Subject"] = Header(receipt_subject(message.subject), "utf-8")
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = receipt_message_id(message, smtp.sender.rpartition("@")[2].lower() or "localhost")
    answered = message.message_id if _MESSAGE_ID.fullmatch(message.message_id or "") else ""
    if answered:
        msg["In-Reply-To"] = answered
        earlier = _MESSAGE_ID.findall(message.references or "")[-10:]
        msg["References"] = " ".join([*earlier, answered])
    msg["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-responder answers this
    msg["X-Auto-Response-Suppress"] = "All"  # Exchange/Outlook: no out-of-office replies to it
    return msg.as_bytes(policy=_POLICY)


def send_receipts(settings: Settings, ledger: MailLedger, outbox: Path, reply_to: str | None = None) -> dict:
    """Send every receipt that is due (new, or failed before); returns counts: sent, failed, waiting.

    Without [smtp] nothing is sent: the receipts wait in the ledger and go out with the first fetch after
    [smtp] is configured.
    """
    due = ledger.receipts_due(MAX_ATTEMPTS)
    counts = {"sent": 0, "failed": 0, "waiting": 0, "errors": []}
    if not due:
        return counts
    if settings.smtp is None:
        counts["waiting"] = len(due)
        return counts
    try:
        transport = transport_for(settings, outbox)
        transport.open()
    except BulletinError as exc:  # the server or [smtp] is the problem, not the recipients: no attempt counted
        for message in due:
            ledger.mark_receipt(message.id, "failed", str(exc))
        counts["failed"] = len(due)
        counts["errors"].append(str(exc))
        return counts
    ledger.mark_receipts_sending([m.id for m in due])
    try:
        for index, message in enumerate(due):
            try:
                refused = transport.send(build_receipt(settings, message, reply_to), [message.sender])
            except MailError as exc:
                ledger.mark_receipt(message.id, "failed", str(exc), count_attempt=True)
                counts["failed"] += 1
                counts["errors"].append(f"{message.sender}：{exc}")
                if exc.connection_lost:  # the rest wait for the next fetch
                    for rest in due[index + 1:]:
                        ledger.mark_receipt(rest.id, "failed", str(exc))
                    counts["failed"] += len(due) - index - 1
                    break
                continue
            if refused:
                reason = "；".join(refused.values())
                ledger.mark_receipt(message.id, "failed", reason, count_attempt=True)
                counts["failed"] += 1
                counts["errors"].append(f"{message.sender}：{reason}")
            else:
                ledger.mark_receipt(message.id, "sent")
                counts["sent"] += 1
    finally:
        transport.close()
    return counts
