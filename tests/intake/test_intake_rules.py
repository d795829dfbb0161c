"""The reading and admission rules one by one, on small drafts (fast: these keep mutation testing of
bulletin/intake/drafts.py and intake.py quick; the whole shapes are in test_reading_corpus.py)."""

from __future__ import annotations

import io
import os
from datetime import datetime, timezone
from pathlib import Path

import draft_factory as f
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from reading_corpus import set_modified

from bulletin.intake.docxfile import PartCache, Refused
from bulletin.intake.drafts import (
    join_title,
    read_draft,
    revision_rank,
    split_file_name,
)
from bulletin.intake.intake import (
    Intake,
    Replacement,
    gather,
    is_ignored,
    is_notice_sheet,
    natural_key,
    newer_version,
)
from bulletin.intake.roster import Roster

BODY = "今年以来，我局扎实推进各项工作，成效明显。"


def doc_with(path: Path, lines, *, author: str = "", style_xml: str | None = None) -> Path:
    """lines: (text, look) with look in title / unit / body / plain / bold / big / Title / Heading 1 / right."""
    doc = Document(io.BytesIO(f._base_docx()))
    with f._core_properties(doc) as props:
        props.author = author
    if style_xml:
        f._add_style(doc, style_xml)
    for text, look in lines:
        if look in ("Title", "Heading 1", "Custom Title"):
            doc.add_paragraph(text, style=look)
            continue
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(text)
        if look == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.font.size = Pt(22)
        elif look == "unit":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif look == "bold":
            run.font.bold = True
        elif look == "big":
            run.font.size = Pt(22)
        elif look == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    path.parent.mkdir(parents=True, exist_ok=True)
    f._save_reproducibly(doc, path)
    return path


def read(tmp_path, roster, lines, name="稿件.docx", **kw):
    return read_draft(doc_with(tmp_path / name, lines, **kw), roster)


# -- titles -------------------------------------------------------------------------------------------------

def test_title_lines_join_while_they_look_alike_up_to_three(tmp_path, roster):
    lines = [("第一行标题", "title"), ("第二行标题", "title"), ("第三行标题", "title"), ("第四行标题", "title"),
             ("区人社局", "unit"), (BODY, "plain")]
    draft = read(tmp_path, roster, lines)
    assert draft.title_lines == ("第一行标题", "第二行标题", "第三行标题")
    assert draft.title == "第一行标题 第二行标题 第三行标题"
    assert draft.body_texts[0] == "第四行标题"  # a fourth line is not the title any more
    assert draft.unit == ""  # the unit line no longer sits under the title


@pytest.mark.parametrize("look", ["title", "bold", "big", "Title"])
def test_each_title_look_joins_two_lines(tmp_path, roster, look):
    draft = read(tmp_path, roster, [("上一行", look), ("下一行", look), ("区人社局", "plain"), (BODY, "plain")])
    assert draft.title_lines == ("上一行", "下一行") and draft.unit == "区人社局"


def test_plain_lines_never_join(tmp_path, roster):
    draft = read(tmp_path, roster, [("没有格式的标题", "plain"), ("没有格式的第二行", "plain"), (BODY, "plain")])
    assert draft.title_lines == ("没有格式的标题",) and draft.body_texts[0] == "没有格式的第二行"


def test_a_second_line_in_another_look_is_not_the_title(tmp_path, roster):
    draft = read(tmp_path, roster, [("大标题", "title"), ("小一号的行", "bold"), (BODY, "plain")])
    assert draft.title_lines == ("大标题",) and draft.body_texts[0] == "小一号的行"


@pytest.mark.parametrize("second", ["一、主要做法", "（一）强化领导", "1.强化领导", "第二行。", "第二行：",
                                    "2026年10月20日", "【编者按】第二行"])
def test_headings_sentences_and_dates_do_not_continue_a_title(tmp_path, roster, second):
    draft = read(tmp_path, roster, [("标题", "title"), (second, "title"), (BODY, "plain")])
    assert draft.title_lines == ("标题",)


