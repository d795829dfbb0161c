"""Sending a month's issue to its reviewers (`bulletin review`, the monthly flow, the workbench): the current
file, once per version; with the review desk ([web]) each reviewer's mail opens with a personal signed link."""

from __future__ import annotations

from ..core.month import Month
from ..core.workspace import Workspace
from ..delivery.delivery import DeliveryReport, send_for_review
from ..delivery.transports import Transport
from .links import review_link_text


def review(ws: Workspace, month: Month, transport: Transport | None = None, *, actor: str | None = None) -> DeliveryReport:
    """`actor`: who sent it for review (the workbench's account): recorded in the audit table."""
    def link_for(sha256: str, reviewer: str, step: str = "") -> str:
        return review_link_text(ws, month, sha256, reviewer, step)

    report = send_for_review(ws, month, transport, link_for=link_for)
    if actor:
        from .accounts import record, role_of

        record(ws, actor, role_of(ws, actor), "送审", f"{ws.series}/{month}" if ws.series else month,
               f"本次发送 {len(report.sent)} 位，此前已发送 {len(report.already)} 位，失败 {len(report.failed)} 位："
               + "、".join(r.email for r in report.sent))
    return report


__all__ = ["review"]
