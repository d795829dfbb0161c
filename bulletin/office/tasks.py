"""The 督查 round's stages (`bulletin tasks …`, the supervision flow, the workbench): split the task list into
one sheet per unit (and mail them), merge the returned sheets, write the 督查专报. The report is then reviewed,
decided and sent like any issue, through the series' workspace (`Workspace.for_series`)."""

from __future__ import annotations

from datetime import date

from ..core.month import Month
from ..core.workspace import Workspace
from ..supervision.mailing import SheetMailing, mail_sheets
from ..supervision.report import ReportResult, write_report
from ..supervision.round import MergeReport, Round, SplitReport, merge_round, split_round
from ..supervision.series import DEFAULT_SERIES


def round_of(ws: Workspace, month: Month, series: str | None = None) -> Round:
    return Round.of(ws, month, series or DEFAULT_SERIES)


def split(rnd: Round, due: date | None = None) -> SplitReport:
    return split_round(rnd, due)


def mail(rnd: Round, report: SplitReport) -> SheetMailing:
    return mail_sheets(rnd, report)


def merge(rnd: Round) -> MergeReport:
    return merge_round(rnd)


def report(rnd: Round, day: date | None = None, number: int | None = None) -> ReportResult:
    return write_report(rnd, day, number)


__all__ = ["DEFAULT_SERIES", "MergeReport", "ReportResult", "Round", "SheetMailing", "SplitReport", "mail", "merge",
           "report", "round_of", "split"]


# ===== the round page of the workbench (issue 24): who has what, uploads, background stages ====================
# The table of units is built here (not in the web layer) so the page, a test and any later door read the same
# thing: per unit of the round, whether its sheet was made and mailed (when, to which address, or 无邮箱), and
# what 反馈/ holds for it as merge would read it (merge_round with write=False: nothing is written by looking).
#
# Uploads by the office are trusted (issue 22.3: "a file the office puts into 反馈/ is trusted: the office chose
# it"), but each file still goes through the spreadsheet door (core/sheetsafety via read_returned) and a safe name
# before it is written, and a file that merge would only ignore (no marker, another round, not a unit of this
# round, a macro workbook) is refused on the spot with that reason: one bad file never stops the others.

from dataclasses import dataclass as _dataclass, field as _field
from pathlib import Path as _Path

ANSWERED, CONFLICT, UNREADABLE, NOT_YET = "answered", "conflict", "unreadable", "not_yet"
ANSWER_TEXT = {ANSWERED: "已反馈", CONFLICT: "有冲突", UNREADABLE: "无法读取", NOT_YET: "尚未反馈"}
TASK_LIST_MAX_BYTES = 20 * 1024 * 1024  # core/sheetsafety's own bound for one workbook


@_dataclass(frozen=True)
class Mailed:
    email: str
    state: str  # SendState text (已发送, 发送失败, …)
    when: str  # "YYYY-MM-DD HH:MM" (Beijing), as the ledger recorded it
    outbox: bool  # written as an .eml (no [smtp]): not mailed by a server
    error: str = ""


@_dataclass(frozen=True)
class UnitRow:
    unit: str
    tasks: int  # the unit's tasks in 任务.xlsx
    sheet: str  # its sheet in 分发/ (name), "" before the split
    mailed: tuple[Mailed, ...]  # each address its sheet went to (or failed to)
    no_address: bool  # no address anywhere (units.csv 邮箱, recipients.csv): 无邮箱
    state: str  # ANSWERED | CONFLICT | UNREADABLE | NOT_YET
    files: tuple[str, ...]  # the returned file(s) under 反馈/ (two or more: the conflict's files)
    when: str  # the answered file's time (modified), "YYYY-MM-DD HH:MM"
    why: str = ""  # a conflict or an unreadable file, as the merge report says it

    @property
    def state_text(self) -> str:
        return ANSWER_TEXT[self.state]


@_dataclass
class RoundView:
    """What the round page shows: the task list's state, the units table, the merge's remarks."""

    round_id: str
    month: str
    has_tasks: bool
    tasks: int = 0
    error: str = ""  # the task list cannot be read (its problems, in Chinese)
    units: list[UnitRow] = _field(default_factory=list)
    problems: list[str] = _field(default_factory=list)
    ignored: list[str] = _field(default_factory=list)
    merged: bool = False  # 汇总.xlsx exists
    answers: list = _field(default_factory=list)  # the tasks as merge would write them (status, 落实情况)

    def count(self, state: str) -> int:
        return sum(u.state == state for u in self.units)


