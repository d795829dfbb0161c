"""The `bulletin` command as an office clerk uses it: exit codes and Chinese messages."""

from __future__ import annotations

from docx_read import body_paragraphs
from typer.testing import CliRunner

from bulletin.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_compile_prints_where_and_summary(office):
    office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    office.draft("b.docx", title="乙", paragraphs=["没有单位的稿件。"])
    (office.month_dir() / "old.doc").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512)
    result = invoke("compile", "--workspace", str(office.root), "--month", "2026-10", "--date", "2026-10-28")
    assert result.exit_code == 0, result.output
    assert "工作简报第64期.docx" in result.output
    assert "编入 2 篇，需核对 1 篇，未采用 1 份" in result.output
    assert "old.doc" in result.output and "另存为" in result.output
    path = office.root / "outputs" / "2026-10" / "工作简报第64期.docx"
    assert ("Issue Line", "第64期") in body_paragraphs(path)


def test_compile_defaults_to_newest_month_folder(office):
    office.draft("a.docx", month="2026-09", title="九月", unit_line="区人社局", paragraphs=["正文。"])
    office.draft("a.docx", month="2026-10", title="十月", unit_line="区人社局", paragraphs=["正文。"])
    result = invoke("compile", "-w", str(office.root))
    assert result.exit_code == 0, result.output
    assert (office.root / "outputs" / "2026-10" / "工作简报第64期.docx").is_file()
    assert not (office.root / "outputs" / "2026-09").exists()


def test_no_drafts_exits_non_zero_with_reason(office):
    office.month_dir()
    result = invoke("compile", "-w", str(office.root), "--month", "2026-10")
    assert result.exit_code == 1
    assert "没有可用的稿件" in result.output
    missing = invoke("compile", "-w", str(office.root), "--month", "2026-12")
    assert missing.exit_code == 1 and "没有找到 2026-12 的稿件文件夹" in missing.output


def test_bad_config_names_the_key(office):
    text = (office.root / "bulletin.toml").read_text(encoding="utf-8")
    (office.root / "bulletin.toml").write_text(
        text.replace('first_issue = 64', 'first_issue = "六十四"').replace('phone = "8199917"\n', ""), encoding="utf-8"
    )
    office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    result = invoke("compile", "-w", str(office.root), "--month", "2026-10")
    assert result.exit_code == 1
    assert "bulletin.first_issue（起始期号）：应为整数" in result.output
    assert "bulletin.phone（联系电话）：缺少此项" in result.output


def test_bad_template_and_bad_month(office):
    with open(office.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write('template = "templates/没有这个.docx"\n')
    office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    result = invoke("compile", "-w", str(office.root), "--month", "2026-10")
    assert result.exit_code == 1 and "没有这个.docx 不存在" in result.output
    bad_month = invoke("compile", "-w", str(office.root), "--month", "2026-13")
    assert bad_month.exit_code == 1 and "YYYY-MM" in bad_month.output


def test_broken_template_file_is_reported(office):
    (office.root / "bad.docx").write_bytes(b"not a docx")
    with open(office.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write('template = "bad.docx"\n')
    office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    result = invoke("compile", "-w", str(office.root), "--month", "2026-10")
    assert result.exit_code == 1 and "无法使用模板 bad.docx" in result.output


def test_init_creates_a_workspace_that_compiles(tmp_path):
    target = tmp_path / "新工作目录"
    result = invoke("init", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "bulletin.toml").is_file() and (target / "inputs" / "units.csv").is_file()
    months = sorted(p.name for p in (target / "inputs").iterdir() if p.is_dir())
    assert months, "the example month was not copied"
    compiled = invoke("compile", "-w", str(target))
    assert compiled.exit_code == 0, compiled.output
    again = invoke("init", str(target))
    assert again.exit_code == 1 and "不是空目录" in again.output


def test_workspace_from_environment(office, monkeypatch, tmp_path):
    office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BULLETIN_WORKSPACE", str(office.root))
    result = invoke("compile", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert (office.root / "outputs" / "2026-10" / "工作简报第64期.docx").is_file()


def test_progress_is_reported_per_draft(office):
    for n in range(12):
        office.draft(f"{n:02d}-稿件.docx", title=f"标题{n}", unit_line="区人社局", paragraphs=[f"正文{n}。"])
    seen = []
    office.compile(progress=lambda done, total, label: seen.append((done, total, label.split("：")[0])))
    assert [s for s in seen if s[2] == "读取稿件"] == [(n, 12, "读取稿件") for n in range(1, 13)]
    assert [s for s in seen if s[2] == "编排"][-1] == (12, 12, "编排")


def test_review_cycle_from_the_command_line(office):
    """compile -> send refused -> approve -> send (outbox, no [smtp]) -> send again sends nothing -> status."""
    office.draft("a.docx", title="甲[review]", unit_line="区人社局", paragraphs=["正文。"])
    (office.root / "inputs" / "recipients.csv").write_text(
        "名单,名称,邮箱\n报,区政府办公室,qzf@example.org\n发,区人社局,rsj@example.org\n发,坏地址,not-an-address\n",
        encoding="utf-8",
    )
    ws = ["-w", str(office.root), "--month", "2026-10"]
    assert invoke("compile", *ws).exit_code == 0
    refused = invoke("send", *ws)
    assert refused.exit_code == 1 and "审核" in refused.output
    approved = invoke("approve", *ws, "--by", "张三")
    assert approved.exit_code == 0 and "张三" in approved.output
    sent = invoke("send", *ws)
    assert sent.exit_code == 2, sent.output  # a skipped row means someone on the list is not reached
    outbox = office.root / "outputs" / "2026-10" / "outbox"
    # <purpose>-<id>-<address>.eml (issue 23: never one file per address)
    assert sorted(p.name.rsplit("-", 1)[-1] for p in outbox.glob("bulletin-*.eml")) == ["qzf@example.org.eml",
                                                                                      "rsj@example.org.eml"]
    assert "not-an-address" in sent.output  # the bad row is reported, not silently dropped
    again = invoke("send", *ws)
    assert again.exit_code == 2
    assert len(list(outbox.glob("*.eml"))) == 2
    status = invoke("status", *ws)
    assert status.exit_code == 0
    assert "第64期" in status.output and "张三" in status.output and "qzf@example.org" in status.output
    assert "[发] 区人社局" in status.output  # bracketed text printed literally, not eaten as markup
