"""Compiling a month: drafts in every attribution style -> one bulletin, checked by reading it back."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx_read import all_text, body_paragraphs, table_rows

from bulletin.core.errors import BulletinError, NothingToCompile
from bulletin.core.ledger import Ledger

BODY_A = ["今年以来，区人社局聚焦重点群体，新增城镇就业4120人。", "下一步，将持续优化就业服务。"]
BODY_B = ["区财政局全力保障民生支出，1—10月民生支出占比达82.6%。"]
BODY_C = ["区工信局深入开展“企业服务月”活动，走访企业126家。"]
BODY_D = ["区教体局推进“双减”工作落地见效，课后服务覆盖率达100%。"]
BODY_E = ["区住建局完成老旧小区改造23个。"]


@pytest.fixture
def four_styles(office):
    """One draft per way of naming the unit (title line, 供稿 line, file name, author alias)."""
    office.draft("1-就业.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局", paragraphs=BODY_A)
    office.draft("2-财政.docx", title="区财政局兜牢“三保”底线", byline="（区财政局供稿）", paragraphs=BODY_B)
    office.draft("3区工信局-企业服务月成效明显.docx", title="企业服务月成效明显", paragraphs=BODY_C)
    office.draft("4-双减.docx", title="“双减”落地见效", author="区教育局", paragraphs=BODY_D)
    office.draft("区住建局_老旧小区改造.docx", title="老旧小区改造提速", paragraphs=BODY_E)
    office.notices([
        ("区行政审批局", "10月份政务服务“好差评”满意率100%", "通报表扬", ""),
        ("区住建局", "信访件办理超期2件", "通报批评", "已督促整改"),
    ])
    return office


def test_units_found_in_every_style_and_aliases_resolved(four_styles):
    result = four_styles.compile()
    found = {d.name: (d.unit, d.unit_source) for d in result.intake.accepted}
    assert found["1-就业.docx"] == ("区人社局", "line")
    assert found["2-财政.docx"] == ("区财政局", "title")  # the title opens with it (before the 供稿 line)
    assert found["3区工信局-企业服务月成效明显.docx"] == ("区工信局", "filename")
    assert found["4-双减.docx"] == ("区教体局", "author")  # alias 区教育局 -> 区教体局
    assert found["区住建局_老旧小区改造.docx"] == ("区住建局", "filename")
    assert not result.intake.refused


def test_bulletin_front_matter_toc_and_articles(four_styles):
    result = four_styles.compile()
    paragraphs = body_paragraphs(result.path)
    texts = [t for _, t in paragraphs]
    styles = dict((t, s) for s, t in paragraphs)
    assert texts[:4] == ["章贡区“五型”政府建设", "工作简报", "第64期", "区“五型”政府建设领导小组办公室\t2026年10月28日"]
    assert styles["工作简报"] == "Masthead"

    toc = [t for s, t in paragraphs if s == "TOC Entry"]
    assert toc == [  # a title that opens with its unit names it once
        "1.\t区人社局“三个聚焦”推动稳就业",
        "2.\t区财政局兜牢“三保”底线",
        "3.\t区工信局：企业服务月成效明显",
        "4.\t区教体局：“双减”落地见效",
        "5.\t区住建局：老旧小区改造提速",
        "6.\t2026年10月份章贡区“五型”政府建设工作通报",
    ]
    titles = [t for s, t in paragraphs if s == "Article Title"]
    units = [t for s, t in paragraphs if s == "Article Unit"]
    assert titles == ["区人社局“三个聚焦”推动稳就业", "区财政局兜牢“三保”底线", "企业服务月成效明显", "“双减”落地见效",
                      "老旧小区改造提速"]
    assert units == ["区工信局", "区教体局", "区住建局"]
    # Every body paragraph, once, after its own title; no title, unit or 供稿 line repeated as body.
    for body in (BODY_A, BODY_B, BODY_C, BODY_D, BODY_E):
        for line in body:
            assert texts.count(line) == 1
    assert texts.index(BODY_A[0]) > texts.index("区人社局“三个聚焦”推动稳就业", 5)
    assert "（区财政局供稿）" not in texts
    assert texts.count("区人社局") == 0  # the unit line under the title is not body, and the title names it


def test_notice_table_and_closing_block(four_styles):
    result = four_styles.compile()
    rows = table_rows(result.path, -1)
    assert rows[0] == ["序号", "单位名称", "通报事项", "通报类别", "备注"]
    assert rows[1:] == [
        ["1", "区行政审批局", "10月份政务服务“好差评”满意率100%", "通报表扬", ""],
        ["2", "区住建局", "信访件办理超期2件", "通报批评", "已督促整改"],
    ]
    texts = [t for _, t in body_paragraphs(result.path)]
    assert "【情况通报】" in texts
    assert "2026年10月份章贡区“五型”政府建设工作通报" in texts
    closing = [t for s, t in body_paragraphs(result.path) if s == "Closing"]
    assert "报：区政府区长、副区长" in closing[0]
    assert "发：各镇、街道，全区政府系统部门（单位）" in closing[1]
    assert closing[2].strip().startswith("区“五型”政府建设领导小组办公室编")
    assert "电话：8199917" in closing[3] and "电子邮箱：zgqwxzfb@163.com" in closing[3]


def test_no_notice_sheet_means_no_notice_section(office):
    office.draft("a.docx", title="标题一", unit_line="区人社局", paragraphs=["正文一。"])
    result = office.compile()
    texts = [t for _, t in body_paragraphs(result.path)]
    assert "【情况通报】" not in texts
    assert not any("工作通报" in t for t in texts)


def _east_asian(style) -> str | None:
    rpr = style.element.rPr
    fonts = rpr.rFonts if rpr is not None else None
    if fonts is None:
        return None
    assert fonts.get(qn("w:eastAsiaTheme")) is None
    return fonts.get(qn("w:eastAsia"))


def test_gb9704_fonts_sizes_and_page(four_styles):
    document = Document(str(four_styles.compile().path))
    styles = document.styles
    assert _east_asian(styles["Normal"]) == "仿宋_GB2312"
    assert styles["Normal"].font.size.pt == 16
    assert _east_asian(styles["Article Title"]) == "方正小标宋简体"
    assert styles["Article Title"].font.size.pt == 22
    assert _east_asian(styles["Article Unit"]).startswith("楷体")
    assert _east_asian(styles["Heading 1"]) == "黑体"
    assert _east_asian(styles["Heading 2"]).startswith("楷体")
    assert _east_asian(styles["Closing"]).startswith("仿宋")
    assert styles["Closing"].font.size.pt == 14
    masthead = styles["Masthead"]
    assert _east_asian(masthead) == "方正小标宋简体" and str(masthead.font.color.rgb) == "FF0000"
    section = document.sections[0]
    assert len(document.sections) == 1
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert round(section.page_width.mm - section.left_margin.mm - section.right_margin.mm) == 156
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "—" in footer_xml


def test_headings_get_bulletin_styles_and_hand_formatting_goes(office):
    office.draft(
        "a.docx", title="标题", unit_line="区人社局",
        paragraphs=["　　全角空格缩进的正文。", "一、强化组织领导", "（一）压实责任", "二、这一段以编号开头但是很长的正文，后面还有句子。继续写。"],
    )
    paragraphs = body_paragraphs(office.compile().path)
    styles = {t: s for s, t in paragraphs}
    assert styles["一、强化组织领导"] == "Heading 1"
    assert styles["（一）压实责任"] == "Heading 2"
    assert styles["全角空格缩进的正文。"] == "Normal"  # leading full-width spaces removed
    assert styles["二、这一段以编号开头但是很长的正文，后面还有句子。继续写。"] == "Normal"


def test_image_table_list_and_footnote_survive(office):
    office.draft(
        "a.docx", title="图表稿件", unit_line="区人社局", paragraphs=["正文。"],
        image=True, table=[["指标", "数值"], ["新增就业", "4120"]], numbered_list=["第一项", "第二项", "第三项"],
        footnote="数据来源：区人社局统计。",
    )
    path = office.compile().path
    document = Document(str(path))
    body = document.element.body
    assert body.findall(".//" + qn("a:blip")), "image lost"
    blip = body.find(".//" + qn("a:blip"))
    assert document.part.related_parts[blip.get(qn("r:embed"))].blob.startswith(b"\x89PNG")
    assert any(["指标", "数值"] == [c.text for c in t.rows[0].cells] for t in document.tables)
    numbered = [p for p in document.paragraphs if p._p.pPr is not None and (
        p._p.pPr.numPr is not None or p.style.name.startswith("List Number"))]
    assert [p.text for p in numbered] == ["第一项", "第二项", "第三项"]
    refs = body.findall(".//" + qn("w:footnoteReference"))
    assert len(refs) == 1
    footnotes = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes")
    assert "数据来源：区人社局统计。" in footnotes.blob.decode("utf-8")
    assert 'w:type="separator"' in footnotes.blob.decode("utf-8")  # the template's part, as Word expects


def test_order_file_sets_article_order(office):
    office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["甲正文。"])
    office.draft("b.docx", title="乙", unit_line="区财政局", paragraphs=["乙正文。"])
    office.draft("c.docx", title="丙", unit_line="区工信局", paragraphs=["丙正文。"])
    (office.month_dir() / "order.txt").write_text("c.docx\na.docx\n", encoding="utf-8")
    result = office.compile()
    assert [d.title for d in result.intake.accepted] == ["丙", "甲", "乙"]
    assert any("b.docx" in note for note in result.intake.notes)


def test_issue_numbers_run_on_and_recompiling_keeps_them(office):
    for month in ("2026-09", "2026-10", "2026-11"):
        office.draft("a.docx", month=month, title=f"{month}稿件", unit_line="区人社局", paragraphs=["正文。"])
    assert office.compile("2026-09").number == 64
    assert office.compile("2026-10").number == 65
    again = office.compile("2026-09")
    assert again.number == 64 and again.path.name == "工作简报第64期.docx"
    assert office.compile("2026-11").number == 66
    with Ledger(office.ws.ledger_path) as ledger:
        assert len(ledger.compiles("2026-09")) == 2
        drafts = ledger.last_compile("2026-09").drafts
    assert drafts[0]["file"] == "a.docx" and len(drafts[0]["sha256"]) == 64


def test_issue_override_and_clash(office):
    office.draft("a.docx", month="2026-09", title="九月", unit_line="区人社局", paragraphs=["正文。"])
    office.draft("a.docx", month="2026-10", title="十月", unit_line="区人社局", paragraphs=["正文。"])
    assert office.compile("2026-09").number == 64
    result = office.compile("2026-10", issue=70)
    assert result.number == 70
    assert "第70期" in [t for _, t in body_paragraphs(result.path)]
    with pytest.raises(BulletinError, match="第64期已用于 2026-09"):
        office.compile("2026-10", issue=64)
    # The override renamed the month's bulletin: still exactly one bulletin file.
    result = office.compile("2026-10", issue=71)
    assert sorted(p.name for p in result.path.parent.glob("*.docx")) == ["工作简报第71期.docx"]


def test_recompile_keeps_date_unless_asked(office):
    office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    office.compile(issue_date=date(2026, 10, 13))
    result = office.compile(issue_date=None)
    assert result.issue_date == date(2026, 10, 13)


def test_outputs_and_report(four_styles):
    result = four_styles.compile()
    out_dir = result.path.parent
    assert sorted(p.name for p in out_dir.glob("*.docx")) == ["工作简报第64期.docx"]
    report = result.report_path.read_text(encoding="utf-8")
    assert "编入 5 篇" in report
    assert "区教体局：“双减”落地见效" in report and "文档作者" in report


def test_no_drafts_is_an_error_with_report(office):
    office.month_dir()
    with pytest.raises(NothingToCompile):
        office.compile()
    (office.month_dir() / "readme.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(NothingToCompile, match="未能采用"):
        office.compile()
    report = (office.root / "outputs" / "2026-10" / "收稿报告.txt").read_text(encoding="utf-8")
    assert "readme.pdf" in report and "PDF" in report


def test_edited_bulletin_is_kept_before_a_recompile(office):
    office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    first = office.compile()
    edited = Document(str(first.path))
    edited.add_paragraph("审核人加的一段。")
    edited.save(str(first.path))
    again = office.compile()
    assert again.previous_kept is not None and again.previous_kept.parent.name == "history"
    assert "审核人加的一段。" in all_text(again.previous_kept)
    assert "审核人加的一段。" not in all_text(again.path)


def test_a_month_that_fails_later_keeps_its_bulletin_and_says_so(office):
    draft = office.draft("a.docx", title="甲", unit_line="区人社局", paragraphs=["正文。"])
    first = office.compile()
    before = first.path.read_bytes()
    draft.write_bytes(b"")  # the only draft is now unusable
    with pytest.raises(NothingToCompile):
        office.compile()
    assert first.path.read_bytes() == before
    report = first.report_path.read_text(encoding="utf-8")
    assert "上次生成的 工作简报第64期.docx 保持不变" in report and "a.docx" in report
