"""The 专报 as its own series: split --mail, report, approve and send through a real SMTP server (aiosmtpd) to
its own lists with its own issue numbers, while the monthly bulletin's numbers and deliveries stay untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import supervision_seed
from supervision_kit import ROUND_MONTH, SERIES_SETTINGS, SILENT_UNIT, SEED_UNITS, make_round_workspace

from bulletin.cli import app
from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.supervision.round import Round
from bulletin.supervision.sheets import marker_of

cli = CliRunner()


def _run(*args: str):
    result = cli.invoke(app, list(args))
    return result


def _with_smtp(root: Path, port: int, extra_recipients: str = "") -> None:
    (root / "bulletin.toml").write_text(
        SERIES_SETTINGS + f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "dcs@qyp.gov.cn"\ntimeout = 10\n',
        encoding="utf-8")
    if extra_recipients:
        with open(root / "inputs" / "recipients.csv", "a", encoding="utf-8") as handle:
            handle.write(extra_recipients)


def _bulletin_compiled(root: Path) -> None:
    """The monthly bulletin has its issue 64 for 2026-10 in the workspace's own ledger."""
    path = root / "outputs" / "2026-10" / "简报第64期.docx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"stand-in")
    with Ledger(root / ".bulletin" / "ledger.sqlite3") as ledger:
        ledger.record_compile("2026-10", 64, path, sha256_file(path), drafts=[], issue_date="2026-10-28")


@pytest.mark.slow
def test_split_mail_sends_each_unit_its_sheet_once(tmp_path, smtp_server):
    server = smtp_server()
    kit = make_round_workspace(tmp_path / "ws")
    units = [u for u in SEED_UNITS if u != "区旧改办"]  # 区旧改办 has no address anywhere
    _with_smtp(kit.root, server.port, "".join(f"单位,{u},unit{i:02d}@qyp.gov.cn\n" for i, u in enumerate(units)))
    args = ("tasks", "split", "-w", str(kit.root), "-m", ROUND_MONTH, "--due", "2020-09-25", "--mail")
    first = _run(*args)
    assert first.exit_code == 2, first.output  # one unit could not be reached
    assert "本次发给 30 个单位（32 个邮箱），此前已发给 0 个单位" in first.output  # 区财政局, 区住建局: 2 rows each
    assert "未发送：区旧改办" in first.output
    assert len(server.messages) == 30  # one message per unit
    by_rcpt = {m.rcpt_tos[0]: m for m in server.messages}
    message = by_rcpt[f"unit{units.index('区卫生健康委'):02d}@qyp.gov.cn"].message
    assert message["Subject"] == "【督查专报】区卫生健康委重点任务落实情况反馈表（2020-09）"
    attachment = next(message.iter_attachments())
    saved = tmp_path / "got.xlsx"
    saved.write_bytes(attachment.get_content())
    assert marker_of(saved) == ("督查专报/2020-09", "区卫生健康委")

    again = _run(*args)
    assert "本次发给 0 个单位（0 个邮箱），此前已发给 30 个单位（未重复发送）" in again.output
    assert len(server.messages) == 30


def test_the_report_is_approved_and_sent_as_its_own_series(tmp_path, smtp_server):
    server = smtp_server()
    kit = make_round_workspace(tmp_path / "ws")
    _with_smtp(kit.root, server.port)
    _bulletin_compiled(kit.root)
    rnd = Round.of(kit.ws, ROUND_MONTH)
    w = ("-w", str(kit.root))
    assert _run("tasks", "split", *w, "-m", ROUND_MONTH).exit_code == 0
    seed = {t.number: (t.status, t.answer) for t in supervision_seed.seed_tasks()}
    for path in sorted((rnd.outputs / "分发").glob("*.xlsx")):
        if marker_of(path)[1] != SILENT_UNIT:
            supervision_seed.fill_sheet(path, rnd.returns / path.name, seed)
    merged = _run("tasks", "merge", *w, "-m", ROUND_MONTH)
    assert "未反馈单位：区政府办(区外办)" in merged.output
    made = _run("tasks", "report", *w, "-m", ROUND_MONTH, "--date", "2020-10-09")
    assert made.exit_code == 0, made.output
    report = kit.root / "outputs" / "督查专报" / "2020-09" / "督查专报第1期.docx"
    assert report.is_file()

    refused = _run("send", *w, "--series", "督查专报", "-m", ROUND_MONTH)
    assert refused.exit_code == 1 and "尚未审核通过" in refused.output
    approved = _run("approve", *w, "--series", "督查专报", "-m", ROUND_MONTH, "--by", "王主任")
    assert approved.exit_code == 0, approved.output
    assert "可执行 bulletin send --series 督查专报 --month 2020-09 发送" in approved.output
    sent = _run("send", *w, "--series", "督查专报", "-m", ROUND_MONTH)
    assert sent.exit_code == 0, sent.output
    # its own lists only (报 and 督查), not the departments' list the bulletin goes to
    assert sorted(r for m in server.messages for r in m.rcpt_tos) == [
        "ducha@qyp.gov.cn", "fuquzhang@qyp.gov.cn", "quzhang@qyp.gov.cn"]
    message = server.messages[0].message
    assert message["Subject"] == "督查专报 第1期（2020年10月9日）"
    assert next(message.iter_attachments()).get_content() == report.read_bytes()
    again = _run("send", *w, "--series", "督查专报", "-m", ROUND_MONTH)
    assert "本次发送 0 位；此前已发送 3 位" in again.output
    assert len(server.messages) == 1

    status = _run("status", *w, "--series", "督查专报", "-m", ROUND_MONTH)
    assert "督查专报 第1期" in status.output
    assert "审核：已通过" in status.output and "bulletin approve" not in status.output  # approved: no hint
    assert "已发送 [督查] 区督查室" in status.output
    # the bulletin's ledger: issue 64 for 2026-10 and nothing else, no approval, no delivery
    with Ledger(kit.root / ".bulletin" / "ledger.sqlite3") as ledger:
        assert ledger.assigned_number("2026-10") == 64
        assert ledger.assigned_number(ROUND_MONTH) is None
        assert ledger.latest_decision("2026-10") is None
        assert ledger.deliveries("2026-10") == {} and ledger.deliveries(ROUND_MONTH) == {}
    # the next round of the series is 第2期; the approved, sent 第1期 is not rewritten
    redo = _run("tasks", "report", *w, "-m", ROUND_MONTH)
    assert redo.exit_code == 1 and "已经发送，不再重新生成" in redo.output
    next_round = kit.root / "inputs" / "督查" / "2020-12" / "任务.xlsx"
    supervision_seed.write_task_list(next_round, supervision_seed.seed_tasks()[:3])
    assert _run("tasks", "merge", *w, "-m", "2020-12").exit_code == 0
    second = _run("tasks", "report", *w, "-m", "2020-12", "--date", "2020-12-28")
    assert second.exit_code == 0, second.output
    assert (kit.root / "outputs" / "督查专报" / "2020-12" / "督查专报第2期.docx").is_file()
