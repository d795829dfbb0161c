"""Issue 22 item 3 and issue 23 item 4: which returned 督查 sheets are trusted, and none is silently lost.

- A sheet built from scratch with the marker (round, unit 区财政局), mailed by a stranger, and a genuine-looking
  sheet mailed from another unit's address, wait in inputs/督查/<M>/待核实/ with the reason (real Dovecot and
  aiosmtpd); the unit's own answer, from its registered address, is the one merge uses. An .xlsm is refused.
- A returned sheet saved as .xls in 反馈/ is converted with LibreOffice and used; without LibreOffice the merge
  names the unit and the file loudly and never lists the unit as silent (未反馈)."""

from __future__ import annotations

import io
import shutil

import pytest
import supervision_seed
from mail_clients import outlook, when
from mailbox_kit import ROSTER, parsed, write_office
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.intake.returnsheets import MARKER_KIND, MARKER_SHEET
from bulletin.supervision.round import Round, merge_round, split_round

runner = CliRunner()
MONTH = "2026-11"
TASKS = [[1, "一、营商环境", "", "落实减税降费政策。", "区财政局", None, None, None],
         [2, "一、营商环境", "", "就业补贴按时发放。", "区人社局", None, None, None]]


def _round(root):
    book = Workbook()
    book.active.append(["序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况"])
    for row in TASKS:
        book.active.append(row)
    path = root / "inputs" / "督查" / MONTH / "任务.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    (root / "bulletin.toml").write_text((root / "bulletin.toml").read_text(encoding="utf-8") +
                                        '\n[series."督查专报"]\ntitle = "督查专报"\nfirst_issue = 1\nreport_to = "区长"\nsend_to = "各部门"\n', encoding="utf-8")
    from bulletin.core.workspace import Workspace

    rnd = Round.of(Workspace.at(root), MONTH)
    split_round(rnd)
    return rnd


def _filled(rnd, unit, status, text) -> bytes:
    out = rnd.ws.root / f"{unit}-filled.xlsx"
    number = 1 if unit == "区财政局" else 2
    supervision_seed.fill_sheet(rnd.sheet_path(unit), out, {number: (status, text)})
    data = out.read_bytes()
    out.unlink()
    return data


def _from_scratch(unit: str) -> bytes:
    """What a forger makes without the office's file: a 任务 sheet and the marker, very hidden."""
    book = Workbook()
    book.active.title = "任务"
    book.active.append(["序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况"])
    book.active.append([1, "一、营商环境", "", "落实减税降费政策。", unit, None, "已完成并长期坚持", "伪造的回答"])
    marker = book.create_sheet(MARKER_SHEET)
    for row in (["kind", MARKER_KIND], ["round", f"督查专报/{MONTH}"], ["unit", unit]):
        marker.append(row)
    marker.sheet_state = "veryHidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.imap
