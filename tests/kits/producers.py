"""Drafts as other producers write them: what Word (here: a German-language Word) puts in styles.xml.

draft_factory.make_draft builds drafts from python-docx's default template, whose style ids are English
("Normal", "Heading1", "DefaultParagraphFont"). Word writes style ids in the language of its user interface
while keeping the style *names* English for built-in styles, and it names linked character styles in that
language ("Zitat Zchn"). docxcompose maps a draft's styles to the bulletin's by name, so a draft from such
a Word copies some styles and maps others: exactly where dangling basedOn/link references came from.

    word_german_draft(path, title=..., unit_line=...)
    libreoffice_draft(path, title=..., unit_line=...)   # a LibreOffice document saved as .docx

Both validate with no OOXML finding on their own (tests/test_word_validity.py checks that too), so any
finding in a bulletin made from them is the composer's.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from html import escape
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

import draft_factory

# python-docx template id -> the id German Word writes (names stay as Word stores them).
GERMAN_IDS = {
    "Normal": "Standard",
    "DefaultParagraphFont": "Absatz-Standardschriftart",
    "TableNormal": "NormaleTabelle",
    "NoList": "KeineListe",
    "Heading1": "berschrift1",
    "Heading1Char": "berschrift1Zchn",
    "Heading2": "berschrift2",
    "Heading2Char": "berschrift2Zchn",
    "Quote": "Zitat",
    "QuoteChar": "ZitatZchn",
    "Title": "Titel",
    "TitleChar": "TitelZchn",
    "TableGrid": "Tabellenraster",
    "ListNumber": "Listennummer",
    "ListParagraph": "Listenabsatz",
}
# Linked character styles carry a localised *name* too.
GERMAN_NAMES = {
    "ZitatZchn": "Zitat Zchn",
    "berschrift1Zchn": "Überschrift 1 Zchn",
    "berschrift2Zchn": "Überschrift 2 Zchn",
    "TitelZchn": "Titel Zchn",
}
# Built-in styles the bulletin's template does not have, as Word writes them.
EXTRA_STYLES = (
    '<w:style {ns} w:type="character" w:styleId="Platzhaltertext"><w:name w:val="Placeholder Text"/>'
    '<w:basedOn w:val="Absatz-Standardschriftart"/><w:uiPriority w:val="99"/><w:semiHidden/>'
    '<w:rPr><w:color w:val="808080"/></w:rPr></w:style>',
    '<w:style {ns} w:type="table" w:styleId="Rastertabelle1hell-Akzent5">'
    '<w:name w:val="Grid Table 1 Light Accent 5"/><w:basedOn w:val="NormaleTabelle"/><w:uiPriority w:val="46"/>'
    '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    '<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="B4C6E7"/>'
    '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="B4C6E7"/></w:tblBorders></w:tblPr></w:style>',
)
_REFERENCES = ("basedOn", "link", "next", "pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink")

QUOTE_TEXT = "“一个窗口受理、一站式办结”的经验做法在全市推广。"
QUOTE_CHAR_TEXT = "群众办事平均跑动次数"
PLACEHOLDER_TEXT = "由0.6次降至0.2次"
GERMAN_TABLE_ROWS = (("事项", "办结数"), ("企业开办", "326"), ("工程建设审批", "58"))


def _rename(element, ids: dict[str, str]) -> None:
    for tag in _REFERENCES:
        for ref in element.iter(qn(f"w:{tag}")):
            value = ref.get(qn("w:val"))
            if value in ids:
                ref.set(qn("w:val"), ids[value])


def _german_document():
    doc = Document()
    for rel in list(doc.part.rels.values()):  # Word 2013 and later no longer write stylesWithEffects
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rel.rId]
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        old = style.get(qn("w:styleId"))
        if style.get(qn("w:type")) == "table" and old not in ("TableNormal", "TableGrid"):
            styles.remove(style)  # Word stores only the table styles in use
            continue
        if old in GERMAN_IDS:
            style.set(qn("w:styleId"), GERMAN_IDS[old])
        new = style.get(qn("w:styleId"))
        if new in GERMAN_NAMES:
            style.find(qn("w:name")).set(qn("w:val"), GERMAN_NAMES[new])
    _rename(styles, GERMAN_IDS)
    _rename(doc.part.numbering_part.element, GERMAN_IDS)
    for xml in EXTRA_STYLES:
        styles.append(parse_xml(xml.format(ns=nsdecls("w"))))
    return doc


def word_german_draft(path: str | Path, *, title: str = draft_factory.DEFAULT_TITLE, unit_line: str | None = None) -> Path:
    """A draft with German Word's style ids: a quote paragraph, a linked character style, a placeholder-text
    run, a heading, a numbered list and a table in a built-in table style the bulletin lacks."""
    path = Path(path)
    doc = _german_document()
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(title).font.bold = True
    if unit_line:
        line = doc.add_paragraph(unit_line)
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(draft_factory.DEFAULT_PARAGRAPHS[0])
    doc.add_paragraph("一、主要做法", style="Heading 1")
    doc.add_paragraph(QUOTE_TEXT, style="Quote")
    mixed = doc.add_paragraph("改革以来，")
    mixed.add_run(QUOTE_CHAR_TEXT).style = "Zitat Zchn"
    mixed.add_run(PLACEHOLDER_TEXT).style = "Placeholder Text"
    mixed.add_run("。")
    for item in draft_factory.LIST_ITEMS:
        doc.add_paragraph(item, style="List Number")
    table = doc.add_table(rows=len(GERMAN_TABLE_ROWS), cols=2)
    table.style = "Grid Table 1 Light Accent 5"
    for row, texts in zip(table.rows, GERMAN_TABLE_ROWS):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    doc.add_paragraph(draft_factory.DEFAULT_PARAGRAPHS[2])
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = io.BytesIO()
    doc.save(raw)
    path.write_bytes(raw.getvalue())
    return path


# --- LibreOffice: its own document (flat ODT), saved as .docx by LibreOffice itself ---------------------------

LO_PARAGRAPHS = (
    "今年以来，区住建局以老旧小区改造为抓手，累计完成改造小区42个，惠及居民1.3万户。",
    "下一步，将加快推进剩余项目建设，确保年底前全部完工。",
)
LO_FOOTNOTE = "数据截至2026年10月31日。"
LO_LIST_ITEMS = ("完成管网改造18.6公里。", "加装电梯37部。")
LO_TABLE_ROWS = (("项目", "完成数"), ("改造小区（个）", "42"))

_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <style:style style:name="PTitle" style:family="paragraph" style:parent-style-name="Title">
   <style:paragraph-properties fo:text-align="center"/></style:style>
  <style:style style:name="PUnit" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center"/></style:style>
  <style:style style:name="PBody" style:family="paragraph" style:parent-style-name="Text_20_body">
   <style:paragraph-properties fo:text-indent="0.28in"/></style:style>
 </office:automatic-styles>
 <office:body><office:text>
{body}
 </office:text></office:body>
</office:document>
"""


