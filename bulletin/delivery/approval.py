"""The office's decision on a month's bulletin, bound to the exact bytes of the file (sha256).

The file is hashed when the decision is taken, not when it was compiled: edits made in Word before approving
are part of what is approved; edits made after approving invalidate the approval.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ..core import ledger as ledger_mod
from ..core.atomic import sha256_file
from ..core.errors import BulletinError, NotApproved
from ..core.ledger import CompileRecord, Ledger
from ..core.workspace import Workspace, check_month


@dataclass(frozen=True)
class Approval(ledger_mod.Approval):
    """A ledger decision with its Chinese rendering."""

    @classmethod
    def of(cls, record: ledger_mod.Approval) -> "Approval":
        return cls(**asdict(record))

    def summary(self) -> str:
        name = Path(self.path).name
        when = self.decided_at.replace("T", " ")[:16]
        if self.approved:
            return (
                f"{self.month} 简报“{name}”已审核通过（审核人：{self.reviewer}，{when}，"
                f"文件校验码 {self.sha256[:12]}）。可执行 bulletin send --month {self.month} 发送。"
            )
        note = f"，意见：{self.comment}" if self.comment else ""
        return f"{self.month} 简报“{name}”未通过审核（审核人：{self.reviewer}，{when}{note}）。修改后请重新编排或审核。"


def _compiled_file(ledger: Ledger, month: str) -> tuple[CompileRecord, Path]:
    record = ledger.last_compile(month)
    if record is None:
        raise NotApproved(f"{month} 的简报尚未编排：请先执行 bulletin compile --month {month}。")
    path = Path(record.path)
    if not path.is_file():
        raise NotApproved(f"找不到 {month} 的简报文件 {path}：请重新执行 bulletin compile --month {month}。")
    return record, path


def _decide(ws: Workspace, month: str, by: str, comment: str, approved: bool) -> Approval:
    check_month(month)
    by = (by or "").strip()
    if not by:
        raise BulletinError("请用 --by 写明审核人姓名。")
    with Ledger(ws.ledger_path) as ledger:
        _, path = _compiled_file(ledger, month)
        record = ledger.record_decision(month, path, sha256_file(path), approved, by, comment.strip())
    return Approval.of(record)


def approve(ws: Workspace, month: str, by: str, comment: str = "") -> Approval:
    """Approve the month's file as it is on disk now."""
    return _decide(ws, month, by, comment, True)


def reject(ws: Workspace, month: str, by: str, comment: str = "") -> Approval:
    return _decide(ws, month, by, comment, False)


def decide_once(
    ws: Workspace, month: str, approved: bool, by: str, comment: str = "", since: str = ""
) -> tuple[Approval, bool]:
    """Record a decision unless the same one, on the same file, was recorded at or after `since`.

    `bulletin approve` records first and then resumes a waiting flow run, which hands the same answer to the
    flow: it must not be written twice. Returns (decision, whether it was written now).
    """
    by, comment = (by or "").strip(), (comment or "").strip()
    with Ledger(ws.ledger_path) as ledger:
        latest = ledger.latest_decision(month)
        record = ledger.last_compile(month)
    path = Path(record.path) if record else None
    if (
        latest is not None and latest.decided_at >= since and latest.approved == approved
        and latest.reviewer == by and latest.comment == comment and path is not None
        and latest.path == str(path) and path.is_file() and latest.sha256 == sha256_file(path)
    ):
        return Approval.of(latest), False
    return _decide(ws, month, by, comment, approved), True


def approved_file(ws: Workspace, month: str) -> tuple[Path, str]:
    """(path, sha256) of the approved file; NotApproved (Chinese) unless it is approved and unchanged."""
    check_month(month)
    with Ledger(ws.ledger_path) as ledger:
        _, path = _compiled_file(ledger, month)
        decision = ledger.latest_decision(month)
    approve_cmd = f"bulletin approve --month {month} --by 审核人姓名"
    if decision is None:
        raise NotApproved(f"{month} 的简报尚未审核通过，不能发送：审核后请执行 {approve_cmd}。")
    if not decision.approved:
        note = f"（意见：{decision.comment}）" if decision.comment else ""
        raise NotApproved(
            f"{month} 的简报最近一次审核未通过（{decision.reviewer}{note}），不能发送：修改后请重新审核 {approve_cmd}。"
        )
    current = sha256_file(path)
    if current != decision.sha256:
        raise NotApproved(f"文件在审核通过后被修改过，请重新审核：{approve_cmd}（文件 {path}）。")
    return path, current
