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
