"""The send state machine: mail the approved bulletin (or the draft, to reviewers) exactly once per
recipient, through the ledger. (What `bulletin status` shows is in status.py.)

Per batch: the batch's rows are set to 'sending' in one transaction, then ONE SMTP transaction runs, then
accepted rows become 'sent' and refused ones 'failed'. Hence:
- a rerun skips 'sent' rows and retries 'failed' ones alone;
- a dropped connection marks its batch 'failed' and stops; the batches after it stay pending;
- a crash between batches loses nothing (later batches have no row yet) and duplicates nothing;
- a crash inside a batch leaves 'sending' rows: the server may or may not have taken the message, so the next
  run sends that batch again, as the same batch with the same Message-ID (message_id() is deterministic), so
  mail systems that de-duplicate by Message-ID keep one copy.
Remaining window for a second copy (inherent to SMTP): the crash above, or a connection lost after the server
got the whole message but before it answered "250" (the batch is marked failed and resent).

Outbox mode (no [smtp]) records under its own purpose (core/vocabulary.py `outbox_purpose`): writing .eml
files is not delivery, so configuring [smtp] later still mails everyone once.

A series ([series.<name>]) is sent by the same code: its workspace (`Workspace.for_series`) carries its settings,
ledger, outputs, commands and recipient lists. The review mail's personal links are made by the door's
`link_for` (the application layer signs them), so this module knows nothing of the review desk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from ..core.atomic import sha256_bytes
from ..core.config import Settings
from ..core.errors import BulletinError, NotApproved
from ..core.ledger import DeliveryRecord, Ledger
from ..core.vocabulary import BULLETIN, SendState, outbox_purpose
from ..core.workspace import Workspace
from ..layout.pdfedition import pdf_edition, wanted
from .approval import approved_file, compiled_file, review_chain
from .message import build_message, message_id, normalise_domain
from .recipients import Recipient, normalise_email, read_recipients
from .texts import bulletin_body, bulletin_subject, review_body, review_subject
from .transports import MailError, Transport, transport_for

log = logging.getLogger("bulletin.delivery")


def review_purpose(sha256: str, step: str = "") -> str:
    """Reviewers get each distinct file once: a file edited after review is sent for review again. In a review
    chain (issue 26) each step's reviewers get it once when their step opens: `review:<sha12>:<step>` (a one-step
    chain keeps `review:<sha12>`, so older ledgers read the same)."""
    return f"review:{sha256[:12]}" + (f":{step}" if step else "")


def review_purposes(sha256: str, chain: list) -> list[str]:
    """Every review purpose of this version under the office's chain (status counts them)."""
    if len(chain) <= 1:
        return [review_purpose(sha256)]
    return [review_purpose(sha256, s.name) for s in chain]


def _purpose(base: str, transport: Transport) -> str:
    return outbox_purpose(base) if transport.kind == "outbox" else base


