"""The draft factory writes the structures the tests of the product rely on."""

from __future__ import annotations

import re
import zipfile

import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

import draft_factory as f


def body_xml(doc) -> str:
    return doc.element.body.xml


def accepted_text(paragraph) -> str:
    """Text with revisions accepted: every w:t, which skips w:delText."""
    return "".join(t.text or "" for t in paragraph._p.iter(qn("w:t")))


def test_plain_draft_has_title_unit_line_body_and_byline(tmp_path):
    path = f.make_draft(tmp_path / "a.docx", title="标题", unit_line="区人社局", byline="（区财政局供稿）",
                        paragraphs=["第一段。", "第二段。"])
    doc = Document(path)
    texts = [p.text for p in doc.paragraphs]
    assert texts == ["标题", "区人社局", "第一段。", "第二段。", "（区财政局供稿）"]
    assert doc.core_properties.author == ""  # not python-docx's "python-docx"
    assert doc.core_properties.comments == ""
    section = doc.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # A4 as Word writes it


def test_author_and_title_style(tmp_path):
    doc = Document(f.make_draft(tmp_path / "a.docx", author="区教育局", title_style="Heading 1"))
    assert doc.core_properties.author == "区教育局"
    assert doc.paragraphs[0].style.name == "Heading 1"
    assert doc.paragraphs[0].text == f.DEFAULT_TITLE


@pytest.mark.parametrize("mode, style", [(True, "Heading 1"), ("plain", "Normal")])
def test_headings(tmp_path, mode, style):
    doc = Document(f.make_draft(tmp_path / "a.docx", headings=mode, paragraphs=[f"段{i}" for i in range(6)]))
    texts = [p.text for p in doc.paragraphs]
    for heading in f.HEADING_TEXTS:
        assert heading in texts
    assert texts.index("一、主要做法") < texts.index("段0") < texts.index("二、下一步工作打算") < texts.index("段5")
    assert doc.paragraphs[texts.index("一、主要做法")].style.name == style


def test_explicit_headings(tmp_path):
    paragraphs = [f.Heading("一、聚焦重点群体"), "正文一。", f.Heading("（一）高校毕业生", 2), "正文二。"]
    doc = Document(f.make_draft(tmp_path / "a.docx", paragraphs=paragraphs, headings="plain"))
    assert [p.text for p in doc.paragraphs[1:]] == ["一、聚焦重点群体", "正文一。", "（一）高校毕业生", "正文二。"]
    assert f.HEADING_TEXTS[0] not in [p.text for p in doc.paragraphs]
    doc = Document(f.make_draft(tmp_path / "b.docx", paragraphs=paragraphs))
    assert [p.style.name for p in doc.paragraphs[1:4:2]] == ["Heading 1", "Heading 2"]


def test_footnote_is_a_real_word_footnote(tmp_path):
    note = "数据来源：区统计局 & <快报> {{ 7*7 }}"
    path = f.make_draft(tmp_path / "a.docx", footnote=note)
    doc = Document(path)
    part = doc.part.part_related_by(RT.FOOTNOTES)
    assert part.partname == "/word/footnotes.xml"
    assert part.content_type == CT.WML_FOOTNOTES
    xml = part.blob.decode("utf-8")
    assert re.search(r'w:type="separator" w:id="-1".*<w:separator/>', xml)
    assert re.search(r'w:type="continuationSeparator" w:id="0".*<w:continuationSeparator/>', xml)
    assert 'w:id="1"' in xml and "<w:footnoteRef/>" in xml
    assert "区统计局 &amp; &lt;快报&gt; {{ 7*7 }}" in xml  # literal, escaped once
    refs = doc.element.body.findall(f".//{qn('w:p')}//{qn('w:footnoteReference')}")
    assert [r.get(qn("w:id")) for r in refs] == ["1"]
    settings = doc.settings.element.xml
    assert '<w:footnote w:id="-1"/>' in settings and '<w:footnote w:id="0"/>' in settings
    assert "FootnoteReference" in [s.style_id for s in doc.styles]
    with zipfile.ZipFile(path) as z:
        assert "word/footnotes.xml" in z.namelist()


def test_comment_is_anchored_on_a_body_run(tmp_path):
    doc = Document(f.make_draft(tmp_path / "a.docx", comment="请核实数据"))
    comments = list(doc.comments)
    assert len(comments) == 1
    assert comments[0].author == f.EDITOR and comments[0].text == "请核实数据"
    xml = body_xml(doc)
    assert "<w:commentRangeStart" in xml and "<w:commentRangeEnd" in xml and "<w:commentReference" in xml


def test_tracked_changes(tmp_path):
    doc = Document(f.make_draft(tmp_path / "a.docx", tracked_changes=True))
    ins = doc.element.body.findall(f".//{qn('w:ins')}")
    dels = doc.element.body.findall(f".//{qn('w:del')}")
    assert len(ins) == 1 and len(dels) == 1
    assert ins[0].get(qn("w:author")) == f.EDITOR and ins[0].get(qn("w:date"))
    assert dels[0].find(f".//{qn('w:delText')}").text == f.TRACKED_DELETED
    paragraph = next(p for p in doc.paragraphs if p.text.startswith(f.TRACKED_BEFORE))
    assert accepted_text(paragraph) == f.TRACKED_BEFORE + f.TRACKED_INSERTED + f.TRACKED_AFTER


