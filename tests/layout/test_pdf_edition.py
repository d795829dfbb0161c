"""The PDF edition (issue 11): [bulletin] pdf = true makes an approval produce 工作简报第N期.pdf with LibreOffice,
recorded with its sha256; [mail] attach = ["docx", "pdf"] mails exactly those bytes (aiosmtpd); the text of the
PDF has every article title; without LibreOffice, compile says what to install."""

from __future__ import annotations

import hashlib

import pytest
from libreoffice import pdf_text
from mail_workspace import smtp_settings
from typer.testing import CliRunner
from workspace_kit import SETTINGS, make_workspace

from bulletin.cli import app
from bulletin.core.ledger import Ledger

runner = CliRunner()
TITLES = ["区人社局“三个聚焦”推动稳就业", "区财政局兜牢“三保”底线", "区教体局推进义务教育优质均衡"]


def invoke(*args):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.libreoffice
def test_an_approval_makes_the_pdf_and_the_lists_get_those_bytes(tmp_path, smtp_server):
    server = smtp_server()
    smtp = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in smtp_settings(server).items())
    office = make_workspace(tmp_path / "ws", settings=SETTINGS.replace("[bulletin]\n", "[bulletin]\npdf = true\n")
                            + f'\n[mail]\nattach = ["docx", "pdf"]\n\n[smtp]\n{smtp}\n')
    (office.root / "inputs" / "recipients.csv").write_text(
        "名单,名称,邮箱\n报,区政府办公室,quzhengfu@example.org\n发,区人社局,renshe@example.com\n", encoding="utf-8")
    for n, title in enumerate(TITLES, start=1):
        office.draft(f"{n}.docx", title=title, unit_line=None, paragraphs=[f"{title}的正文。"])
    ws = str(office.root)
    invoke("compile", "-w", ws, "-m", "2026-10")
    out = invoke("approve", "-w", ws, "-m", "2026-10", "--by", "主任")
    pdf = office.root / "outputs" / "2026-10" / "工作简报第64期.pdf"
    assert f"PDF 版：{pdf}（校验码 " in out
    text = pdf_text(pdf).replace(" ", "")
    for title in TITLES:
        assert title in text
    with Ledger(office.ws.ledger_path) as ledger:
        docx_sha = ledger.latest_decision("2026-10").sha256
        recorded = ledger.pdf_edition("2026-10", docx_sha)
    assert recorded == (str(pdf), hashlib.sha256(pdf.read_bytes()).hexdigest())

    invoke("send", "-w", ws, "-m", "2026-10")
    assert len(server.messages) == 1
    parts = {p.get_filename(): p.get_payload(decode=True) for p in server.messages[0].message.iter_attachments()}
    assert sorted(parts) == ["工作简报第64期.docx", "工作简报第64期.pdf"]
    assert hashlib.sha256(parts["工作简报第64期.pdf"]).hexdigest() == recorded[1]
    assert hashlib.sha256(parts["工作简报第64期.docx"]).hexdigest() == docx_sha

    # A PDF changed by hand is never mailed: it is made again from the approved file first.
    pdf.write_bytes(b"%PDF-1.4 edited by hand")
    from bulletin.layout.pdfedition import pdf_edition

    again, sha = pdf_edition(office.ws, "2026-10", pdf.with_suffix(".docx"), docx_sha)
    assert again == pdf and sha != hashlib.sha256(b"%PDF-1.4 edited by hand").hexdigest()


def test_without_libreoffice_pdf_true_stops_the_compile_with_what_to_install(tmp_path, monkeypatch):
    office = make_workspace(tmp_path / "ws", settings=SETTINGS.replace("[bulletin]\n", "[bulletin]\npdf = true\n"))
    office.draft("1.docx", title="稿件", unit_line="区人社局")
    monkeypatch.setattr("shutil.which", lambda name: None)
    result = runner.invoke(app, ["compile", "-w", str(office.root), "-m", "2026-10"])
    assert result.exit_code == 1
    assert "bulletin.toml 要求 PDF 版（[bulletin] pdf 或 [mail] attach），但本机没有 LibreOffice" in result.output
    assert "sudo apt install libreoffice-writer-nogui fonts-noto-cjk poppler-utils" in result.output
    assert not (office.root / "outputs" / "2026-10").exists()
