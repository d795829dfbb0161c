"""`bulletin deploy`: register (or update) a workspace's deployments on the Prefect server at PREFECT_API_URL.

One deployment per office and flow (the monthly bulletin; the daily mailbox collection with [mailbox]; the
daily call and reminders `remind` with [calendar]; the supervision round with a series), named after the
office's short name ("monthly-bulletin/章贡区"), with the workspace's schedule ([schedule] cron, Asia/Shanghai by default), its workspace as parameter and a tag
`office:<short name>` that every run of it carries, so one server's UI can filter by office. The code is the
checkout this file belongs to: workers run it from there (a set_working_directory pull step), as the
single-office prefect.yaml does. The workspace is checked first, with compile's and send's Chinese messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bulletin.core.errors import BulletinError
from bulletin.core.workspace import Workspace
from bulletin.office.setup import check_ready

CHECKOUT = Path(__file__).resolve().parents[1]
MONTHLY = ("monthly-bulletin", "flows/monthly_bulletin.py:monthly_bulletin")
COLLECT = ("collect-drafts", "flows/collect_drafts.py:collect_drafts")
SUPERVISION = ("supervision", "flows/supervision.py:supervision")
REMIND = ("remind", "flows/remind.py:remind_flow")
COLLECT_CRON = "0 18 * * *"  # 18:00 every day: receipts the same day
JOB_ENV = {"PREFECT_LOGGING_EXTRA_LOGGERS": "bulletin", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


@dataclass(frozen=True)
class Deployed:
    flow: str
    name: str
    id: str
    cron: str
    timezone: str

    @property
    def full_name(self) -> str:
        return f"{self.flow}/{self.name}"


def check_workspace(ws: Workspace) -> list[str]:
    """What compile and send would refuse, refused now (office/setup.py check_ready); the remarks that do not
    stop a run are returned."""
    return check_ready(ws)


def deploy_workspace(root: Path, *, name: str | None = None, pool: str = "bulletin",
                     queue: str | None = None) -> list[Deployed]:
    from prefect import flow
    from prefect.schedules import Cron

    ws = Workspace.at(root)
    check_workspace(ws)
    settings = ws.settings
    short = settings.bulletin.office_short_name
    name = name or short
    tags = [f"office:{short}", "bulletin"]
    plans = [(MONTHLY, settings.schedule.cron)]
    if settings.mailbox is not None:
        plans.append((COLLECT, COLLECT_CRON))
    if settings.calendar is not None:  # 约稿/催报: every day at [calendar] remind_time (09:00 by default)
        hour, minute = settings.calendar.remind_clock
        plans.append((REMIND, f"{minute} {hour} * * *"))
    if settings.series:  # a 督查专报 series: its round is started by hand (often quarterly), so no schedule
        plans.append((SUPERVISION, None))
    done = []
    for (flow_name, entrypoint), cron in plans:
        source = flow.from_source(source=str(CHECKOUT), entrypoint=entrypoint)
        deployment_id = source.deploy(
            name=name, work_pool_name=pool, work_queue_name=queue,
            parameters={"workspace": str(ws.root)},
            schedule=Cron(cron, timezone=settings.schedule.timezone) if cron else None,
            tags=tags, job_variables={"env": JOB_ENV}, print_next_steps=False,
            description=f"{settings.bulletin.short_title}（{ws.root}）",
        )
        done.append(Deployed(flow_name, name, str(deployment_id), cron or "", settings.schedule.timezone))
    return done


@dataclass(frozen=True)
class OfficeLine:
    office: str
    deployment: str
    workspace: str
    text: str


def offices_status() -> list[OfficeLine]:
    """For each deployment of the monthly flow on the server: its office and the month's state from the ledger
    of the workspace it names (compiled, waiting for review since, approved, delivery progress)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        deployments = client.read_deployments(flow_filter=FlowFilter(name=FlowFilterName(any_=[MONTHLY[0]])))
    lines = []
    for deployment in sorted(deployments, key=lambda d: d.name):
        office = next((t.removeprefix("office:") for t in deployment.tags if t.startswith("office:")), deployment.name)
        workspace = str((deployment.parameters or {}).get("workspace", ""))
        lines.append(OfficeLine(office, f"{MONTHLY[0]}/{deployment.name}", workspace, _month_line(workspace)))
    return lines


def _month_line(workspace: str) -> str:
    from bulletin.core.vocabulary import ReviewState
    from bulletin.office.status import status as month_status
    from bulletin.office.status import waiting_since

    try:
        ws = Workspace.at(workspace)
        month = ws.latest_month()
        status = month_status(ws, month)
    except BulletinError as exc:
        return f"无法读取：{exc}"
    if status.compile is None:
        return f"{month}：尚未编排"
    parts = [f"{month} 第{status.number}期"]
    sent = status.sent_current()
    if status.approved:
        parts.append(f"已审核通过（{status.decision.reviewer}）")
        parts.append(f"已发送 {sent}/{len(status.recipients)}")
    elif status.review_state is ReviewState.REJECTED:
        parts.append(f"已退回（{status.decision.reviewer}）")
    else:
        since = waiting_since(ws, month)
        if since:
            parts.append(f"等待审核（自 {since[:16].replace('T', ' ')} 起）")
        else:
            parts.append("等待审核" if status.in_review else "已编排，未送审")
    return "，".join(parts)