def test_a_long_title_line_does_not_continue_a_title(tmp_path, roster):
    long_line = "长" * 51
    draft = read(tmp_path, roster, [("标题", "title"), (long_line, "title"), (BODY, "plain")])
    assert draft.title_lines == ("标题",) and draft.body_texts[0] == long_line
    ok = read(tmp_path, roster, [("标题", "title"), ("长" * 50, "title"), (BODY, "plain")], name="b.docx")
    assert ok.title_lines == ("标题", "长" * 50)


def test_how_long_a_first_paragraph_may_be(tmp_path, roster):
    plain80 = read(tmp_path, roster, [("字" * 80, "plain"), (BODY, "plain")], name="区人社局-文件名标题.docx")
    assert plain80.title == "字" * 80 and plain80.warnings == []
    plain81 = read(tmp_path, roster, [("字" * 81, "plain"), (BODY, "plain")], name="区人社局-文件名标题.docx")
    assert plain81.title == "文件名标题" and plain81.body_texts[0] == "字" * 81
    assert plain81.warnings == ["稿件第一段是正文而不是标题，已使用文件名中的标题“文件名标题”，请核对"]
    big150 = read(tmp_path, roster, [("字" * 150, "title"), (BODY, "plain")], name="区人社局-文件名标题.docx")
    assert big150.title == "字" * 150 and big150.warnings == ["标题长达 150 字，请核对"]
    big151 = read(tmp_path, roster, [("字" * 151, "title"), (BODY, "plain")], name="区人社局-文件名标题.docx")
    assert big151.title == "文件名标题"


def test_drafts_without_a_title_or_a_body(tmp_path, roster):
    untitled = read(tmp_path, roster, [(BODY, "plain")], name="稿件.docx")
    assert (untitled.title, untitled.body_texts) == ("稿件", [BODY]) and untitled.flagged
    with pytest.raises(Refused, match="只有标题"):
        read(tmp_path, roster, [("标题", "title"), ("区人社局", "unit")], name="a.docx")
    with pytest.raises(Refused, match="没有任何文字"):
        read(tmp_path, roster, [("", "plain")], name="b.docx")


def test_a_table_first_takes_the_title_from_the_file_name(tmp_path, roster):
    doc = Document(io.BytesIO(f._base_docx()))
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "表格"
    doc.add_paragraph(BODY)
    path = tmp_path / "区财政局-预算执行.docx"
    doc.save(str(path))
    draft = read_draft(path, roster)
    assert draft.title == "预算执行" and draft.warnings[0].startswith("稿件开头不是文字标题")


def test_a_title_style_below_short_lines_starts_the_title(tmp_path, roster):
    draft = read(tmp_path, roster, [("简报", "plain"), ("第9期", "plain"), ("真正的标题", "Title"), (BODY, "plain")])
    assert draft.title == "真正的标题"
    assert draft.notes == ["稿件开头的“简报”不是标题，未编入", "稿件开头的“第9期”不是标题，未编入"]
    sentence = read(tmp_path, roster, [("这是一句话。", "plain"), ("标题样式", "Title"), (BODY, "plain")], name="b.docx")
    assert sentence.title == "这是一句话。" or sentence.body_texts[0] == "这是一句话。"
    assert sentence.title != "标题样式"


def test_a_label_above_a_title_is_not_the_title(tmp_path, roster):
    draft = read(tmp_path, roster, [("工作信息", "unit"), ("标题", "title"), (BODY, "plain")])
    assert draft.title == "标题"
    alone = read(tmp_path, roster, [("工作信息", "title"), (BODY, "plain")], name="b.docx")
    assert alone.title == "工作信息"  # nothing title-like under it: it is the title


def test_a_title_style_defined_by_its_base_style_is_read(tmp_path, roster):
    """Style looks come through basedOn: a custom style based on one that centres and enlarges."""
    xml = (f'<w:style {f.nsdecls("w")} w:type="paragraph" w:styleId="CustomTitle"><w:name w:val="Custom Title"/>'
           '<w:basedOn w:val="Title"/><w:pPr><w:jc w:val="center"/></w:pPr></w:style>')
    draft = read(tmp_path, roster, [("第一行", "Custom Title"), ("第二行", "Custom Title"), (BODY, "plain")],
                 style_xml=xml)
    assert draft.title_lines == ("第一行", "第二行")


