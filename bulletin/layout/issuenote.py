"""编者按.txt: the office's note on the whole issue, printed after the masthead block.

Plain text from the office, read like order.txt (any of the encodings Notepad and WPS save); each non-empty
line is a paragraph. It is data: escaped like every other value of the template, never Jinja.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import BulletinError
from ..core.textio import clean_text, read_office_text
from ..intake.intake import ISSUE_NOTE_FILE

_LABEL = re.compile(r"^\s*(【\s*编者按\s*】|编者按\s*[:：])")
MAX_CHARS = 3000  # about two pages: a longer note is a draft, not a note


def read_issue_note(folder: Path, notes: list[str]) -> list[str]:
    """The note's paragraphs ([] when there is none). The first opens with "【编者按】" (added when the
    office did not write it). Problems go to `notes` (the intake report) and the note is left out."""
    path = folder / ISSUE_NOTE_FILE
    if not path.is_file() or path.is_symlink():
        return []
    try:
        text = read_office_text(path)
    except BulletinError as exc:
        notes.append(f"{exc}（{ISSUE_NOTE_FILE} 未编入）")
        return []
    paragraphs = [clean_text(line).strip() for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        return []
    if sum(len(p) for p in paragraphs) > MAX_CHARS:
        notes.append(f"{ISSUE_NOTE_FILE} 超过 {MAX_CHARS} 字，不像编者按，未编入：请精简后重新编排，或作为稿件（.docx）提交")
        return []
    if not _LABEL.match(paragraphs[0]):
        paragraphs[0] = "【编者按】" + paragraphs[0]
    notes.append(f"本期编者按（{ISSUE_NOTE_FILE}）已编入，共 {len(paragraphs)} 段")
    return paragraphs
