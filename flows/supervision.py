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
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run

from bulletin.core.errors import BulletinError, NotApproved
from bulletin.core.ledger import Ledger
from bulletin.core.ledger import now as ledger_now
from bulletin.delivery import approval
from bulletin.delivery.delivery import send_bulletin, send_for_review
from bulletin.supervision.mailing import mail_sheets
from bulletin.supervision.report import write_report
from bulletin.supervision.round import Round, merge_round, split_round
from bulletin.supervision.series import DEFAULT_SERIES
from flows.monthly_bulletin import PAUSE_POLL_SECONDS, ReviewAnswer, _workspace

_TASK = {"cache_policy": NO_CACHE, "persist_result": False}
WAITING, FINISHED = "waiting_for_approval", "finished"


def _round(workspace: str, month: str, series: str) -> Round:
    return Round.of(_workspace(workspace), month, series)


@task(name="split 拆分任务表并发给各单位", **_TASK)
def split_and_mail(workspace: str, month: str, series: str, due: str | None, mail: bool) -> list[str]:
    rnd = _round(workspace, month, series)
    report = split_round(rnd, date.fromisoformat(due) if due else None)
    lines = report.lines()
    if mail:
        lines += mail_sheets(rnd, report).lines()
    for line in lines:
        get_run_logger().info(line)
    return lines


@task(name="merge 汇总各单位反馈", **_TASK)
def merge(workspace: str, month: str, series: str) -> list[str]:
    lines = merge_round(_round(workspace, month, series)).lines()
    for line in lines:
        get_run_logger().info(line)
    return lines


@task(name="report 生成督查专报", **_TASK)
def report(workspace: str, month: str, series: str, report_date: str | None) -> str:
    rnd = _round(workspace, month, series)
    result = write_report(rnd, date.fromisoformat(report_date) if report_date else None)
    get_run_logger().info(result.summary())
    return str(result.path)


@task(name="mail-review 送审", **_TASK)
def mail_for_review(workspace: str, month: str, series: str) -> None:
    for line in send_for_review(_round(workspace, month, series).ws, month).lines():
        get_run_logger().info(line)


@task(name="record-decision 记录审核结果", **_TASK)
def record_decision(workspace: str, month: str, series: str, answer: ReviewAnswer, since: str) -> bool:
    decision, _ = approval.decide_once(_round(workspace, month, series).ws, month, answer.approved, answer.reviewer,
                                       answer.comment, answer.sha256, since=since)
    get_run_logger().info(decision.summary())
    return decision.approved


@task(name="deliver 分发督查专报", **_TASK)
def deliver(workspace: str, month: str, series: str) -> str:
    result = send_bulletin(_round(workspace, month, series).ws, month)
    for line in result.lines():
        get_run_logger().info(line)
    if not result.complete:
        raise BulletinError(f"{month} 的专报有收件人未发出（见日志）：修正后重新运行或执行 bulletin send --series {series}。")
    return f"分发：本次发送 {len(result.sent)} 位，此前已发送 {len(result.already)} 位"


def _approved(rnd: Round) -> bool:
    try:
        approval.approved_file(rnd.ws, rnd.month)
        return True
    except NotApproved:
        return False


def _record_run(rnd: Round, run_id: str, state: str) -> None:
    with Ledger(rnd.ws.ledger_path) as ledger:
        ledger.record_flow_run(rnd.month, run_id, state)


def _run_name() -> str:
    """"<office short name>-督查-2026-09-report": whose round, on a server shared by several offices."""
    from prefect.runtime import flow_run

    from flows.monthly_bulletin import office_short_name

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
    if _approved(rnd):  # approved and unchanged: only the idempotent send is left
        return deliver(workspace, rnd.month, series)
    merge(workspace, rnd.month, series)
    report(workspace, rnd.month, series, report_date)
    mail_for_review(workspace, rnd.month, series)
    run_id = str(flow_run.id)
    since = ledger_now()
    _record_run(rnd, run_id, WAITING)
    sha = approval.current_version(rnd.ws, rnd.month)[1]
    form = ReviewAnswer.with_initial_data(description=(
        f"**{rnd.id} {rnd.ws.settings.bulletin.short_title}**（校验码 `{sha[:12]}`）：勾选“审核通过”并填写审核人即发送；"
        f"也可在工作目录执行 bulletin approve --series {series} --month {rnd.month} --by 姓名 --sha256 {sha[:12]}。"),
                                          sha256=sha)
    days = timeout_days or rnd.ws.settings.review.timeout_days
    try:
        answer = pause_flow_run(wait_for_input=form, timeout=int(days * 86400), poll_interval=PAUSE_POLL_SECONDS)
    except FlowPauseTimeout:
        _record_run(rnd, run_id, "timed_out")
        raise
    approved = record_decision(workspace, rnd.month, series, answer, since)
    _record_run(rnd, run_id, FINISHED)
    if not approved:
        return f"{rnd.id}：专报未通过审核，未发送。"
    return deliver(workspace, rnd.month, series)
