"""A unit's 督查 sheet sent back to the submission mailbox (issue 13 with issue 10's mailbox): recognised by its
hidden marker whatever its name, saved in inputs/督查/<month>/反馈/ for `bulletin tasks merge`, answered in the
receipt, never saved twice; a forged marker never names a path. Real Dovecot and aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import io
import os

from mail_clients import outlook, when
from mailbox_kit import files_under, parsed, write_office
from openpyxl import Workbook
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.supervision.sheets import MARKER_KIND, MARKER_SHEET, read_returned, unit_sheet_bytes

runner = CliRunner()


def fetch(root):
    result = runner.invoke(app, ["fetch", "-w", str(root)], catch_exceptions=False)
    return result.exit_code, result.output


def forged_sheet(round_id: str) -> bytes:
    book = Workbook()
    marker = book.create_sheet(MARKER_SHEET)
    for row in (["kind", MARKER_KIND], ["round", round_id], ["unit", "区人社局"]):
        marker.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def plain_sheet() -> bytes:
    book = Workbook()
    book.active.append(["统计表", "不是督查反馈表"])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_returned_sheet_goes_to_its_round_whatever_its_name(tmp_path, imap_server, smtp_server, monkeypatch):
    imap, smtp = imap_server(), smtp_server()
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", imap.password)
    root = write_office(tmp_path / "office", imap, smtp)
    sheet = unit_sheet_bytes("督查专报/2026-11", "区人社局", [], None)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="区人社局重点任务反馈", when=when(9),
                        msgid="<t.1@x>", attachments=[("我局反馈（定稿）.xlsx", sheet), ("统计表.xlsx", plain_sheet())]),
                when=when(9))
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="再发一次反馈", when=when(10), msgid="<t.2@x>",
                        attachments=[("反馈.xlsx", sheet)]), when=when(10))
    imap.append(outlook(sender="x@zgq.gov.test", name="某人", subject="伪造", when=when(11), msgid="<t.3@x>",
                        attachments=[("伪造.xlsx", forged_sheet("督查专报/../../../bulletin.toml"))]), when=when(11))

    code, output = fetch(root)
    assert code == 0, output
    returns = root / "inputs" / "督查" / "2026-11" / "反馈"
    assert files_under(returns) == ["我局反馈（定稿）.xlsx"]
    assert (returns / "我局反馈（定稿）.xlsx").read_bytes() == sheet
    assert read_returned(returns / "我局反馈（定稿）.xlsx").unit == "区人社局"
    assert "督查反馈表 1 份" in output
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.xlsx")) == [
        "inputs/督查/2026-11/反馈/我局反馈（定稿）.xlsx"]  # nothing else saved, nothing outside inputs/

    receipts = {m["Subject"]: m.get_content() for m in (parsed(r.data) for r in smtp.messages)}
    first = receipts["回执：区人社局重点任务反馈"]
    assert "1. 我局反馈（定稿）.xlsx：已收到区人社局的2026-11重点任务落实情况反馈表，将汇总到督查专报" in first
    assert "2. 统计表.xlsx：未收取——" in first
    assert "反馈.xlsx：已收到（与此前收到的文件相同，未重复保存）" in receipts["回执：再发一次反馈"]
    assert "伪造.xlsx：未收取——督查反馈表中的标记无法识别，未收取：请使用办公室发出的表格填写后发回" in receipts["回执：伪造"]

    code, output = fetch(root)  # a rerun takes nothing and answers no one twice
    assert "收取新邮件 0 封" in output and len(smtp.messages) == 3
    assert os.listdir(returns) == ["我局反馈（定稿）.xlsx"]
