"""The outbox keeps every message (issue 23 item 5): without [smtp], each message is its own .eml named by its
purpose and its id, never one file per address. Before, 区财政局's address got the task sheet (tasks split --mail)
and then the 督查专报 (send --series) under the same name czj@qyp.gov.cn.eml: the sheet's mail was overwritten while
the ledger recorded both as sent."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from typer.testing import CliRunner

import supervision_seed
from supervision_kit import ROUND_MONTH, make_round_workspace

from bulletin.cli import app
from bulletin.delivery.transports import OutboxTransport

cli = CliRunner()


def _ok(*args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code in (0, 2), result.output  # 2: some unit has no address (reported, not an error here)
    return result.output


def test_task_sheet_and_report_to_one_address_both_survive(tmp_path):
    kit = make_round_workspace(tmp_path / "ws")
    recipients = kit.root / "inputs" / "recipients.csv"  # 区财政局 is on the 专报's list (督查), and gets its sheet
    recipients.write_text(recipients.read_text(encoding="utf-8").replace("部门,区财政局", "督查,区财政局"), encoding="utf-8")
    w = ("-w", str(kit.root))
    _ok("tasks", "split", *w, "-m", ROUND_MONTH, "--mail")
    seed = {t.number: (t.status, t.answer) for t in supervision_seed.seed_tasks()}
    outputs = kit.root / "outputs" / "督查专报" / ROUND_MONTH
    for path in sorted((outputs / "分发").glob("*.xlsx")):
        supervision_seed.fill_sheet(path, kit.root / "inputs" / "督查" / ROUND_MONTH / "反馈" / path.name, seed)
    _ok("tasks", "merge", *w, "-m", ROUND_MONTH)
    _ok("tasks", "report", *w, "-m", ROUND_MONTH, "--date", "2020-10-09")
    _ok("approve", *w, "--series", "督查专报", "-m", ROUND_MONTH, "--by", "王主任")
    _ok("send", *w, "--series", "督查专报", "-m", ROUND_MONTH)

    files = sorted((outputs / "outbox").glob("*.eml"))
    messages = {f.name: BytesParser(policy=policy.default).parse(f.open("rb")) for f in files}
    to_czj = sorted(m["Subject"] for m in messages.values() if m["To"].addresses[0].addr_spec == "czj@qyp.gov.cn")
    assert to_czj == ["【督查专报】区财政局重点任务落实情况反馈表（2020-09）", "督查专报 第1期（2020年10月9日）"]
    # by hand: task sheets to the two units with an address (区财政局 czj, 区住建局 zjj: rows named after the unit in
    # recipients.csv); the 专报 to its lists 报 and 督查 (quzhang, fuquzhang, ducha, czj): six messages, six files
    to = sorted((m["Subject"][:6], m["To"].addresses[0].addr_spec) for m in messages.values())
    assert to == [("【督查专报】", "czj@qyp.gov.cn"), ("【督查专报】", "zjj@qyp.gov.cn"),
                  ("督查专报 第", "czj@qyp.gov.cn"), ("督查专报 第", "ducha@qyp.gov.cn"),
                  ("督查专报 第", "fuquzhang@qyp.gov.cn"), ("督查专报 第", "quzhang@qyp.gov.cn")]

def test_outbox_file_names_are_by_purpose_and_message_id(tmp_path):
    """A retried run (same purpose and id) rewrites its own file; another purpose to the same address is another
    file."""
    box = OutboxTransport(tmp_path / "outbox")
    box.open()

    def message(msgid: str) -> bytes:
        return f"Message-ID: {msgid}\r\nTo: a@b.cn\r\nSubject: x\r\n\r\nbody\r\n".encode()

    sheet = "<bulletin.2020-09.tasks-----outbox.0123456789abcdef01234567@qyp.gov.cn>"
    report = "<bulletin.2020-09.bulletin-outbox.89abcdef0123456701234567@qyp.gov.cn>"
    box.send(message(sheet), ["a@b.cn"])
    box.send(message(report), ["a@b.cn"])
    box.send(message(report), ["a@b.cn"])
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [
        "bulletin-89abcdef0123-a@b.cn.eml", "tasks-0123456789ab-a@b.cn.eml"]
