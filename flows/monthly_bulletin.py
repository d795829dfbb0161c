"""The month's bulletin as one Prefect flow: fetch the submission mailbox (with a [mailbox]), compile, publish
the intake, mail the draft to the reviewers, wait for the office's decision (Prefect UI or `bulletin approve`/
`bulletin reject`), record it, deliver.

Every task wraps a function of `bulletin`; all state lives in the workspace ledger, so every step is safe to
repeat: the issue number is the month's (compile_month never assigns a second one), review and delivery mails
go once per recipient (and per file version for reviewers), decisions are bound to the file's sha256.

A new run for a month that already has one (scheduled re-run, `bulletin run`, "Retry" in the UI):
- current file approved and unchanged since -> no compile, no review mail, no pause: straight to the same
  idempotent send as `bulletin send` (mails only those who do not have it yet: usually no one);
- current file edited by hand after it was compiled, not approved yet -> not recompiled (that would replace
  the edits), sent for review and awaited as it is;
- current file already mailed to the reviewers and not decided on (an earlier run timed out, crashed, or is
  still waiting) -> not recompiled: a recompile writes a new file (new timestamps), which the reviewers would
  get again. Drafts that arrived since: run `bulletin compile` first, then the run sends that version;
- otherwise (first run of the month, after a plain `bulletin compile`, after a rejection) -> compiled again,
  same issue number; a new version goes to the reviewers once.

(These rules are flows/decisions.py: next_step.)

The pause keeps the run's process waiting (poll every PAUSE_POLL_SECONDS) for at most [review] timeout_days.
The form names the version the reviewer is deciding on (its sha256): if the file was changed while the form
was open, the decision is refused (nothing recorded), the new version goes to the reviewers and the run
waits again, within the same time limit.
"""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run

from bulletin.core.errors import BulletinError
from bulletin.core.ledger import now as ledger_now
from bulletin.core.month import Month
from bulletin.core.vocabulary import DraftStatus, SendState
from bulletin.core.workspace import Workspace, current_month
from bulletin.office.compile import CompileResult, compile_month
from bulletin.office.decide import Decision, decide
from bulletin.office.review import review as send_for_review
from bulletin.office.send import DeliveryReport, MailError
from bulletin.office.send import send as send_issue
from bulletin.office.stats import stats as run_stats
from bulletin.office.status import MonthStatus, flow_run_state
from bulletin.office.status import record_flow_run as record_run_state
from bulletin.office.status import status as month_status
from flows import common
from flows.common import MAIL_TASK, TASK, ReviewAnswer, library_logs, office_short_name, workspace_param
from flows.decisions import AWAIT, REVIEW_AS_IS, SEND, WAITING, next_step, state_after_run


def _log_report(logger, report: DeliveryReport) -> None:
    for line in report.lines():
        logger.info(line)
    for recipient, reason in report.failed:
        logger.warning("未发出：%s：%s", recipient.label, reason)


def _raise_if_transient(report: DeliveryReport) -> None:
    if report.transient:
        missing = len(report.failed) + (0 if report.dry_run else len(report.not_attempted))
        raise MailError(f"{report.month}：{missing} 位收件人因邮件服务器临时故障未发出，稍后自动重试（已发出的不会重复）。",
                        transient=True)


def _run_name() -> str:
    """"<office short name>-2026-10": on a server shared by several offices, whose run is whose."""
    from prefect.runtime import flow_run

    month = flow_run.parameters.get("month") or current_month()
    return f"{office_short_name(flow_run.parameters.get('workspace', '.'))}-{month}"


def _status_summary(status: MonthStatus, outcome: list[str], desk: str = "") -> str:
    c = status.compile
    if c is None:
        return f"# {status.month} 工作简报\n\n尚未编排。\n"
    counts = status.draft_counts()
    edited = "（编排后在 Word 中修改过）" if status.edited_since_compile else ""
    lines = [
        f"# {status.month} 工作简报 第{c.number}期",
        "",
        f"- 期号：第{c.number}期",
        f"- 简报文件：`{c.path}`{edited}",
        f"- 校验码（SHA-256 前12位）：`{(status.file_sha256 or c.sha256)[:12]}`",
        (
            f"- 稿件：编入 {counts.get(DraftStatus.ACCEPTED, 0) + counts.get(DraftStatus.FLAGGED, 0)} 篇"
            f"（需核对 {counts.get(DraftStatus.FLAGGED, 0)} 篇），未采用 {counts.get(DraftStatus.REFUSED, 0)} 份，"
            f"重复 {counts.get(DraftStatus.DUPLICATE, 0)} 份，被替换 {counts.get(DraftStatus.REPLACED, 0)} 份"
            f"（明细见 [intake-{status.month}](/artifacts/key/intake-{status.month})）"
        ),
        f"- 送审：当前文件已发给 {status.reviewed_by_mail} 位审核人",
    ]
    if desk:
        lines.append(f"- 审核台：[{desk}]({desk})（办公室登录后查看各页、收稿和发送情况）")
    sent = sum(1 for r in status.recipients if status.recipient_state(r) is SendState.SENT)
    lines.append(f"- 分发：名单 {len(status.recipients)} 位，已发送 {sent} 位")
    lines += ["", "## 进展", ""] + [f"- {line}" for line in outcome]
    return "\n".join(lines) + "\n"


