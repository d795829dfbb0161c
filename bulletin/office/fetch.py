"""Fetching the submission mailbox (`bulletin fetch`, the daily flow, the monthly flow's first step): new
messages -> drafts in inputs/<month>/ (intake/collect.py), then a receipt for each submission that is due
(delivery/receipts.py), under the mailbox lock."""

from __future__ import annotations

from ..core.month import Month
from ..core.workspace import Workspace
from ..delivery.receipts import send_receipts
from ..intake.collect import FetchReport, fetch as collect
from ..intake.mailrecords import mailbox_rows


def fetch(ws: Workspace, month: Month | None = None, *, on_wait=None) -> FetchReport:
    """Collect the new mail and answer it; see intake/collect.py. `month`: put everything into that month."""
    settings = ws.settings

    def answer(mail) -> dict:
        user = settings.mailbox.user
        return send_receipts(settings, mail, ws.state_dir / "receipts-outbox", reply_to=user if "@" in user else None)

    return collect(ws, month, on_wait=on_wait, answer=answer)


__all__ = ["FetchReport", "fetch", "mailbox_rows"]
