"""Issue 9, "What was seen": each problem an office met with real drafts, as a test that failed before the fix.
(Titles, units and bylines in every form are in test_reading_corpus.py.)"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from datetime import date

import draft_factory as f
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from docx_read import all_text, body_paragraphs
from openpyxl import Workbook
from reading_corpus import BODY1, BODY3, CASES, set_modified, write_case
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.core.errors import BulletinError
from bulletin.core.ledger import Ledger
from bulletin.delivery import delivery
from bulletin.delivery.approval import approve
from bulletin.delivery.recipients import read_recipients
from bulletin.intake.intake import gather
from bulletin.intake.roster import Roster
from bulletin.layout.compose import render_issue
from bulletin.layout.issue import build_issue
from bulletin.intake.notices import NoticeSheet
from bulletin.core.resources import shipped_template

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _same_times(*paths) -> None:
    for path in paths:
        os.utime(path, (1_790_000_000, 1_790_000_000))


# -- data lost ------------------------------------------------------------------------------------------------

def test_drafts_of_unknown_units_with_the_same_first_line_are_never_merged(office):
    """Seen: 重复 财政信息.docx：与“人社信息.docx”标题和供稿单位相同 — two departments, one article lost."""
    office.draft("人社信息.docx", title="工作信息", paragraphs=["今年以来，新增城镇就业4120人。"])
    office.draft("财政信息.docx", title="工作信息", paragraphs=["1—10月民生支出占比达82.6%。"])
    result = office.compile()
    assert sorted(d.name for d in result.intake.accepted) == ["人社信息.docx", "财政信息.docx"]
    assert result.intake.duplicates == [] and result.intake.replaced == []
    text = all_text(result.path)
    assert "新增城镇就业4120人" in text and "民生支出占比达82.6%" in text


def test_different_documents_of_one_unit_that_share_a_first_paragraph_both_go_in(office):
    """Seen with real Word files: both open with a label line; a different document was dropped."""
    for name, title, body in (("a.docx", "稳就业工作见成效", "新增城镇就业4120人。"),
                              ("b.docx", "技能培训惠及万人", "开展补贴性培训2864人次。")):
        doc = Document(io.BytesIO(f._base_docx()))
        for text in ("工作信息", title):
            paragraph = doc.add_paragraph()
            paragraph.alignment = 1
            f._east_asian(paragraph.add_run(text), f.TITLE_FONT, size=22)
        doc.add_paragraph(body)
        doc.add_paragraph("（区人社局供稿）")
        doc.save(str(office.month_dir() / name))
    result = office.compile()
    assert [(d.title, d.unit) for d in result.intake.accepted] == [
        ("稳就业工作见成效", "区人社局"), ("技能培训惠及万人", "区人社局")]
    assert result.intake.duplicates == [] and result.intake.replaced == []


@pytest.mark.parametrize("revised", ["稳就业修改稿.docx", "稳就业_修改稿.docx", "稳就业v2.docx", "稳就业（定稿）.docx"])
def test_a_revised_version_replaces_the_original_whatever_the_name_order(office, revised):
    """Seen: …修改稿.docx, …_修改稿.docx, …v2.docx lost to the original ("只编入前一篇")."""
    original = office.draft("稳就业.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["第一稿正文。"])
    newer = office.draft(revised, title="稳就业工作见成效", unit_line="区人社局", paragraphs=["修改后的正文。"])
    _same_times(original, newer)  # same saved date and file time: the name tells
    result = office.compile()
    assert [d.name for d in result.intake.accepted] == [revised]
    (replaced,) = result.intake.replaced
    assert replaced.file == "稳就业.docx"
    assert replaced.reason == f"已被《{revised}》（较新版本）替换：文件名标明是修改后的版本"
    text = all_text(result.path)
    assert "修改后的正文。" in text and "第一稿正文。" not in text
    report = result.report_path.read_text(encoding="utf-8")
    assert f"× 稳就业.docx：已被《{revised}》（较新版本）替换" in report
    with Ledger(office.ws.ledger_path) as ledger:
        rows = {r["file"]: r["status"] for r in ledger.last_compile(office.month).drafts}
    assert rows == {revised: "accepted", "稳就业.docx": "replaced"}


def test_the_documents_saved_date_decides_before_file_times_and_names(office):
    first = office.draft("稳就业v2.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["早保存的。"])
    second = office.draft("稳就业.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["晚保存的。"])
    set_modified(first, "2026-10-20T09:00:00Z")
    set_modified(second, "2026-10-21T16:30:00Z")
    os.utime(first, (1_790_000_900, 1_790_000_900))  # a later file time: copied later, not edited later
    os.utime(second, (1_790_000_000, 1_790_000_000))
    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["稳就业.docx"]
    assert result.intake.replaced[0].reason.endswith("文档的保存时间较晚")


def test_the_file_time_decides_when_the_saved_dates_agree(office):
    older = office.draft("稳就业修改稿.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["旧的。"])
    newer = office.draft("稳就业.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["新的。"])
    os.utime(older, (1_790_000_000, 1_790_000_000))
    os.utime(newer, (1_790_003_600, 1_790_003_600))
    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["稳就业.docx"]
    assert result.intake.replaced[0].reason.endswith("文件的修改时间较晚")


def test_the_same_text_saved_twice_is_one_draft(office):
    office.draft("1.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["同样的正文。"])
    office.draft("2.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["同样的正文。"], author="张三")
    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["1.docx"]
    assert "文字完全相同" in result.intake.duplicates[0].reason


def test_a_footnote_on_the_title_is_kept(office):
    write_case(next(c for c in CASES if c.footnote_on_title), office.month_dir())
    result = office.compile()
    document = Document(str(result.path))
    notes = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes").blob.decode()
    assert "数据来源：区商务局统计。" in notes
    (first,) = [p for p in document.paragraphs if p.text == BODY1]
    assert first._p.findall(".//" + qn("w:footnoteReference"))


# -- pictures ------------------------------------------------------------------------------------------------

def _picture_draft(path, png: bytes, width_cm: float):
    doc = Document(io.BytesIO(f._base_docx()))
    doc.add_paragraph("图片稿件标题")
    doc.add_paragraph("区人社局")
    doc.add_paragraph("正文在图片前面。")
    doc.add_paragraph().add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.add_paragraph("正文在图片后面。")
    doc.save(str(path))


def _extents(path):
    document = Document(str(path))
    return [(int(e.get("cx")), int(e.get("cy"))) for e in document.element.body.iter(qn("wp:extent"))]


def test_a_picture_wider_than_the_text_area_is_scaled_to_fit(office):
    """Seen: a picture 25 cm wide stays 25 cm in a 15.6 cm text area."""
    _picture_draft(office.month_dir() / "图片.docx", f.chart_png(width=500, height=250), 25)
    result = office.compile()
    ((cx, cy),) = _extents(result.path)
    assert cx == 156 * 36000 and abs(cy - 78 * 36000) < 36000  # 2:1 kept
    assert "有1张图片超出版心，已按比例缩小到版心以内" in result.report_path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_36_mb_picture_is_downsampled_and_the_bulletin_stays_small(office):
    """Seen: a 36 MB picture makes a 36 MB bulletin with no warning."""
    from PIL import Image

    photo = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))  # noise: incompressible, like a photo
    raw = io.BytesIO()
    photo.save(raw, "PNG", compress_level=1)
    assert raw.tell() > 30 * 2**20
    _picture_draft(office.month_dir() / "大图.docx", raw.getvalue(), 15)
    result = office.compile()
    assert result.path.stat().st_size < 6 * 2**20
    with zipfile.ZipFile(result.path) as bulletin:
        media = [n for n in bulletin.namelist() if n.startswith("word/media/")]
        (picture,) = [bulletin.read(n) for n in media]
    with Image.open(io.BytesIO(picture)) as shown:
        assert shown.size == (2000, 1500) and shown.format == "JPEG"
    assert "有1张图片超过2000像素，已缩小并重新压缩" in result.report_path.read_text(encoding="utf-8")


def test_a_bulletin_over_the_mail_limit_is_reported_by_compile_and_refused_by_send(office_factory, smtp_server):
    from workspace_kit import SETTINGS

    server = smtp_server()
    office = office_factory(settings=SETTINGS + f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\n'
                            'sender = "office@zgq.example.cn"\n\n[mail]\nmax_attachment_mb = 0.02\n')
    office.draft("a.docx", title="图表稿件", unit_line="区人社局", image=True)
    (office.root / "inputs" / "recipients.csv").write_text("名单,名称,邮箱\n发,甲,a@example.org\n", encoding="utf-8")
    result = office.compile()
    assert "超过邮件附件上限 0.02 MB" in result.too_large
    assert "超过邮件附件上限 0.02 MB" in result.report_path.read_text(encoding="utf-8")
    approve(office.ws, office.month, by="王主任")
    with pytest.raises(BulletinError, match="超过邮件附件上限 0.02 MB.*未发送任何邮件"):
        delivery.send_bulletin(office.ws, office.month)
    assert server.messages == [] and server.handler.connections == 0
    with Ledger(office.ws.ledger_path) as ledger:
        assert ledger.deliveries(office.month, "bulletin") == {}


# -- month folders and replacing an approved bulletin -----------------------------------------------------------

@pytest.mark.parametrize("folder", ["2026年11月", "202611", "2026.11"])
def test_month_folders_named_as_offices_name_them_are_read(office, folder):
    """Seen: 2026年11月 / 202611 / 2026.11 ignored in silence; the previous month was recompiled instead."""
    office.draft("a.docx", month="2026-10", title="十月稿件", unit_line="区人社局")
    office.draft("b.docx", month=folder, title="十一月稿件", unit_line="区人社局")
    compiled = invoke("compile", "-w", str(office.root), "--date", "2026-11-28")
    assert compiled.exit_code == 0, compiled.output
    assert f"读取稿件文件夹：{office.root / 'inputs' / folder}" in compiled.output
    bulletin = office.root / "outputs" / "2026-11" / "工作简报第64期.docx"
    assert "十一月稿件" in all_text(bulletin)
    assert not (office.root / "outputs" / "2026-10").exists()
    by_month = invoke("compile", "-w", str(office.root), "--month", "2026年11月", "--date", "2026-11-28")
    assert by_month.exit_code == 0, by_month.output


def test_an_approved_and_sent_bulletin_is_not_replaced_without_force(office):
    office.draft("a.docx", title="十月稿件", unit_line="区人社局")
    (office.root / "inputs" / "recipients.csv").write_text("名单,名称,邮箱\n发,甲,a@example.org\n", encoding="utf-8")
    ws = ["-w", str(office.root), "--month", "2026-10"]
    assert invoke("compile", *ws).exit_code == 0
    assert invoke("approve", *ws, "--by", "王主任").exit_code == 0
    assert invoke("send", *ws).exit_code == 0
    path = office.root / "outputs" / "2026-10" / "工作简报第64期.docx"
    approved = path.read_bytes()
    again = invoke("compile", *ws)
    assert again.exit_code == 1 and "已发送给 1 位收件人" in again.output and "--force" in again.output
    assert path.read_bytes() == approved
    office.draft("b.docx", title="补报的稿件", unit_line="区财政局")
    forced = invoke("compile", *ws, "--force")
    assert forced.exit_code == 0, forced.output
    (kept,) = (office.root / "outputs" / "2026-10" / "history").glob("工作简报第64期-已审核-*.docx")
    assert kept.read_bytes() == approved and "需要重新审核" in forced.output
    assert invoke("compile", *ws).exit_code == 0  # the new file was never approved: it may be recompiled


def test_an_approved_bulletin_is_not_replaced_without_force(office):
    office.draft("a.docx", title="十月稿件", unit_line="区人社局")
    office.compile()
    approve(office.ws, office.month, by="王主任")
    with pytest.raises(BulletinError, match="已由王主任审核通过"):
        office.compile()


# -- the notice sheet ----------------------------------------------------------------------------------------

def _sheet(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def test_a_notice_sheet_named_by_month_with_other_headers_is_read(office):
    """Seen: 2026年10月情况通报.xlsx, or headers 单位 / 通报内容 / 通报类型, refused."""
    office.draft("a.docx", title="稿件", unit_line="区人社局")
    _sheet(office.month_dir() / "2026年10月情况通报.xlsx",
           [("单位", "通报内容", "通报类型"), ("区住建局", "信访件办理超期2件", "通报批评")])
    result = office.compile()
    assert [(r.unit, r.matter, r.category) for r in result.notices.rows] == [("区住建局", "信访件办理超期2件", "通报批评")]
    assert result.intake.refused == []
    assert "2026年10月情况通报.xlsx：编入 1 条。" in result.report_path.read_text(encoding="utf-8")


def test_an_unusable_notice_sheet_stops_the_compile_unless_no_notices(office):
    """Seen: the bulletin was written without its notice section, exit 0, one easy-to-miss report line."""
    office.draft("a.docx", title="稿件", unit_line="区人社局")
    _sheet(office.month_dir() / "情况通报.xlsx", [("单位名称", "事项说明"), ("区住建局", "信访件办理超期")])
    ws = ["-w", str(office.root), "--month", "2026-10"]
    stopped = invoke("compile", *ws)
    assert stopped.exit_code == 1
    assert "情况通报表 情况通报.xlsx 无法使用" in stopped.output and "--no-notices" in stopped.output
    assert not list((office.root / "outputs" / "2026-10").glob("*.docx"))
    assert "找不到表头" in (office.root / "outputs" / "2026-10" / "收稿报告.txt").read_text("utf-8")
    done = invoke("compile", *ws, "--no-notices")
    assert done.exit_code == 0, done.output
    report = (office.root / "outputs" / "2026-10" / "收稿报告.txt").read_text("utf-8")
    assert "按 --no-notices 未编入情况通报" in report


# -- recipients and send --------------------------------------------------------------------------------------

def test_intranet_and_full_width_addresses_are_accepted(tmp_path):
    """Seen: user@mail.zg.local, user@zwgk.internal, user@mailsrv refused; full-width addresses refused."""
    path = tmp_path / "recipients.csv"
    path.write_text("名单,名称,邮箱\n发,甲,user@mail.zg.local\n发,乙,user@zwgk.internal\n发,丙,user@mailsrv\n"
                    "发,丁,ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ\n发,戊,not-an-address\n", encoding="utf-8")
    recipients, problems = read_recipients(path)
    assert [r.email for r in recipients] == ["user@mail.zg.local", "user@zwgk.internal", "user@mailsrv",
                                             "wang@example.cn"]
    assert problems == ["recipients.csv 第6行（戊）：邮箱“not-an-address”格式不正确，已跳过。"]


def test_send_with_skipped_rows_exits_2_and_dry_run_works_before_approval(office):
    office.draft("a.docx", title="稿件", unit_line="区人社局")
    (office.root / "inputs" / "recipients.csv").write_text(
        "名单,名称,邮箱\n发,甲,a@example.org\n发,乙,bad-address\n", encoding="utf-8")
    ws = ["-w", str(office.root), "--month", "2026-10"]
    assert invoke("compile", *ws).exit_code == 0
    dry = invoke("send", *ws, "--dry-run")  # the README offers it as "先看看会发给谁"
    assert "试运行" in dry.output and "a@example.org" in dry.output and "尚未审核通过" in dry.output
    assert invoke("approve", *ws, "--by", "王主任").exit_code == 0
    sent = invoke("send", *ws)
    assert sent.exit_code == 2 and "bad-address" in sent.output


# -- words, file modes, the report's encoding -------------------------------------------------------------------

def test_status_uses_the_same_words_as_the_report(office):
    office.draft("a.docx", title="稿件", unit_line="区人社局", paragraphs=["人社局正文：新增就业一千二百人。"])
    office.draft("b.docx", title="没有单位的稿件")  # distinct texts: not 疑似重复 of each other
    (office.month_dir() / "old.doc").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512)
    office.compile()
    status = invoke("status", "-w", str(office.root), "--month", "2026-10").output
    assert "编入 2 篇（其中需核对 1 篇），未采用 1 份" in status and "需核对 没有单位的稿件" in status
    for old_word in ("收录", "需注意", "退回"):
        assert old_word not in status


def test_outputs_are_readable_by_colleagues_and_the_report_opens_in_old_notepad(office):
    office.draft("a.docx", title="稿件", unit_line="区人社局")
    previous = os.umask(0o022)
    try:
        result = office.compile()
    finally:
        os.umask(previous)
    for path in (result.path, result.report_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    raw = result.report_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


# -- issue 15 item 2: compose from what intake read -----------------------------------------------------------

def test_a_draft_replaced_after_intake_does_not_change_the_bulletin(office):
    """The read/compose race: a draft replaced in the folder between reading and composing."""
    path = office.draft("a.docx", title="原来的标题", unit_line="区人社局", paragraphs=["原来的正文。", "第二段。"])
    roster = Roster.load(office.ws.roster_path)
    intake = gather(office.month_dir(), office.month, roster)
    f.make_draft(path, title="换掉的标题", paragraphs=["换掉的正文。"])  # replaced in the folder meanwhile
    issue = build_issue(office.ws.settings.bulletin, intake, NoticeSheet(None), 64, date(2026, 10, 28))
    data = render_issue(issue, shipped_template())
    out = office.root / "out.docx"
    out.write_bytes(data)
    texts = [t for _, t in body_paragraphs(out)]
    assert "原来的正文。" in texts and "第二段。" in texts and "原来的标题" in texts
    assert "换掉的正文。" not in texts and "换掉的标题" not in texts


def test_reserved_sub_folders_are_ignored_quietly(office):
    office.draft("a.docx", title="稿件", unit_line="区人社局")
    for name in ("待核实", "反馈", "history"):
        f.make_draft(office.month_dir() / name / "x.docx", title="子文件夹里的稿件")
    f.make_draft(office.month_dir() / "工作进展" / "x.docx", title="栏目里的稿件", unit_line="区人社局")
    result = office.compile()
    assert result.intake.refused == []
    assert [d.name for d in result.intake.accepted] == ["a.docx", "工作进展/x.docx"]  # any other folder: a column
    assert "子文件夹里的稿件" not in all_text(result.path)


def test_two_folders_for_one_month_are_refused_by_name(office):
    office.draft("a.docx", month="2026-11", title="甲", unit_line="区人社局")
    office.draft("b.docx", month="2026年11月", title="乙", unit_line="区人社局")
    result = invoke("compile", "-w", str(office.root), "--month", "2026-11")
    assert result.exit_code == 1
    assert "有多个 2026-11 的稿件文件夹（2026-11、2026年11月）：请合并为一个后再编排" in result.output