# -- tasks ---------------------------------------------------------------------------------------------------
@task(name="status 读取本月状态", **TASK)
def read_status(root: str, month: str) -> MonthStatus:
    return month_status(Workspace.at(root), month)


@task(name="compile 收稿编排", **TASK)
def compile_bulletin(root: str, month: str) -> CompileResult:
    """compile_month: gather and validate drafts, read the notice sheet, compose -- one step under the
    workspace lock, the number reserved only once the file is written."""
    logger = get_run_logger()
    last_logged = {"phase": None, "step": -1}

    def progress(done: int, total: int, label: str) -> None:
        phase = label.split("：", 1)[0]
        step = done * 10 // max(total, 1)
        if phase != last_logged["phase"] or step != last_logged["step"]:
            last_logged.update(phase=phase, step=step)
            logger.info("%s：%d/%d", phase, done, total)

    result = compile_month(
        Workspace.at(root), month, progress=progress,
        on_wait=lambda: logger.info("另一个编排任务正在使用此工作目录，等待其完成……"),
    )
    logger.info(result.summary())
    for draft in result.intake.flagged:
        logger.warning("需核对 %s：%s", draft.name, "；".join(draft.warnings))
    for refusal in result.intake.refused:
        logger.warning("未采用 %s：%s", refusal.file, refusal.reason)
    for duplicate in result.intake.duplicates:
        logger.warning("重复 %s：%s", duplicate.file, duplicate.reason)
    for problem in result.notices.problems:
        logger.warning("情况通报表：%s", problem)
    return result


@task(name="publish-intake 发布收稿表", **TASK)
def publish_intake(status: MonthStatus) -> None:
    """Table artifact `intake-YYYY-MM`: the drafts of the month's current compile, as the ledger has them."""
    c = status.compile
    rows = [
        {
            "文件": d.get("file", ""), "栏目": d.get("column", ""), "单位": d.get("unit", ""),
            "标题": d.get("title", ""), "状态": DraftStatus.text_of(d.get("status", "")),
            "原因": d.get("reason", ""),
            # [calendar]: received after the deadline (office/calendar.py; absent in older ledger rows)
            **({"迟报": "迟报" if d.get("late") else ""} if "late" in d else {}),
        }
        for d in (c.drafts if c else [])
    ]
    create_table_artifact(
        rows, key=f"intake-{status.month}",
        description=f"{status.month} 收稿情况" + (f"（第{c.number}期）" if c else ""),
    )


@task(name="publish-summary 发布摘要", **TASK)
def publish_summary(root: str, month: str, outcome: list[str]) -> None:
    """Markdown artifact `bulletin-YYYY-MM`: path, number, drafts, review and delivery state."""
    ws = Workspace.at(root)
    status = month_status(ws, month)
    desk = f"{ws.settings.web.base_url}/m/{month}" if ws.settings.web else ""
    create_markdown_artifact(
        _status_summary(status, outcome, desk), key=f"bulletin-{month}", description=f"{month} 工作简报摘要",
    )


def _reported(report: DeliveryReport) -> DeliveryReport:
    _log_report(get_run_logger(), report)
    _raise_if_transient(report)
    return report


@task(name="publish-stats 发布报送统计", **TASK)
def publish_stats(root: str, month: str) -> None:
    """Table artifact `stats-YYYY-MM`: the year's ranking up to this month, top 10, and the workbook written."""
    result = run_stats(workspace_param(root), Month(month).year)
    rows = [
        {"名次": r.rank, "单位": r.unit, "报送": r.submitted, "采用": r.adopted_shown, "上级采用": r.upper,
         "得分": r.points}
        for r in result.stats.ranking[:10]
    ]
    create_table_artifact(rows, key=f"stats-{month}",
                          description=f"{month[:4]}年信息报送得分前 10 名（{result.workbook.name}）")


@task(name="mail-review 送审邮件", **MAIL_TASK)
def mail_for_review(root: str, month: str) -> DeliveryReport:
    return _reported(send_for_review(Workspace.at(root), Month(month)))


