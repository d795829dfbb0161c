"""`bulletin status`: a month's compile, drafts, review and every recipient's delivery, read from the ledger
and the file on disk, rendered in Chinese. Reads only; the send state machine is in delivery.py."""

from __future__ import annotations

from datetime import datetime

from dataclasses import dataclass, field
from pathlib import Path

from ..core.atomic import sha256_file
from ..core.errors import BulletinError
from ..core.ledger import CompileRecord, DecisionRecord, DeliveryRecord, Ledger
from ..core.vocabulary import DraftStatus, ReviewState, SendState, both_modes, is_outbox_purpose, outbox_purpose
from ..core.workspace import OFFICE_TZ, Workspace
from .approval import review_chain
from .chain import ChainState
from .delivery import BULLETIN, review_purpose, review_purposes
from .recipients import Recipient, read_recipients


@dataclass(frozen=True)
class OlderReview:
    """A version the reviewers were mailed and nobody decided on, which is no longer the month's file (a compile
    forced while the review was out, or the file edited since), while the current file was not mailed (issue 23
    item 9): the reviewers read, and may answer about, a version that cannot be sent."""

    sha256: str
    sent_at: str  # the last mailing of that version (ledger time)
    to: tuple[str, ...]  # reviewers' names or addresses, sorted

    @property
    def sent_text(self) -> str:
        return shown_time(self.sent_at)


def shown_time(stamp: str) -> str:
    """A ledger timestamp as the office reads it: "2026-10-28 09:30" (Beijing time)."""
    try:
        return datetime.fromisoformat(stamp).astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


