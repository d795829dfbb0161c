"""Mailing the approved issue to its lists (`bulletin send`, the monthly flow, the workbench): exactly the
approved bytes, each recipient once (delivery/delivery.py keeps the state machine)."""

from __future__ import annotations

from ..core.month import Month
from ..core.workspace import Workspace
from ..delivery.delivery import DeliveryReport, send_bulletin
from ..delivery.transports import MailError, Transport


def send(ws: Workspace, month: Month, *, dry_run: bool = False, transport: Transport | None = None,
         actor: str | None = None) -> DeliveryReport:
    """`actor`: who sent (the workbench's account): recorded in the audit table with the outcome."""
    report = send_bulletin(ws, month, dry_run=dry_run, transport=transport)
    if actor and not dry_run:
        _record(ws, month, actor, "发送简报", report)
    return report


def resend(ws: Workspace, month: Month, email: str, *, actor: str, transport: Transport | None = None) -> DeliveryReport:
    """补发 (issue 24): the approved issue to one address of the lists, through the same state machine (one who has
    it is not mailed again; a failed one is retried alone), recorded in the audit table."""
    report = send_bulletin(ws, month, transport=transport, only=email)
    _record(ws, month, actor, "补发", report, email)
    return report


def _record(ws: Workspace, month: Month, actor: str, action: str, report: DeliveryReport, to: str = "") -> None:
    from .accounts import record, role_of

    details = f"本次发送 {len(report.sent)} 位，此前已发送 {len(report.already)} 位，失败 {len(report.failed)} 位"
    details += "".join(f"；✗ {r.email}：{reason}" for r, reason in report.failed)
    key = f"{ws.series}/{month}" if ws.series else month  # a series' rows are its round's (web/rounds.py)
    record(ws, actor, role_of(ws, actor), action, key, (f"{to}：" if to else "") + details)


__all__ = ["DeliveryReport", "MailError", "resend", "send"]