def test_join_title():
    assert join_title(["我市强化“三双”机制", "精准有效推进"]) == "我市强化“三双”机制 精准有效推进"
    assert join_title(["关于，", "工作"]) == "关于，工作"
    assert join_title(["标题", "——副"]) == "标题——副"
    assert join_title(["“三个", "”工作"]) == "“三个”工作"
    assert join_title(["Smart", "City"]) == "Smart City"
    assert join_title(["单行"]) == "单行"


# -- units -------------------------------------------------------------------------------------------------

def test_unit_sources_in_order(tmp_path, roster):
    line = read(tmp_path, roster, [("区财政局预算绩效", "title"), ("区人社局", "unit"), (BODY, "plain"),
                                   ("（区医保局供稿）", "right")], name="区司法局-x.docx", author="区统计局")
    assert (line.unit, line.unit_source, line.unit_in_roster) == ("区人社局", "line", True)
    title = read(tmp_path, roster, [("区财政局预算绩效", "title"), (BODY, "plain"), ("（区医保局供稿）", "right")],
                 name="区司法局-x.docx")
    assert (title.unit, title.unit_source, title.unit_in_title) == ("区财政局", "title", True)
    byline = read(tmp_path, roster, [("预算绩效", "title"), (BODY, "plain"), ("（区医保局供稿）", "right")],
                  name="区司法局-x.docx")
    assert (byline.unit, byline.unit_source) == ("区医保局", "byline")
    name = read(tmp_path, roster, [("预算绩效", "title"), (BODY, "plain")], name="区司法局-x.docx", author="区统计局")
    assert (name.unit, name.unit_source) == ("区司法局", "filename")
    author = read(tmp_path, roster, [("预算绩效", "title"), (BODY, "plain")], name="x.docx", author="区统计局")
    assert (author.unit, author.unit_source) == ("区统计局", "author")


def test_the_mailbox_comes_after_bylines_and_before_the_file_name(tmp_path, roster):
    path = doc_with(tmp_path / "区司法局-x.docx", [("预算绩效", "title"), (BODY, "plain")])
    mailed = read_draft(path, roster, sender_unit="区医疗保障局")
    assert (mailed.unit, mailed.unit_source, mailed.unit_in_roster) == ("区医保局", "mailbox", True)
    unknown = read_draft(path, roster, sender_unit="某某单位")
    assert (unknown.unit, unknown.unit_in_roster) == ("某某单位", False)
    path2 = doc_with(tmp_path / "y.docx", [("预算绩效", "title"), (BODY, "plain"), ("（区财政局供稿）", "right")])
    assert read_draft(path2, roster, sender_unit="区医保局").unit == "区财政局"


def test_a_unit_not_in_the_roster_is_flagged(tmp_path, roster):
    draft = read(tmp_path, roster, [("标题", "title"), ("区应急管理局", "unit"), (BODY, "plain")])
    assert (draft.unit, draft.unit_in_roster) == ("区应急管理局", False)
    assert draft.warnings == ["供稿单位“区应急管理局”不在单位名册（inputs/units.csv）中，请核对名称"]
    no_roster = read_draft(tmp_path / "稿件.docx", Roster())
    assert no_roster.unit == "区应急管理局" and no_roster.warnings == []


def test_a_unit_by_its_look_opens_a_title_only_as_a_last_resort(tmp_path, roster):
    draft = read(tmp_path, roster, [("县医保中心推行便民服务", "title"), (BODY, "plain")])
    assert (draft.unit, draft.unit_source, draft.unit_in_title) == ("县医保中心", "title", True)
    verb = read(tmp_path, roster, [("市场主体活力增强", "title"), (BODY, "plain")], name="b.docx")
    assert verb.unit == ""
    nested = read(tmp_path, roster, [("区环境分局开展检查", "title"), (BODY, "plain")], name="c.docx")
    assert nested.unit == "区环境分局"