@task(name="record-decision 记录审核结果", **TASK)
def record_decision(root: str, month: str, answer: ReviewAnswer, since: str) -> Decision | None:
    """The decision on the version the reviewer saw (answer.sha256), through the same office.decide as every
    other door; None when the file changed since (then nothing is recorded). Not written again when `bulletin
    approve`/`reject` recorded it before resuming this run."""
    try:
        decided = decide(Workspace.at(root), Month(month), approved=answer.approved, by=answer.reviewer,
                         comment=answer.comment, seen_sha256=answer.sha256, since=since, step=answer.step or None)
    except BulletinError as exc:  # FileChanged above all: nothing recorded, the run asks again
        get_run_logger().warning(f"{exc}流程继续等待审核（文件若有新版本，将重新送审）。")
        return None
    decision = decided.decision
    get_run_logger().info(decision.summary() if decided.written else f"审核结果已由 bulletin 命令记录：{decision.summary()}")
    if decided.pdf_line:
        get_run_logger().info(decided.pdf_line)
    return decision


@task(name="deliver 分发简报", **MAIL_TASK)
def deliver(root: str, month: str) -> DeliveryReport:
    """The same idempotent send as `bulletin send`: only recipients who do not have the approved file yet."""
    return _reported(send_issue(Workspace.at(root), Month(month)))


@task(name="record-run 记录流程状态", **TASK)
def record_flow_run(root: str, month: str, run_id: str, state: str) -> None:
    record_run_state(Workspace.at(root), Month(month), run_id, state)


# -- the flow ------------------------------------------------------------------------------------------------
@flow(
    name="monthly-bulletin",
    flow_run_name=_run_name,
    description="工作简报月度流程：收稿、编排、送审、等待审核（界面或 bulletin approve）、分发。",
    persist_result=False,
)
def monthly_bulletin(month: str | None = None, workspace: str = ".") -> str:
    """Compile, review and mail the bulletin of `month` (default: the current month in Asia/Shanghai)."""
    from prefect.runtime import flow_run

    month = Month.parse(month) if month else current_month()
    ws = workspace_param(workspace)
    with library_logs():
        return _monthly(ws, month, str(flow_run.id))


def _monthly(ws: Workspace, month: str, run_id: str) -> str:
    logger = get_run_logger()
    root = str(ws.root)
    _fetch_first(ws)
    status = read_status(root, month)
    step = next_step(status)
    if step == SEND:
        d = status.decision
        logger.info(
            f"{month} 简报已由 {d.reviewer} 审核通过，且审核后文件未改动：不重新编排、不再送审，直接发送"
            "（已收到的不会重复发送）。"
        )
        publish_intake(status)
        return _deliver(root, month, [f"已审核通过（{d.reviewer}），无需再次审核"])

    if step == REVIEW_AS_IS:
        logger.info(
            f"{month} 简报在编排后被修改过（尚未审核通过）：不重新编排，以免覆盖修改，按修改后的文件送审。"
            f"如需按稿件重新编排，请先执行 bulletin compile --month {month}。"
        )
    elif step == AWAIT:
        logger.info(
            f"{month} 简报（第{status.compile.number}期）已发给审核人、尚无审核结果：不重新编排，继续等待审核。"
            f"如有新到稿件，请先执行 bulletin compile --month {month}，再运行本流程。"
        )
    else:
        compile_bulletin(root, month)
    status = read_status(root, month)
    publish_intake(status)

    _mail_for_review(root, month, status)
    publish_summary(root, month, ["等待审核"])

    since = ledger_now()
    record_flow_run(root, month, run_id, WAITING)
    timed_out = False
    try:
        decision = _await_decision(ws, month, since)
        if decision is None:  # approved through `bulletin approve` while this run was compiling or mailing
            return _deliver(root, month, ["已审核通过（流程等待前），未再等待"])
        if not decision.approved:
            note = f"：{decision.comment}" if decision.comment else ""
            message = f"{month} 简报被 {decision.reviewer} 退回{note}。未发送；修改后请重新运行或重新审核。"
            logger.info(message)
            publish_summary(root, month, [f"退回（{decision.reviewer}）{note}", "未发送"])
            return message
        return _deliver(root, month, [f"审核通过（{decision.reviewer}）"])
    except FlowPauseTimeout:
        timed_out = True
        raise
    finally:
        state = state_after_run(_recorded_state(ws, month), run_id, timed_out)
        if state is not None:
            record_flow_run(root, month, run_id, state)


def _mail_for_review(root: str, month: str, status: MonthStatus) -> None:
    review = mail_for_review(root, month, return_state=True)
    if review.is_failed():
        logger = get_run_logger()
        logger.warning(f"送审邮件未能全部发出（{review.message}）；审核人也可直接打开 {status.compile.path}。")


