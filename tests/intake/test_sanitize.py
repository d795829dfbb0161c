"""sanitize.py: what could fetch, run or damage is removed from every part copied into the bulletin: the body,
the footnotes and the endnotes (issue 15, defect 1), with the same report lines wherever it was found."""

from __future__ import annotations

import zipfile

import draft_factory as f
import hostile_kit as k
from lxml import etree
from ooxml_audit import assert_valid, dangling_references

from bulletin.intake.sanitize import CleanReport, clean_body

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"')
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _clean(inner: str, external: set[str] = frozenset()) -> tuple[str, CleanReport]:
    body = etree.fromstring(f"<w:body {NS}>{inner}</w:body>")
    report = clean_body(body, set(external))
    return etree.tostring(body, encoding="unicode"), report


def _texts(xml: str) -> str:
    return "".join(t.text or "" for t in etree.fromstring(xml).iter(f"{W}t"))


# -- fields ------------------------------------------------------------------------------------------------
def _complex_field(*instr: str, result: str = "显示的结果") -> str:
    codes = "".join(f'<w:r><w:instrText xml:space="preserve">{part}</w:instrText></w:r>' for part in instr)
    return (f'<w:p><w:r><w:t>前文</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>{codes}'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{result}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def test_a_fetching_field_split_over_several_runs_is_defused():
    """Word splits instructions over runs freely: ' INCLUDE' + 'PICTURE "http://…" \\d'."""
    xml, report = _clean(_complex_field(" INCLUDE", "", 'PICTURE "http://127.0.0.1:9/x.png" \\d '))
    assert "INCLUDEPICTURE" not in xml and "INCLUDE" not in xml and "fldChar" not in xml
    assert _texts(xml) == "前文显示的结果" and report.fields == 1
    assert report.notes() == ["已去除引用外部文件的域代码（保留显示的内容）"]


def test_harmless_fields_stay():
    xml, report = _clean(_complex_field(' PAGE ') + _complex_field(' HYPERLINK "https://www.gov.cn" '))
    assert xml.count('w:fldCharType="begin"') == 2 and "HYPERLINK" in xml and report.fields == 0


def test_nested_fields_inner_fetching_one_goes_outer_stays():
    xml, report = _clean(
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> IF 1 = 1 "</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDETEXT "C:\\\\secret.docx" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>内</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:instrText>"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>外</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    assert "INCLUDETEXT" not in xml and " IF 1 = 1" in xml and report.fields == 1
    assert xml.count('w:fldCharType="begin"') == 1 and _texts(xml) == "内外"


def test_simple_fields_that_fetch_keep_their_result():
    xml, report = _clean('<w:p><w:fldSimple w:instr=" LINK Excel.Sheet.12 &quot;D:\\\\a.xlsx&quot; "><w:r><w:t>表</w:t></w:r>'
                         '</w:fldSimple><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
                         '<w:fldSimple w:instr="IMPORT x.wmf"><w:r><w:t>图</w:t></w:r></w:fldSimple>'
                         '<w:fldSimple><w:r><w:t>无指令</w:t></w:r></w:fldSimple></w:p>')
    assert "LINK" not in xml and "IMPORT" not in xml and xml.count("<w:fldSimple") == 2
    assert _texts(xml) == "表1图无指令" and report.fields == 2


# -- embedded documents and pictures ------------------------------------------------------------------------
def test_embedded_external_documents_are_left_out_and_flagged():
    xml, report = _clean('<w:p><w:r><w:t>正文</w:t></w:r></w:p><w:altChunk r:id="rId9"/>'
                         '<w:p><w:subDoc r:id="rId10"/></w:p>')
    assert "altChunk" not in xml and "subDoc" not in xml and _texts(xml) == "正文"
    assert report.embedded_documents == 2
    assert report.warnings() == ["有2处嵌入的外部文档片段未插入"]


def test_vml_pictures_that_point_outside_are_removed():
    pict = '<w:p><w:r><w:t>图{n}</w:t></w:r><w:r><w:pict><v:shape><v:imagedata {attr} o:title=""/></v:shape></w:pict></w:r></w:p>'
    xml, report = _clean(
        pict.format(n=1, attr='r:id="rIdExt"') + pict.format(n=2, attr='src="http://127.0.0.1:9/x.png"')
        + pict.format(n=3, attr='r:href="rIdExt2"') + pict.format(n=4, attr='r:id="rIdInside"'),
        external={"rIdExt", "rIdExt2"})
    assert xml.count("<w:pict>") == 1 and 'r:id="rIdInside"' in xml and _texts(xml) == "图1图2图3图4"
    assert report.external_images == 3 and report.warnings() == ["有3张外链图片未插入（请将图片直接粘贴进文档）"]


def test_drawingml_pictures_linked_or_external_are_removed_embedded_ones_kept():
    blip = '<w:p><w:r><w:drawing><a:blip {attr}/></w:drawing></w:r></w:p>'
    xml, report = _clean(blip.format(attr='r:embed="rIdE" r:link="rIdL"') + blip.format(attr='r:link="rIdL"')
                         + blip.format(attr='r:link="rIdL2"') + blip.format(attr='r:embed="rIdX"')
                         + blip.format(attr='r:embed="rIdOk"'),
                         external={"rIdL", "rIdL2", "rIdX"})
    assert xml.count("<w:drawing>") == 2 and "r:link" not in xml and 'r:embed="rIdOk"' in xml and 'r:embed="rIdE"' in xml
    assert report.external_images == 3


def test_merge_adds_every_count():
    one = CleanReport(revisions=1, comments=2, section_breaks=3, external_images=4, fields=5, embedded_documents=6)
    other = CleanReport(revisions=10, comments=20, section_breaks=30, external_images=40, fields=50, embedded_documents=60)
    assert one.merge(other) == CleanReport(11, 22, 33, 44, 55, 66)


# -- footnotes in a compiled bulletin -----------------------------------------------------------------------
HOSTILE_NOTE = (
    '<w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
    '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> 数据来源：</w:t></w:r>'
    '<w:ins w:id="91" w:author="审稿人" w:date="2026-10-20T10:00:00Z"><w:r><w:t>区统计局</w:t></w:r></w:ins>'
    '<w:del w:id="92" w:author="审稿人" w:date="2026-10-20T10:00:00Z"><w:r><w:delText>某网站</w:delText></w:r></w:del>'
    '<w:commentRangeStart w:id="7"/><w:r><w:t>。</w:t></w:r><w:commentRangeEnd w:id="7"/>'
    '<w:r><w:commentReference w:id="7"/></w:r>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> INCLUDE</w:instrText></w:r>'
    '<w:r><w:instrText xml:space="preserve">PICTURE "{url}" \\d </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>[图]</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    '<w:fldSimple w:instr=" INCLUDETEXT &quot;{url}/t.docx&quot; "><w:r><w:t>[正文]</w:t></w:r></w:fldSimple>'
    '</w:p></w:footnote>'
)


def test_footnotes_are_cleaned_like_the_body_and_reported(office, tmp_path):
    source = f.make_draft(tmp_path / "src.docx", title="带脚注的稿件", unit_line="区人社局", footnote="占位",
                          paragraphs=["正文第一段。", "正文第二段。"])
    with zipfile.ZipFile(source) as archive:
        notes = archive.read("word/footnotes.xml").decode()
    start = notes.index('<w:footnote w:id="1">')
    notes = notes[:start] + HOSTILE_NOTE.format(url="http://127.0.0.1:9/note") + "</w:footnotes>"
    k.rewrite(source, office.month_dir() / "脚注.docx", {"word/footnotes.xml": notes.encode()})

    result = office.compile()
    (draft,) = result.intake.accepted
    assert draft.notes == ["已接受稿件中的修订", "已删除批注", "已去除引用外部文件的域代码（保留显示的内容）"]
    assert not draft.flagged

    xml = k.member_xml(result.path, "word/footnotes.xml")
    for mark in ("INCLUDE", "127.0.0.1", "<w:ins ", "<w:del ", "delText", "某网站", "commentRangeStart",
                 "commentReference"):
        assert mark not in xml, mark
    note = k.part_texts(result.path)["word/footnotes.xml"]
    assert "数据来源：区统计局。[图][正文]" in note
    assert "· 已去除引用外部文件的域代码（保留显示的内容）" in result.report_path.read_text(encoding="utf-8")
    assert_valid(result.path)
    assert dangling_references(result.path) == []


# -- revisions ---------------------------------------------------------------------------------------------
def test_revisions_are_accepted_everywhere():
    xml, report = _clean(
        '<w:p><w:r><w:t>保留</w:t></w:r><w:del w:id="1" w:author="a"><w:r><w:delText>删掉</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>'
        '<w:moveFrom w:id="3" w:author="a"><w:r><w:t>移走</w:t></w:r></w:moveFrom>'
        '<w:moveTo w:id="4" w:author="a"><w:r><w:t>移来</w:t></w:r></w:moveTo></w:p>'
        # an inserted and a deleted paragraph mark (in the paragraph mark's rPr): the marks go, the text stays
        '<w:p><w:pPr><w:rPr><w:ins w:id="5" w:author="a"/></w:rPr></w:pPr><w:r><w:t>新段</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:rPr><w:del w:id="6" w:author="a"/></w:rPr></w:pPr><w:r><w:t>合并段</w:t></w:r></w:p>'
        # a run whose formatting was changed: the old formatting record goes
        '<w:p><w:r><w:rPr><w:b/><w:rPrChange w:id="7" w:author="a"><w:rPr/></w:rPrChange></w:rPr><w:t>改格式</w:t></w:r></w:p>'
        # an inserted and a deleted table row
        '<w:tbl><w:tr><w:trPr><w:ins w:id="8" w:author="a"/></w:trPr><w:tc><w:p><w:r><w:t>新行</w:t></w:r></w:p></w:tc></w:tr>'
        '<w:tr><w:trPr><w:del w:id="9" w:author="a"/></w:trPr><w:tc><w:p><w:r><w:delText>删行</w:delText></w:r></w:p></w:tc></w:tr>'
        '</w:tbl>')
    assert _texts(xml) == "保留插入移来新段合并段改格式新行"
    for mark in ("w:del ", "w:ins ", "moveFrom", "moveTo", "delText", "rPrChange", "删行", "移走"):
        assert mark not in xml, mark
    assert "<w:b/>" in xml and xml.count("<w:tr>") == 1 and xml.count("<w:p>") == 5  # 4 paragraphs and the kept row's cell
    assert report.revisions == 9
    assert report.notes() == ["已接受稿件中的修订"] and report.warnings() == []


def test_comment_anchors_go_and_runs_left_empty_with_them():
    xml, report = _clean(
        '<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>被批注的文字</w:t></w:r><w:commentRangeEnd w:id="0"/>'
        '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="0"/></w:r>'
        '<w:r><w:t>同一段</w:t><w:commentReference w:id="1"/></w:r></w:p>')
    assert "comment" not in xml and "CommentReference" not in xml
    assert _texts(xml) == "被批注的文字同一段" and xml.count("<w:r>") == 2  # the empty run went, the other stayed
    assert report.comments == 4 and report.notes() == ["已删除批注"]


def test_inner_section_breaks_go_the_body_section_stays():
    xml, report = _clean(
        '<w:p><w:pPr><w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/></w:sectPr></w:pPr>'
        '<w:r><w:t>横页前</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:pPr></w:p>'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>')
    assert xml.count("<w:sectPr>") == 1 and xml.rstrip().endswith("</w:sectPr></w:body>")
    assert report.section_breaks == 2 and report.notes() == ["已去除分节符（统一使用简报版式）"]


def test_an_object_holding_a_linked_picture_goes_whole():
    xml, report = _clean('<w:p><w:r><w:t>前</w:t></w:r><w:r><w:object><v:shape><v:imagedata r:id="rIdOle"/>'
                         '</v:shape></w:object></w:r><w:r><w:t>后</w:t></w:r></w:p>', external={"rIdOle"})
    assert "w:object" not in xml and "imagedata" not in xml and _texts(xml) == "前后"
    assert report.external_images == 1


def test_two_fetching_fields_are_counted_twice():
    xml, report = _clean(_complex_field(' INCLUDETEXT "a.docx" ') + _complex_field(' DDEAUTO excel "x" '))
    assert report.fields == 2 and "fldChar" not in xml


def test_every_report_line():
    report = CleanReport(revisions=1, comments=1, section_breaks=1, external_images=2, fields=1, embedded_documents=3)
    assert report.notes() == ["已接受稿件中的修订", "已删除批注", "已去除分节符（统一使用简报版式）",
                              "已去除引用外部文件的域代码（保留显示的内容）"]
    assert report.warnings() == ["有2张外链图片未插入（请将图片直接粘贴进文档）", "有3处嵌入的外部文档片段未插入"]
    assert CleanReport().notes() == [] and CleanReport().warnings() == []


def test_smart_tags_and_custom_xml_markup_keep_their_text():
    xml, report = _clean(
        '<w:p><w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="chsdate">'
        '<w:smartTagPr><w:attr w:name="Year" w:val="2026"/></w:smartTagPr><w:r><w:t>2026年</w:t></w:r>'
        '<w:smartTag w:element="place"><w:r><w:t>章贡区</w:t></w:r></w:smartTag></w:smartTag>'
        '<w:customXml w:element="unit"><w:customXmlPr><w:attr w:name="x" w:val="y"/></w:customXmlPr>'
        '<w:r><w:t>区财政局</w:t></w:r></w:customXml></w:p>'
        '<w:customXml w:element="block"><w:p><w:r><w:t>整段</w:t></w:r></w:p></w:customXml>')
    assert "smartTag" not in xml and "customXml" not in xml and "w:attr" not in xml
    assert _texts(xml) == "2026年章贡区区财政局整段" and xml.count("<w:p>") == 2
    assert report == CleanReport()  # nothing the office needs to hear about


def test_clean_notes_cleans_footnotes_and_endnotes_of_a_package(tmp_path):
    from bulletin.intake.docxfile import screen
    from bulletin.intake.sanitize import clean_notes

    source = f.make_draft(tmp_path / "src.docx", title="标题", unit_line="区人社局", footnote="占位")
    with zipfile.ZipFile(source) as archive:
        notes = archive.read("word/footnotes.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    start = notes.index('<w:footnote w:id="1">')
    linked = ('<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
              'r:embed="rIdNoteExt"/></w:drawing></w:r></w:p>')
    notes = notes[:start] + HOSTILE_NOTE.format(url="http://127.0.0.1:9/n").replace("</w:p></w:footnote>",
                                                                                  "</w:p>" + linked + "</w:footnote>") + "</w:footnotes>"
    note_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships"><Relationship Id="rIdNoteExt" Type="http://schemas.'
                 'openxmlformats.org/officeDocument/2006/relationships/image" Target="http://127.0.0.1:9/n.png" '
                 'TargetMode="External"/></Relationships>')
    endnotes = (notes.replace("w:footnote", "w:endnote").replace("footnoteRef", "endnoteRef")
                .replace('<w:pStyle w:val="FootnoteText"/>', "").replace('<w:rStyle w:val="FootnoteReference"/>', ""))
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdEnd" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/></Relationships>')
    types = types.replace("</Types>", '<Override PartName="/word/endnotes.xml" ContentType="application/vnd.'
                          'openxmlformats-officedocument.wordprocessingml.endnotes+xml"/></Types>')
    draft = k.rewrite(source, tmp_path / "notes.docx", {"word/footnotes.xml": notes.encode(),
                      "word/_rels/footnotes.xml.rels": note_rels.encode(), "word/_rels/endnotes.xml.rels": note_rels.encode(),
                      "word/endnotes.xml": endnotes.encode(), "word/_rels/document.xml.rels": rels.encode(),
                      "[Content_Types].xml": types.encode()})
    with screen(draft) as package:
        report = clean_notes(package, package.main)
        cleaned = [etree.tostring(package.xml(name), encoding="unicode")
                   for name in ("word/footnotes.xml", "word/endnotes.xml")]
    assert report == CleanReport(revisions=4, comments=6, fields=4, external_images=2)
    for xml in cleaned:
        assert "INCLUDE" not in xml and "delText" not in xml and "comment" not in xml and "rIdNoteExt" not in xml
        assert "数据来源：区统计局。[图][正文]" in _texts(xml)


def test_clean_notes_without_footnotes_still_cleans_endnotes(tmp_path):
    from bulletin.intake.docxfile import screen
    from bulletin.intake.sanitize import clean_notes

    source = f.make_draft(tmp_path / "src.docx", title="标题", unit_line="区人社局")  # no footnotes part
    with zipfile.ZipFile(source) as archive:
        rels = archive.read("word/_rels/document.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    endnotes = (f'<w:endnotes {NS}>' + HOSTILE_NOTE.format(url="http://127.0.0.1:9/e").replace("w:footnote", "w:endnote")
                .replace('<w:pStyle w:val="FootnoteText"/>', "").replace('<w:rStyle w:val="FootnoteReference"/>', "")
                + "</w:endnotes>")
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdEnd" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/></Relationships>')
    types = types.replace("</Types>", '<Override PartName="/word/endnotes.xml" ContentType="application/vnd.'
                          'openxmlformats-officedocument.wordprocessingml.endnotes+xml"/></Types>')
    draft = k.rewrite(source, tmp_path / "endnotes.docx", {"word/endnotes.xml": endnotes.encode(),
                      "word/_rels/document.xml.rels": rels.encode(), "[Content_Types].xml": types.encode()})
    with screen(draft) as package:
        assert clean_notes(package, package.main) == CleanReport(revisions=2, comments=3, fields=2)
