"""`bulletin tasks split --mail`: each unit gets its own sheet by mail, once, through the bulletin's send path.

Addresses: the unit's registered mailboxes in units.csv (column 邮箱), else the rows of recipients.csv whose
name is the unit. Each unit is its own delivery purpose (`tasks:<unit>`) in the series' ledger, so a rerun
sends only to units that do not have their sheet yet, and a sheet rewritten after mailing is not mailed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.atomic import sha256_bytes
from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..delivery.delivery import DeliveryReport, deliver, send_lock
from ..delivery.recipients import Recipient, read_recipients
from ..delivery.transports import Transport, transport_for
from .round import Round, SplitReport


def purpose(unit: str) -> str:
    return f"tasks:{unit}"


def unit_addresses(rnd: Round) -> dict[str, list[Recipient]]:
    """unit -> its recipients: the unit's mailboxes in units.csv (column 邮箱); for a unit without any there,
    the rows of recipients.csv whose 名称 is the unit (or one of its aliases)."""
    roster = rnd.roster()
    registered: dict[str, list[Recipient]] = {}
    for email, unit in roster.emails.items():
        registered.setdefault(unit, []).append(Recipient("任务分发", unit, email))
    listed: dict[str, list[Recipient]] = {}
    if rnd.ws.recipients_path.is_file():
        rows, _ = read_recipients(rnd.ws.recipients_path)
        for r in rows:
            unit = (roster.resolve(r.name) if roster else None) or r.name
            if unit and all(x.email != r.email for x in listed.get(unit, [])):
                listed.setdefault(unit, []).append(Recipient("任务分发", unit, r.email))
    return {**listed, **registered}


@dataclass
class SheetMailing:
    reports: dict[str, DeliveryReport] = field(default_factory=dict)
    no_address: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.no_address and all(r.complete for r in self.reports.values())

    def lines(self) -> list[str]:
        sent = [u for u, r in self.reports.items() if r.sent]
        already = [u for u, r in self.reports.items() if r.already and not r.sent and not r.failed]
        addresses = sum(len(r.sent) for r in self.reports.values())
        lines = [f"任务表邮件：本次发给 {len(sent)} 个单位（{addresses} 个邮箱），"
                 f"此前已发给 {len(already)} 个单位（未重复发送）。"]
        for unit, report in self.reports.items():
            lines += [f"  ✗ {unit} {r.email}：{why}" for r, why in report.failed]
        if self.no_address:
            lines.append("  以下单位没有邮箱（units.csv 的“邮箱”列或 recipients.csv 中名称为该单位的行），未发送："
                         + "、".join(self.no_address))
        return lines


def mail_sheets(rnd: Round, split: SplitReport, transport: Transport | None = None) -> SheetMailing:
    ws, month = rnd.ws, rnd.month
    settings = ws.settings
    addresses = unit_addresses(rnd)
    result = SheetMailing()
    transport = transport or transport_for(settings, rnd.outputs / "outbox")
    title = settings.bulletin.short_title
    with Ledger(ws.ledger_path) as ledger:
        try:
            with send_lock(ws, month):
                for unit, path in split.sheets.items():
                    recipients = addresses.get(unit) or []
                    if not recipients:
                        result.no_address.append(unit)
                        continue
                    data = Path(path).read_bytes()
                    kind = "outbox" if transport.kind == "outbox" else ""
                    report = DeliveryReport(
                        month=month, purpose=purpose(unit) + (f"@{kind}" if kind else ""), transport=transport.kind,
                        where=transport.where, subject=f"【{title}】{unit}重点任务落实情况反馈表（{month}）",
                        file=Path(path), sha256=sha256_bytes(data),
                    )
                    body = (
                        f"{unit}：\n\n附件“{Path(path).name}”是贵单位承担的重点任务。请在表中“状态”列下拉选择、"
                        "在“落实情况”列填写进展后，直接回复本邮件发回附件（文件名可改，其他单元格请勿改动）。\n\n"
                        f"{settings.bulletin.office}\n"
                    )
                    deliver(ledger, report, recipients, data, Path(path).name, body, settings, transport)
                    result.reports[unit] = report
        except BulletinError:
            raise
        except TimeoutError:  # pragma: no cover - filelock's Timeout derives from TimeoutError
            raise BulletinError(f"{rnd.id} 正在由另一个程序发送，请稍后再试。") from None
    return result