def _await_decision(ws: Workspace, month: str, since: str) -> Decision | None:
    """Pause until a decision on the current version is recorded; None when the file was approved before the
    run could pause. A decision on a version that is no longer on disk is refused: the new version goes to
    the reviewers and the run waits again, the whole wait bounded by [review] timeout_days.
    A review chain (issue 26): an approval at a step before 签发 mails the next step's reviewers and the run
    waits again; it returns the sign-off (签发's approval) or the first rejection."""
    root = str(ws.root)
    deadline = time.monotonic() + ws.settings.review.timeout_days * 86400
    while True:
        answer = _wait_for_approval(ws, month, max(1, int(deadline - time.monotonic())))
        if answer is None:
            return None
        decision = record_decision(root, month, answer, since)
        if decision is not None and (not decision.approved or read_status(root, month).approved):
            return decision
        if decision is not None:
            get_run_logger().info(f"{decision.step}已通过（{decision.reviewer}）：送“{decision.next_step}”审核，继续等待签发。")
        status = read_status(root, month)
        _mail_for_review(root, month, status)
        if decision is not None:
            publish_summary(root, month, [f"{decision.step}通过（{decision.reviewer}）", f"等待 {decision.next_step}"])


def _fetch_first(ws: Workspace) -> None:
    """With a [mailbox], the drafts waiting in the submission mailbox come in first (and get their receipts).
    A mailbox that cannot be reached does not stop the bulletin: it is compiled from what is in the folder."""
    if ws.settings.mailbox is None:
        return
    from flows.collect_drafts import fetch_mail  # the daily flow's task, run here as a step (no cycle: it
    # imports only flows.common)

    state = fetch_mail(str(ws.root), return_state=True)
    if state.is_failed():
        get_run_logger().warning(f"未能从投稿邮箱收稿（{state.message}）：本次按 inputs/ 中已有的稿件继续。")


def _recorded_state(ws: Workspace, month: str) -> tuple[str, str] | None:
    return flow_run_state(ws, month)


def _wait_for_approval(ws: Workspace, month: str, timeout: int) -> ReviewAnswer | None:
    """The reviewer's answer on the version on disk now; None when the current file got approved before
    the run could pause."""
    logger = get_run_logger()
    now = read_status(str(ws.root), month)
    if now.approved:
        return None
    days = ws.settings.review.timeout_days
    path = Path(now.compile.path)
    sha = now.file_sha256 or ""
    logger.info(
        f"等待审核（最长 {days:g} 天）：请审核 {path}（校验码 {sha[:12]}）。在 Prefect 界面打开本流程运行，点“Resume”，"
        f"填写审核结果；或在工作目录执行 bulletin approve --month {month} --by 姓名 --sha256 {sha[:12]}"
        f"（退回：bulletin reject --month {month} --by 姓名 --comment 原因 --sha256 {sha[:12]}）。"
    )
    form = ReviewAnswer.with_initial_data(
        description=(
            f"**{month} 工作简报 第{now.compile.number}期，{now.version_text()}**：`{path}`"
            f"（校验码 `{sha[:12]}`）。\n\n"
            "审核的是校验码所对应的这个版本：如需修改，请先在 Word 中修改并保存，再重新打开本页面审核；"
            "打开页面后文件若又被修改，审核结果不会记录，新版本会重新送审。"
            "“审核结果”选“通过”并填写审核人即发送；选“退回”须填写审核意见，不发送。"
        ),
        sha256=sha,
        step=now.chain.open.step.name if now.multi_step and now.chain.open else "",
    )
    try:
        return pause_flow_run(wait_for_input=form, timeout=timeout, poll_interval=common.PAUSE_POLL_SECONDS)
    except FlowPauseTimeout:
        logger.error(
            f"{days:g} 天内没有审核结果，本次运行结束。审核后可执行 bulletin send --month {month} 发送，"
            "或重新运行本流程。"
        )
        raise


def _deliver(root: str, month: str, outcome: list[str]) -> str:
    report = deliver(root, month)
    done = (
        f"分发：本次发送 {len(report.sent)} 位，此前已发送 {len(report.already)} 位（未重复发送），"
        f"失败 {len(report.failed)} 位，未发送 {len(report.not_attempted)} 位"
    )
    publish_summary(root, month, outcome + [done])
    if publish_stats(root, month, return_state=True).is_failed():
        get_run_logger().warning("报送统计未能生成（详见日志），不影响简报发送；可稍后执行 bulletin stats。")
    if not report.complete:
        raise BulletinError(
            f"{month} 简报有 {len(report.failed) + len(report.not_attempted)} 位收件人未发出（原因见日志）："
            f"修正后执行 bulletin send --month {month} 或重新运行本流程，已发出的不会重复。"
        )
    return f"{month} 简报：{done}。"
