"""Compiling a month (`bulletin compile`, the workbench, the monthly flow): the month folder -> the bulletin
.docx, its intake report, a ledger entry, and the month's suggested notices (通报建议.xlsx).

One compile at a time per workspace (a file lock); the bulletin and report are written atomically, and a
failed compile leaves the month's previous bulletin as it was. A bulletin that was approved or sent is not
replaced unless asked (`force`), and then its approved bytes are kept in history/ first.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from filelock import FileLock

from ..archive.duplicates import mark_near_duplicates
from ..core.atomic import sha256_bytes, sha256_file, write_atomic
from ..core.errors import BulletinError, NothingToCompile
from ..core.ledger import Ledger
from ..core.locks import waiting_lock
from ..core.month import Month
from ..core.progress import ProgressFn
from ..core.vocabulary import BULLETIN, SendState, both_modes
from ..core.workspace import OFFICE_TZ, Workspace
from ..intake import mailrecords
from ..intake.arrangement import annotate_rows, apply_arrangement, printed, read_arrangement
from ..intake.intake import Intake, gather
from ..intake.notices import NoticeSheet, read_notices
from ..intake.report import intake_report, report_bytes
from ..intake.roster import Roster
from ..layout.compose import render_issue
from ..layout.issue import BULLETIN_FILE_GLOBS, build_issue
from ..layout.issuenote import read_issue_note
from ..layout.pdfedition import check_pdf_tools
from ..layout.templatecheck import missing_layout_tags
from .calendar import annotate_intake as annotate_timing

REPORT_NAME = "收稿报告.txt"
LOCK_WAIT_SECONDS = 600


class NoticeSheetUnusable(BulletinError):
    """The month has a notice sheet that cannot be used: no bulletin without its notice table by accident."""


class AlreadyApproved(BulletinError):
    """The month's bulletin was approved or sent: recompiling would replace it (use force)."""


class ReviewOut(BulletinError):
    """The month's bulletin is with the reviewers, undecided: recompiling would replace the version they read,
    and their approval of it would then be refused (issue 23 item 9; use force)."""


def attachment_limit_bytes(ws: Workspace) -> int:
    return int(ws.settings.mail.max_attachment_mb * 1024 * 1024)


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


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
    approved_kept: Path | None = None  # the approved bulletin this (forced) compile replaced, kept in history/
    too_large: str = ""  # the bulletin is over [mail] max_attachment_mb: send will refuse it
    suggestions: Path | None = None  # 通报建议.xlsx: suggested notice rows (praise / criticism), never printed
    folder_problems: list[str] = field(default_factory=list)  # inputs/ folders that look like months, not read

    def summary(self) -> str:
        intake = self.intake
        lines = [
            f"读取稿件文件夹：{intake.folder}",
            f"已生成 {self.path}（第{self.number}期）",
            f"编入 {len(intake.accepted)} 篇，需核对 {len(intake.flagged)} 篇，未采用 {len(intake.refused)} 份，"
            f"重复 {len(intake.duplicates)} 份，被替换 {len(intake.replaced)} 份；情况通报 {len(self.notices.rows)} 条。",
            f"收稿报告：{self.report_path}",
        ]
        if self.suggestions:
            lines.append(f"通报建议（表扬/批评，供复制到通报表）：{self.suggestions}")
        if self.previous_kept:
            lines.append(f"注意：原简报在生成后被修改过，已另存为 {self.previous_kept}")
        if self.approved_kept:
            lines.append(f"注意：已审核通过的原简报已另存为 {self.approved_kept}；新简报需要重新审核。")
        if self.too_large:
            lines.append(f"注意：{self.too_large}")
        lines += [f"注意：{problem}" for problem in self.folder_problems]
        return "\n".join(lines)


def workspace_lock(ws: Workspace) -> FileLock:
    return FileLock(str(ws.lock_path))


def compile_month(
    ws: Workspace,
    month: Month,
    issue_date: date | None = None,
    issue: int | None = None,
    progress: ProgressFn | None = None,
    on_wait=None,
    *,
    force: bool = False,
    no_notices: bool = False,
    sender_units=None,
) -> CompileResult:
    """force: replace a bulletin that was approved or sent (its bytes go to history/ first); no_notices:
    compile without the notice section although a sheet is there (or is unusable); sender_units: see gather."""
    ws.settings  # validates bulletin.toml before anything else
    check_pdf_tools(ws)
    template = ws.template_path()
    folder = ws.month_inputs(month)
    if not folder.is_dir():
        lookalikes = "".join(f"\n{problem}" for problem in ws.month_folder_problems(month))
        raise NothingToCompile(f"没有找到 {month} 的稿件文件夹 {folder}：请把当月稿件放入该文件夹。{lookalikes}")
    with waiting_lock(workspace_lock(ws), "另一个编排任务正在使用此工作目录", on_wait, LOCK_WAIT_SECONDS):
        options = {"force": force, "no_notices": no_notices, "sender_units": sender_units}
        return _compile_locked(ws, month, folder, template, issue_date, issue, progress, **options)