def test_people_and_dates_are_reported_not_printed(tmp_path, roster):
    draft = read(tmp_path, roster, [("标题", "title"), ("区人社局 张三", "unit"), ("2026年10月8日", "unit"), (BODY, "plain"),
                                    ("（区人社局供稿 撰稿人：王五）", "right")])
    assert draft.body_texts == [BODY]
    assert draft.attribution == ["区人社局 张三", "2026年10月8日", "（区人社局供稿 撰稿人：王五）"]
    assert "署名未印在简报上：张三、撰稿人：王五" in draft.notes
    plain = read(tmp_path, roster, [("标题", "title"), ("区人社局", "unit"), (BODY, "plain")], name="b.docx")
    assert plain.attribution == []  # the plain unit line is the unit, nothing more to report


def test_the_tail_keeps_one_body_paragraph(tmp_path, roster):
    draft = read(tmp_path, roster, [("标题", "title"), ("区人社局", "plain"), ("（区财政局供稿）", "plain")])
    assert draft.body_texts == ["（区财政局供稿）"] and draft.unit == "区人社局"
    with pytest.raises(Refused, match="只有标题"):
        read(tmp_path, roster, [("标题", "title"), ("区人社局", "plain"), ("2026年10月8日", "plain")], name="b.docx")


def test_an_editor_note_and_a_subtitle_are_kept(tmp_path, roster):
    draft = read(tmp_path, roster, [("【编者按】这是按语。", "plain"), ("标题", "title"), ("——副标题", "unit"),
                                    ("区人社局", "unit"), (BODY, "plain")])
    assert (draft.editor_note, draft.subtitle, draft.unit) == ("【编者按】这是按语。", "——副标题", "区人社局")
    assert draft.body_texts == [BODY]


# -- pictures ------------------------------------------------------------------------------------------------

def test_pictures_notes(tmp_path, roster):
    from PIL import Image

    big = io.BytesIO()
    Image.new("RGB", (2001, 10), "white").save(big, "PNG")
    doc = Document(io.BytesIO(f._base_docx()))
    doc.add_paragraph("标题")
    doc.add_paragraph(BODY)
    doc.add_paragraph().add_run().add_picture(io.BytesIO(big.getvalue()), width=Cm(15.6))
    doc.add_paragraph().add_run().add_picture(io.BytesIO(f.chart_png()), width=Cm(15.7))
    path = tmp_path / "区人社局-图.docx"
    doc.save(str(path))
    draft = read_draft(path, roster)
    assert draft.notes == ["有1张图片超出版心，已按比例缩小到版心以内",
                           "有1张图片超过2000像素，已缩小并重新压缩（简报文件更小，便于邮件发送）"]


# -- file names and versions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, unit, title", [
    ("区人社局-稳就业.docx", "区人社局", "稳就业"),
    ("03-区人社局_稳就业.docx", "区人社局", "稳就业"),
    ("3区人社局－稳就业.docx", "区人社局", "稳就业"),
    ("区人社局：稳就业.docx", "区人社局", "稳就业"),
    ("区人社局 稳就业.docx", "区人社局", "稳就业"),
    ("区人社局\u3000稳就业.docx", "区人社局", "稳就业"),
    ("【区人社局】稳就业.docx", "区人社局", "稳就业"),
    ("[区人社局]稳就业.docx", "区人社局", "稳就业"),
    ("（区人社局）稳就业.docx", "区人社局", "稳就业"),
    ("区人社局稳就业.docx", "区人社局", "稳就业"),
    ("区人社局-稳就业（修改稿）.docx", "区人社局", "稳就业"),
    ("区人社局-稳就业v2.docx", "区人社局", "稳就业"),
    ("稳就业（定稿）.docx", None, "稳就业"),
    ("稳就业.docx", None, "稳就业"),
    ("【稳就业】工作.docx", None, "【稳就业】工作"),
    ("区人社局.docx", None, "区人社局"),
])
def test_file_names(roster, name, unit, title):
    found, got = split_file_name(Path(name), roster)
    assert (found[0] if found else None, got) == (unit, title)


