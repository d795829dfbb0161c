"""Mailing the approved issue to its lists (`bulletin send`, the monthly flow, the workbench): exactly the
approved bytes, each recipient once (delivery/delivery.py keeps the state machine)."""

from __future__ import annotations

from ..core.month import Month
from ..core.workspace import Workspace
from ..delivery.delivery import DeliveryReport, send_bulletin
from ..delivery.transports import MailError, Transport


def send(ws: Workspace, month: Month, *, dry_run: bool = False, transport: Transport | None = None) -> DeliveryReport:
    return send_bulletin(ws, month, dry_run=dry_run, transport=transport)


__all__ = ["DeliveryReport", "MailError", "send"]