@pytest.mark.smtp
def test_only_the_units_registered_address_files_a_returned_sheet(tmp_path, imap_server, smtp_server, monkeypatch):
    imap, smtp = imap_server(), smtp_server()
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", imap.password)
    root = write_office(tmp_path / "office", imap, smtp, roster=ROSTER)
    rnd = _round(root)
    genuine = _filled(rnd, "区财政局", "推进中", "已兑现减税1.2亿元。")
    imap.append(outlook(sender="czj_zgq@163.com", name="财政局", subject="财政局反馈", when=when(9), msgid="<g.1@x>",
                        attachments=[("反馈.xlsx", genuine)]), when=when(9))
    imap.append(outlook(sender="stranger@evil.test", name="区财政局", subject="财政局反馈（更正）", when=when(10),
                        msgid="<f.1@x>", attachments=[("更正.xlsx", _from_scratch("区财政局"))]), when=when(10))
    imap.append(outlook(sender="rsj@zgq.gov.test", name="人社局", subject="代财政局发", when=when(11), msgid="<f.2@x>",
                        attachments=[("财政.xlsx", _filled(rnd, "区财政局", "已完成", "人社局代写"))]), when=when(11))
    imap.append(outlook(sender="stranger@evil.test", name="某人", subject="宏", when=when(12), msgid="<f.3@x>",
                        attachments=[("反馈.xlsm", _from_scratch("区财政局"))]), when=when(12))

    result = runner.invoke(app, ["fetch", "-w", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    base = root / "inputs" / "督查" / MONTH
    assert sorted(p.name for p in (base / "反馈").iterdir()) == ["反馈.xlsx"]
    assert sorted(p.name for p in (base / "待核实").iterdir()) == ["更正.xlsx", "财政.xlsx"]
    assert not list(root.rglob("反馈.xlsm"))
    receipts = {m["Subject"]: m.get_content() for m in (parsed(r.data) for r in smtp.messages)}
    assert ("1. 更正.xlsx：未收取——发件邮箱 stranger@evil.test 不是区财政局在单位名册中登记的邮箱，反馈表已放入待核实，"
            "由办公室核实后使用；请用登记的邮箱发送") in receipts["回执：财政局反馈（更正）"]
    assert ("发件邮箱 rsj@zgq.gov.test 登记为区人社局的邮箱，而这份反馈表是区财政局的，已放入待核实"
            in receipts["回执：代财政局发"])
    assert "1. 反馈.xlsm：未收取——" in receipts["回执：宏"]
    assert "将汇总到督查专报" in receipts["回执：财政局反馈"]

    merged = merge_round(rnd, write=False)
    assert merged.problems == [] and merged.conflicts == {}
    assert {t.number: (t.status, t.answer) for t in merged.tasks} == {
        1: ("推进中", "已兑现减税1.2亿元。"), 2: ("", "")}
    assert merged.missing == ["区人社局"]


def test_a_sheet_the_office_puts_in_twice_is_a_conflict_naming_both(tmp_path):
    from workspace_kit import make_workspace

    kit = make_workspace(tmp_path / "office", roster=ROSTER)
    rnd = _round(kit.root)
    rnd.returns.mkdir(parents=True)
    (rnd.returns / "a.xlsx").write_bytes(_filled(rnd, "区财政局", "推进中", "第一份"))
    (rnd.returns / "b.xlsx").write_bytes(_filled(rnd, "区财政局", "已完成", "第二份"))
    merged = merge_round(rnd, write=False)
    assert merged.conflicts == {"区财政局": [rnd.returns / "a.xlsx", rnd.returns / "b.xlsx"]}
    assert merged.problems == ["区财政局 有 2 份不同的反馈表（“a.xlsx”与“b.xlsx”）：第1项的回答不一致，这几项暂不采用任何一份；"
                               "请核实后从 反馈/ 中删去不用的一份，再汇总。"]
    assert merged.tasks[0].status == "" and merged.missing == ["区人社局"]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_an_xls_answer_is_converted_or_named_never_silent(tmp_path, monkeypatch):
    from libreoffice import convert, require_soffice
    from workspace_kit import make_workspace

    require_soffice()
    kit = make_workspace(tmp_path / "office", roster=ROSTER)
    rnd = _round(kit.root)
    rnd.returns.mkdir(parents=True)
    source = tmp_path / "财政局反馈.xlsx"
    source.write_bytes(_filled(rnd, "区财政局", "推进中", "已兑现减税1.2亿元。"))
    xls = convert(source, "xls", tmp_path / "lo")
    shutil.copy(xls, rnd.returns / "财政局反馈.xls")

    merged = merge_round(rnd, write=False)
    assert merged.problems == [], merged.problems
    assert merged.tasks[0].status == "推进中" and merged.tasks[0].answer == "已兑现减税1.2亿元。"
    assert merged.missing == ["区人社局"]

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no LibreOffice on this machine
    merged = merge_round(rnd, write=False)
    assert merged.missing == ["区人社局"]  # not 区财政局: it answered
    assert list(merged.unreadable) == ["区财政局"]
    assert merged.problems[0].startswith("区财政局 的反馈表是 .xls 格式，未能读取：财政局反馈.xls 是 .xls 格式，本机无法转换（")
    assert "请在 Excel/WPS 中打开后另存为 .xlsx 放回 反馈/" in merged.problems[0]
    assert any(line.startswith("  ! 区财政局 有反馈表但无法读取（未列为未反馈）") for line in merged.lines())