@pytest.mark.parametrize("name, rank", [
    ("稳就业.docx", (0, 0)), ("稳就业修改稿.docx", (2, 1)), ("稳就业_修订.docx", (2, 1)),
    ("稳就业v2.docx", (2, 2)), ("稳就业V3.docx", (2, 3)), ("稳就业第3稿.docx", (2, 3)), ("稳就业修改2.docx", (2, 2)),
    ("稳就业（终稿）.docx", (3, 0)), ("稳就业最终版.docx", (3, 0)), ("稳就业定稿.docx", (3, 0)), ("稳就业二稿.docx", (2, 1)),
])
def test_revision_marks_in_names(name, rank):
    assert revision_rank(name) == rank


def _draft(tmp_path, roster, name, body="正文。", when=None, mtime=1_790_000_000.0):
    path = f.make_draft(tmp_path / name, title="同一标题", unit_line="区人社局", paragraphs=[body])
    if when:
        set_modified(path, when)
    os.utime(path, (mtime, mtime))
    return read_draft(path, roster)


def test_newer_version_rules(tmp_path, roster):
    a = _draft(tmp_path, roster, "a.docx", when="2026-10-21T00:00:00Z")
    b = _draft(tmp_path, roster, "b.docx", when="2026-10-20T00:00:00Z", mtime=1_790_009_999)
    assert newer_version(a, b)[:2] == (a, b) and newer_version(b, a)[:2] == (a, b)
    assert a.modified == datetime(2026, 10, 21, tzinfo=timezone.utc)
    c = _draft(tmp_path, roster, "c.docx", mtime=1_790_000_000)
    d = _draft(tmp_path, roster, "d.docx", mtime=1_790_000_002)  # within 2 s: the same time
    e = _draft(tmp_path, roster, "e.docx", mtime=1_790_000_003)
    assert newer_version(c, e)[:3] == (e, c, "文件的修改时间较晚")
    assert newer_version(e, c)[:2] == (e, c)
    kept, older, why = newer_version(c, d)
    assert (kept, older) == (c, d) and why == "无法判断哪一篇较新，保留排在前面的一篇"
    assert c.warnings == ["与《d.docx》是同一稿件的两个版本，无法判断哪一篇较新，已编入《c.docx》：请核对"]
    marked = _draft(tmp_path, roster, "c修改稿.docx", mtime=1_790_000_001)
    assert newer_version(d, marked)[:3] == (marked, d, "文件名标明是修改后的版本")
    assert newer_version(marked, d)[:2] == (marked, d)


def test_admission_in_order(tmp_path, roster):
    folder = tmp_path / "2026-10"
    f.make_draft(folder / "1.docx", title="甲", unit_line="区人社局", paragraphs=["甲一。"])
    f.make_draft(folder / "2.docx", title="乙", unit_line="区财政局", paragraphs=["乙。"])
    f.make_draft(folder / "3.docx", title="甲", unit_line="区人社局", paragraphs=["甲二。"])
    f.make_draft(folder / "4.docx", title="甲", unit_line="区人社局", paragraphs=["甲三。"])
    f.make_draft(folder / "5.docx", title="丙", paragraphs=["丙。"])
    f.make_draft(folder / "6.docx", title="丙", paragraphs=["丙二。"])
    for number in range(1, 7):
        os.utime(folder / f"{number}.docx", (1_790_000_000 + 10 * number,) * 2)
    intake = gather(folder, "2026-10", roster)
    assert [d.name for d in intake.accepted] == ["4.docx", "2.docx", "5.docx", "6.docx"]
    assert intake.replaced == [
        Replacement("1.docx", "3.docx", "已被《3.docx》（较新版本）替换：文件的修改时间较晚"),
        Replacement("3.docx", "4.docx", "已被《4.docx》（较新版本）替换：文件的修改时间较晚"),
    ]
    kept = intake.accepted[0]
    assert kept.notes[-1] == "同一单位同一标题的《3.docx》是较早的版本，未编入（文件的修改时间较晚）"
    rows = intake.ledger_rows()
    assert [(r["file"], r["status"]) for r in rows] == [
        ("4.docx", "accepted"), ("2.docx", "accepted"), ("5.docx", "flagged"), ("6.docx", "flagged"),
        ("1.docx", "replaced"), ("3.docx", "replaced")]
    assert rows[4] == {"file": "1.docx", "sha256": "", "unit": "", "title": "", "status": "replaced",
                       "reason": "已被《3.docx》（较新版本）替换：文件的修改时间较晚"}
    assert rows[0] == {"file": "4.docx", "sha256": kept.sha256, "unit": "区人社局", "title": "甲", "status": "accepted",
                       "reason": "", "notes": "同一单位同一标题的《3.docx》是较早的版本，未编入（文件的修改时间较晚）",
                       "column": ""}
    assert rows[2]["reason"] == "未能识别供稿单位：请在标题下一行写明单位，或在文末注明“（XX供稿）”"