@dataclass
class MonthStatus:
    month: str
    number: int | None = None
    compile: CompileRecord | None = None
    file_sha256: str | None = None  # of the file on disk now; None when missing
    decision: DecisionRecord | None = None
    purpose: str = BULLETIN
    recipients: list[Recipient] = field(default_factory=list)
    recipient_problems: list[str] = field(default_factory=list)
    title: str = "工作简报"  # the publication: 工作简报, or a series' name ([series.<name>])
    approve_command: str = "bulletin approve"  # the publication's own, with its --series and --month
    deliveries: dict[str, DeliveryRecord] = field(default_factory=dict)
    reviewed_by_mail: int = 0  # reviewers who got the current file
    calendar: list[str] = field(default_factory=list)  # [calendar]: 约稿/催报 lines (office/remind.calendar_lines)
    chain: ChainState | None = None  # the current file in the review chain (delivery/chain.py); None: no file
    open_step_mailed: int = 0  # reviewers of the chain's open step who got the current file
    review_mailings: list[DeliveryRecord] = field(default_factory=list)  # every version's, oldest first
    older_review: OlderReview | None = None  # the reviewers hold an older, undecided version; current not mailed
    review_command: str = "bulletin review"  # the publication's own, with its --series and --month

    @property
    def approved(self) -> bool:
        """The current file went through the whole review chain (签发 included): what send requires."""
        if self.chain is not None:
            return bool(self.file_sha256) and self.chain.complete
        d = self.decision
        return bool(d and d.approved and self.file_sha256 == d.sha256)

    @property
    def multi_step(self) -> bool:
        return self.chain is not None and self.chain.multi

    def decided_at_step(self, step: str = "") -> DecisionRecord | None:
        """The decision on the current file at the review step `step` (a review link's; "" = the open step, or
        the one step of a one-step chain); None when that step has not decided on it (the desk's check)."""
        if self.chain is None:
            return None
        if not self.multi_step:
            return self.chain.steps[0].decision
        found = next((s for s in self.chain.steps if s.step.name == step), None) if step else self.chain.open
        return found.decision if found is not None else None

    @property
    def edited_since_compile(self) -> bool:
        """The file on disk is not the one the last compile wrote (someone edited it in Word)."""
        return bool(self.compile and self.file_sha256 and self.file_sha256 != self.compile.sha256)

    @property
    def in_review(self) -> bool:
        """The current file went to the reviewers and nobody has decided on it yet."""
        if self.multi_step:  # the open step's reviewers have it and that step has not decided
            open_ = self.chain.open
            return bool(self.compile and open_ is not None and open_.decision is None and self.open_step_mailed)
        d = self.decision
        decided = d is not None and d.sha256 == self.file_sha256
        return bool(self.compile and self.file_sha256 and self.reviewed_by_mail and not decided)

    @property
    def review_state(self) -> ReviewState:
        """Where the current file stands: the one answer every door shows (status, desk, flow)."""
        d = self.decision
        if self.compile is None:
            return ReviewState.NOT_COMPILED
        if self.multi_step and self.file_sha256:
            if self.chain.complete:
                return ReviewState.APPROVED
            if self.chain.stopped is not None:
                return ReviewState.REJECTED
            if self.chain.open_index > 0 or self.in_review:
                return ReviewState.IN_REVIEW
        if d is not None and d.sha256 == self.file_sha256:
            return ReviewState.APPROVED if d.approved else ReviewState.REJECTED
        if d is not None and d.approved:
            return ReviewState.CHANGED
        return ReviewState.IN_REVIEW if self.in_review else ReviewState.COMPILED

    def version_text(self) -> str:
        """The version under review as a reviewer can check it: "11月5日 09:12 编排的版本" (Beijing time), or
        "编排后经人工修改的版本" when the file was edited in Word since (Prefect's form and the review desk)."""
        if self.edited_since_compile:
            return "编排后经人工修改的版本"
        stamp = datetime.fromisoformat(self.compile.compiled_at)
        return f"{stamp.month}月{stamp.day}日 {stamp:%H:%M} 编排的版本"

    def draft_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.compile.drafts if self.compile else []:
            counts[d.get("status", "")] = counts.get(d.get("status", ""), 0) + 1
        return counts

    def recipient_state(self, r: Recipient) -> SendState:
        record = self.deliveries.get(r.email)
        return SendState.of(None if record is None else record.status)

    def counts(self) -> dict[SendState, int]:
        counts = dict.fromkeys(SendState, 0)
        for r in self.recipients:
            counts[self.recipient_state(r)] += 1
        return counts

    def sent_current(self) -> int:
        """Recipients who have the file as it is now."""
        return sum(1 for r in self.deliveries.values()
                   if r.status == SendState.SENT and r.sha256 == self.file_sha256)

    def _draft_lines(self) -> list[str]:
        drafts = self.compile.drafts if self.compile else []
        by_status = self.draft_counts()
        S = DraftStatus
        kept = by_status.get(S.ACCEPTED, 0) + by_status.get(S.FLAGGED, 0)
        lines = [
            f"稿件：{S.ACCEPTED.text} {kept} 篇（其中{S.FLAGGED.text} {by_status.get(S.FLAGGED, 0)} 篇），"
            f"{S.REFUSED.text} {by_status.get(S.REFUSED, 0)} 份，{S.DUPLICATE.text} {by_status.get(S.DUPLICATE, 0)} 份，"
            f"{S.REPLACED.text} {by_status.get(S.REPLACED, 0)} 份"
        ]
        for d in drafts:
            if d.get("status") != S.ACCEPTED:
                what = d.get("title") or d.get("file", "")
                unit = f"（{d['unit']}）" if d.get("unit") else ""
                reason = f"：{d['reason']}" if d.get("reason") else ""
                lines.append(f"  - {S.text_of(d.get('status', ''))} {what}{unit}{reason}")
        late = [d for d in drafts if d.get("late")]
        if late:
            lines.append(f"迟报 {len(late)} 份（晚于报送截止时间收到）：")
            for d in late:
                unit = f"（{d['unit']}）" if d.get("unit") else ""
                when = str(d.get("received", ""))[5:16].replace("T", " ")
                lines.append(f"  - 迟报 {d.get('title') or d.get('file', '')}{unit} {when} 收到")
        return lines

    def _chain_lines(self) -> list[str]:
        """A review chain: where the current file stands, then each step (opinion, name, date and time)."""
        c = self.chain
        if c.complete:
            head = f"审核：已签发（{c.signed.reviewer}，{c.signed.decided_at.replace('T', ' ')[:16]}），可以发送"
        elif c.stopped is not None:
            d = c.stopped.decision
            head = f"审核：被“{c.stopped.step.name}”退回（{d.reviewer}{'，意见：' + d.comment if d.comment else ''}），未发送"
        else:
            head = f"审核：待“{c.open.step.name}”（{c.open.step.names}）"
            d = self.decision
            if d is not None and d.approved and d.sha256 != self.file_sha256 and c.open_index == 0:
                head += "；曾审核通过的文件之后被修改过，审核链重新开始"
        return [head, "审核链（当前文件）："] + c.lines()

    def _approval_line(self) -> str:
        d = self.decision
        if d is None:
            return "审核：尚未审核"
        when = d.decided_at.replace("T", " ")[:16]
        if not d.approved:
            note = f"，意见：{d.comment}" if d.comment else ""
            return f"审核：未通过（{d.reviewer}，{when}{note}）"
        if self.file_sha256 is None:
            return f"审核：已通过（{d.reviewer}，{when}），但文件已不存在"
        if self.file_sha256 != d.sha256:
            return f"审核：曾通过（{d.reviewer}，{when}），但文件之后被修改过，需重新审核"
        return f"审核：已通过（{d.reviewer}，{when}，校验码 {d.sha256[:12]}）"

    def lines(self) -> list[str]:
        if self.compile is None:
            head = f"{self.month}：尚未编排"
            return [head + (f"（已分配期号 第{self.number}期）" if self.number else "")] + self.calendar
        c = self.compile
        file_state = "" if self.file_sha256 else "（文件不存在！）"
        if self.edited_since_compile:
            file_state = "（编排后在 Word 中修改过）"
        lines = [
            f"{self.month} {self.title} 第{c.number}期",
            f"编排：{c.compiled_at.replace('T', ' ')[:16]}，文件 {c.path}{file_state}",
            *([f"当前文件校验码：{self.file_sha256[:12]}" + ("" if self.approved else
               f"（审核：{self.approve_command}{self._step_option()} --by 姓名 --sha256 {self.file_sha256[:12]}）")]
              if self.file_sha256 else []),
            *self._draft_lines(),
            *(self._chain_lines() if self.multi_step and self.file_sha256 else [self._approval_line()]),
        ]
        if self.reviewed_by_mail:
            lines.append(f"送审：当前文件已发给 {self.reviewed_by_mail} 位审核人")
        if self.older_review is not None and self.file_sha256:
            lines.append(self.older_review_line())
        counts = self.counts()
        mode = "（发件箱 .eml）" if is_outbox_purpose(self.purpose) else ""
        lines.append(
            f"发送{mode}：共 {len(self.recipients)} 位，已发送 {counts[SendState.SENT]}，失败 {counts[SendState.FAILED]}，"
            f"中断 {counts[SendState.SENDING]}，待发送 {counts[SendState.PENDING]}"
        )
        order = {SendState.FAILED: 0, SendState.SENDING: 1, SendState.PENDING: 2, SendState.SENT: 3}
        for r in sorted(self.recipients, key=lambda r: order[self.recipient_state(r)]):
            record = self.deliveries.get(r.email)
            state = self.recipient_state(r).text
            extra = ""
            if record is not None and record.status == "sent":
                extra = f" {record.updated_at.replace('T', ' ')[5:16]}"
            elif record is not None and record.status == "failed":
                extra = f"：{record.error}（已尝试 {record.attempts} 次）"
            lines.append(f"  {state} {r.label}{extra}")
        listed = {r.email for r in self.recipients}
        for email, record in self.deliveries.items():
            if email not in listed:
                lines.append(f"  {SendState.of(record.status).text} {email}（已不在收件人名单中）")
        lines += [f"  名单问题：{p}" for p in self.recipient_problems]
        return lines + self.calendar

    def older_review_line(self) -> str:
        """What the office must know before the reviewers answer: they hold an older version (issue 23 item 9)."""
        old = self.older_review
        if old is None or not self.file_sha256:
            return ""
        return (f"送审：审核人手中是旧版本（校验码 {old.sha256[:12]}，{old.sent_text} 送审给 {'、'.join(old.to)}，"
                f"尚未审核）；当前文件（校验码 {self.file_sha256[:12]}）是之后的新版本，尚未送审，请执行 "
                f"{self.review_command} 把新版本送审")

    def mailed_at(self, sha256: str, email: str) -> str:
        """When the version `sha256` was last mailed for review to `email` (to anyone, if not to them), as the
        office reads the time; "" when it never was (a review link names the version it was made for)."""
        mailed = [r for r in self.review_mailings if r.sha256 == sha256 and r.status == SendState.SENT]
        mine = [r for r in mailed if r.email.lower() == email.lower()] or mailed
        return shown_time(max(r.updated_at for r in mine)) if mine else ""

    def _step_option(self) -> str:
        open_ = self.chain.open if self.multi_step else None
        return f" --step {open_.step.name}" if open_ is not None else ""

    def summary(self) -> str:
        return "\n".join(self.lines())