def _when(path: _Path) -> str:
    """A file's modification time in the office's time zone (the ledger's times are Beijing time too)."""
    from datetime import datetime

    from ..core.workspace import OFFICE_TZ

    try:
        return datetime.fromtimestamp(path.stat().st_mtime, OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
    except OSError:
        return ""


def _mailings(rnd: Round, units: list[str]) -> dict[str, list[Mailed]]:
    """unit -> the ledger's records of its sheet's mail (purpose tasks:<unit>, and tasks:<unit>@outbox)."""
    from ..core.ledger import Ledger
    from ..core.vocabulary import SendState, outbox_purpose
    from ..supervision.mailing import purpose

    found: dict[str, list[Mailed]] = {}
    if not rnd.ws.ledger_path.is_file():
        return found
    with Ledger(rnd.ws.ledger_path) as ledger:
        for unit in units:
            for outbox, kind in ((False, purpose(unit)), (True, outbox_purpose(purpose(unit)))):
                for r in ledger.deliveries(rnd.month, kind).values():
                    found.setdefault(unit, []).append(Mailed(
                        r.email, SendState.of(r.status).text, str(r.updated_at or "")[:16].replace("T", " "),
                        outbox, r.error or ""))
    return found


_LOOKED: dict[tuple, MergeReport] = {}  # the round as merge reads it, by the fingerprint of what it reads


def _fingerprint(rnd: Round) -> tuple:
    """What merge_round reads: the task list, the roster, every file under 反馈/ (name, size, mtime in ns)."""
    def stamp(path: _Path) -> tuple:
        try:
            st = path.stat()
        except OSError:
            return (str(path), None)
        return (str(path), st.st_size, st.st_mtime_ns)

    listing = []
    if rnd.returns.is_dir():
        listing = [stamp(p) for p in sorted(rnd.returns.rglob("*")) if p.is_file()]
    return (rnd.id, str(rnd.ws.root), stamp(rnd.tasks_path), stamp(rnd.ws.roster_path), tuple(listing))


def _looked(rnd: Round) -> MergeReport:
    """merge_round(write=False), kept while nothing it reads has changed: reading 30 returned sheets takes about
    a second, and the page is opened far more often than a sheet arrives."""
    key = _fingerprint(rnd)
    if key not in _LOOKED:
        if len(_LOOKED) >= 8:
            _LOOKED.pop(next(iter(_LOOKED)))
        _LOOKED[key] = merge_round(rnd, write=False)
    return _LOOKED[key]


def round_view(rnd: Round) -> RoundView:
    """The round as the page shows it; reads only (see the section comment)."""
    from ..core.errors import BulletinError
    from ..supervision.mailing import unit_addresses

    view = RoundView(rnd.id, rnd.month, rnd.tasks_path.is_file(), merged=rnd.merged_path.is_file())
    if not view.has_tasks:
        return view
    try:
        task_list = rnd.task_list()
        merged = _looked(rnd)
    except BulletinError as exc:
        view.error = str(exc)
        return view
    view.tasks = len(task_list.tasks)
    view.problems, view.ignored, view.answers = merged.problems, merged.ignored, merged.tasks
    try:
        addresses = unit_addresses(rnd)
    except BulletinError as exc:
        addresses = {}
        view.problems = [f"分发名单无法读取：{exc}", *view.problems]
    mailed = _mailings(rnd, task_list.units())

    def shown(path: _Path) -> str:
        return path.relative_to(rnd.returns).as_posix()

    conflict_lines = {u: next((p for p in merged.problems if p.startswith(f"{u} 有 ")), "") for u in merged.conflicts}
    for unit in task_list.units():
        sheet = rnd.sheet_path(unit)
        if unit in merged.conflicts:
            state, files, why = CONFLICT, tuple(shown(p) for p in merged.conflicts[unit]), conflict_lines[unit]
            when = max((_when(p) for p in merged.conflicts[unit]), default="")
        elif unit in merged.answered:
            path = merged.answered[unit]
            state, files, why, when = ANSWERED, (shown(path),), "", _when(path)
        elif unit in merged.unreadable:
            state, files, why, when = UNREADABLE, (), merged.unreadable[unit], ""
        else:
            state, files, why, when = NOT_YET, (), "", ""
        view.units.append(UnitRow(
            unit=unit, tasks=len(task_list.tasks_of(unit)), sheet=sheet.name if sheet.is_file() else "",
            mailed=tuple(mailed.get(unit, ())), no_address=not addresses.get(unit), state=state, files=files,
            when=when, why=why))
    return view


def rounds(ws: Workspace) -> list[str]:
    """Months that have a round folder (inputs/督查/<YYYY-MM>/), newest first."""
    from ..core.workspace import check_month
    from ..core.errors import BulletinError
    from ..supervision.round import INPUT_FOLDER

    folder = ws.inputs / INPUT_FOLDER
    found = []
    for path in sorted(folder.iterdir(), reverse=True) if folder.is_dir() else []:
        try:
            found.append(check_month(path.name)) if path.is_dir() else None
        except BulletinError:
            continue
    return found


def _actor_record(rnd: Round, actor: str, action: str, details: str) -> None:
    from .accounts import record, role_of

    root = Workspace(rnd.ws.root)  # the audit table is the office's, whatever the series
    record(root, actor, role_of(root, actor), action, rnd.id, details)


def upload_task_list(rnd: Round, name: str, data: bytes, *, actor: str):
    """任务.xlsx from the workbench: an .xlsx only (never .xlsm), through the spreadsheet door and read as a task
    list against the roster before it replaces inputs/督查/<month>/任务.xlsx (the replaced one is kept in
    .bulletin/replaced-tasks/<month>/). Returns the receipt (office/upload.Receipt)."""
    import tempfile

    from ..core.atomic import sha256_file, write_atomic
    from ..core.errors import BulletinError
    from ..intake.attachments import Item, safe_name
    from ..supervision.tasks import read_tasks as _read_tasks
    from .upload import Receipt

    receipt = Receipt(rnd.id)
    shown = Item(name, safe_name(name, fallback="任务.xlsx"), data).label
    suffix = _Path(name or "").suffix.lower()
    if suffix == ".xlsm":
        receipt.refused.append((shown, "含宏的表格（.xlsm）不予接收：请在 Excel/WPS 中另存为 .xlsx 后上传"))
    elif suffix != ".xlsx":
        receipt.refused.append((shown, "任务清单请上传 .xlsx 文件（.xls 请在 Excel/WPS 中另存为 .xlsx）"))
    elif len(data) > TASK_LIST_MAX_BYTES:
        receipt.refused.append((shown, f"文件超过 {TASK_LIST_MAX_BYTES // (1024 * 1024)} MB，未保存"))
    else:
        rnd.ws.state_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=rnd.ws.state_dir) as folder:
            trial = _Path(folder) / "任务.xlsx"
            trial.write_bytes(data)
            try:
                count = len(_read_tasks(trial, rnd.roster()).tasks)
            except BulletinError as exc:  # the sheet door's refusal or the list's problems, each with its row
                receipt.refused.append((shown, str(exc).replace(str(trial), "任务.xlsx")))
    if not receipt.refused:
        old = rnd.tasks_path
        if old.is_file():
            keep = rnd.ws.state_dir / "replaced-tasks" / rnd.month
            write_atomic(keep / f"{sha256_file(old)[:12]}-任务.xlsx", old.read_bytes())
        write_atomic(rnd.tasks_path, data)
        receipt.saved.append((shown, f"inputs/督查/{rnd.month}/任务.xlsx（{count} 项任务）"))
    _actor_record(rnd, actor, "上传任务清单",
                  "保存为 任务.xlsx" if receipt.saved else f"未保存：{receipt.refused[0][1]}")
    return receipt


