"""The office's decision on a month's bulletin, bound to the version of the file the reviewer saw (sha256).

Every door (the `bulletin approve`/`reject` commands, the Prefect form, a web page) names the version it
decides on: `decide(ws, month, approved, by, comment, seen_sha256)`. The decision is written only if the file
on disk is still that version, checked and written in one ledger transaction; otherwise `FileChanged` says in
Chinese that the file changed and nothing is recorded. Edits made in Word *before* the reviewer looked are
part of what is approved; edits made after approving invalidate the approval (`approved_file` refuses).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.atomic import sha256_file
from ..core.errors import BulletinError, NotApproved
from ..core.ledger import CompileRecord, DecisionRecord, Ledger
from ..core.workspace import Workspace
from .chain import ChainState, chain_state, step_for

MIN_SHA_PREFIX = 8  # a reviewer may type the first characters shown in the review mail (12 are shown)
_HEX = re.compile(r"^[0-9a-f]+$")


class FileChanged(BulletinError):
    """The file on disk is not the version the reviewer decided on: nothing was recorded."""


class AlreadyDecided(BulletinError):
    """`once_per_version`: a decision on this version is already recorded; nothing more was recorded."""


@dataclass(frozen=True)
class Decision(DecisionRecord):
    """A recorded decision with its Chinese rendering; `send_command` is the publication's own."""

    send_command: str = ""  # "" : the bulletin's (bulletin send --month M)
    next_step: str = ""  # a review chain's step opened by this approval, "初审（李科长）"; "" after 签发 or one step

    @classmethod
    def of(cls, record: DecisionRecord, ws: Workspace) -> "Decision":
        chain = ws.settings.review.chain
        names = [s.name for s in chain]
        following = ""
        if record.approved and record.step in names and names.index(record.step) + 1 < len(chain):
            after = chain[names.index(record.step) + 1]
            following = f"{after.name}（{after.names}）"
        return cls(**asdict(record), send_command=ws.command("send", record.month), next_step=following)

    def summary(self) -> str:
        name = Path(self.path).name
        when = self.decided_at.replace("T", " ")[:16]
        if self.next_step:  # a review chain, not yet signed off: §22 opinion, name, date and time, version
            opinion = f"，意见：{self.comment}" if self.comment else ""
            return (f"{self.month} 简报“{name}”{self.step}通过（{self.reviewer}，{when}{opinion}，文件校验码 "
                    f"{self.sha256[:12]}）。下一步：{self.next_step}审核，签发后才能发送。")
        if self.approved:
            return (
                f"{self.month} 简报“{name}”已审核通过（审核人：{self.reviewer}，{when}，"
                f"文件校验码 {self.sha256[:12]}）。可执行 {self.send_command or f'bulletin send --month {self.month}'} 发送。"
            )
        note = f"，意见：{self.comment}" if self.comment else ""
        return f"{self.month} 简报“{name}”未通过审核（审核人：{self.reviewer}，{when}{note}）。修改后请重新编排或审核。"


def compiled_file(ws: Workspace, ledger: Ledger, month: str) -> tuple[CompileRecord, Path]:
    """The month's last compile and its file; NotApproved (Chinese, naming the command to run) when either is
    missing. Every step after compiling (review, decide, send, status) starts here."""
    record = ledger.last_compile(month)
    what = ws.command("compile", month) if not ws.series else f"{ws.title}的生成命令（bulletin tasks report）"
    if record is None:
        raise NotApproved(f"{month} 的简报尚未编排：请先执行 {what}。")
    path = Path(record.path)
    if not path.is_file():
        raise NotApproved(f"找不到 {month} 的简报文件 {path}：请重新执行 {what}。")
    return record, path


def current_version(ws: Workspace, month: str) -> tuple[Path, str]:
    """(path, sha256) of the month's bulletin as it is on disk now: what a review door shows the reviewer
    and hands back to `decide` as `seen_sha256`."""
    with Ledger(ws.ledger_path) as ledger:
        _, path = compiled_file(ws, ledger, month)
    return path, sha256_file(path)


def _seen(seen_sha256: str) -> str:
    seen = seen_sha256.strip().lower()
    if len(seen) < MIN_SHA_PREFIX or len(seen) > 64 or not _HEX.match(seen):
        raise BulletinError(
            f"文件校验码“{seen_sha256}”不对：请填写审核时看到的校验码（SHA-256，至少前 {MIN_SHA_PREFIX} 位，"
            "见送审邮件或 bulletin status）。"
        )
    return seen


def _check_version(month: str, path: Path, current: str, seen: str) -> None:
    if not current.startswith(seen):
        raise FileChanged(
            f"{month} 的简报文件 {path.name} 在您审核的版本（校验码 {seen[:12]}）之后被修改过，"
            f"现在的校验码是 {current[:12]}：审核结果未记录。请重新打开文件查看后再审核。"
        )


