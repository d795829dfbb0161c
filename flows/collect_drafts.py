"""Collect drafts from the submission mailbox (投稿邮箱): `bulletin fetch` as a Prefect flow, deployed to run every
day at 18:00 Beijing time (prefect.yaml, deployment `collect-drafts`) so departments get their receipts the
same day. Publishes a table artifact `mailbox-YYYY-MM` per month that received mail: time, sender, unit,
subject, file, outcome.

Safe to run as often as one likes: the ledger remembers every message (UIDVALIDITY + UID, Message-ID), so a
rerun saves nothing twice and sends no second receipt; receipts that failed are retried.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact

from bulletin.core.month import Month
from bulletin.core.workspace import OFFICE_TZ, Workspace
from bulletin.office.fetch import FetchReport, fetch, mailbox_rows
from flows.common import TASK, office_short_name, workspace_param


@task(name="fetch 从投稿邮箱收稿", **TASK)
def fetch_mail(root: str, month: str | None = None) -> FetchReport:
    logger = get_run_logger()
    report = fetch(Workspace.at(root), Month(month) if month else None, on_wait=lambda: logger.info("另一个收稿任务正在进行，等待其完成……"))
    for line in report.lines:
        logger.info(line)
    logger.info(report.summary())
    for error in report.receipts.get("errors", []):
        logger.warning("回执未发出：%s", error)
    return report


@task(name="publish-mailbox 发布投稿邮箱表", **TASK)
def publish_mailbox(root: str, month: str) -> None:
    """Table artifact `mailbox-YYYY-MM`: every message of the month and what happened to each file."""
    rows = [
        {"时间": r["time"], "发件人": r["sender"], "单位": r["unit"], "主题": r["subject"], "文件": r["file"],
         "处理结果": r["outcome"], "回执": r["receipt"]}
        for r in mailbox_rows(Workspace.at(root), month)
    ]
    create_table_artifact(rows, key=f"mailbox-{month}", description=f"{month} 投稿邮箱收稿情况")


def _run_name() -> str:
    """"<office short name>-收稿-2026-11-24" (Beijing date): several offices' fetches told apart in the UI."""
    from datetime import datetime

    from prefect.runtime import flow_run

    return f"{office_short_name(flow_run.parameters.get('workspace', '.'))}-收稿-{datetime.now(OFFICE_TZ):%Y-%m-%d}"


@flow(name="collect-drafts", flow_run_name=_run_name, description="从投稿邮箱收稿：保存稿件附件，给每封来信发回执。",
      persist_result=False)
def collect_drafts(workspace: str = ".", month: str | None = None) -> str:
    """Fetch the mailbox; `month` puts everything fetched into that month (default: by arrival time)."""
    ws = workspace_param(workspace)
    report = fetch_mail(str(ws.root), Month.parse(month) if month else None)
    for touched in sorted(report.touched | ({month} if month else set())):
        publish_mailbox(str(ws.root), touched)
    return report.summary()