def upload_returned(rnd: Round, files: list[tuple[str, bytes]], *, actor: str):
    """Returned sheets uploaded by the office -> inputs/督查/<month>/反馈/ (trusted: the office chose them); see
    the section comment for what is refused. Returns the receipt (office/upload.Receipt)."""
    from ..core.atomic import sha256_bytes, sha256_file, write_atomic
    from ..core.errors import BulletinError
    from ..core.sheetsafety import SheetRefused
    from ..intake.attachments import Item, safe_name, unique_name
    from ..supervision.sheets import read_returned
    from .upload import MAX_FILE_BYTES, MAX_FILES, Receipt

    receipt = Receipt(rnd.id)
    folder = rnd.returns
    try:
        units = set(rnd.task_list().units())
    except BulletinError as exc:
        raise BulletinError(f"本轮任务清单无法读取，暂不能接收反馈表：{exc}") from None
    existing = {sha256_file(p): p.name for p in sorted(folder.iterdir()) if p.is_file()} if folder.is_dir() else {}
    taken = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    for index, (original, data) in enumerate(files):
        item = Item(original, safe_name(original, fallback="反馈表.xlsx"), data)
        suffix = _Path(item.name).suffix.lower()
        if index >= MAX_FILES:
            receipt.refused.append((item.label, f"一次最多上传 {MAX_FILES} 个文件，此文件未保存：请分几次上传"))
            continue
        if suffix == ".xlsm":
            receipt.refused.append((item.label, "含宏的表格（.xlsm）不予接收：请使用办公室发出的 .xlsx 表格"))
            continue
        if suffix not in (".xlsx", ".xls"):
            receipt.refused.append((item.label, f"不是 .xlsx 表格（{suffix or '无扩展名'}），未保存"))
            continue
        if len(data) > MAX_FILE_BYTES:
            receipt.refused.append((item.label, f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，未保存"))
            continue
        if suffix == ".xls":  # read by merge through LibreOffice (or named as unreadable); only its kind checked
            if not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
                receipt.refused.append((item.label, "不是 Excel 97-2003（.xls）文件，未保存"))
                continue
        else:
            try:
                sheet = read_returned(_Path(item.name), data)
            except SheetRefused as exc:
                receipt.refused.append((item.label, str(exc)))
                continue
            if sheet is None:
                receipt.refused.append((item.label, "不是本系统分发的任务表（没有识别标记），未保存"))
                continue
            if sheet.round_id != rnd.id:
                receipt.refused.append((item.label, f"是“{sheet.round_id}”一轮的任务表，不是本轮（{rnd.id}），未保存"))
                continue
            if sheet.unit not in units:
                receipt.refused.append((item.label, f"单位“{sheet.unit}”不是本轮任务的责任单位，未保存"))
                continue
        sha = sha256_bytes(data)
        if sha in existing:
            receipt.same.append((item.label, existing[sha]))
            continue
        name = unique_name(item.name, taken)
        write_atomic(folder / name, data)
        taken.add(name)
        existing[sha] = name
        receipt.saved.append((item.label, f"反馈/{name}"))
    _actor_record(rnd, actor, "上传反馈表",
                  "；".join([f"保存《{n}》" for _, n in receipt.saved] + [f"未保存《{s}》：{r}" for s, r in receipt.refused]
                           + [f"相同《{s}》" for s, _ in receipt.same]) or "没有文件")
    return receipt


def start_split(rnd: Round, actor: str, *, due: date | None = None, send: bool = True, wait: bool = False):
    """拆分并发送 from the workbench, in the background (office/jobs.py): split, then (send) mail each unit its
    sheet once (mail_sheets: a unit that has it is not mailed again)."""
    from .jobs import start

    def work(progress) -> str:
        made = split(rnd, due)
        lines = made.lines()[:1]
        if send:
            progress(f"已生成 {len(made.sheets)} 张任务表，发送邮件…")
            lines += mail(rnd, made).lines()
        return "\n".join(lines).replace(f"{rnd.ws.root}/", "")

    return start(Workspace(rnd.ws.root), "split", rnd.id, actor, work, wait=wait)


def start_merge(rnd: Round, actor: str, *, wait: bool = False):
    """汇总 from the workbench, in the background."""
    from .jobs import start

    def work(progress) -> str:
        return "\n".join(merge(rnd).lines()).replace(f"{rnd.ws.root}/", "")

    return start(Workspace(rnd.ws.root), "merge", rnd.id, actor, work, wait=wait)


def start_report(rnd: Round, actor: str, *, day: date | None = None, wait: bool = False):
    """生成督查专报 from the workbench, in the background: merge again (the page's table is what is printed), write
    the report, then its page images (LibreOffice, once per version)."""
    from ..core.errors import BulletinError
    from .jobs import start
    from .status import pages

    def work(progress) -> str:
        merge(rnd)
        progress("生成专报…")
        result = report(rnd, day)
        progress("生成页面图…")
        try:
            shown = f"页面图 {len(pages(rnd.ws, result.path))} 页。"
        except BulletinError as exc:
            shown = f"页面图未能生成：{exc}"
        return result.summary().replace(f"{rnd.ws.root}/", "") + "\n" + shown

    return start(Workspace(rnd.ws.root), "report", rnd.id, actor, work, wait=wait)


__all__ += ["ANSWER_TEXT", "Mailed", "RoundView", "UnitRow", "round_view", "rounds", "start_merge", "start_report",
            "start_split", "upload_returned", "upload_task_list"]