def _fodt(title: str, unit_line: str | None) -> str:
    t = lambda text: escape(text, quote=False)  # noqa: E731
    body = [f'<text:p text:style-name="PTitle">{t(title)}</text:p>']
    if unit_line:
        body.append(f'<text:p text:style-name="PUnit">{t(unit_line)}</text:p>')
    first, last = LO_PARAGRAPHS
    body.append(
        f'<text:p text:style-name="PBody">{t(first)}<text:note text:id="ftn1" text:note-class="footnote">'
        f'<text:note-citation>1</text:note-citation><text:note-body><text:p text:style-name="Footnote">'
        f"{t(LO_FOOTNOTE)}</text:p></text:note-body></text:note></text:p>"
    )
    body.append("<text:list>" + "".join(
        f"<text:list-item><text:p>{t(item)}</text:p></text:list-item>" for item in LO_LIST_ITEMS) + "</text:list>")
    rows = "".join(
        "<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{t(cell)}</text:p></table:table-cell>'
            for cell in row) + "</table:table-row>"
        for row in LO_TABLE_ROWS
    )
    body.append(f'<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>{rows}</table:table>')
    body.append(f'<text:p text:style-name="PBody">{t(last)}</text:p>')
    return _FODT.format(body="\n".join(body))


def libreoffice_draft(path: str | Path, *, title: str = draft_factory.DEFAULT_TITLE, unit_line: str | None = None) -> Path:
    """A document written in LibreOffice's own format and saved as .docx by LibreOffice (needs soffice)."""
    from libreoffice import convert

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "draft.fodt"
        source.write_text(_fodt(title, unit_line), encoding="utf-8")
        produced = convert(source, "docx", Path(tmp))
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(produced, path)
    return path