@dataclass
class DeliveryReport:
    month: str
    purpose: str
    transport: str  # smtp | outbox
    where: str
    subject: str = ""
    file: Path | None = None
    sha256: str = ""
    dry_run: bool = False
    sent: list[Recipient] = field(default_factory=list)  # this run
    already: list[Recipient] = field(default_factory=list)  # earlier runs
    failed: list[tuple[Recipient, str]] = field(default_factory=list)
    not_attempted: list[Recipient] = field(default_factory=list)  # dry run, or stopped after a lost connection
    resent_interrupted: list[Recipient] = field(default_factory=list)  # 'sending' rows of a crashed run
    earlier_version: list[Recipient] = field(default_factory=list)  # got a previously approved file
    skipped: list[str] = field(default_factory=list)  # recipients.csv problems
    notes: list[str] = field(default_factory=list)
    transient: bool = False  # some recipients missed it for a reason that may pass (4xx, lost connection)

    @property
    def complete(self) -> bool:
        """Everyone on the list has it (or, for a dry run, nothing is in the way)."""
        return not self.failed and (self.dry_run or not self.not_attempted)

    def lines(self) -> list[str]:
        what = "送审稿" if self.purpose.startswith("review") else "简报"
        mode = "（未配置 [smtp]：已生成 .eml 文件，未实际发出）" if self.transport == "outbox" else ""
        head = f"{self.month} {what}"
        if self.subject:
            head += f"《{self.subject}》"
        lines = [head + ("：试运行，不发送" if self.dry_run else f"发送结果{mode}")]
        if self.file is not None:
            lines.append(f"  附件：{self.file}（校验码 {self.sha256[:12]}）")
        if self.dry_run:
            lines.append(f"  将发送 {len(self.not_attempted)} 位，已发送过 {len(self.already)} 位（不再发送）。")
            lines += [f"    → {r.label}" for r in self.not_attempted]
        else:
            place = f"写入 {self.where}" if self.transport == "outbox" else "发送"
            lines.append(
                f"  本次{place} {len(self.sent)} 位；此前已发送 {len(self.already)} 位（未重复发送）；"
                f"失败 {len(self.failed)} 位；未发送 {len(self.not_attempted)} 位。"
            )
        for r, reason in self.failed:
            lines.append(f"  ✗ {r.label}：{reason}")
        if self.failed:
            lines.append("  失败的收件人会在下次执行 bulletin send 时单独重发（已成功的不会重复）。")
        if self.not_attempted and not self.dry_run:
            lines.append(f"  因连接中断，{len(self.not_attempted)} 位尚未发送：稍后再次执行 bulletin send 即可继续。")
        if self.resent_interrupted:
            lines.append(
                f"  上次发送中途中断，{len(self.resent_interrupted)} 位的状态不明，已按同一邮件编号（Message-ID）重发。"
            )
        if self.earlier_version:
            lines.append(
                f"  注意：{len(self.earlier_version)} 位此前收到的是更早审核通过的版本，未重发：" +
                "、".join(r.email for r in self.earlier_version)
            )
        lines += [f"  跳过：{p}" for p in self.skipped]
        lines += [f"  {n}" for n in self.notes]
        return lines

    def summary(self) -> str:
        return "\n".join(self.lines())


def send_lock(ws: Workspace, month: str) -> FileLock:
    """One sender of a month at a time (a second one is told so at once)."""
    return FileLock(str(ws.state_dir / f"send-{month}.lock"), timeout=0)


def deliver(
    ledger: Ledger,
    report: DeliveryReport,
    recipients: list[Recipient],
    data: bytes,
    filename: str,
    body: str,
    settings: Settings,
    transport: Transport,
    more: tuple[tuple[bytes, str], ...] = (),
) -> None:
    month, purpose, sha = report.month, report.purpose, report.sha256
    records: dict[str, DeliveryRecord] = ledger.deliveries(month, purpose)
    interrupted: list[Recipient] = []
    pending: list[Recipient] = []
    for r in recipients:
        record = records.get(r.email)
        if record is not None and record.status == SendState.SENT:
            report.already.append(r)
            if record.sha256 != sha:
                report.earlier_version.append(r)
        elif record is not None and record.status == "sending":
            interrupted.append(r)
        else:
            pending.append(r)
    if report.dry_run:
        report.not_attempted = interrupted + pending
        return

    size = transport.batch_size
    # The interrupted rows were one batch: send them as one again so the Message-ID matches the first try.
    batches = [interrupted[i:i + size] for i in range(0, len(interrupted), size)]
    batches += [pending[i:i + size] for i in range(0, len(pending), size)]
    if not batches:
        return
    sender = settings.smtp.sender if settings.smtp else settings.bulletin.email
    sender_name = settings.bulletin.office
    domain = normalise_domain(sender)

    transport.open()  # MailError (Chinese, scrubbed) before anything is recorded
    try:
        for index, batch in enumerate(batches):
            emails = [r.email for r in batch]
            rows = [r.as_row() for r in batch]
            # Batches go to the envelope only; the visible To is the office itself, so no one sees the list.
            to = (batch[0].name, batch[0].email) if transport.personal else (sender_name, sender)
            message = build_message(
                sender=sender, sender_name=sender_name, to=to, subject=report.subject, body=body,
                attachment=data, filename=filename, msgid=message_id(month, purpose, sha, emails, domain),
                unsent=transport.personal, more=more,
            )
            ledger.mark_deliveries(month, purpose, rows, SendState.SENDING, sha, count_attempt=True)
            try:
                refused = transport.send(message, emails)
            except MailError as exc:
                reason = str(exc)
                ledger.mark_deliveries(month, purpose, rows, SendState.FAILED, sha, error=reason)
                report.failed += [(r, reason) for r in batch]
                report.transient = report.transient or exc.transient or exc.connection_lost
                log.warning("batch %d/%d failed (%d recipients): %s", index + 1, len(batches), len(batch), reason)
                if exc.connection_lost:
                    report.not_attempted = [r for later in batches[index + 1:] for r in later]
                    break
                continue
            accepted = [r for r in batch if r.email not in refused]
            ledger.mark_deliveries(month, purpose, [r.as_row() for r in accepted], SendState.SENT, sha)
            for r in batch:
                if r.email in refused:
                    ledger.mark_deliveries(month, purpose, [r.as_row()], SendState.FAILED, sha, error=refused[r.email])
                    report.failed.append((r, refused[r.email]))
                    report.transient = report.transient or refused[r.email].startswith("4")
            report.sent += accepted
            report.resent_interrupted += [r for r in batch if r in interrupted and r in accepted]
            log.info("batch %d/%d: %d accepted, %d refused", index + 1, len(batches), len(accepted), len(refused))
    finally:
        transport.close()