def _compile_locked(
    ws, month, folder, template, issue_date, issue, progress, *, force, no_notices, sender_units
) -> CompileResult:
    settings = ws.settings.bulletin
    out_dir = ws.month_outputs(month)
    with Ledger(ws.ledger_path) as ledger:
        decided = _approved_or_sent(ledger, month, ledger.last_compile(month))
    review_out = "" if decided or force else _review_out(ws, month)
    if review_out:
        raise ReviewOut(review_out)
    if decided and not force:
        raise AlreadyApproved(
            f"{month} 的简报{decided}，重新编排会替换它。如确需重新编排，请执行 {ws.command('compile', month)} "
            "--force（已审核的文件会先另存到 history/，新简报需要重新审核）。"
        )
    roster = Roster.load(ws.roster_path)
    if sender_units is None:  # drafts that came by mail: the unit registered for the sender's address
        sender_units = mailrecords.sender_units(ws, month, roster)
    layout = ws.settings.layout
    intake = gather(folder, month, roster, progress=_phase(progress, "读取稿件"), sender_units=sender_units,
                    columns=layout.columns)
    mailrecords.annotate_intake(ws, month, intake)
    mark_near_duplicates(ws, month, intake)  # 疑似重复 (issue 27): marked, never dropped
    timing = annotate_timing(ws, month, intake, roster, sender_units)  # [calendar]: received times, 迟报, 约稿
    arrangement = read_arrangement(folder)  # 编排.toml (issue 24): the office's decisions, after the reading
    intake.notes.extend(apply_arrangement(intake, arrangement, roster))
    intake.notes.extend(roster.problems)
    folder_problems = ws.month_folder_problems(month)  # issue 23 item 15: never passed over in silence
    intake.notes.extend(folder_problems)
    issue_note = read_issue_note(folder, intake.notes)
    sheet = read_notices(folder, roster, skip=no_notices)
    with Ledger(ws.ledger_path) as ledger:
        previous = ledger.last_compile(month)
        if not intake.accepted:
            kept = Path(previous.path).name if previous and Path(previous.path).is_file() else None
            report = intake_report(intake, sheet, number=None, bulletin_name=None, kept=kept)
            write_atomic(out_dir / REPORT_NAME, report_bytes(report))
            raise NothingToCompile(_nothing_message(intake, folder, out_dir / REPORT_NAME))
        if sheet.unusable:
            kept = Path(previous.path).name if previous and Path(previous.path).is_file() else None
            report = intake_report(intake, sheet, number=None, bulletin_name=None, kept=kept)
            write_atomic(out_dir / REPORT_NAME, report_bytes(report))
            raise NoticeSheetUnusable(
                f"情况通报表 {sheet.source.name} 无法使用（{sheet.unusable}），未生成简报：请修改通报表后重新编排；"
                f"如本期确实不编入情况通报，请加 --no-notices。详见 {out_dir / REPORT_NAME}。"
            )
        if issue_date is None:
            # Recompiling keeps the printed date unless a new one is asked for.
            issue_date = date.fromisoformat(previous.issue_date) if previous else datetime.now(OFFICE_TZ).date()
        number = ledger.issue_number(month, settings.first_issue, issue, reserve=False)
        content = build_issue(settings, printed(intake, arrangement), sheet, number, issue_date, layout, issue_note, _signer(ws))
        data = render_issue(content, template, progress=_phase(progress, "编排"))
        intake.notes.extend(missing_layout_tags(template, content))
        target = out_dir / content.file_name
        approved_kept = _keep_approved(ledger, month, previous, out_dir) if decided else None
        kept = _keep_edited(previous, out_dir)
        write_atomic(target, data)
        for stale in [p for pattern in BULLETIN_FILE_GLOBS for p in out_dir.glob(pattern)]:
            if stale != target:
                stale.unlink()  # "exactly one bulletin": an --issue override renames it
        report_path = out_dir / REPORT_NAME
        too_large = ""
        if len(data) > attachment_limit_bytes(ws):
            too_large = (
                f"简报文件 {size_text(len(data))}，超过邮件附件上限 {ws.settings.mail.max_attachment_mb:g} MB"
                "（bulletin.toml [mail] max_attachment_mb），bulletin send 将拒绝发送：请压缩稿件中的图片后重新编排"
            )
        extra = [f"简报文件大小：{size_text(len(data))}"] + ([f"！{too_large}"] if too_large else [])
        extra += timing.report_lines()
        report = intake_report(intake, sheet, number=number, bulletin_name=target.name, extra=extra)
        write_atomic(report_path, report_bytes(report))
        sha = sha256_bytes(data)
        # One transaction: the number is reserved together with the compile record, never without it.
        ledger.record_compile(month, number, target, sha, annotate_rows(timing.rows(intake.ledger_rows()), arrangement), issue_date.isoformat())
    from ..stats.run import write_suggestions  # statistics code only once a bulletin was made

    suggestions = write_suggestions(ws, month, sheet)  # after the record: the month's figures include this compile
    return CompileResult(month, number, target, sha, issue_date, intake, sheet, report_path, kept,
                         approved_kept, too_large, suggestions, folder_problems)


