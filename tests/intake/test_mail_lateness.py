"""迟报 for drafts that came by mail (issue 25): a draft's received time is its message's arrival at the
submission mailbox (the server's INTERNALDATE), not the moment `bulletin fetch` happened to read it. Two
messages in the real Dovecot, one that arrived on 20 October and one on 26 October 09:05 (after the deadline of
25 October 18:00), are fetched together in December; the compile marks only the second 迟报, naming when it
arrived, and records `late` in the ledger rows the statistics score."""

from __future__ import annotations

import pytest
from mail_clients import outlook, when
from mailbox_kit import MONTH, draft_bytes, write_office
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace

pytestmark = [pytest.mark.imap]
CALENDAR = '\n[calendar]\ndeadline = 25\ndeadline_time = "18:00"\ncall_day = 10\nremind_days_before = [3, 1, 0]\n'


def test_a_mailed_draft_is_late_by_its_arrival_not_by_the_fetch(tmp_path, imap_server, monkeypatch):
    imap = imap_server()
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", imap.password)
    root = write_office(tmp_path / "office", imap)
    with open(root / "bulletin.toml", "a", encoding="utf-8") as settings:
        settings.write(CALENDAR)
    on_time = draft_bytes("我区就业帮扶见实效", "区人社局", ["今年以来全区新增城镇就业一千二百六十人。"])
    late = draft_bytes("财政资金直达基层", "区财政局", ["区财政局建立直达资金监控台账，按月通报支出进度。"])
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(20), msgid="<on.time@x>",
                        attachments=[("区人社局-就业帮扶.docx", on_time)]), when=when(20))
    imap.append(outlook(sender="czj_zgq@163.com", name="李四", subject="稿件", when=when(26, 9), msgid="<late@x>",
                        attachments=[("区财政局-直达资金.docx", late)]), when=when(26, 9))
    runner = CliRunner()
    fetched = runner.invoke(app, ["fetch", "--workspace", str(root), "--month", MONTH])
    assert fetched.exit_code == 0, fetched.output
    compiled = runner.invoke(app, ["compile", "--workspace", str(root), "--month", MONTH, "--date", "2026-10-28"])
    assert compiled.exit_code == 0, compiled.output

    report = (root / "outputs" / MONTH / "收稿报告.txt").read_text(encoding="utf-8-sig")
    assert "报送截止：2026年10月25日 18:00" in report
    assert "迟报 1 份：区财政局-直达资金.docx（区财政局，10月26日 09:05 收到）" in report
    assert "区人社局-就业帮扶.docx（" not in report.split("迟报 1 份：")[1].splitlines()[0]
    with Ledger(Workspace.at(root).ledger_path) as ledger:
        rows = {r["file"]: (r.get("late"), r.get("received", "")[:16]) for r in ledger.last_compile(MONTH).drafts}
    assert rows == {"区人社局-就业帮扶.docx": (False, "2026-10-20T10:05"),
                    "区财政局-直达资金.docx": (True, "2026-10-26T09:05")}