def send_bulletin(
    ws: Workspace, month: str, dry_run: bool = False, transport: Transport | None = None, only: str | None = None
) -> DeliveryReport:
    """Mail the approved file to everyone in inputs/recipients.csv who does not have it yet. `only`: that one
    address of the lists (补发 from the workbench, issue 24): the same state machine, so one who has it is not
    mailed again and a failed one is retried alone.

    Raises NotApproved when the month is not approved or the file changed since; MailError when the server
    cannot be reached or refuses the login (nothing is recorded then).
    """
    settings = ws.settings
    unapproved = ""
    try:
        path, sha = approved_file(ws, month)
    except NotApproved as exc:
        if not dry_run:
            raise
        path, sha, unapproved = _current_file(ws, month), "", str(exc)  # "先看看会发给谁" before approval
    data = path.read_bytes()
    if not unapproved and sha256_bytes(data) != sha:  # changed between the check and the read
        raise NotApproved(f"文件在审核通过后被修改过，请重新审核：{ws.command('approve', month, '--by 审核人姓名')}。")
    sha = sha or sha256_bytes(data)
    too_large = _size_problem(ws, path, data)
    if too_large and not dry_run:
        raise BulletinError(too_large)
    recipients, problems = read_recipients(ws.recipients_path, ws.recipient_lists)
    if not recipients:
        raise BulletinError(f"收件人名单 {ws.recipients_path} 中没有有效的邮箱地址。")
    if only is not None:
        recipients = [r for r in recipients if r.email.lower() == only.strip().lower()]
        if not recipients:
            raise BulletinError(f"{only} 不在分发名单（{ws.recipients_path.name}）中。")
    transport = transport or transport_for(settings, ws.month_outputs(month) / "outbox")
    with Ledger(ws.ledger_path) as ledger:
        record, _ = compiled_file(ws, ledger, month)
        when = record.date_text
        report = DeliveryReport(
            month=month, purpose=_purpose(BULLETIN, transport), transport=transport.kind, where=transport.where,
            subject=bulletin_subject(settings, record.number, when), file=path, sha256=sha, dry_run=dry_run,
            skipped=problems,
        )
        body = bulletin_body(settings, record.number, when, path.name)
        if unapproved:
            report.notes.append(f"注意：{unapproved}（以上是审核通过后将发送的对象）")
        if too_large:
            report.notes.append(f"注意：{too_large}")
        files = _attachments(ws, month, path, data, sha, unapproved)
        if [name for _, name in files] != [path.name]:
            report.notes.append("附件：" + "、".join(name for _, name in files))
        try:
            with send_lock(ws, month):
                deliver(ledger, report, recipients, files[0][0], files[0][1], body, settings, transport,
                        more=tuple(files[1:]))
        except Timeout:
            raise BulletinError(f"{month} 的简报正在由另一个程序发送，请稍后再试。") from None
    return report


