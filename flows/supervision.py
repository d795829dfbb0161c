"""The supervision round (督查专报) as a Prefect flow, the monthly flow's sibling. Wiring only.

Two dates, one flow: `stage="split"` writes each unit's sheet and mails it (once per unit); `stage="report"`
merges the returned sheets, writes the 专报, mails it to the reviewers, pauses for the office's decision (the
UI's "Resume", or `bulletin approve --series 督查专报`), records it and sends the 专报 to the series' lists.
Everything is in the series' ledger, so every step is safe to repeat: an approved 专报 is not rewritten and a
rerun goes straight to the (idempotent) send. Deployed from prefect.yaml without a schedule: rounds are
often quarterly, so the office starts them from the UI ("Quick run" with the parameters) or adds a schedule.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run

from bulletin.core.errors import BulletinError
from bulletin.core.ledger import now as ledger_now
from bulletin.core.month import Month
from bulletin.office import tasks
from bulletin.office.decide import current_version, decide, is_approved
from bulletin.office.review import review as send_for_review
from bulletin.office.send import send as send_issue
from bulletin.office.status import record_flow_run
from bulletin.office.tasks import DEFAULT_SERIES, Round
from flows import common
from flows.common import TASK, ReviewAnswer, office_short_name, workspace_param

WAITING, FINISHED = "waiting_for_approval", "finished"


def _round(workspace: str, month: str, series: str) -> Round:
    return tasks.round_of(workspace_param(workspace), Month.parse(month), series)


@task(name="split 拆分任务表并发给各单位", **TASK)
def split_and_mail(workspace: str, month: str, series: str, due: str | None, mail: bool) -> list[str]:
    rnd = _round(workspace, month, series)
    report = tasks.split(rnd, date.fromisoformat(due) if due else None)
    lines = report.lines()
    if mail:
        lines += tasks.mail(rnd, report).lines()
    for line in lines:
        get_run_logger().info(line)
    return lines


@task(name="merge 汇总各单位反馈", **TASK)
def merge(workspace: str, month: str, series: str) -> list[str]:
    lines = tasks.merge(_round(workspace, month, series)).lines()
    for line in lines:
        get_run_logger().info(line)
    return lines


@task(name="report 生成督查专报", **TASK)
def report(workspace: str, month: str, series: str, report_date: str | None) -> str:
    rnd = _round(workspace, month, series)
    result = tasks.report(rnd, date.fromisoformat(report_date) if report_date else None)
    get_run_logger().info(result.summary())
    return str(result.path)


@task(name="mail-review 送审", **TASK)
def mail_for_review(workspace: str, month: str, series: str) -> None:
    rnd = _round(workspace, month, series)
    for line in send_for_review(rnd.ws, rnd.month).lines():
        get_run_logger().info(line)


@task(name="record-decision 记录审核结果", **TASK)
def record_decision(workspace: str, month: str, series: str, answer: ReviewAnswer, since: str) -> bool:
    rnd = _round(workspace, month, series)
    decided = decide(rnd.ws, rnd.month, approved=answer.approved, by=answer.reviewer, comment=answer.comment,
                     seen_sha256=answer.sha256, since=since)
    for line in decided.lines():
        get_run_logger().info(line)
    return decided.decision.approved


@task(name="deliver 分发督查专报", **TASK)
def deliver(workspace: str, month: str, series: str) -> str:
    rnd = _round(workspace, month, series)
    result = send_issue(rnd.ws, rnd.month)
    for line in result.lines():
        get_run_logger().info(line)
    if not result.complete:
        raise BulletinError(f"{month} 的专报有收件人未发出（见日志）：修正后重新运行或执行 {rnd.ws.command('send', rnd.month)}。")
    return f"分发：本次发送 {len(result.sent)} 位，此前已发送 {len(result.already)} 位"


def _record_run(rnd: Round, run_id: str, state: str) -> None:
    record_flow_run(rnd.ws, rnd.month, run_id, state)


def _run_name() -> str:
    """"<office short name>-督查-2026-09-report": whose round, on a server shared by several offices."""
    from prefect.runtime import flow_run

    p = flow_run.parameters
    return f"{office_short_name(p.get('workspace', '.'))}-督查-{p.get('month')}-{p.get('stage', 'report')}"


@flow(name="supervision", flow_run_name=_run_name, log_prints=False)
def supervision(month: str, stage: str = "report", workspace: str = ".", series: str = DEFAULT_SERIES,
                due: str | None = None, mail: bool = True, report_date: str | None = None,
                timeout_days: float | None = None) -> str:
    """stage="split": 拆分并发送任务表；stage="report": 汇总、生成专报、送审、等待审核、分发。"""
    from prefect.runtime import flow_run

    rnd = _round(workspace, month, series)
    if stage == "split":
        return "\n".join(split_and_mail(workspace, rnd.month, series, due, mail))
    if stage != "report":
        raise BulletinError(f"stage 只能是 split（拆分并发送任务表）或 report（汇总并生成专报），不是“{stage}”。")
    if is_approved(rnd.ws, rnd.month):  # approved and unchanged: only the idempotent send is left
        return deliver(workspace, rnd.month, series)
    merge(workspace, rnd.month, series)
    report(workspace, rnd.month, series, report_date)
    mail_for_review(workspace, rnd.month, series)
    run_id = str(flow_run.id)
    since = ledger_now()
    _record_run(rnd, run_id, WAITING)
    sha = current_version(rnd.ws, rnd.month)[1]
    form = ReviewAnswer.with_initial_data(description=(
        f"**{rnd.id} {rnd.ws.settings.bulletin.short_title}**（校验码 `{sha[:12]}`）：勾选“审核通过”并填写审核人即发送；"
        f"也可在工作目录执行 {rnd.ws.command('approve', rnd.month, '--by 姓名', f'--sha256 {sha[:12]}')}。"),
                                          sha256=sha)
    days = timeout_days or rnd.ws.settings.review.timeout_days
    try:
        answer = pause_flow_run(wait_for_input=form, timeout=int(days * 86400), poll_interval=common.PAUSE_POLL_SECONDS)
    except FlowPauseTimeout:
        _record_run(rnd, run_id, "timed_out")
        raise
    approved = record_decision(workspace, rnd.month, series, answer, since)
    _record_run(rnd, run_id, FINISHED)
    if not approved:
        return f"{rnd.id}：专报未通过审核，未发送。"
    return deliver(workspace, rnd.month, series)