def test_duplicates_by_bytes_and_by_text(tmp_path, roster):
    folder = tmp_path / "2026-10"
    first = f.make_draft(folder / "1.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    (folder / "2.docx").write_bytes(first.read_bytes())
    f.make_draft(folder / "3.docx", title="甲", unit_line="区人社局", paragraphs=["正 文。"], author="张三")
    intake = gather(folder, "2026-10", roster)
    assert [d.name for d in intake.accepted] == ["1.docx"]
    assert [(d.file, d.of, d.reason) for d in intake.duplicates] == [
        ("2.docx", "1.docx", "与“1.docx”是同一文件（内容完全相同），只编入一次"),
        ("3.docx", "1.docx", "与“1.docx”文字完全相同（只是另存或格式不同），只编入一次")]
    assert [(r["file"], r["status"], r["reason"]) for r in intake.ledger_rows()[1:]] == [
        ("2.docx", "duplicate", "与“1.docx”是同一文件（内容完全相同），只编入一次"),
        ("3.docx", "duplicate", "与“1.docx”文字完全相同（只是另存或格式不同），只编入一次")]


def test_refused_rows_and_file_names(tmp_path, roster):
    folder = tmp_path / "2026-10"
    f.make_draft(folder / "10-甲.docx", title="甲", unit_line="区人社局")
    f.make_draft(folder / "2-乙.docx", title="乙", unit_line="区财政局")
    (folder / "b.pdf").write_bytes(b"%PDF")
    (folder / "a.doc").write_bytes(b"x")
    (folder / "统计表.xlsx").write_bytes(b"x")
    (folder / "情况通报.xlsx").write_bytes(b"x")
    (folder / "照片.JPG").write_bytes(b"x")
    (folder / "其他.zip").write_bytes(b"x")
    (folder / "README.txt").write_text("说明", encoding="utf-8")
    intake = gather(folder, "2026-10", roster)
    assert [d.name for d in intake.accepted] == ["2-乙.docx", "10-甲.docx"]
    reasons = {r.file: r.reason for r in intake.refused}
    assert reasons == {
        "a.doc": "这是旧版 Word 格式（.doc），请在 Word 中“另存为” .docx 后重新提交",
        "b.pdf": "PDF 文件无法编入简报，请提交 Word 文档（.docx）",
        "其他.zip": "不是 Word 稿件（.docx），未编入简报",
        "照片.JPG": "图片不能单独编入简报，请把图片插入 Word 稿件后提交",
        "统计表.xlsx": "表格文件不是稿件；如是情况通报表，请在文件名中写明“通报”（如 情况通报.xlsx）",
    }
    assert [r.file for r in intake.refused] == ["a.doc", "b.pdf", "其他.zip", "照片.JPG", "统计表.xlsx"]
    assert {r["file"]: r for r in intake.ledger_rows()}["a.doc"] == {
        "file": "a.doc", "sha256": "", "unit": "", "title": "", "status": "refused", "reason": reasons["a.doc"]}


def test_what_intake_leaves_alone(tmp_path):
    assert is_ignored(Path("~$稿件.docx")) and is_ignored(Path(".DS_Store"))
    assert is_ignored(Path("Thumbs.db")) and is_ignored(Path("desktop.ini"))
    assert not is_ignored(Path("稿件.docx"))
    for name in ("notices.xlsx", "NOTICES.csv", "情况通报.xlsx", "2026年10月情况通报.xlsx", "通报.et"):
        assert is_notice_sheet(Path(name)), name
    for name in ("notices.docx", "统计.xlsx", "notices2.xlsx", "通报.docx"):
        assert not is_notice_sheet(Path(name)), name
    assert natural_key("2-a.docx") < natural_key("10-a.docx")


def test_parts_are_parsed_once_per_distinct_content(tmp_path, roster):
    cache = PartCache()
    first = read_draft(f.make_draft(tmp_path / "a.docx", title="甲", unit_line="区人社局"), roster, cache=cache)
    second = read_draft(f.make_draft(tmp_path / "b.docx", title="乙", unit_line="区人社局"), roster, cache=cache)
    assert first.content.trees["word/styles.xml"] is second.content.trees["word/styles.xml"]
    assert first.content.document is not second.content.document
    assert cache.hits > 0
    alone = read_draft(tmp_path / "a.docx", roster)
    assert alone.content.trees["word/styles.xml"] is not first.content.trees["word/styles.xml"]


def test_ledger_rows_hold_every_warning_and_note(tmp_path, roster):
    folder = tmp_path / "2026-10"
    f.make_draft(folder / "1.docx", title="字" * 81, paragraphs=["正文。"], tracked_changes=True, comment="批注")
    first = f.make_draft(folder / "2.docx", title="乙", unit_line="区财政局", paragraphs=["乙。"])
    (folder / "3.docx").write_bytes(first.read_bytes())
    intake = gather(folder, "2026-10", roster)
    flagged, _, duplicate = intake.ledger_rows()
    assert flagged["status"] == "flagged"
    assert flagged["reason"] == ("未能识别供稿单位：请在标题下一行写明单位，或在文末注明“（XX供稿）”；"
                                 "标题长达 81 字，请核对")
    assert flagged["notes"] == "已接受稿件中的修订；已删除批注"
    assert duplicate == {"file": "3.docx", "sha256": "", "unit": "", "title": "", "status": "duplicate",
                         "reason": "与“2.docx”是同一文件（内容完全相同），只编入一次"}


def test_order_file_lines_that_name_paths_are_ignored(tmp_path, roster):
    folder = tmp_path / "2026-10"
    f.make_draft(folder / "a.docx", title="甲", unit_line="区人社局")
    f.make_draft(folder / "b.docx", title="乙", unit_line="区财政局")
    lines = ["../x.docx", "x/y.docx", "x\\y.docx", ".", "..", "C:x.docx", "c:y", "b", "a.docx", "没有.docx"]
    (folder / "order.txt").write_text("\n".join(lines), encoding="utf-8")
    intake = gather(folder, "2026-10", roster)
    assert [d.name for d in intake.accepted] == ["b.docx", "a.docx"]
    assert [n for n in intake.notes if "含有路径" in n] == [
        f"order.txt 第{i}行“{line}”含有路径，只能写本月文件夹中的文件名，已忽略" for i, line in enumerate(lines[:7], 1)]
    assert "order.txt 第10行“没有.docx”没有找到可用的稿件" in intake.notes


def test_a_dash_line_is_a_subtitle_unless_it_names_a_roster_unit(tmp_path, roster):
    subtitle = read(tmp_path, roster, [("标题", "title"), ("——记区人社局就业服务中心", "unit"), (BODY, "plain")])
    assert (subtitle.subtitle, subtitle.unit) == ("——记区人社局就业服务中心", "")
    unit = read(tmp_path, roster, [("标题", "title"), ("——区人力资源和社会保障局", "unit"), (BODY, "plain")], name="b.docx")
    assert (unit.subtitle, unit.unit, unit.unit_source) == ("", "区人社局", "line")
    person = read(tmp_path, roster, [("标题", "title"), ("——区应急局 张三", "unit"), (BODY, "plain")], name="c.docx")
    assert (person.subtitle, person.unit) == ("", "区应急局")