# --- Word 2016 / WPS: what their files carry beyond python-docx's ---------------------------------------------
#
#     word_wps_draft(path, title=..., unit_line=...)
#
# A draft as Word 2016 (and WPS, which writes the same markup plus its KSO custom properties) saves it: the
# document root declares the Office 2010-2016 namespaces and lists them in mc:Ignorable; every paragraph has
# w14:paraId/w14:textId; a table of contents inside a content control (w:sdt, TOC field with hyperlinks and
# PAGEREF fields to _Toc bookmarks); a heading carrying such a bookmark; a HYPERLINK field, a PAGE field, a
# smart tag and a run-level content control with w15 properties; a text box (wps:txbx) inside
# mc:AlternateContent with its VML fallback; a picture and a footnote (python-docx's, as draft_factory writes
# them); docProps/custom.xml with the properties WPS adds (KSOProductBuildVer, ICV).

WORD_NAMESPACES = (
    'xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
    'xmlns:cx="http://schemas.microsoft.com/office/drawing/2014/chartex" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word" '
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
    'xmlns:w16se="http://schemas.microsoft.com/office/word/2015/wordml/symex" '
    'xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup" '
    'xmlns:wpi="http://schemas.microsoft.com/office/word/2010/wordprocessingInk" '
    'xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'mc:Ignorable="w14 w15 w16se wp14"'
)
WPS_HEADING = "一、主要做法"
WPS_TOC_ENTRY = "一、主要做法"
WPS_LINK_TEXT = "中国政府网"
WPS_SMART_TAG = "2026年10月"
WPS_CONTROL_TEXT = "区政务服务中心"
WPS_TEXT_BOX = "文本框：全年办件量突破12万件"
WPS_CLOSING = "下一步，将持续优化服务流程，提升群众满意度。"
WPS_FOOTNOTE = "数据来源：区政务服务中心统计。"
KSO_PROPERTIES = {"KSOProductBuildVer": "2052-12.1.0.17147", "ICV": "6E3C3F1C2D9A4B4C8F0E2A1B3C4D5E6F"}