def _phase(progress: ProgressFn | None, label: str) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda done, total, name: progress(done, total, f"{label}：{name}")


def _approved_or_sent(ledger: Ledger, month: str, previous) -> str:
    """Why the month's current bulletin must not be replaced silently ("" when it may): it, as compiled or as
    edited since, was approved or mailed. An approval of an earlier version (replaced with --force) does not
    count: the current file was never approved."""
    if previous is None:
        return ""
    old = Path(previous.path)
    versions = {previous.sha256} | ({sha256_file(old)} if old.is_file() else set())
    sent = [r for purpose in both_modes(BULLETIN)
            for r in ledger.deliveries(month, purpose).values() if r.status == SendState.SENT and r.sha256 in versions]
    if sent:
        return f"已发送给 {len(sent)} 位收件人"
    decision = ledger.latest_decision(month)
    if decision is not None and decision.approved and decision.sha256 in versions:
        return f"已由{decision.reviewer}审核通过"
    return ""


def _review_out(ws: Workspace, month: str) -> str:
    """Why a compile would pull the file from under its reviewers ("" when it would not): the month's current
    version (as compiled, or as edited since) was mailed to reviewers and nobody decided on it since."""
    with Ledger(ws.ledger_path) as ledger:
        previous = ledger.last_compile(month)
        if previous is None:
            return ""
        # Mail code only when a version exists that may have been mailed (a month's first compile: never).
        from ..delivery.delivery import review_purpose

        old = Path(previous.path)
        versions = {previous.sha256} | ({sha256_file(old)} if old.is_file() else set())
        sent = [r for sha in versions for purpose in both_modes(review_purpose(sha))
                for r in ledger.deliveries(month, purpose).values() if r.status == SendState.SENT]
        decision = ledger.latest_decision(month)
    if not sent or (decision is not None and decision.sha256 in versions):
        return ""
    when = _shown_time(min(r.updated_at for r in sent))
    to = "、".join(sorted({r.name or r.email for r in sent}))
    return (
        f"{month} 的简报（{old.name}）已于 {when} 送审给 {to}，尚未审核。重新编排会替换审核人正在看的版本，"
        f"他们对该版本的审核将不被接受。请等审核结果（退回后可直接重新编排）；如确需现在重新编排，请执行 "
        f"{ws.command('compile', month)} --force，并把新版本重新送审。"
    )


def _shown_time(stamp: str) -> str:
    """A ledger timestamp as the office reads it: "2026-10-28 09:30" (Beijing time)."""
    try:
        return datetime.fromisoformat(stamp).astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def _keep_approved(ledger: Ledger, month: str, previous, out_dir: Path) -> Path | None:
    """Before a forced compile replaces it, the approved bulletin's bytes go to history/."""
    decision = ledger.latest_decision(month)
    old = Path(previous.path) if previous else None
    if decision is None or old is None or not old.is_file() or sha256_file(old) != decision.sha256:
        return None
    return _to_history(old, out_dir, "已审核")


def _keep_edited(previous, out_dir: Path) -> Path | None:
    """Nothing is lost: a bulletin the office edited after the last compile is kept before it is replaced."""
    if previous is None:
        return None
    old = Path(previous.path)
    if not old.is_file() or sha256_file(old) == previous.sha256:
        return None
    return _to_history(old, out_dir, "修改稿")


def _to_history(old: Path, out_dir: Path, label: str) -> Path:
    """A copy of the month's bulletin in history/, named with what it was and when it was kept."""
    history = out_dir / "history"
    history.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(OFFICE_TZ).strftime("%Y%m%d-%H%M%S")
    kept = history / f"{old.stem}-{label}-{stamp}{old.suffix}"
    shutil.copy2(old, kept)
    return kept


def _nothing_message(intake: Intake, folder: Path, report: Path) -> str:
    if not intake.refused and not intake.duplicates:
        return f"{folder} 中没有可用的稿件（.docx），未生成简报。"
    return f"{folder} 中的 {len(intake.refused)} 份文件都未能采用，未生成简报；原因见 {report}。"


def _signer(ws: Workspace) -> str:
    """The 签发人 printed with [layout] signer (issue 26): the first named reviewer of the review chain's last
    step. The issue is composed before anyone signs, so this is the configured signer, not a record of who
    signed: if another member of the step signs (a deputy), the office recompiles after 签发, or lists the
    usual signer first. The ledger keeps who actually signed (bulletin status)."""
    last = ws.settings.review.chain[-1]
    return next((r.name for r in last.reviewers if r.name), "")

