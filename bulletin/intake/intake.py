"""A month folder -> Intake: the drafts that go in (in order), and every file left out with its reason.

Nothing leaves the bulletin without a line in the report: the same file twice or the same text twice is one
draft (重复), and of the two the one whose name is not a copy mark goes in ("农民工就业创业.docx", not
"农民工就业创业 (1).docx" — which sorts first — nor "… - 副本.docx"), in the place of the first; a department's revised version (same unit, same title, edited text) replaces the older one
(被替换, naming the file that replaced it); drafts whose unit is unknown or differs are never merged.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .docxfile import PartCache, Refused
from .drafts import Draft, read_draft, revision_rank
from ..core.errors import BulletinError
from ..core.progress import ProgressFn
from ..core.vocabulary import DraftStatus
from .roster import Roster, normalize
from ..core.textio import read_office_text

log = logging.getLogger(__name__)
ORDER_FILE = "order.txt"
ISSUE_NOTE_FILE = "编者按.txt"  # the office's note for the whole issue (layout/issuenote.py)
CALL_FILE = "约稿.txt"  # the month's call for drafts and commissioned topics (intake/calendar.py)
ARRANGEMENT_FILE = "编排.toml"  # the office's decisions on the month's drafts (intake/arrangement.py, issue 24)
_UNEXPECTED = "请在 Word 中打开后另存为 .docx 再提交；如仍不行，请把此文件交技术人员查看"
NOTICE_STEMS = ("notices", "情况通报", "通报")
# Sub-folders the office and other tools keep inside a month folder: never drafts, never refused.
RESERVED_FOLDERS = ("待核实", "反馈", "history")
# The one vocabulary of draft states: ledger code -> the word the report, status and the flow use.
_MTIME_SLACK = 2.0  # seconds: zip archives and FAT drives keep modification times to 2 s
_NOT_DRAFTS = {ORDER_FILE, ISSUE_NOTE_FILE, CALL_FILE, ARRANGEMENT_FILE, "readme.md", "readme.txt", "desktop.ini", "thumbs.db"}
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


@dataclass(frozen=True)
class Refusal:
    file: str
    reason: str


@dataclass(frozen=True)
class Duplicate:
    file: str
    of: str  # the file that went in
    reason: str


@dataclass(frozen=True)
class Replacement:
    file: str  # the older version, left out
    by: str  # the newer version that went in instead
    reason: str
    why: str = field(default="", compare=False)  # how the newer one was told apart (the end of `reason`)


@dataclass
class Intake:
    month: str
    folder: Path
    accepted: list[Draft] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # order.txt and roster remarks
    replaced: list[Replacement] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """The columns that have a draft in the bulletin, in print order ("" = no column)."""
        return list(dict.fromkeys(d.column for d in self.accepted))

    @property
    def flagged(self) -> list[Draft]:
        return [d for d in self.accepted if d.flagged]

    def ledger_rows(self) -> list[dict]:
        """What the ledger keeps of this intake (and `bulletin status` shows)."""
        rows = [
            {
                "file": d.name, "sha256": d.sha256, "unit": d.unit, "title": d.title,
                "status": DraftStatus.FLAGGED if d.flagged else DraftStatus.ACCEPTED, "reason": "；".join(d.warnings),
                "notes": "；".join(d.notes), "column": d.column,
            }
            for d in self.accepted
        ]
        rows += [{"file": r.file, "sha256": "", "unit": "", "title": "", "status": DraftStatus.REFUSED, "reason": r.reason}
                 for r in self.refused]
        rows += [{"file": d.file, "sha256": "", "unit": "", "title": "", "status": DraftStatus.DUPLICATE, "reason": d.reason}
                 for d in self.duplicates]
        rows += [{"file": d.file, "sha256": "", "unit": "", "title": "", "status": DraftStatus.REPLACED, "reason": d.reason}
                 for d in self.replaced]
        return rows


def is_ignored(path: Path) -> bool:
    """Word lock files (~$name.docx) and hidden files sit beside drafts in shared folders: skip quietly."""
    return path.name.startswith(("~$", ".")) or path.name.lower() in ("desktop.ini", "thumbs.db")


def is_notice_sheet(path: Path) -> bool:
    """notices.xlsx / notices.csv, or any sheet whose name says 通报 ("2026年10月情况通报.xlsx")."""
    return path.suffix.lower() in _SHEET_SUFFIXES and (path.stem.lower() == "notices" or "通报" in path.stem)


def is_reserved(path: Path) -> bool:
    return path.name in RESERVED_FOLDERS and path.is_dir() and not path.is_symlink()


def candidate_files(folder: Path) -> list[Path]:
    """Visible entries of the month folder: files, links and sub-folders (columns, or refused)."""
    return [p for p in folder.iterdir()
            if not is_ignored(p) and not is_reserved(p) and (p.is_file() or p.is_dir() or p.is_symlink())]


def is_column(path: Path) -> bool:
    """A sub-folder of the month folder (not a link, not reserved) is a column (栏目) named after it."""
    return path.is_dir() and not path.is_symlink() and not is_reserved(path)


def _outside_reason(path: Path, folder: Path, column: str) -> str | None:
    """Only files that really sit in the month folder (or a column's folder) are read: no links out of it,
    no folders inside a column (a folder in the month folder is a column and never reaches here)."""
    if path.is_symlink():
        target = path.resolve()
        if target.parent != folder.resolve() or not target.is_file():
            return "是指向本月文件夹以外的链接（快捷方式），未读取：请把稿件文件本身放入本月文件夹"
    if path.is_dir():
        return f"是栏目“{column}”中的子文件夹，其中的文件未读取：栏目文件夹中请直接放稿件"
    return None


def natural_key(name: str) -> list:
    """File-name order as people expect it: 2-… before 10-…"""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", normalize(name).lower())]


def gather(
    folder: Path, month: str, roster: Roster, progress: ProgressFn | None = None,
    sender_units: Mapping[str, str] | None = None, columns: Sequence[str] = (),
) -> Intake:
    """Read every draft of the month folder and of its column folders. sender_units: file name -> the unit
    registered for the mailbox it came from (drafts that came by mail); a unit source after the draft's own
    bylines, before its file name. columns: the configured column order ([layout] columns).

    Drafts directly in the month folder come first (no column), then each column in order: the configured
    columns, then columns order.txt names, then the other column folders by name."""
    intake = Intake(month=month, folder=folder)
    cache = PartCache()
    sender_units = sender_units or {}
    entries = sorted(candidate_files(folder), key=lambda p: natural_key(p.name))
    column_folders = {p.name: p for p in entries if is_column(p)}
    plan = read_order(folder, intake.notes)
    names = list(dict.fromkeys(
        [c for c in columns if c in column_folders] + [c for c in plan.columns if c in column_folders]
        + list(column_folders)))
    for name in plan.columns:
        if name not in column_folders:
            intake.notes.append(f"{ORDER_FILE} 中的栏目“【{name}】”没有对应的子文件夹 {name}/，已忽略")
    groups: list[tuple[str, list[Path]]] = [("", [p for p in entries if not is_column(p)])]
    groups += [(name, sorted(candidate_files(column_folders[name]), key=lambda p: natural_key(p.name)))
               for name in names]

    todo: list[tuple[str, Path]] = []
    for column, files in groups:
        base = column_folders[column] if column else folder
        for path in files:
            shown = f"{column}/{path.name}" if column else path.name
            reason = _outside_reason(path, base, column)
            if reason is None and not column and (is_notice_sheet(path) or path.name.lower() in _NOT_DRAFTS):
                continue  # read elsewhere (notices.py, order.txt, 编者按.txt) or not meant for the bulletin
            if reason is None and column and path.name.lower() in _NOT_DRAFTS:
                continue
            reason = reason or _reason_by_suffix(path)
            if reason:
                intake.refused.append(Refusal(shown, reason))
            else:
                todo.append((column, path))

    read: dict[str, list[Draft]] = {column: [] for column, _ in groups}
    for number, (column, path) in enumerate(todo, start=1):
        shown = f"{column}/{path.name}" if column else path.name
        if progress:
            progress(number, len(todo), shown)
        try:
            draft = read_draft(path, roster, cache=cache, sender_unit=sender_units.get(shown))
            draft.column = column
            read[column].append(draft)
        except Refused as refusal:
            intake.refused.append(Refusal(shown, str(refusal)))
        except Exception as exc:
            log.exception("reading %s failed", path)
            intake.refused.append(Refusal(shown, f"读取时出错（{exc.__class__.__name__}），{_UNEXPECTED}"))

    seen: dict[object, Draft] = {}
    for column, _ in groups:
        for draft in _apply_order(read[column], plan, column, intake.notes):
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
        return f"表格文件不是稿件；如是情况通报表，请在文件名中写明“通报”（如 情况通报{suffix}）"
    return "不是 Word 稿件（.docx），未编入简报"


@dataclass
class OrderPlan:
    """order.txt: file names in the order to print; a line "【栏目】" starts that column's list."""

    columns: list[str] = field(default_factory=list)  # column lines, in order
    lines: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # column ("" = none) -> (line no, name)


_COLUMN_LINE = re.compile(r"^[【\[]\s*(.+?)\s*[】\]]$")


def read_order(folder: Path, notes: list[str]) -> OrderPlan:
    plan = OrderPlan()
    order_path = folder / ORDER_FILE
    if not order_path.is_file():
        return plan
    try:
        text = read_office_text(order_path)
    except BulletinError as exc:
        notes.append(f"{exc}（{ORDER_FILE} 未使用，稿件按文件名顺序排列）")
        return plan
    column = ""
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        heading = _COLUMN_LINE.match(line)  # never a file name: those end in .docx or in the title
        if heading:
            column = heading.group(1)
            if column not in plan.columns:
                plan.columns.append(column)
            continue
        if _names_a_path(line):
            # order.txt may come from elsewhere: it only orders files of this folder, never reaches out.
            notes.append(f"{ORDER_FILE} 第{line_no}行“{line}”含有路径，只能写本月文件夹中的文件名，已忽略")
            continue
        plan.lines.setdefault(column, []).append((line_no, line))
    return plan


def _apply_order(drafts: list[Draft], plan: OrderPlan, column: str, notes: list[str]) -> list[Draft]:
    """One group (the month folder, or one column) in the order order.txt gives; the rest by file name."""
    lines = plan.lines.get(column)
    if not lines:
        return drafts
    by_name = {normalize(d.path.name): d for d in drafts}
    ordered: list[Draft] = []
    where = f"栏目“{column}”中" if column else ""
    for line_no, line in lines:
        key = normalize(line if line.lower().endswith(".docx") else line + ".docx")
        draft = by_name.pop(key, None)
        if draft is None:
            notes.append(f"{ORDER_FILE} 第{line_no}行“{line}”没有{'在' + where if where else ''}找到可用的稿件")
        elif draft not in ordered:
            ordered.append(draft)
    rest = [d for d in drafts if normalize(d.path.name) in by_name]
    if rest:
        notes.append(f"{where}{len(rest)} 篇稿件未列入 {ORDER_FILE}，已按文件名顺序排在后面：" + "、".join(d.name for d in rest))
    return ordered + rest


def _names_a_path(line: str) -> bool:
    """A/B, ..\\x, /etc/x, C:x: a path, not a file name ("……" inside a title is fine)."""
    return "/" in line or "\\" in line or line in (".", "..") or re.match(r"^[A-Za-z]:", line) is not None


def _admit(intake: Intake, draft: Draft, seen: dict[object, Draft]) -> None:
    """One draft per file and per text; a revision replaces the older version in its place in the order."""
    seen[("file", draft.name)] = draft
    kept = seen.get(draft.sha256) or seen.get(("text", draft.text_key))
    if kept is not None:
        if is_copy_name(kept.name) and not is_copy_name(draft.name) and kept in intake.accepted:
            _put_original_in(intake, original=draft, copy=kept, seen=seen)
            draft, kept = kept, draft
        intake.duplicates.append(Duplicate(draft.name, kept.name, _duplicate_reason(intake, draft, kept)))
        return
    key = ("title", normalize(draft.title), normalize(draft.unit))
    kept = seen.get(key)  # drafts of an unknown unit are never filed under this key: never merged
    if kept is not None:
        newer, older, why = newer_version(kept, draft)
        intake.replaced.append(Replacement(older.name, newer.name, _replacement_reason(newer.name, why), why))
        newer.notes.append(f"同一单位同一标题的《{older.name}》是较早的版本，未编入（{why}）")
        if newer is draft:
            intake.accepted[intake.accepted.index(kept)] = draft
            seen[key] = draft
        seen[draft.sha256] = seen[("text", draft.text_key)] = draft
        return
    seen[draft.sha256] = seen[("text", draft.text_key)] = draft
    if draft.unit:
        seen.setdefault(key, draft)
    intake.accepted.append(draft)


# Copy marks Windows, WPS, mail clients and people add to a file's name: "x (1)", "x（1）", "x - 副本",
# "x副本", "x_copy", "x - Copy", also stacked ("x - 副本 (2)"). Matched at the end of the NFKC stem.
_COPY_MARK = re.compile(r"(?:\s*\(\d{1,3}\)|\s*-\s*副本|副本|_copy|\s*-\s*copy)+$", re.IGNORECASE)


def is_copy_name(name: str) -> bool:
    """The file's name ends in a copy mark: of two identical files, the other one is the original."""
    stem = unicodedata.normalize("NFKC", Path(name).stem).strip()
    match = _COPY_MARK.search(stem)
    return match is not None and match.start() > 0


def _put_original_in(intake: Intake, original: Draft, copy: Draft, seen: dict[object, Draft]) -> None:
    """The original of a copy that went in first takes the copy's place: in the order, in what later drafts
    are compared with, and in the lines that named the copy (duplicates of it, versions it replaced)."""
    intake.accepted[intake.accepted.index(copy)] = original
    for key, value in list(seen.items()):
        if value is copy and not (isinstance(key, tuple) and key[0] == "file"):
            seen[key] = original
    original.warnings += [w for w in copy.warnings if w not in original.warnings]
    original.notes += [n for n in copy.notes if n not in original.notes]
    intake.duplicates[:] = [
        Duplicate(d.file, original.name, _duplicate_reason(intake, seen[("file", d.file)], original))
        if d.of == copy.name else d for d in intake.duplicates]
    intake.replaced[:] = [
        Replacement(r.file, original.name, _replacement_reason(original.name, r.why), r.why) if r.by == copy.name
        else r for r in intake.replaced]


def _duplicate_reason(intake: Intake, draft: Draft, kept: Draft) -> str:
    if draft.sha256 == kept.sha256:
        return f"与“{kept.name}”是同一文件（内容完全相同），只编入一次{_replaced_by(intake, kept)}"
    return f"与“{kept.name}”文字完全相同（只是另存或格式不同），只编入一次{_replaced_by(intake, kept)}"


def _replacement_reason(newer: str, why: str) -> str:
    return f"已被《{newer}》（较新版本）替换：{why}"


def _replaced_by(intake: Intake, kept: Draft) -> str:
    """A copy of a version that a newer one replaced: say which went in instead."""
    by = next((r.by for r in intake.replaced if r.file == kept.name), None)
    return f"（而“{kept.name}”已被《{by}》替换）" if by else ""


def newer_version(a: Draft, b: Draft) -> tuple[Draft, Draft, str]:
    """(newer, older, why): the document's modified date, then the file's modification time, then a name
    mark (修改/修订/终稿/最终/定稿/v2…). When nothing tells them apart the earlier one in the order is kept,
    flagged for the office."""
    if a.modified and b.modified and a.modified != b.modified:
        newer, older = (a, b) if a.modified > b.modified else (b, a)
        return newer, older, "文档的保存时间较晚"
    if abs(a.mtime - b.mtime) > _MTIME_SLACK:
        newer, older = (a, b) if a.mtime > b.mtime else (b, a)
        return newer, older, "文件的修改时间较晚"
    rank_a, rank_b = revision_rank(a.name), revision_rank(b.name)
    if rank_a != rank_b:
        newer, older = (a, b) if rank_a > rank_b else (b, a)
        return newer, older, "文件名标明是修改后的版本"
    a.warnings.append(f"与《{b.name}》是同一稿件的两个版本，无法判断哪一篇较新，已编入《{a.name}》：请核对")
    return a, b, "无法判断哪一篇较新，保留排在前面的一篇"