def _fld(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def _instr(text: str) -> str:
    return f'<w:r><w:instrText xml:space="preserve"> {escape(text, quote=False)} </w:instrText></w:r>'


def _t(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r>'


def _wps_blocks() -> str:
    toc = (
        '<w:sdt><w:sdtPr><w:id w:val="-1712640401"/><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
        '<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>'
        '<w:p><w:pPr><w:pStyle w:val="TOC1"/><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="8296"/></w:tabs></w:pPr>'
        + _fld("begin") + _instr('TOC \\o "1-3" \\h \\z \\u') + _fld("separate")
        + '<w:hyperlink w:anchor="_Toc21001" w:history="1">' + _t(WPS_TOC_ENTRY) + '<w:r><w:tab/></w:r>'
        + _fld("begin") + _instr("PAGEREF _Toc21001 \\h") + _fld("separate") + _t("1") + _fld("end")
        + "</w:hyperlink></w:p>"
        '<w:p>' + _fld("end") + "</w:p></w:sdtContent></w:sdt>"
    )
    heading = (
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:bookmarkStart w:id="21" w:name="_Toc21001"/>'
        + _t(WPS_HEADING) + '<w:bookmarkEnd w:id="21"/></w:p>'
    )
    mixed = (
        "<w:p>" + _t("详见")
        + _fld("begin") + _instr('HYPERLINK "https://www.gov.cn/"') + _fld("separate")
        + '<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>' + WPS_LINK_TEXT + "</w:t></w:r>" + _fld("end")
        + _t("，截至")
        + '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="chsdate">'
        '<w:smartTagPr><w:attr w:name="Year" w:val="2026"/><w:attr w:name="Month" w:val="10"/></w:smartTagPr>'
        + _t(WPS_SMART_TAG) + "</w:smartTag>"
        + _t("，由")
        + '<w:sdt><w:sdtPr><w:alias w:val="承办单位"/><w:tag w:val="unit"/><w:id w:val="1447655210"/>'
        '<w15:color w:val="3366FF"/><w15:appearance w15:val="tags"/><w:text/></w:sdtPr>'
        '<w:sdtContent>' + _t(WPS_CONTROL_TEXT) + "</w:sdtContent></w:sdt>"
        + _t("统一受理（第") + '<w:fldSimple w:instr=" PAGE   \\* MERGEFORMAT ">' + _t("1") + "</w:fldSimple>"
        + _t("页）。") + "</w:p>"
    )
    box_paragraph = f"<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{_t(WPS_TEXT_BOX)}</w:p>"
    text_box = (
        "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        '<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="3600000" cy="540000"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="31" name="文本框 31"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="3600000" cy="540000"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln w="6350"><a:solidFill>'
        '<a:srgbClr val="000000"/></a:solidFill></a:ln></wps:spPr>'
        f"<wps:txbx><w:txbxContent>{box_paragraph}</w:txbxContent></wps:txbx>"
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" '
        'anchor="t" anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:inline>'
        "</w:drawing></mc:Choice><mc:Fallback><w:pict>"
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        '<v:shape id="文本框 31" o:spid="_x0000_s1031" type="#_x0000_t202" style="width:283.45pt;height:42.5pt" '
        'strokeweight=".5pt"><v:textbox>'
        f"<w:txbxContent>{box_paragraph}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    return toc + heading + mixed + text_box


_WORD_STYLES = (  # the two styles a Word TOC and a HYPERLINK field use, as Word writes them
    '<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/>'
    '<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/></w:style>'
    '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
    '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
    '<w:rPr><w:color w:val="0563C1" w:themeColor="hyperlink"/><w:u w:val="single"/></w:rPr></w:style>'
)
# Word 2010 and later (and the Microsoft 365 schema the validator applies) have no smart tags; Word 2007 and
# older WPS versions still write them. The draft has this one finding; the bulletin must have none.
SMART_TAG_FINDING = {"Unexpected element 'smartTag'": "older Word/WPS write smart tags; Word 2010+ drops them"}

_CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{}</Properties>'
)


def word_wps_draft(path: str | Path, *, title: str = draft_factory.DEFAULT_TITLE, unit_line: str | None = None) -> Path:
    import re
    import zipfile

    import hostile_kit

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        base = draft_factory.make_draft(Path(tmp) / "base.docx", title=title, unit_line=unit_line,
                                        paragraphs=["今年以来，区政务服务中心深化“一窗通办”改革，办事效率明显提升。", WPS_CLOSING],
                                        image=True, footnote=WPS_FOOTNOTE)
        with zipfile.ZipFile(base) as archive:
            xml = archive.read("word/document.xml").decode()
            styles = archive.read("word/styles.xml").decode()
            rels = archive.read("_rels/.rels").decode()
            types = archive.read("[Content_Types].xml").decode()
        xml = re.sub(r"<w:document [^>]*>", f"<w:document {WORD_NAMESPACES}>", xml, count=1)
        # The new blocks go after the first body paragraph (title, unit line and first paragraph stay first).
        first_body = xml.index("今年以来")
        insert_at = xml.index("</w:p>", first_body) + len("</w:p>")
        xml = xml[:insert_at] + _wps_blocks() + xml[insert_at:]
        counter = iter(range(0x1A2B0000, 0x1A2BFFFF))
        xml = re.sub(r"<w:p(?=[ >])", lambda m: f'<w:p w14:paraId="{next(counter):08X}" w14:textId="77777777"', xml)
        styles = styles.replace("</w:styles>", _WORD_STYLES + "</w:styles>")
        props = "".join(
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{n}" name="{name}">'
            f"<vt:lpwstr>{value}</vt:lpwstr></property>"
            for n, (name, value) in enumerate(KSO_PROPERTIES.items(), start=2)
        )
        rels = rels.replace("</Relationships>", '<Relationship Id="rIdKso" Type="http://schemas.openxmlformats.org/'
                            'officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
                            "</Relationships>")
        types = types.replace("</Types>", '<Override PartName="/docProps/custom.xml" ContentType="application/'
                              'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
        path.parent.mkdir(parents=True, exist_ok=True)
        hostile_kit.rewrite(base, path, {"word/document.xml": xml.encode(), "_rels/.rels": rels.encode(),
                                         "[Content_Types].xml": types.encode(), "word/styles.xml": styles.encode(),
                                         "docProps/custom.xml": _CUSTOM_XML.format(props).encode()})
    return path


# --- more LibreOffice documents: a picture, a text frame, a hyperlink, a bookmark, an endnote, a TOC ----------
#
#     libreoffice_rich_draft(path, title=..., unit_line=...)   # needs soffice

LO_RICH_FIRST = "今年以来，区住建局持续推进城市更新，完成背街小巷改造26条。"
LO_RICH_LINK = "住建局网站"
LO_RICH_FRAME = "文本框：改造资金1.2亿元"
LO_RICH_ENDNOTE = "尾注：资金含中央和省级补助。"
LO_RICH_FOOTNOTE = "脚注：数据截至2026年10月。"
LO_RICH_LAST = "下一步，将持续推进老旧街区改造。"
LO_RICH_HEADING = "一、主要成效"

_RICH_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <style:style style:name="PTitle" style:family="paragraph" style:parent-style-name="Title">
   <style:paragraph-properties fo:text-align="center"/></style:style>
  <style:style style:name="PUnit" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center"/></style:style>
 </office:automatic-styles>
 <office:body><office:text>
{body}
 </office:text></office:body>
</office:document>
"""


def _rich_fodt(title: str, unit_line: str | None) -> str:
    import base64

    t = lambda text: escape(text, quote=False)  # noqa: E731
    png = base64.b64encode(draft_factory.chart_png()).decode("ascii")
    body = [f'<text:p text:style-name="PTitle">{t(title)}</text:p>']
    if unit_line:
        body.append(f'<text:p text:style-name="PUnit">{t(unit_line)}</text:p>')
    body.append(
        f'<text:p text:style-name="Text_20_body">{t(LO_RICH_FIRST)}'
        f'<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation>'
        f'<text:note-body><text:p text:style-name="Footnote">{t(LO_RICH_FOOTNOTE)}</text:p></text:note-body></text:note>'
        f'<text:note text:id="edn1" text:note-class="endnote"><text:note-citation>i</text:note-citation>'
        f'<text:note-body><text:p text:style-name="Endnote">{t(LO_RICH_ENDNOTE)}</text:p></text:note-body></text:note>'
        "</text:p>"
    )
    body.append(f'<text:h text:style-name="Heading_20_1" text:outline-level="1">'
                f'<text:bookmark-start text:name="成效"/>{t(LO_RICH_HEADING)}<text:bookmark-end text:name="成效"/></text:h>')
    body.append(f'<text:p text:style-name="Text_20_body">详见<text:a xlink:type="simple" xlink:href="https://www.gov.cn/">'
                f"{t(LO_RICH_LINK)}</text:a>。</text:p>")
    body.append(
        '<text:p text:style-name="Text_20_body"><draw:frame draw:name="图表1" text:anchor-type="as-char" '
        'svg:width="6cm" svg:height="4cm"><draw:image><office:binary-data>'
        f"{png}</office:binary-data></draw:image></draw:frame></text:p>"
    )
    body.append(
        '<text:p text:style-name="Text_20_body"><draw:frame draw:name="文本框1" text:anchor-type="as-char" '
        'svg:width="8cm" svg:height="1.5cm"><draw:text-box>'
        f'<text:p text:style-name="Standard">{t(LO_RICH_FRAME)}</text:p></draw:text-box></draw:frame></text:p>'
    )
    body.append(f'<text:p text:style-name="Text_20_body">{t(LO_RICH_LAST)}</text:p>')
    return _RICH_FODT.format(body="\n".join(body))


def libreoffice_rich_draft(path: str | Path, *, title: str = draft_factory.DEFAULT_TITLE,
                           unit_line: str | None = None) -> Path:
    """A LibreOffice document with a picture, a text frame, a hyperlink, a bookmarked heading, a footnote and
    an endnote, saved as .docx by LibreOffice itself (needs soffice)."""
    from libreoffice import convert

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "draft.fodt"
        source.write_text(_rich_fodt(title, unit_line), encoding="utf-8")
        produced = convert(source, "docx", Path(tmp))
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(produced, path)
    return path


# What LibreOffice writes that the validator flags although ISO/IEC 29500 allows it (docs/TESTING.md; tests/layout/test_word_validity.py,
# tests/intake/test_producers.py). These
# are findings in the *draft*; the bulletin made from it has none (the composer writes left/right levels, and
# keeps the template's font table and theme).
LIBREOFFICE_DRAFT_FINDINGS = {
    "Invalid value for attribute 'val': Value 'start'":
        "lvlJc is ST_Jc, which in ISO/IEC 29500-1 transitional includes start/end; the validator uses the "
        "ECMA-376 1st edition list",
    "Invalid value for attribute 'characterSet'":
        "w:charset/@w:characterSet is ST_String (an IANA name) in ISO/IEC 29500-1 17.8.3.2",
    "A required relationship type 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme'":
        "a theme part is optional: a WordprocessingML package contains at most one (ISO/IEC 29500-1 11.3.10)",
}
