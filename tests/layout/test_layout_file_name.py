"""Issue 23 item 19 (file name): the 政务信息 layout names its bulletin 政务信息第N期.docx, not 工作简报第N期.docx.

Everything after the compile (status, the review desk, approval, send) finds the month's file by the path the
ledger recorded, so they follow the new name without knowing it; a recompile in another layout removes the file
of the old name (one bulletin per month folder).
"""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest
from mail_workspace import write_recipients
from workspace_kit import SETTINGS, make_workspace

from bulletin.office.decide import decide
from bulletin.office.send import send
from bulletin.office.status import status

pytestmark = [pytest.mark.slow]

ZHENGWU = SETTINGS.replace("章贡区“五型”政府建设 工作简报", "章贡区 政务信息") + '\n[layout]\nname = "政务信息"\ntoc = "bullets"\nbyline = "trailer"\nunit_in_toc = false\n'


class RecordingTransport:
    """A transport that keeps what would be mailed (the delivery code is the product's own)."""

    kind = "smtp"
    personal = False
    batch_size = 50
    where = "test"

    def __init__(self):
        self.messages: list[tuple[bytes, list[str]]] = []

    def open(self) -> None:
        pass

    def send(self, message: bytes, recipients: list[str]) -> dict[str, str]:
        self.messages.append((message, recipients))
        return {}

    def close(self) -> None:
        pass


def test_zhengwu_names_its_file_and_status_approval_and_send_follow(tmp_path):
    office = make_workspace(tmp_path / "ws", settings=ZHENGWU)
    office.draft("a.docx", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=["正文。"])
    write_recipients(office.root / "inputs" / "recipients.csv", [("发", "区财政局", "czj@zgq.example.cn")])

    result = office.compile()

    assert result.path.name == "政务信息第64期.docx"
    assert sorted(p.name for p in result.path.parent.glob("*.docx")) == ["政务信息第64期.docx"]
    assert "简报：政务信息第64期.docx（第64期）" in result.report_path.read_text(encoding="utf-8")
    ws = office.ws
    assert status(ws, office.month).compile.path.endswith("outputs/2026-10/政务信息第64期.docx")

    decided = decide(ws, office.month, approved=True, by="张主任", seen_sha256=result.sha256)
    assert "政务信息第64期.docx" in decided.decision.summary()

    transport = RecordingTransport()
    report = send(ws, office.month, transport=transport)
    assert report.file == result.path
    (message, recipients), = transport.messages
    assert recipients == ["czj@zgq.example.cn"]
    attachments = [part.get_filename() for part in message_from_bytes(message, policy=default).iter_attachments()]
    assert attachments == ["政务信息第64期.docx"]


def test_a_recompile_in_another_layout_leaves_one_bulletin(tmp_path):
    office = make_workspace(tmp_path / "ws")
    office.draft("a.docx", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=["正文。"])
    assert office.compile().path.name == "工作简报第64期.docx"

    (office.root / "bulletin.toml").write_text(ZHENGWU, encoding="utf-8")
    again = office.compile()

    assert sorted(p.name for p in again.path.parent.glob("*.docx")) == ["政务信息第64期.docx"]