def month_status(ws: Workspace, month: str) -> MonthStatus:
    status = MonthStatus(month=month, purpose=BULLETIN if ws.settings.smtp else outbox_purpose(BULLETIN),
                         title=ws.title, approve_command=ws.command("approve", month),
                         review_command=ws.command("review", month))
    try:
        status.recipients, status.recipient_problems = read_recipients(ws.recipients_path, ws.recipient_lists)
    except BulletinError as exc:
        status.recipient_problems = [str(exc)]
    with Ledger(ws.ledger_path) as ledger:
        status.compile = ledger.last_compile(month)
        status.number = status.compile.number if status.compile else ledger.assigned_number(month)
        status.decision = ledger.latest_decision(month)
        status.deliveries = ledger.deliveries(month, status.purpose)
        if status.compile is not None and Path(status.compile.path).is_file():
            status.file_sha256 = sha256_file(Path(status.compile.path))
            chain = ws.settings.review.chain
            status.chain = review_chain(ws, ledger, month, status.file_sha256)
            open_ = status.chain.open
            open_purpose = review_purpose(status.file_sha256, open_.step.name if open_ and len(chain) > 1 else "")
            for base in review_purposes(status.file_sha256, chain):
                for purpose in both_modes(base):
                    reviews = ledger.deliveries(month, purpose)
                    mailed = sum(1 for r in reviews.values() if r.status == "sent")
                    status.reviewed_by_mail += mailed
                    if base == open_purpose:
                        status.open_step_mailed += mailed
            status.review_mailings = ledger.review_deliveries(month)
            if not status.reviewed_by_mail:
                status.older_review = _older_review(ledger, month, status.file_sha256, status.review_mailings)
    return status


def _older_review(ledger: Ledger, month: str, current: str, mailings: list[DeliveryRecord]) -> OlderReview | None:
    """The last version mailed to reviewers that is not the current file and that nobody decided on, if any."""
    sent = [r for r in mailings if r.status == SendState.SENT and r.sha256 and r.sha256 != current]
    if not sent:
        return None
    last = max(sent, key=lambda r: r.updated_at).sha256
    if ledger.decisions(month, last):
        return None
    of_last = [r for r in sent if r.sha256 == last]
    return OlderReview(last, max(r.updated_at for r in of_last), tuple(sorted({r.name or r.email for r in of_last})))


__all__ = ["MonthStatus", "OlderReview", "month_status", "shown_time"]