def decide_once(
    ws: Workspace, month: str, approved: bool, by: str, comment: str = "", seen_sha256: str | None = None,
    since: str | None = None, once_per_version: bool = False, step: str | None = None,
) -> tuple[Decision, bool]:
    """Record the decision on the version `seen_sha256` (full or a prefix of at least 8 hex characters)
    unless that same decision on that version was recorded at or after `since`. Returns (decision,
    whether it was written now). The version check, the look for an earlier identical decision and the
    write are one IMMEDIATE transaction, so no edit or other decision can slip in between.

    `seen_sha256=None` means "the file as it is now", for callers that showed the reviewer nothing.
    `once_per_version=True` (the review desk, where several reviewers hold links to the same version): a
    decision already recorded on the current version raises AlreadyDecided, checked in the same transaction,
    so of two reviewers deciding at the same moment exactly one is recorded (issue 22 item 9). The command
    line keeps False: the office may change its mind on a version (`bulletin reject` after an approval).
    `step`: the review chain's step decided at (delivery/chain.py); None infers it from `by` (the open step
    of theirs). A step that has not opened for this version, or a reviewer who is not the step's member, is
    refused in the same transaction (StepNotOpen, NotAMember; nothing recorded). once_per_version and `since`
    compare with the decisions at that step.
    Raises FileChanged when the file on disk is another version, BulletinError without a reviewer name.
    """
    by, comment = (by or "").strip(), (comment or "").strip()
    if not by:
        raise BulletinError("请用 --by 写明审核人姓名。")
    seen = None if seen_sha256 is None else _seen(seen_sha256)
    with Ledger(ws.ledger_path) as ledger, ledger.transaction():
        _, path = compiled_file(ws, ledger, month)
        current = sha256_file(path)
        if seen is not None:
            _check_version(month, path, current, seen)
        chain = ws.settings.review.chain
        state = chain_state(chain, ledger.decisions(month, current), current)
        at = step_for(chain, state, by, step)
        latest = state.steps[chain.index(at)].decision  # the step's latest decision on this version
        if (
            since is not None and latest is not None and latest.decided_at >= since and latest.approved == approved
            and latest.reviewer == by and latest.comment == comment and latest.sha256 == current
            and Path(latest.path) == path
        ):
            return Decision.of(latest, ws), False
        if once_per_version and latest is not None and latest.sha256 == current:
            verdict = "审核通过" if latest.approved else "退回"
            raise AlreadyDecided(
                f"{month} 的简报（校验码 {current[:12]}）已有审核结果：{latest.reviewer} {verdict}"
                f"（{latest.decided_at.replace('T', ' ')[:16]}）。本次审核未记录。"
            )
        record = ledger.insert_decision(month, path, current, approved, by, comment, at.name)
    return Decision.of(record, ws), True


def decide(
    ws: Workspace, month: str, approved: bool, by: str, comment: str = "", seen_sha256: str | None = None
) -> Decision:
    """Approve (approved=True) or reject the version `seen_sha256` of the month's bulletin. The one entry
    point for every review door; see decide_once for the rules."""
    return decide_once(ws, month, approved, by, comment, seen_sha256)[0]


def approve(ws: Workspace, month: str, by: str, comment: str = "", seen_sha256: str | None = None) -> Decision:
    return decide(ws, month, True, by, comment, seen_sha256)


def reject(ws: Workspace, month: str, by: str, comment: str = "", seen_sha256: str | None = None) -> Decision:
    return decide(ws, month, False, by, comment, seen_sha256)


def approved_file(ws: Workspace, month: str) -> tuple[Path, str]:
    """(path, sha256) of the approved file; NotApproved (Chinese) unless the review chain's last step (签发)
    approved the file exactly as it is on disk, after every step before it (delivery/chain.py)."""
    with Ledger(ws.ledger_path) as ledger:
        _, path = compiled_file(ws, ledger, month)
        decision = ledger.latest_decision(month)
        current = sha256_file(path)
        state = review_chain(ws, ledger, month, current)
    if state.complete:
        return path, current
    approve_cmd = ws.command("approve", month, "--by 审核人姓名")
    if state.stopped is not None:
        decision = state.stopped.decision
    if decision is None:
        raise NotApproved(f"{month} 的简报尚未审核通过，不能发送：审核后请执行 {approve_cmd}。")
    if not decision.approved:
        note = f"（意见：{decision.comment}）" if decision.comment else ""
        raise NotApproved(
            f"{month} 的简报最近一次审核未通过（{decision.reviewer}{note}），不能发送：修改后请重新审核 {approve_cmd}。"
        )
    if current != decision.sha256:
        raise NotApproved(f"文件在审核通过后被修改过，请重新审核：{approve_cmd}（文件 {path}）。")
    waiting = state.open
    done = "、".join(f"{s.step.name}（{s.decision.reviewer}）" for s in state.steps if s.approved)
    raise NotApproved(
        f"{month} 的简报尚未签发，不能发送：{done + '已通过，' if done else ''}待“{waiting.step.name}”"
        f"（{waiting.step.names}）审核通过：{ws.command('approve', month, f'--step {waiting.step.name}', '--by 审核人姓名')}。"
    )


def review_chain(ws: Workspace, ledger: Ledger, month: str, sha256: str) -> ChainState:
    """Where version `sha256` of the month's file stands in the office's review chain."""
    return chain_state(ws.settings.review.chain, ledger.decisions(month, sha256), sha256)