def test_section_break_is_a_paragraph_level_sectpr(tmp_path):
    doc = Document(f.make_draft(tmp_path / "a.docx", section_break=True, paragraphs=["一", "二", "三", "四"]))
    inner = doc.element.body.findall(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}")
    assert len(inner) == 1
    assert len(doc.sections) == 2
    assert all(s.orientation == WD_ORIENT.PORTRAIT for s in doc.sections)


def test_landscape_middle_section(tmp_path):
    doc = Document(f.make_draft(tmp_path / "a.docx", landscape=True, paragraphs=list("一二三四五六")))
    assert len(doc.element.body.findall(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}")) == 2
    first, middle, last = doc.sections
    assert middle.orientation == WD_ORIENT.LANDSCAPE
    assert middle.page_width > middle.page_height
    pg_sz = middle._sectPr.find(qn("w:pgSz"))
    assert pg_sz.get(qn("w:orient")) == "landscape"
    assert first.orientation == last.orientation == WD_ORIENT.PORTRAIT


def test_image_table_and_numbered_list(tmp_path):
    doc = Document(f.make_draft(tmp_path / "a.docx", image=True, table=True, numbered_list=True))
    assert len(doc.inline_shapes) == 1
    images = [p for p in doc.part.package.iter_parts() if p.content_type == "image/png"]
    assert len(images) == 1 and images[0].blob.startswith(b"\x89PNG\r\n\x1a\n")
    (table,) = doc.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [list(r) for r in f.TABLE_ROWS]
    items = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in items] == list(f.LIST_ITEMS)
    num_ids = {p._p.pPr.numPr.numId.val for p in items}
    assert len(num_ids) == 1
    numbering = doc.part.numbering_part.element
    assert numbering.num_having_numId(num_ids.pop()) is not None


def test_external_image_is_linked_not_embedded(tmp_path):
    doc = Document(f.make_draft(tmp_path / "a.docx", external_image=True))
    external = [r for r in doc.part.rels.values() if r.is_external and r.reltype == RT.IMAGE]
    assert [r.target_ref for r in external] == [f.EXTERNAL_IMAGE_URL]
    blip = doc.element.body.find(f".//{qn('a:blip')}")
    assert blip.get(qn("r:link")) == external[0].rId and blip.get(qn("r:embed")) is None


def test_header_text(tmp_path):
    doc = Document(f.make_draft(tmp_path / "a.docx", header_text="内部资料 注意保存", section_break=True))
    assert doc.sections[0].header.paragraphs[0].text == "内部资料 注意保存"
    assert doc.sections[1].header.is_linked_to_previous


def test_same_arguments_same_bytes(tmp_path):
    kwargs = dict(image=True, footnote="注", comment="批注", tracked_changes=True, author="区财政局")
    a = f.make_draft(tmp_path / "a.docx", **kwargs).read_bytes()
    b = f.make_draft(tmp_path / "b.docx", **kwargs).read_bytes()
    assert a == b


@pytest.mark.parametrize("name", ["notices.xlsx", "notices.csv"])
def test_notice_sheet(tmp_path, name):
    rows = [("区行政审批局", "满意率达100%", "通报表扬"),
            {"单位名称": "区城管局", "通报事项": "工单超期", "通报类别": "通报批评", "备注": "限期整改"}]
    path = f.make_notice_sheet(tmp_path / name, rows)
    frame = pd.read_csv(path, encoding="utf-8-sig") if name.endswith(".csv") else pd.read_excel(path)
    assert list(frame.columns) == list(f.NOTICE_COLUMNS)
    assert frame["单位名称"].tolist() == ["区行政审批局", "区城管局"]
    assert frame["备注"].fillna("").tolist() == ["", "限期整改"]
    assert f.make_notice_sheet(tmp_path / f"again-{name}", rows).read_bytes() == path.read_bytes()
    english = f.make_notice_sheet(tmp_path / f"en-{name}", rows, english_headers=True)
    frame = pd.read_csv(english, encoding="utf-8-sig") if name.endswith(".csv") else pd.read_excel(english)
    assert list(frame.columns) == list(f.NOTICE_COLUMNS_EN)


def test_make_month(tmp_path):
    paths = f.make_month(tmp_path / "2026-10", 12, seed=3, rich_every=5)
    assert len(paths) == len(set(paths)) == 12
    assert all(p.exists() for p in paths)
    for index, path in enumerate(paths, start=1):
        unit, _, headline = path.stem.partition("-")
        assert unit in f.UNITS and headline
        doc = Document(path)
        assert doc.paragraphs[0].text.startswith(unit) and doc.paragraphs[1].text == unit
        assert len(doc.paragraphs) >= 7
        rich = index % 5 == 0
        assert bool(doc.tables) == rich and bool(doc.inline_shapes) == rich
    again = f.make_month(tmp_path / "again", 12, seed=3, rich_every=5)
    assert [p.name for p in again] == [p.name for p in paths]
    assert again[4].read_bytes() == paths[4].read_bytes()


def test_chart_png_is_a_png_python_docx_reads():
    from docx.image.image import Image

    image = Image.from_blob(f.chart_png((1, 2, 3), width=120, height=80))
    assert (image.px_width, image.px_height) == (120, 80)