def _attachments(ws: Workspace, month: str, path: Path, data: bytes, sha: str,
                 unapproved: str) -> list[tuple[bytes, str]]:
    """What the lists get, per [mail] attach: the approved .docx and/or its PDF edition, the PDF's bytes checked
    against the sha256 recorded when it was made. A dry run before approval names the files only."""
    attach = ws.settings.mail.attach
    files = [(data, path.name)] if "docx" in attach else []
    if wanted(ws) and not unapproved:
        pdf_path, pdf_sha = pdf_edition(ws, month, path, sha)
        pdf = pdf_path.read_bytes()
        if sha256_bytes(pdf) != pdf_sha:
            raise BulletinError(f"{pdf_path.name} 与生成时记录的不一致（被改动过），未发送：请删除该文件后重新发送。")
        if "pdf" in attach:
            files.append((pdf, pdf_path.name))
    elif "pdf" in attach:  # dry run before approval: the PDF does not exist yet
        files.append((b"", path.with_suffix(".pdf").name))
    return files


def _current_file(ws: Workspace, month: str) -> Path:
    with Ledger(ws.ledger_path) as ledger:
        return compiled_file(ws, ledger, month)[1]


def _size_problem(ws: Workspace, path: Path, data: bytes) -> str:
    """Why an attachment is larger than mail systems take ([mail] max_attachment_mb); "" when it is not.
    Checked before anything is sent."""
    limit = ws.settings.mail.max_attachment_mb
    if len(data) <= limit * 1024 * 1024:
        return ""
    return (
        f"简报文件 {path.name} 有 {len(data) / (1024 * 1024):.1f} MB，超过邮件附件上限 {limit:g} MB"
        "（bulletin.toml [mail] max_attachment_mb），未发送任何邮件：请压缩稿件中的图片后重新编排、审核，"
        "或在确认对方邮箱能接收后调高上限。"
    )


def send_for_review(ws: Workspace, month: str, transport: Transport | None = None,
                    link_for: Callable[[str, str], str] | None = None) -> DeliveryReport:
    """Mail the current file (Word edits included) to the reviewers of the open review step, once per file
    version and step (issue 26: 初审's reviewers first; 签发's once 初审 approved this version; nobody once the
    chain is complete or stopped by a rejection). A one-step chain ([review] reviewers) is today's review mail.
    `link_for(sha256, reviewer_email, step)`, when given and the office runs the review desk ([web]), is the text
    that opens each reviewer's mail (a personal link carrying the step): one message per reviewer then."""
    settings = ws.settings
    with Ledger(ws.ledger_path) as ledger:
        record, path = compiled_file(ws, ledger, month)
        data = path.read_bytes()
        sha = sha256_bytes(data)
        if too_large := _size_problem(ws, path, data):
            raise BulletinError(too_large)
        transport = transport or transport_for(settings, ws.month_outputs(month) / "outbox" / f"送审-{sha[:12]}")
        when = record.date_text
        chain = settings.review.chain
        state = review_chain(ws, ledger, month, sha)
        step = chain[0] if len(chain) == 1 else (state.open.step if state.open else None)
        label = step.name if step is not None and len(chain) > 1 else ""
        report = DeliveryReport(
            month=month, purpose=_purpose(review_purpose(sha, label), transport), transport=transport.kind,
            where=transport.where, subject=review_subject(settings, record.number, when, label), file=path,
            sha256=sha,
        )
        if step is None:
            report.notes.append("当前文件已签发（审核链各步均已通过），无需再送审。")
            return report
        if len(chain) > 1 and state.stopped is not None:
            d = state.stopped.decision
            report.notes.append(f"当前文件已被“{step.name}”退回（{d.reviewer}：{d.comment}），修改后才会重新送审。")
            return report
        reviewers = [Recipient(f"审核人（{label}）" if label else "审核人", r.name, normalise_email(str(r.email)))
                     for r in step.reviewers]
        if not reviewers:
            report.notes.append("bulletin.toml 的 [review] reviewers 没有配置审核人，未发送送审邮件。")
            return report
        body = review_body(ws, month, record.number, path, sha, label)
        try:
            with send_lock(ws, month):
                if link_for is None or settings.web is None:
                    deliver(ledger, report, reviewers, data, path.name, body, settings, transport)
                else:  # the review desk: each reviewer gets a personal link (one message each)
                    for reviewer in reviewers:
                        personal = link_for(sha, reviewer.email, label) + body
                        deliver(ledger, report, [reviewer], data, path.name, personal, settings, transport)
        except Timeout:
            raise BulletinError(f"{month} 的简报正在由另一个程序发送，请稍后再试。") from None
    return report


__all__ = ["BULLETIN", "DeliveryReport", "deliver", "review_purpose", "review_purposes", "send_bulletin", "send_for_review",
           "send_lock"]
