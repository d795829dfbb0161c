"""The monthly flow on Prefect's own engine (prefect_test_harness) with a real SMTP server (aiosmtpd).

Each run goes in a thread and is resumed from the test's thread, through the two doors the office has: the
Prefect API (what the UI's "Resume" form sends) and `bulletin approve`/`reject`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from docx import Document
from flow_kit import (
    MONTH,
    PASSWORD,
    RECIPIENT_EMAILS,
    RECIPIENTS,
    REVIEWERS,
    USER,
    FlowThread,
    artifacts,
    attachment_bytes,
    flow_run,
    make_office,
    received,
    resume_from_ui,
    run_logs,
    shown_sha,
    wait_paused,
)
from mail_workspace import smtp_settings
from typer.testing import CliRunner

from bulletin.delivery.approval import approve
from bulletin.core.atomic import sha256_file
from bulletin.core.errors import BulletinError
from bulletin.core.ledger import Ledger
from bulletin.delivery.mail import MailError

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(autouse=True)
def fast_pause(monkeypatch):
    import flows.common as common

    monkeypatch.setattr(common, "PAUSE_POLL_SECONDS", 0.5)


def test_pause_publish_review_then_ui_approval_mails_the_edited_file(tmp_path, smtp_server, monkeypatch):
    server = smtp_server(users={USER: PASSWORD})
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", PASSWORD)
    ws = make_office(tmp_path / "office", server, user=USER, allow_plaintext_login=True)

    runner = FlowThread(ws)
    run_id = wait_paused(ws, runner)

    # Before any decision: the reviewers have the draft in their mailbox, nobody else has anything.
    ((rcpts, review),) = received(server)
    assert rcpts == sorted(REVIEWERS)
    assert review["Subject"].startswith("【送审】") and "第64期" in review["Subject"]
    with Ledger(ws.ledger_path) as ledger:
        compiled = ledger.last_compile(MONTH)
    assert compiled.number == 64 and attachment_bytes(review) == Path(compiled.path).read_bytes()

    # Artifacts: the intake table (one row per file, in order) and the summary with path and number.
    (table,) = artifacts(run_id, f"intake-{MONTH}")
    rows = json.loads(table.data)
    assert [r["文件"] for r in rows] == ["1-区发改委.docx", "2-区财政局.docx", "3-旧稿.doc"]
    assert [(r["单位"], r["标题"], r["状态"]) for r in rows[:2]] == [
        ("区发改委", "项目建设提速", "编入"), ("区财政局", "预算执行平稳", "编入")]
    assert rows[2]["状态"] == "未采用" and ".doc" in rows[2]["原因"]
    assert list(rows[0]) == ["文件", "栏目", "单位", "标题", "状态", "原因"]  # Chinese headers (issue 11)
    summary = artifacts(run_id, f"bulletin-{MONTH}")[0].data
    assert compiled.path in summary and "第64期" in summary and "等待审核" in summary
    assert f"[intake-{MONTH}](/artifacts/key/intake-{MONTH})" in summary  # the summary links the intake table

    # Someone edits the file in Word while the reviewer has the form open: the reviewer's approval names the
    # version shown, so it is refused (nothing recorded), the new version goes to the reviewers, the run waits.
    seen = shown_sha(ws)
    assert seen == compiled.sha256
    doc = Document(compiled.path)
    doc.add_paragraph("审核时补充：二季度数据以统计局公布为准。")
    doc.save(compiled.path)
    edited = sha256_file(compiled.path)
    assert edited != compiled.sha256
    resume_from_ui(run_id, decision="通过", reviewer="张主任", comment="同意印发", sha256=seen)
    deadline = time.monotonic() + 60
    while len(server.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    (_, _), (rcpts, second_review) = received(server)
    assert rcpts == sorted(REVIEWERS) and attachment_bytes(second_review) == Path(compiled.path).read_bytes()
    assert wait_paused(ws, runner) == run_id
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.latest_decision(MONTH) is None
    assert any("在您审核的版本" in m and "审核结果未记录" in m for m in run_logs(run_id, "审核结果未记录"))

    # The reviewer looks at the new version and approves it in the UI.
    resume_from_ui(run_id, decision="通过", reviewer="张主任", comment="同意印发", sha256=edited)
    result = runner.join()

    assert "本次发送 3 位" in result
    assert flow_run(run_id).state.is_completed()
    assert flow_run(run_id).name == "章贡区“五型”政府建设-2026-10"  # the office, then the month (issue 16)
    (_, _), (_, _), (rcpts, bulletin) = received(server)
    assert rcpts == RECIPIENT_EMAILS
    assert attachment_bytes(bulletin) == Path(compiled.path).read_bytes()  # the edited file, byte for byte
    with Ledger(ws.ledger_path) as ledger:
        decision = ledger.latest_decision(MONTH)
        assert ledger.flow_run(MONTH) == (run_id, "finished")
    assert (decision.approved, decision.reviewer, decision.comment, decision.sha256) == (
        True, "张主任", "同意印发", edited)
    summary = artifacts(run_id, f"bulletin-{MONTH}")[0].data
    assert "审核通过（张主任）" in summary and "本次发送 3 位" in summary
    (stats,) = artifacts(run_id, f"stats-{MONTH}")
    top = json.loads(stats.data)
    # 3 points for each printed item, 1 for each submitted, 1 more for the lead article (区发改委's).
    assert [(r["名次"], r["单位"], r["报送"], r["采用"], r["得分"]) for r in top[:2]] == [
        (1, "区发改委", 1, 1, 5), (2, "区财政局", 1, 1, 4)]

    # Logs: the run logger and the library's own (bulletin.delivery.delivery) reach Prefect; the password never does.
    messages = run_logs(run_id, "batch 1/1: 3 accepted")
    assert any("batch 1/1: 3 accepted" in m for m in messages)
    assert any("等待审核" in m for m in messages)
    text = "\n".join(messages)
    assert PASSWORD not in text and "Pa55" not in text


def test_cli_approve_resumes_the_run_and_a_rerun_mails_no_one(tmp_path, smtp_server):
    from bulletin.cli import app

    server = smtp_server()
    ws = make_office(tmp_path / "office", server)
    runner = FlowThread(ws)
    run_id = wait_paused(ws, runner)

    cli = CliRunner()
    done = cli.invoke(app, ["approve", "--by", "张主任", "-w", str(ws.root), "-m", MONTH])
    assert done.exit_code == 0, done.output
    assert "已继续等待审核的流程运行" in done.output
    runner.join()

    assert flow_run(run_id).state.is_completed()
    copies = server.handler.copies()
    assert copies == {**{r: 1 for r in REVIEWERS}, **{r: 1 for r in RECIPIENT_EMAILS}}
    with Ledger(ws.ledger_path) as ledger:
        approvals = ledger._conn.execute("SELECT COUNT(*) FROM approvals WHERE month = ?", (MONTH,)).fetchone()[0]
        assert approvals == 1  # recorded by the CLI, not a second time by the flow
        assert ledger.flow_run(MONTH) == (run_id, "finished")
        compiles = len(ledger.compiles(MONTH))

    # `bulletin run` for the same month: approved and unchanged -> no compile, no pause, nobody mailed again.
    again = cli.invoke(app, ["run", "-w", str(ws.root), "-m", MONTH])
    assert again.exit_code == 0, again.output
    assert server.handler.copies() == copies
    with Ledger(ws.ledger_path) as ledger:
        assert len(ledger.compiles(MONTH)) == compiles
        assert ledger.last_compile(MONTH).number == 64
        assert ledger.assigned_number(MONTH) == 64


def test_rejection_mails_no_one_and_a_rerun_is_a_new_round(tmp_path, smtp_server):
    from bulletin.cli import app

    server = smtp_server()
    ws = make_office(tmp_path / "office", server)
    runner = FlowThread(ws)
    run_id = wait_paused(ws, runner)

    resume_from_ui(run_id, decision="退回", reviewer="李科长", comment="第二篇数据需核实", sha256=shown_sha(ws))
    result = runner.join()
    assert "退回" in result and "第二篇数据需核实" in result
    assert flow_run(run_id).state.is_completed()
    assert server.handler.copies() == {r: 1 for r in REVIEWERS}  # the review copy only
    with Ledger(ws.ledger_path) as ledger:
        decision = ledger.latest_decision(MONTH)
        assert ledger.flow_run(MONTH) == (run_id, "finished")
        assert ledger.deliveries(MONTH, "bulletin") == {}
    assert (decision.approved, decision.reviewer, decision.comment) == (False, "李科长", "第二篇数据需核实")
    assert "退回（李科长）" in artifacts(run_id, f"bulletin-{MONTH}")[0].data

    # Run again after the rejection: recompiled (same number), the new version goes to the reviewers once,
    # the run waits; `bulletin reject` resumes it and it ends without mailing anyone else.
    second = FlowThread(ws)
    second_id = wait_paused(ws, second)
    assert second_id != run_id
    done = CliRunner().invoke(app, ["reject", "--by", "李科长", "--comment", "仍需核实", "-w", str(ws.root),
                                    "-m", MONTH])
    assert done.exit_code == 0, done.output
    assert "已继续等待审核的流程运行" in done.output
    assert "退回" in second.join()
    assert server.handler.copies() == {r: 2 for r in REVIEWERS}
    with Ledger(ws.ledger_path) as ledger:
        assert len(ledger.compiles(MONTH)) == 2
        assert ledger.assigned_number(MONTH) == 64 and ledger.last_compile(MONTH).number == 64
        assert ledger.latest_decision(MONTH).comment == "仍需核实"
        assert ledger.deliveries(MONTH, "bulletin") == {}


def test_two_runs_waiting_on_one_month_mail_everyone_once(tmp_path, smtp_server):
    """A second run while the first still waits (or after it crashed): no recompile, no second review mail;
    approving through either door and resuming both delivers once."""
    from bulletin.cli import app

    server = smtp_server()
    ws = make_office(tmp_path / "office", server)
    first = FlowThread(ws)
    first_id = wait_paused(ws, first)
    second = FlowThread(ws)
    deadline = time.monotonic() + 60
    while (second_id := wait_paused(ws, second)) == first_id and time.monotonic() < deadline:
        time.sleep(0.2)
    assert second_id != first_id
    with Ledger(ws.ledger_path) as ledger:
        assert len(ledger.compiles(MONTH)) == 1
    assert server.handler.copies() == {r: 1 for r in REVIEWERS}

    done = CliRunner().invoke(app, ["approve", "--by", "张主任", "-w", str(ws.root), "-m", MONTH])
    assert done.exit_code == 0, done.output
    second.join()
    resume_from_ui(first_id, decision="通过", reviewer="张主任", sha256=shown_sha(ws))  # the old run, from the UI
    assert "此前已发送 3 位" in first.join()
    assert server.handler.copies() == {**{r: 1 for r in REVIEWERS}, **{r: 1 for r in RECIPIENT_EMAILS}}
    with Ledger(ws.ledger_path) as ledger:
        approvals = ledger._conn.execute("SELECT COUNT(*) FROM approvals WHERE month = ?", (MONTH,)).fetchone()[0]
        assert ledger.flow_run(MONTH) == (second_id, "finished")
    assert approvals == 1


def test_transient_smtp_failure_is_retried_and_each_recipient_mailed_once(smtp_server, mail_workspace, monkeypatch):
    import flows.monthly_bulletin as mb

    server = smtp_server()
    server.handler.drop_after = 0  # the first MAIL FROM: the connection just goes away
    original = server.handler.handle_MAIL

    async def drop_once(*args):
        reply = await original(*args)
        server.handler.drop_after = None
        return reply

    server.handler.handle_MAIL = drop_once
    office = mail_workspace(smtp=smtp_settings(server), recipients=RECIPIENTS)
    approve(office.ws, office.month, "张主任")
    monkeypatch.setattr(mb, "deliver", mb.deliver.with_options(retry_delay_seconds=0))

    result = mb.monthly_bulletin(month=office.month, workspace=str(office.ws.root))  # approved: no pause

    assert "本次发送 3 位" in result
    assert server.handler.connections == 2  # the retry
    assert server.handler.copies() == {r: 1 for r in RECIPIENT_EMAILS}


def test_permanent_refusal_is_not_retried_and_fails_the_run(smtp_server, mail_workspace, monkeypatch):
    import flows.monthly_bulletin as mb

    server = smtp_server(reject={RECIPIENT_EMAILS[0]})
    office = mail_workspace(smtp=smtp_settings(server), recipients=RECIPIENTS)
    approve(office.ws, office.month, "张主任")
    monkeypatch.setattr(mb, "deliver", mb.deliver.with_options(retry_delay_seconds=0))

    with pytest.raises(BulletinError, match="1 位收件人未发出"):
        mb.monthly_bulletin(month=office.month, workspace=str(office.ws.root))
    assert server.handler.connections == 1
    assert server.handler.copies() == {r: 1 for r in RECIPIENT_EMAILS[1:]}


def test_retry_policy_is_for_transient_mail_errors_only():
    from prefect.states import Failed

    from flows.common import retry_if_transient

    assert retry_if_transient(None, None, Failed(data=MailError("451 稍后再试", transient=True)))
    assert not retry_if_transient(None, None, Failed(data=MailError("535 拒绝登录")))
    assert not retry_if_transient(None, None, Failed(data=BulletinError("未审核")))
    assert not retry_if_transient(None, None, Failed(data=ValueError("bug")))



def test_a_leftover_deployment_template_is_explained():
    from flows.monthly_bulletin import monthly_bulletin

    with pytest.raises(BulletinError, match="BULLETIN_WORKSPACE"):
        monthly_bulletin(month=MONTH, workspace="{{ $BULLETIN_WORKSPACE }}")


def test_a_file_edited_by_hand_after_compiling_is_not_recompiled(tmp_path, smtp_server):
    """README: "if the file was edited in Word after it was compiled, it isn't recompiled (that would replace
    the edits): it goes for review as it is"."""
    from bulletin.cli import app
    from bulletin.office.compile import compile_month

    server = smtp_server()
    ws = make_office(tmp_path / "office", server)
    compiled = compile_month(ws, MONTH)
    doc = Document(compiled.path)
    doc.add_paragraph("办公室在 Word 中补充的一段。")
    doc.save(compiled.path)
    edited = compiled.path.read_bytes()

    runner = FlowThread(ws)
    wait_paused(ws, runner)
    with Ledger(ws.ledger_path) as ledger:
        assert len(ledger.compiles(MONTH)) == 1
    ((rcpts, review),) = received(server)
    assert rcpts == sorted(REVIEWERS) and attachment_bytes(review) == edited
    done = CliRunner().invoke(app, ["approve", "--by", "张主任", "-w", str(ws.root), "-m", MONTH])
    assert done.exit_code == 0, done.output
    runner.join()
    (_, _), (rcpts, bulletin) = received(server)
    assert rcpts == RECIPIENT_EMAILS and attachment_bytes(bulletin) == edited
    assert compiled.path.read_bytes() == edited


def test_a_run_that_waits_too_long_records_that_it_timed_out(tmp_path, smtp_server):
    server = smtp_server()
    ws = make_office(tmp_path / "office", server)
    with open(ws.root / "bulletin.toml", "a", encoding="utf-8") as settings:
        settings.write("timeout_days = 0.00003\n")  # [review] is the last section: about 2.6 seconds
    runner = FlowThread(ws)
    with pytest.raises(Exception) as info:
        runner.join()
    assert "Pause" in type(info.value).__name__ or "timed out" in str(info.value).lower()
    with Ledger(ws.ledger_path) as ledger:
        run_id, state = ledger.flow_run(MONTH)
    assert state == "timed_out"
    assert flow_run(run_id).state.is_failed()
    assert server.handler.copies() == {r: 1 for r in REVIEWERS}
