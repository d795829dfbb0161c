"""Sending a month's issue to its reviewers (`bulletin review`, the monthly flow, the workbench): the current
file, once per version; with the review desk ([web]) each reviewer's mail opens with a personal signed link."""

from __future__ import annotations

from ..core.month import Month
from ..core.workspace import Workspace
from ..delivery.delivery import DeliveryReport, send_for_review
from ..delivery.transports import Transport
from .links import review_link_text


def review(ws: Workspace, month: Month, transport: Transport | None = None) -> DeliveryReport:
    def link_for(sha256: str, reviewer: str, step: str = "") -> str:
        return review_link_text(ws, month, sha256, reviewer, step)

    return send_for_review(ws, month, transport, link_for=link_for)


__all__ = ["review"]
