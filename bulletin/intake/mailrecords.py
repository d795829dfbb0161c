"""What the submission mailbox brought, as the rest of the product needs it: the unit behind each saved draft
(for reading drafts), the month's messages as a table (for the flow's artifact), and what compile should say
about mailbox drafts (body drafts flagged, drafts waiting in 待核实/ listed). Read from the ledger only."""

from __future__ import annotations

from ..core.ledger import Ledger
from .mailledger import MailLedger
from ..core.workspace import Workspace
from .attachments import QUARANTINE
from .bodydraft import FLAG
from .roster import Roster

OUTCOME_TEXT = {"draft": "已收稿", "quarantine": "待核实", "refused": "未收取", "duplicate": "重复",
                "returned": "已收到督查反馈表"}


def sender_units(ws: Workspace, month: str, roster: Roster | None = None) -> dict[str, str]:
    """{file name in inputs/<month>/: unit registered for its sender's address}, for the drafts the mailbox saved
    (a file the office moved up from 待核实/ is known by its name)."""
    roster = roster if roster is not None else Roster.load(ws.roster_path)
    if not roster.emails or not ws.ledger_path.exists():
        return {}
    with Ledger(ws.ledger_path) as ledger:
        files = MailLedger(ledger).files(month)
    units: dict[str, str] = {}
    for f in sorted(files, key=lambda f: f.file.count("/")):  # files in the month folder win over 待核实/ ones
        unit = roster.unit_for_email(f.sender)
        name = f.file.rpartition("/")[2]
        if unit and name not in units:
            units[name] = unit
    return units


def mailbox_rows(ws: Workspace, month: str) -> list[dict]:
    """The month's mailbox as a table: time, sender, unit, subject, file, outcome (one row per file)."""
    with Ledger(ws.ledger_path) as ledger:
        messages = MailLedger(ledger).messages(month)
    rows = []
    for m in messages:
        common = {"time": m.received_at[:16].replace("T", " "), "sender": m.sender, "unit": m.unit,
                  "subject": m.subject}
        receipt = {"sent": "已发回执", "none": "", "pending": "回执待发", "sending": "回执待发",
                   "failed": f"回执未发出（{m.receipt_error}）"}.get(m.receipt, m.receipt)
        for item in m.items:
            outcome = OUTCOME_TEXT[item["outcome"]] + (f"：{item['reason']}" if item.get("reason") else "")
            rows.append({**common, "file": item.get("file") or item["name"], "outcome": outcome, "receipt": receipt})
        if not m.items:
            rows.append({**common, "file": "", "outcome": m.note or "没有可用的稿件", "receipt": receipt})
    return rows


def quarantined_files(ws: Workspace, month: str) -> list[tuple[str, str]]:
    """(file, sender) of drafts waiting in inputs/<month>/待核实/ for the office to confirm the sender."""
    if not ws.ledger_path.exists():
        return []
    with Ledger(ws.ledger_path) as ledger:
        files = MailLedger(ledger).files(month)
    folder = ws.month_inputs(month)
    return [(f.file, f.sender) for f in files if f.file.startswith(f"{QUARANTINE}/") and (folder / f.file).is_file()]


def body_drafts(ws: Workspace, month: str) -> set[str]:
    """Names of drafts the mailbox generated from a message's body (flagged 由邮件正文生成 at compile)."""
    if not ws.ledger_path.exists():
        return set()
    with Ledger(ws.ledger_path) as ledger:
        return {f.file.rpartition("/")[2] for f in MailLedger(ledger).files(month) if f.origin == "body"}



def annotate_intake(ws: Workspace, month: str, intake) -> None:
    """What compile should say about mailbox drafts: a draft generated from a message body is flagged (the office
    checks its title and text); drafts waiting in 待核实/ are listed in the report's notes."""
    generated = body_drafts(ws, month)
    for draft in intake.accepted:
        if draft.name in generated and not any(FLAG in w for w in draft.warnings):
            draft.warnings.append(f"{FLAG}：请核对标题和正文")
    for file, sender in quarantined_files(ws, month):
        intake.notes.append(
            f"{file}：发件人 {sender} 未在单位名册（inputs/units.csv 的“邮箱”列）中登记，未编入；"
            f"核实后请把文件移到 inputs/{month}/ 并重新编排。"
        )
