"""Deciding on a month's issue: the one path every review door takes (`bulletin approve`/`reject`, the review
desk's confirmation, the Prefect form after the paused run resumes).

`decide(ws, month, approved=…, by=…, comment=…, seen_sha256=…)`:
1. records the decision on the version the reviewer saw (delivery/approval.py: version check and write in one
   ledger transaction; `FileChanged` when the file is another version — nothing recorded then);
2. with [bulletin] pdf, an approval makes the PDF edition of exactly that version (layout/pdfedition.py); a
   failure is said and the approval stands (send makes the PDF again);
3. hands the same decision to the month's flow run that waits for it, through the door's `resume` (the
   ledger names the waiting run). bulletin/ never imports Prefect: the door that can reach Prefect passes a
   `Resumer` (the command line and the desk pass `flows.resume.resume_month_run`); the flow itself, being the
   run that waited, passes none.

The three doors once wrote these steps each, and two of them passed different checksums to the run; now they
differ only in how they ask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.month import Month
from ..core.workspace import Workspace
from ..delivery.approval import MIN_SHA_PREFIX, AlreadyDecided, Decision, FileChanged, approved_file, current_version, decide_once
from ..layout.pdfedition import pdf_edition
from .archive import archive_approved

# (run_id, approved, reviewer, comment, sha256) -> a Chinese sentence saying what became of the run.
Resumer = Callable[..., str]
WAITING = "waiting_for_approval"  # the ledger's flow-run state of a run paused for review


@dataclass(frozen=True)
class Decided:
    decision: Decision
    written: bool  # False: the same decision was already recorded (e.g. by the command that resumed the run)
    pdf_line: str = ""  # what became of the PDF edition ("" when there is none to make)
    resumed: str = ""  # what became of the waiting flow run ("" when none waits)
    archived: str = ""  # issue 27: the approved issue's articles in the archive (office/archive.py)

    def lines(self) -> list[str]:
        return [line for line in (self.decision.summary(), self.pdf_line, self.archived, self.resumed) if line]


def decide(ws: Workspace, month: Month, *, approved: bool, by: str, comment: str = "",
           seen_sha256: str | None = None, since: str | None = None, resume: Resumer | None = None,
           once_per_version: bool = False, step: str | None = None) -> Decided:
    """Record, make the PDF edition, resume the waiting run; see the module docstring. `since`: a decision
    identical to this one recorded at or after it is not written again (the flow after a CLI resume).
    `once_per_version`: refuse (AlreadyDecided, nothing recorded) when this version already has a decision,
    checked inside the decision's transaction: the desk's rule (several reviewers, one decision per version).
    `step`: the review chain's step (issue 26; None: inferred from `by`, see delivery/chain.py step_for); a
    reviewer who is not the step's member, or a step not yet open for this version, is refused (nothing recorded).
    Raises FileChanged (nothing recorded) or BulletinError (no reviewer name, malformed checksum, no file)."""
    by = ws.settings.review.signer(by)  # a link's address -> the reviewer's name (every door records the name)
    decision, written = decide_once(ws, month, approved, by, comment, seen_sha256, since, once_per_version, step)
    pdf_line = _pdf_edition(ws, month, decision) if written else ""
    archived = archive_approved(ws, month) if written and decision.approved else ""
    resumed = _resume_waiting_run(ws, month, decision, resume) if resume is not None else ""
    return Decided(decision, written, pdf_line, resumed, archived=archived)


def _pdf_edition(ws: Workspace, month: Month, decision: Decision) -> str:
    if not decision.approved or not ws.settings.bulletin.pdf:
        return ""
    try:
        docx, _ = current_version(ws, month)
        path, sha = pdf_edition(ws, month, docx, decision.sha256)
    except BulletinError as exc:
        return f"注意：未能生成 PDF 版（{exc}）；发送时会再试。"
    return f"PDF 版：{path}（校验码 {sha[:12]}）"


def waiting_run(ws: Workspace, month: Month) -> str | None:
    """The id of the month's flow run that waits for a review decision, if one does."""
    with Ledger(ws.ledger_path) as ledger:
        found = ledger.flow_run(month)
    return found[0] if found and found[1] == WAITING else None


def _resume_waiting_run(ws: Workspace, month: Month, decision: Decision, resume: Resumer) -> str:
    run_id = waiting_run(ws, month)
    if run_id is None:
        return ""
    return resume(run_id, approved=decision.approved, reviewer=decision.reviewer, comment=decision.comment,
                  sha256=decision.sha256, step=decision.step)


def is_approved(ws: Workspace, month: Month) -> bool:
    """The month's current file is approved and unchanged since."""
    from ..core.errors import NotApproved

    try:
        approved_file(ws, month)
    except NotApproved:
        return False
    return True


__all__ = ["AlreadyDecided", "Decided", "Decision", "FileChanged", "MIN_SHA_PREFIX", "Resumer", "WAITING", "current_version", "decide",
           "is_approved", "waiting_run"]
