"""Issue 23 item 9: recompiling while a review is out.

The reviewers have the file that was mailed to them; a recompile writes another version, and their approval of
the one they read is then refused (it names a file that is no longer the month's). Rule (office/compile.py):
compile refuses, naming when the review went out and to whom, unless --force; after a rejection, or once the
reviewers decided, compile goes ahead as before.
"""

from __future__ import annotations

import hashlib

import pytest
from workspace_kit import SETTINGS, make_workspace

from bulletin.delivery.delivery import send_for_review
from bulletin.office.compile import ReviewOut
from bulletin.office.decide import decide

REVIEWED = SETTINGS + '\n[review]\nreviewers = ["zhang@zgq.example.cn", "li@zgq.example.cn"]\n'


class RecordingTransport:
    kind = "smtp"
    personal = False
    batch_size = 50
    where = "test"

    def __init__(self):
        self.messages = []

    def open(self) -> None:
        pass

    def send(self, message: bytes, recipients: list[str]) -> dict[str, str]:
        self.messages.append((message, recipients))
        return {}

    def close(self) -> None:
        pass


@pytest.fixture
def in_review(tmp_path):
    office = make_workspace(tmp_path / "ws", settings=REVIEWED)
    office.draft("a.docx", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=["正文。"])
    first = office.compile()
    send_for_review(office.ws, office.month, transport=RecordingTransport())
    return office, first


def test_compile_refuses_while_the_review_is_out(in_review):
    office, first = in_review
    office.draft("b.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局", paragraphs=["正文。"])

    with pytest.raises(ReviewOut) as raised:
        office.compile()

    message = str(raised.value)
    assert message.startswith("2026-10 的简报（工作简报第64期.docx）已于 ")
    assert "送审给 li@zgq.example.cn、zhang@zgq.example.cn，尚未审核" in message
    assert "bulletin compile --month 2026-10 --force" in message
    assert hashlib.sha256(first.path.read_bytes()).hexdigest() == first.sha256  # the version under review stays


def test_force_recompiles_and_a_decision_frees_the_month(in_review):
    office, first = in_review
    office.draft("b.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局", paragraphs=["正文。"])
    forced = office.compile(force=True)
    assert [d.name for d in forced.intake.accepted] == ["a.docx", "b.docx"]

    send_for_review(office.ws, office.month, transport=RecordingTransport())
    decide(office.ws, office.month, approved=False, by="张主任", comment="请补充数据", seen_sha256=forced.sha256)
    again = office.compile()  # rejected: the office recompiles without --force
    assert again.path.name == "工作简报第64期.docx"
