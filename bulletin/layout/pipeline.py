"""compile_month: a month folder -> the bulletin .docx, its intake report and a ledger entry.

One compile at a time per workspace (a file lock); the bulletin and report are written atomically, and a
failed compile leaves the month's previous bulletin as it was.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from ..core.atomic import sha256_bytes, sha256_file, write_atomic, write_text_atomic
from .compose import ProgressFn, render_issue
from ..core.errors import BulletinError, NothingToCompile
from ..intake.intake import Intake, gather
from .issue import build_issue
from ..core.ledger import Ledger
from ..intake.notices import NoticeSheet, read_notices
from ..intake.report import intake_report
from ..intake.roster import Roster
from ..core.workspace import OFFICE_TZ, Workspace

REPORT_NAME = "收稿报告.txt"
BULLETIN_GLOB = "工作简报第*期.docx"
LOCK_WAIT_SECONDS = 600


@dataclass
class CompileResult:
    month: str
    number: int
    path: Path
    sha256: str
    issue_date: date
    intake: Intake
    notices: NoticeSheet
    report_path: Path
    previous_kept: Path | None = None  # an edited bulletin that this compile replaced, kept in history/

    def summary(self) -> str:
        intake = self.intake
        lines = [
            f"已生成 {self.path}（第{self.number}期）",
            f"编入 {len(intake.accepted)} 篇，需核对 {len(intake.flagged)} 篇，未采用 {len(intake.refused)} 份，"
            f"重复 {len(intake.duplicates)} 份；情况通报 {len(self.notices.rows)} 条。",
            f"收稿报告：{self.report_path}",
        ]
        if self.previous_kept:
            lines.append(f"注意：原简报在生成后被修改过，已另存为 {self.previous_kept}")
        return "\n".join(lines)


def workspace_lock(ws: Workspace) -> FileLock:
    return FileLock(str(ws.lock_path))


def compile_month(
    ws: Workspace,
    month: str,
    issue_date: date | None = None,
    issue: int | None = None,
    progress: ProgressFn | None = None,
    on_wait=None,
) -> CompileResult:
    ws.settings  # validates bulletin.toml before anything else
    template = ws.template_path()
    folder = ws.month_inputs(month)
    if not folder.is_dir():
        raise NothingToCompile(f"没有找到 {month} 的稿件文件夹 {folder}：请把当月稿件放入该文件夹。")
    lock = workspace_lock(ws)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait()
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            raise BulletinError("另一个编排任务正在使用此工作目录，等待超时，请稍后再试。") from None
    try:
        return _compile_locked(ws, month, folder, template, issue_date, issue, progress)
    finally:
        lock.release()


def _compile_locked(ws, month, folder, template, issue_date, issue, progress) -> CompileResult:
    settings = ws.settings.bulletin
    roster = Roster.load(ws.roster_path)
    intake = gather(folder, month, roster, progress=_phase(progress, "读取稿件"))
    intake.notes.extend(roster.problems)
    sheet = read_notices(folder, roster)
    out_dir = ws.month_outputs(month)
    with Ledger(ws.ledger_path) as ledger:
        previous = ledger.last_compile(month)
        if not intake.accepted:
            kept = Path(previous.path).name if previous and Path(previous.path).is_file() else None
            report = intake_report(intake, sheet, number=None, bulletin_name=None, kept=kept)
            write_text_atomic(out_dir / REPORT_NAME, report)
            raise NothingToCompile(_nothing_message(intake, folder, out_dir / REPORT_NAME))
        if issue_date is None:
            # Recompiling keeps the printed date unless a new one is asked for.
            issue_date = date.fromisoformat(previous.issue_date) if previous else datetime.now(OFFICE_TZ).date()
        number = ledger.issue_number(month, settings.first_issue, issue, reserve=False)
        content = build_issue(settings, intake, sheet, number, issue_date)
        data = render_issue(content, template, progress=_phase(progress, "编排"))
        target = out_dir / content.file_name
        kept = _keep_edited(previous, out_dir)
        write_atomic(target, data)
        for stale in out_dir.glob(BULLETIN_GLOB):
            if stale != target:
                stale.unlink()  # "exactly one bulletin": an --issue override renames it
        report_path = out_dir / REPORT_NAME
        write_text_atomic(report_path, intake_report(intake, sheet, number=number, bulletin_name=target.name))
        ledger.issue_number(month, settings.first_issue, issue, reserve=True)
        sha = sha256_bytes(data)
        ledger.record_compile(month, number, target, sha, intake.ledger_rows(), issue_date.isoformat())
    return CompileResult(month, number, target, sha, issue_date, intake, sheet, report_path, kept)


def _phase(progress: ProgressFn | None, label: str) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda done, total, name: progress(done, total, f"{label}：{name}")


def _keep_edited(previous, out_dir: Path) -> Path | None:
    """Nothing is lost: a bulletin the office edited after the last compile is kept before it is replaced."""
    if previous is None:
        return None
    old = Path(previous.path)
    if not old.is_file() or sha256_file(old) == previous.sha256:
        return None
    history = out_dir / "history"
    history.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(OFFICE_TZ).strftime("%Y%m%d-%H%M%S")
    kept = history / f"{old.stem}-修改稿-{stamp}{old.suffix}"
    shutil.copy2(old, kept)
    return kept


def _nothing_message(intake: Intake, folder: Path, report: Path) -> str:
    if not intake.refused and not intake.duplicates:
        return f"{folder} 中没有可用的稿件（.docx），未生成简报。"
    return f"{folder} 中的 {len(intake.refused)} 份文件都未能采用，未生成简报；原因见 {report}。"
