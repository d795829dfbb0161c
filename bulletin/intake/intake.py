"""A month folder -> Intake: the drafts that go in (in order), and every file left out with its reason."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .docxfile import Refused
from .drafts import Draft, read_draft
from ..core.errors import BulletinError
from .roster import Roster, normalize
from ..core.textio import read_office_text

log = logging.getLogger(__name__)
ORDER_FILE = "order.txt"
_UNEXPECTED = "请在 Word 中打开后另存为 .docx 再提交；如仍不行，请把此文件交技术人员查看"
NOTICE_STEMS = ("notices", "情况通报", "通报")
_NOT_DRAFTS = {ORDER_FILE, "readme.md", "readme.txt", "desktop.ini", "thumbs.db"}
_ADVICE_BY_SUFFIX = {
    ".doc": "这是旧版 Word 格式（.doc），请在 Word 中“另存为” .docx 后重新提交",
    ".wps": "这是 WPS 格式（.wps），请在 WPS 中“另存为” Word 文档（.docx）后重新提交",
    ".docm": "这是含宏的 Word 文档（.docm），出于安全考虑不予处理，请另存为 .docx 后重新提交",
    ".dotx": "这是 Word 模板（.dotx），请另存为 .docx 后重新提交",
    ".dot": "这是旧版 Word 模板（.dot），请另存为 .docx 后重新提交",
    ".pdf": "PDF 文件无法编入简报，请提交 Word 文档（.docx）",
    ".rtf": "RTF 文件请在 Word 中“另存为” .docx 后重新提交",
    ".odt": "ODT 文件请在 WPS/LibreOffice 中“另存为” .docx 后重新提交",
}
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic"}
_SHEET_SUFFIXES = (".xlsx", ".xls", ".csv", ".xlsm", ".et")
ProgressFn = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Refusal:
    file: str
    reason: str


@dataclass(frozen=True)
class Duplicate:
    file: str
    of: str  # the file that went in
    reason: str


@dataclass
class Intake:
    month: str
    folder: Path
    accepted: list[Draft] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # order.txt and roster remarks

    @property
    def flagged(self) -> list[Draft]:
        return [d for d in self.accepted if d.flagged]

    def ledger_rows(self) -> list[dict]:
        """What the ledger keeps of this intake (and `bulletin status` shows)."""
        rows = [
            {
                "file": d.name, "sha256": d.sha256, "unit": d.unit, "title": d.title,
                "status": "flagged" if d.flagged else "accepted", "reason": "；".join(d.warnings),
                "notes": "；".join(d.notes),
            }
            for d in self.accepted
        ]
        rows += [{"file": r.file, "sha256": "", "unit": "", "title": "", "status": "refused", "reason": r.reason}
                 for r in self.refused]
        rows += [{"file": d.file, "sha256": "", "unit": "", "title": "", "status": "duplicate", "reason": d.reason}
                 for d in self.duplicates]
        return rows


def is_ignored(path: Path) -> bool:
    """Word lock files (~$name.docx) and hidden files sit beside drafts in shared folders: skip quietly."""
    return path.name.startswith(("~$", ".")) or path.name.lower() in ("desktop.ini", "thumbs.db")


def is_notice_sheet(path: Path) -> bool:
    return path.stem.lower() in NOTICE_STEMS and path.suffix.lower() in _SHEET_SUFFIXES


def candidate_files(folder: Path) -> list[Path]:
    """Visible entries of the month folder: files, links and sub-folders (the latter two are refused)."""
    return [p for p in folder.iterdir() if not is_ignored(p) and (p.is_file() or p.is_dir() or p.is_symlink())]


def _outside_reason(path: Path, folder: Path) -> str | None:
    """Only files that really sit in the month folder are read: no links out of it, no sub-folders."""
    if path.is_symlink():
        target = path.resolve()
        if target.parent != folder.resolve() or not target.is_file():
            return "是指向本月文件夹以外的链接（快捷方式），未读取：请把稿件文件本身放入本月文件夹"
    if path.is_dir():
        return "是子文件夹，其中的文件未读取：请把稿件直接放在本月文件夹中"
    return None


def natural_key(name: str) -> list:
    """File-name order as people expect it: 2-… before 10-…"""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", normalize(name).lower())]


def gather(folder: Path, month: str, roster: Roster, progress: ProgressFn | None = None) -> Intake:
    intake = Intake(month=month, folder=folder)
    files = sorted(candidate_files(folder), key=lambda p: natural_key(p.name))
    drafts: list[Path] = []
    for path in files:
        reason = _outside_reason(path, folder)
        if reason is None and (is_notice_sheet(path) or path.name.lower() in _NOT_DRAFTS):
            continue  # read elsewhere (notices.py, order.txt) or not meant for the bulletin
        reason = reason or _reason_by_suffix(path)
        if reason:
            intake.refused.append(Refusal(path.name, reason))
        else:
            drafts.append(path)

    read: list[Draft] = []
    for number, path in enumerate(drafts, start=1):
        if progress:
            progress(number, len(drafts), path.name)
        try:
            read.append(read_draft(path, roster))
        except Refused as refusal:
            intake.refused.append(Refusal(path.name, str(refusal)))
        except Exception as exc:
            log.exception("reading %s failed", path)
            intake.refused.append(Refusal(path.name, f"读取时出错（{exc.__class__.__name__}），{_UNEXPECTED}"))

    seen: dict[object, Draft] = {}
    for draft in _apply_order(folder, read, intake.notes):
        _admit(intake, draft, seen)
    intake.refused.sort(key=lambda r: natural_key(r.file))
    return intake


def _reason_by_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return None
    if suffix in _ADVICE_BY_SUFFIX:
        return _ADVICE_BY_SUFFIX[suffix]
    if suffix in _IMAGE_SUFFIXES:
        return "图片不能单独编入简报，请把图片插入 Word 稿件后提交"
    if suffix in _SHEET_SUFFIXES:
        return f"表格文件不是稿件；如是情况通报表，请命名为 notices{suffix} 或 情况通报{suffix}"
    return "不是 Word 稿件（.docx），未编入简报"


def _apply_order(folder: Path, drafts: list[Draft], notes: list[str]) -> list[Draft]:
    order_path = folder / ORDER_FILE
    if not order_path.is_file():
        return drafts
    try:
        text = read_office_text(order_path)
    except BulletinError as exc:
        notes.append(f"{exc}（{ORDER_FILE} 未使用，稿件按文件名顺序排列）")
        return drafts
    by_name = {normalize(d.name): d for d in drafts}
    ordered: list[Draft] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _names_a_path(line):
            # order.txt may come from elsewhere: it only orders files of this folder, never reaches out.
            notes.append(f"{ORDER_FILE} 第{line_no}行“{line}”含有路径，只能写本月文件夹中的文件名，已忽略")
            continue
        key = normalize(line if line.lower().endswith(".docx") else line + ".docx")
        draft = by_name.pop(key, None)
        if draft is None:
            notes.append(f"{ORDER_FILE} 第{line_no}行“{line}”没有找到可用的稿件")
        elif draft not in ordered:
            ordered.append(draft)
    rest = [d for d in drafts if normalize(d.name) in by_name]
    if rest:
        notes.append(f"{len(rest)} 篇稿件未列入 {ORDER_FILE}，已按文件名顺序排在后面：" + "、".join(d.name for d in rest))
    return ordered + rest


def _names_a_path(line: str) -> bool:
    """A/B, ..\\x, /etc/x, C:x: a path, not a file name ("……" inside a title is fine)."""
    return "/" in line or "\\" in line or line in (".", "..") or re.match(r"^[A-Za-z]:", line) is not None


def _admit(intake: Intake, draft: Draft, seen: dict[object, Draft]) -> None:
    """Keep the first of identical files, or of drafts with the same title and unit (a resubmission)."""
    kept = seen.get(draft.sha256)
    if kept is not None:
        intake.duplicates.append(Duplicate(draft.name, kept.name, f"与“{kept.name}”是同一文件（内容完全相同），只编入一次"))
        return
    key = (normalize(draft.title), normalize(draft.unit))
    kept = seen.get(key)
    if kept is not None:
        intake.duplicates.append(
            Duplicate(draft.name, kept.name, f"与“{kept.name}”标题和供稿单位相同，视为重复投稿，只编入前一篇")
        )
        return
    seen[draft.sha256] = seen[key] = draft
    intake.accepted.append(draft)
