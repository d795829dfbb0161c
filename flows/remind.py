"""The month's call and reminders (约稿、催报) as a daily Prefect flow: `bulletin remind` at [calendar] remind_time
(09:00 Beijing time by default), deployed by `bulletin deploy` when bulletin.toml has [calendar].

Wiring only (bulletin/office/remind.py decides what a day needs). Safe to run as often as one likes: every
unit's call and each reminder stage are in the ledger, so a rerun mails no one twice; a day without a call or a
reminder only records which files the month folder holds (their received time, for 迟报).
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from bulletin.core.month import Month
from bulletin.office.remind import RemindResult, remind
from flows.common import MAIL_TASK, library_logs, office_short_name, workspace_param


@task(name="remind 约稿催报", **MAIL_TASK)
def remind_today(root: str, month: str | None, today: str | None) -> RemindResult:
    ws = workspace_param(root)
    result = remind(ws, Month.parse(month) if month else None, date.fromisoformat(today) if today else None)
    logger = get_run_logger()
    for line in result.lines():
        logger.info(line)
    return result


def _run_name() -> str:
    """"<office short name>-催报-2026-10-22" (Beijing date)."""
    from datetime import datetime

    from prefect.runtime import flow_run

    from bulletin.core.workspace import OFFICE_TZ

    return f"{office_short_name(flow_run.parameters.get('workspace', '.'))}-催报-{datetime.now(OFFICE_TZ):%Y-%m-%d}"


@flow(name="remind", flow_run_name=_run_name, persist_result=False,
      description="约稿催报：约稿日发约稿通知，催报日提醒尚未报送（或约稿未交）的单位；已发过的不再重复。")
def remind_flow(workspace: str = ".", month: str | None = None, today: str | None = None) -> str:
    """`today` (YYYY-MM-DD): act as that day's scheduled run (catching up a missed day)."""
    ws = workspace_param(workspace)
    with library_logs():
        result = remind_today(str(ws.root), month, today)
    create_markdown_artifact("\n".join(f"- {line.strip()}" for line in result.lines()),
                             key=f"remind-{result.month}", description=f"{result.month} 约稿催报")
    return result.summary()
