"""The review chain (issue 26) in the monthly flow on Prefect's engine with a real SMTP server: the run waits for
初审, mails 签发 and waits again; a 签发 rejection ends the run unsent; after an edit a second run goes through
初审 and 签发 (one from the UI's form, one from `bulletin approve`) and only then mails the lists, once each."""

from __future__ import annotations

import time

import pytest
from flow_kit import MONTH, RECIPIENT_EMAILS, FlowThread, flow_run, make_office, resume_from_ui, shown_sha, wait_paused
from typer.testing import CliRunner

from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.prefect, pytest.mark.slow, pytest.mark.smtp]

LI, WANG = "li@zgq.example.cn", "wang@zgq.example.cn"
CHAIN = f"""
[[review.step]]
name = "初审"
reviewers = [{{name = "李科长", email = "{LI}"}}]

[[review.step]]
name = "签发"
reviewers = [{{name = "王主任", email = "{WANG}"}}]
"""


@pytest.fixture(autouse=True)
def fast_pause(monkeypatch):
    import flows.common as common

    monkeypatch.setattr(common, "PAUSE_POLL_SECONDS", 0.5)


def chained_office(root, server) -> Workspace:
    ws = make_office(root, server)
    toml = ws.root / "bulletin.toml"
    text = toml.read_text(encoding="utf-8")
    head, _, _ = text.partition("[review]")  # the kit's one-step reviewers list gives way to the chain
    toml.write_text(head + "[review]\n" + CHAIN, encoding="utf-8")
    return Workspace.at(ws.root)


def wait_for_mail(server, address: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while server.handler.copies().get(address, 0) < count:
        assert time.monotonic() < deadline, f"{address} did not get message {count}: {server.handler.copies()}"
        time.sleep(0.2)


def wait_paused_again(ws, runner, server, address: str, count: int) -> str:
    """After an approval at 初审 the run mails 签发 and pauses once more."""
    wait_for_mail(server, address, count)
    deadline = time.monotonic() + 60
    while True:
        run_id = wait_paused(ws, runner)
        if flow_run(run_id).state.is_paused():
            return run_id
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_flow_waits_for_each_step_and_sends_only_after_signing(tmp_path, smtp_server):
    from bulletin.cli import app

    server = smtp_server()
    ws = chained_office(tmp_path / "office", server)

    runner = FlowThread(ws)
    run_id = wait_paused(ws, runner)
    assert server.handler.copies() == {LI: 1}  # 初审 only
    resume_from_ui(run_id, decision="通过", reviewer="李科长", sha256=shown_sha(ws), step="初审")
    assert wait_paused_again(ws, runner, server, WANG, 1) == run_id
    assert server.handler.copies() == {LI: 1, WANG: 1}
    resume_from_ui(run_id, decision="退回", reviewer="王主任", comment="第二篇数据需核实", sha256=shown_sha(ws),
                   step="签发")
    result = runner.join()
    assert "退回" in result and "第二篇数据需核实" in result
    assert server.handler.copies() == {LI: 1, WANG: 1}  # the lists have nothing

    # The file is edited by hand; a new run reviews it as it is, through both steps again.
    from docx import Document

    with Ledger(ws.ledger_path) as ledger:
        path = ledger.last_compile(MONTH).path
    doc = Document(path)
    doc.add_paragraph("按签发意见核实了第二篇的数据。")
    doc.save(path)
    second = FlowThread(ws)
    wait_for_mail(server, LI, 2)
    second_id = wait_paused(ws, second)
    assert second_id != run_id
    first = CliRunner().invoke(app, ["approve", "--by", "李科长", "-w", str(ws.root), "-m", MONTH])
    assert first.exit_code == 0 and "已继续等待审核的流程运行" in first.output, first.output
    wait_paused_again(ws, second, server, WANG, 2)
    assert not set(server.handler.copies()) & set(RECIPIENT_EMAILS)
    resume_from_ui(second_id, decision="通过", reviewer="王主任", comment="同意印发", sha256=shown_sha(ws), step="签发")
    second.join()
    copies = server.handler.copies()
    assert {a: copies.get(a) for a in RECIPIENT_EMAILS} == dict.fromkeys(RECIPIENT_EMAILS, 1)
    assert copies[LI] == 2 and copies[WANG] == 2
    with Ledger(ws.ledger_path) as ledger:
        steps = [(d.step, d.reviewer, d.approved) for d in ledger.decisions(MONTH)]
    assert steps == [("初审", "李科长", True), ("签发", "王主任", False), ("初审", "李科长", True), ("签发", "王主任", True)]
