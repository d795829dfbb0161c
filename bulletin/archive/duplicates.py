"""The near-duplicate check a compile runs (office/compile.py calls `mark_near_duplicates` after the intake).

Each accepted draft is compared with the month's other drafts of other units and with every archived article
(all series, all years, except the month being compiled itself); a match at or above `[intake] near_duplicate`
adds a warning to the draft — so it is 需核对 in the report, the command's output and `bulletin status` — naming
the other article: 疑似重复：与第64期（2026年9月25日）区人社局《…》相似度 0.86. The draft stays in the issue.
The measure and why it is fast enough: similar.py.
"""

from __future__ import annotations

import logging

from ..core.workspace import Workspace
from ..intake.intake import Intake
from .similar import Text, describe, near_duplicates
from .store import Archive

log = logging.getLogger(__name__)


def archive_path(ws: Workspace):
    """The office ledger (the monthly bulletin's), which holds the archive of every series."""
    return Workspace(ws.root).ledger_path


def draft_text(draft) -> str:
    return "\n".join(draft.body_texts)


def mark_near_duplicates(ws: Workspace, month: str, intake: Intake) -> int:
    """Mark the month's accepted drafts that look like another article; the number of drafts marked."""
    threshold = ws.office_settings.intake.near_duplicate
    if threshold <= 0 or not intake.accepted:
        return 0
    drafts = [Text(i, d.unit, d.title, draft_text(d), f"本期（文件 {d.name}）") for i, d in enumerate(intake.accepted)]
    with Archive(archive_path(ws)) as archive:
        ids, signatures = archive.comparables(except_series=ws.series, except_month=str(month))
        matches = near_duplicates(drafts, ids, signatures, threshold, archive.comparable)
    marked = set()
    for match in matches:
        draft = intake.accepted[match.draft]
        draft.warnings.append(describe(match))
        marked.add(match.draft)
    if marked:
        log.info("near-duplicates marked: %d of %d drafts", len(marked), len(intake.accepted))
    return len(marked)
