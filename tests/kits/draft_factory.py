"""Build Word drafts (.docx) and notice sheets like the ones departments send in, for tests,
benchmarks and the example workspace (tools/make_example.py).

    import draft_factory                      # tests/ is on sys.path under pytest
    draft_factory.make_draft(tmp / "a.docx", title="……", unit_line="区人社局", footnote="注释")
    draft_factory.make_notice_sheet(tmp / "notices.xlsx", [("区医保局", "……", "通报表扬")])
    draft_factory.make_month(tmp / "2026-10", 200, seed=1)

Drafts look like a department's Word file: A4 page, 仿宋_GB2312 body text with a two-character first-line
indent, a centred title in 方正小标宋简体. python-docx 1.2 has no API for footnotes, tracked changes, external
pictures or paragraph-level section properties, so those are written as WordprocessingML the way Word writes
them (see the helper for each). Everything is deterministic: fixed dates in the XML and fixed timestamps in
the zip, so regenerating a file gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.oxml.shape import CT_Inline
from docx.shared import Cm, Mm, Pt

__all__ = [
    "make_draft",
    "make_notice_sheet",
    "make_month",
    "DEFAULT_TITLE",
    "DEFAULT_PARAGRAPHS",
    "Heading",
    "chart_png",
    "UNITS",
    "UNIT_TOPICS",
    "NOTICE_COLUMNS",
    "NOTICE_COLUMNS_EN",
    "HEADING_TEXTS",
    "TABLE_ROWS",
    "LIST_ITEMS",
    "TRACKED_BEFORE",
    "TRACKED_DELETED",
    "TRACKED_INSERTED",
    "TRACKED_AFTER",
    "EDITOR",
    "EXTERNAL_IMAGE_URL",
]

# --- fixed content that tests can assert on -------------------------------------------------------------

DEFAULT_TITLE = "多措并举推动重点工作提质增效"
DEFAULT_PARAGRAPHS = (
    "今年以来，我局紧紧围绕区委、区政府决策部署，坚持问题导向，细化工作举措，各项重点工作有序推进。",
    "截至10月底，已完成年度目标任务的86.5%，较去年同期提高4.2个百分点，群众满意度持续提升。",
    "下一步，我局将进一步压实工作责任，加强督促调度，确保全年目标任务圆满完成。",
)
# headings=True: "一、" before the body, "（一）"/"（二）" inside it, "二、" before its last part.
HEADING_TEXTS = ("一、主要做法", "（一）强化组织领导，压实工作责任", "（二）聚焦重点任务，狠抓工作落实", "二、下一步工作打算")
TABLE_ROWS = (
    ("指标", "10月", "1—10月累计"),
    ("新增城镇就业（人）", "412", "3260"),
    ("发放就业补贴（万元）", "186.4", "1528.7"),
)
LIST_ITEMS = ("开展政策宣讲进企业活动12场次。", "组织专场招聘会5场，提供岗位2300余个。", "走访重点企业86家，解决用工问题41个。")
# tracked_changes=True writes one paragraph: BEFORE + <w:del>DELETED</w:del> + <w:ins>INSERTED</w:ins> + AFTER.
# With the revisions accepted it reads BEFORE + INSERTED + AFTER.
TRACKED_BEFORE = "截至10月底，全区累计新增城镇就业"
TRACKED_DELETED = "3200"
TRACKED_INSERTED = "3260"
TRACKED_AFTER = "人，完成年度目标任务的108.7%。"
EDITOR = "李明"  # author of comments and revisions: a person, never a unit name
EXTERNAL_IMAGE_URL = "http://example.invalid/x.png"

NOTICE_COLUMNS = ("单位名称", "通报事项", "通报类别", "备注")
NOTICE_COLUMNS_EN = ("Unit", "Item", "Category", "Remarks")

# Dates written into the XML (core properties, comments, revisions): fixed for reproducible bytes.
DOC_TIME = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.timezone.utc)
_W3CDTF = "2026-10-20T09:00:00Z"
_ZIP_TIME = (2026, 10, 20, 9, 0, 0)

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
UNIT_FONT = "楷体_GB2312"
HEADING_FONT = "黑体"


class Heading(NamedTuple):
    """A heading among make_draft's paragraphs: level 1 for "一、…", level 2 for "（一）…"."""

    text: str
    level: int = 1


# --- PNG without PIL --------------------------------------------------------------------------------------


def _png(width: int, height: int, rows: Iterable[bytes]) -> bytes:
    """Encode 8-bit RGB rows as a PNG (filter type 0 on every row)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


@lru_cache(maxsize=16)
def chart_png(values: tuple[float, ...] = (5.2, 6.1, 6.8, 7.4, 7.9, 8.3, 8.6, 9.1, 9.4), *, width: int = 360,
              height: int = 220) -> bytes:
    """A bar chart (white ground, grey grid, one bar per value) as PNG bytes; cached, so reuse is free."""
    white, grid, axis = b"\xff\xff\xff", b"\xdd\xdd\xdd", b"\x33\x33\x33"
    bar_colours = (b"\x2f\x6f\xb5", b"\xc0\x39\x2b")
    canvas = [bytearray(white * width) for _ in range(height)]

    def fill(x0: int, y0: int, x1: int, y1: int, colour: bytes) -> None:
        for y in range(max(y0, 0), min(y1, height)):
            canvas[y][x0 * 3 : x1 * 3] = colour * (x1 - x0)

    left, right, top, bottom = 30, width - 12, 14, height - 24
    for i in range(1, 5):  # horizontal grid lines
        y = bottom - (bottom - top) * i // 4
        fill(left, y, right, y + 1, grid)
    fill(left, top, left + 2, bottom, axis)
    fill(left, bottom, right, bottom + 2, axis)
    top_value = max(values) or 1
    slot = (right - left - 8) // max(len(values), 1)
    for i, value in enumerate(values):
        x0 = left + 8 + i * slot
        bar_height = int((bottom - top) * max(value, 0) / top_value)
        fill(x0, bottom - bar_height, x0 + max(slot * 3 // 5, 1), bottom, bar_colours[i == len(values) - 1])
    return _png(width, height, canvas)


# --- the base document ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _base_docx() -> bytes:
    """python-docx's default template, made to look like a Chinese department's Word file, as bytes.

    Built once per process: opening these bytes is cheaper than restyling every draft (make_month writes
    up to 1000 of them). Parts Word does not need (stylesWithEffects, customXml, the thumbnail of an empty
    page) are dropped, which also makes each open/save faster.
    """
    doc = Document()
    for rel in list(doc.part.rels.values()):
        if rel.reltype in (RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"):
            del doc.part.rels[rel.rId]
    package_rels = doc.part.package.rels
    for rel in list(package_rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rel.rId]

    # python-docx ships 100 table styles (340 KB of styles.xml); Word stores only those in use. Dropping
    # them makes every draft's open, save and zip several times cheaper.
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in ("TableNormal", "TableGrid"):
            styles.remove(style)

    # Fonts: explicit East Asian names, no theme fonts (a theme attribute would override the name).
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), "Times New Roman")
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    doc.settings.element.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")

    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)  # 三号
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)

    section = doc.sections[0]  # A4 with GB/T 9704 margins
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    with _core_properties(doc) as props:  # python-docx's defaults would read as author "python-docx"
        props.author = props.last_modified_by = props.title = props.comments = props.subject = props.keywords = ""
        props.created = props.modified = DOC_TIME
        props.revision = 1

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _reproducible_zip(data: bytes) -> bytes:
    """The same Office file with fixed zip timestamps and core-property dates (writers stamp 'now')."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "docProps/core.xml":
                blob = _CORE_DATES.sub(rb"\g<1>" + _W3CDTF.encode() + rb"\g<2>", blob)
            member = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, blob)
    return out.getvalue()


def _save_reproducibly(doc, path: Path) -> None:
    raw = io.BytesIO()
    doc.save(raw)
    path.write_bytes(_reproducible_zip(raw.getvalue()))


# --- small XML helpers ------------------------------------------------------------------------------------


@contextmanager
def _core_properties(doc):
    """doc.core_properties with python-docx's "cp" prefix bound to the core-properties namespace.

    Importing docxcompose (the product does) rebinds it process-wide to the custom-properties namespace; a
    setter then appends a second, invalid element instead of setting the real one (see bulletin/core/wordxml.py).
    """
    saved = nsmap["cp"]
    nsmap["cp"] = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    try:
        yield doc.core_properties
    finally:
        nsmap["cp"] = saved


def _east_asian(run, font: str, size: float | None = None, bold: bool | None = None) -> None:
    run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _indent_first_line(paragraph) -> None:
    """Two-character first-line indent as Word writes it: in characters, and in twips for other readers."""
    ind = OxmlElement("w:ind", {qn("w:firstLineChars"): "200", qn("w:firstLine"): "640"})
    paragraph._p.get_or_add_pPr().append(ind)


def _add_style(doc, xml: str) -> None:
    doc.styles.element.append(parse_xml(xml))


def _insert_in_settings(doc, element, successors: Sequence[str]) -> None:
    """Insert a w:settings child before the first of its schema successors (Word rejects a wrong order)."""
    settings = doc.settings.element
    tags = {qn(tag) for tag in successors}
    for child in settings:
        if child.tag in tags:
            child.addprevious(element)
            return
    settings.append(element)


# Children of w:settings that the schema puts after w:footnotePr.
_AFTER_FOOTNOTE_PR = (
    "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
    "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
    "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults",
    "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)


# --- features ---------------------------------------------------------------------------------------------


def _add_footnote(doc, paragraph, text: str) -> None:
    """A real footnote, written as Word writes one.

    /word/footnotes.xml holds the separator (-1) and continuation separator (0) that Word expects before
    any real note, then note 1; settings.xml points at the two separators (w:footnotePr); the body run
    carries w:footnoteReference w:id="1". docxcompose's own templates/footnotes.xml is an empty
    w:footnotes, which is fine for it because it only appends notes to an existing part.
    """
    spacing = '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    footnotes = parse_xml(
        f'<w:footnotes {nsdecls("w", "r")}>'
        f'<w:footnote w:type="separator" w:id="-1"><w:p>{spacing}<w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p>{spacing}'
        "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
        '<w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
        '<w:r><w:t xml:space="preserve"></w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    note_text = footnotes.xpath('w:footnote[@w:id="1"]//w:t', namespaces={"w": nsmap["w"]})[0]
    note_text.text = " " + text  # set through lxml, so & < > and Jinja-like text stay literal
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, serialize_part_xml(footnotes), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)

    _insert_in_settings(
        doc,
        parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'),
        _AFTER_FOOTNOTE_PR,
    )
    _add_style(
        doc,
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/>'
        '<w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
        '<w:pPr><w:spacing w:line="240" w:lineRule="auto"/></w:pPr>'
        '<w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style>',
    )
    _add_style(
        doc,
        f'<w:style {nsdecls("w")} w:type="character" w:styleId="FootnoteReference">'
        '<w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>'
        '<w:semiHidden/><w:unhideWhenUsed/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>',
    )

    ref = paragraph.add_run()._r
    ref.get_or_add_rPr().append(OxmlElement("w:rStyle", {qn("w:val"): "FootnoteReference"}))
    ref.append(OxmlElement("w:footnoteReference", {qn("w:id"): "1"}))


def _add_comment(doc, run, text: str) -> None:
    """python-docx 1.2's own comments API; it leaves the date at 'now' and adds no comment styles."""
    comment = doc.add_comment(run, text=text, author=EDITOR, initials="LM")
    comment._comment_elm.set(qn("w:date"), _W3CDTF)
    _add_style(
        doc,
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="CommentText"><w:name w:val="annotation text"/>'
        '<w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        '<w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>',
    )
    _add_style(
        doc,
        f'<w:style {nsdecls("w")} w:type="character" w:styleId="CommentReference">'
        '<w:name w:val="annotation reference"/><w:basedOn w:val="DefaultParagraphFont"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
        '<w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>',
    )


def _add_tracked_change(doc):
    """One paragraph with a deletion and an insertion, as Word writes them with Track Changes on."""
    paragraph = doc.add_paragraph(TRACKED_BEFORE)
    _indent_first_line(paragraph)
    revision = f'w:author="{EDITOR}" w:date="{_W3CDTF}"'
    paragraph._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="101" {revision}><w:r><w:delText>{TRACKED_DELETED}</w:delText></w:r></w:del>'
    ))
    paragraph._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="102" {revision}><w:r><w:t>{TRACKED_INSERTED}</w:t></w:r></w:ins>'
    ))
    paragraph.add_run(TRACKED_AFTER)
    return paragraph


def _add_numbered_list(doc, items: Sequence[str]) -> None:
    """Paragraphs in "List Number" with an explicit w:numPr, as Word writes a numbered list.

    The style already carries numId 5 in python-docx's template; repeating it on the paragraph is what
    Word does and keeps the numbering even if a reader ignores style-level numbering.
    """
    num_id = doc.styles["List Number"].element.pPr.numPr.numId.val
    for item in items:
        paragraph = doc.add_paragraph(item, style="List Number")
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num_id


def _add_table(doc, rows: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = doc.styles["Table Grid"]
    for row, texts in zip(table.rows, rows):
        for cell, text in zip(row.cells, texts):
            cell.text = str(text)


def _picture_paragraph(doc):
    """A centred paragraph with single line spacing: Normal's exact 28 pt would clip the picture."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = 1.0
    return paragraph


def _add_external_image(doc) -> None:
    """A picture linked (r:link, TargetMode="External") rather than embedded; nothing is ever fetched."""
    rid = doc.part.relate_to(EXTERNAL_IMAGE_URL, RT.IMAGE, is_external=True)
    inline = CT_Inline.new_pic_inline(doc.part.next_id, rid, "x.png", Cm(4), Cm(3))
    blip = inline.xpath(".//a:blip")[0]
    del blip.attrib[qn("r:embed")]
    blip.set(qn("r:link"), rid)
    _picture_paragraph(doc).add_run()._r.add_drawing(inline)


def _make_landscape(section) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)


# --- public API -------------------------------------------------------------------------------------------


def make_draft(
    path: str | Path,
    *,
    title: str = DEFAULT_TITLE,
    unit_line: str | None = None,
    byline: str | None = None,
    paragraphs: Sequence[str | Heading] = DEFAULT_PARAGRAPHS,
    author: str | None = None,
    headings: bool | str = False,
    image: bool | bytes = False,
    table: bool | Sequence[Sequence[str]] = False,
    numbered_list: bool | Sequence[str] = False,
    footnote: str | None = None,
    comment: str | None = None,
    tracked_changes: bool = False,
    section_break: bool = False,
    landscape: bool = False,
    external_image: bool = False,
    header_text: str | None = None,
    title_style: str | None = None,
) -> Path:
    """Write one draft and return its path.

    Document order: title, unit_line, body (headings and paragraphs; the tracked-change paragraph last),
    numbered list, table, image, external image, byline.

    title        first paragraph; centred 方正小标宋简体 22 pt, or in ``title_style`` ("Title", "Heading 1", …).
                 A title with "\n" is printed over several lines: one paragraph per line, as offices type them.
    unit_line    a centred line right under the title, e.g. "区人社局".
    byline       a last, right-aligned line, e.g. "（区财政局供稿）".
    author       core_properties.author (and last_modified_by); default "" (python-docx would say "python-docx").
    paragraphs   body paragraphs: str, or Heading(text, level) for your own headings.
    headings     how headings look: True (or given Heading items): "Heading 1"/"Heading 2" styles; "plain":
                 Normal paragraphs in 黑体/楷体, the way most offices type them. Without Heading items, a
                 true value inserts HEADING_TEXTS ("一、…", "（一）…") among the paragraphs.
    image        True: embed chart_png(); bytes: embed that PNG/JPEG.
    table        True: TABLE_ROWS (3×3); or your own rows.
    numbered_list  True: LIST_ITEMS; or your own items ("List Number" + w:numPr).
    footnote     text of footnote 1, referenced at the end of the first body paragraph.
    comment      text of a comment (by EDITOR) anchored on the first run of the second body paragraph.
    tracked_changes  add a paragraph with w:del/w:ins (see TRACKED_*).
    section_break  a paragraph-level w:sectPr in the middle of the body (new page, same A4 portrait).
    landscape    implies a section break: the body's middle part becomes its own landscape section
                 (two paragraph-level w:sectPr; the first portrait, the second landscape with swapped w/h).
    external_image  a picture by external relationship to EXTERNAL_IMAGE_URL.
    header_text  text in the page header of the first section (later sections inherit it).
    """
    path = Path(path)
    doc = Document(io.BytesIO(_base_docx()))
    with _core_properties(doc) as props:
        props.author = props.last_modified_by = author or ""

    for number, line in enumerate(title.split("\n") if title else [title]):
        if title_style:
            paragraph = doc.add_paragraph(line, style=title_style)
        else:
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _east_asian(paragraph.add_run(line), TITLE_FONT, size=22)
        if number == 0:
            heading = paragraph
    if unit_line:
        line = doc.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _east_asian(line.add_run(unit_line), UNIT_FONT)

    # Body items in order: Heading(...) or str. Without explicit headings, headings=True adds HEADING_TEXTS.
    items: list[Heading | str] = list(paragraphs)
    if headings and not any(isinstance(item, Heading) for item in items):
        third = max(len(items) // 3, 1)
        first, middle, last = items[:third], items[third : 2 * third], items[2 * third :]
        h1, sub1, sub2, h2 = HEADING_TEXTS
        items = [Heading(h1), Heading(sub1, 2), *first, Heading(sub2, 2), *middle, Heading(h2), *last]

    # Where section breaks go (index of the item after which the current section ends).
    breaks: list[int] = []
    if landscape:
        breaks = [max(len(items) // 3 - 1, 0), max(2 * len(items) // 3 - 1, 0)]
    elif section_break:
        breaks = [max(len(items) // 2 - 1, 0)]

    body = []
    for index, item in enumerate(items):
        if not isinstance(item, Heading):
            paragraph = doc.add_paragraph(item)
            _indent_first_line(paragraph)
            body.append(paragraph)
        elif headings == "plain":
            paragraph = doc.add_paragraph()
            _indent_first_line(paragraph)
            _east_asian(paragraph.add_run(item.text), HEADING_FONT if item.level == 1 else UNIT_FONT)
        else:
            doc.add_paragraph(item.text, style=f"Heading {item.level}")
        for _ in range(breaks.count(index)):
            doc.add_section(WD_SECTION.NEW_PAGE)  # moves the current sectPr into a new body paragraph
    for _ in breaks if not items else ():
        doc.add_section(WD_SECTION.NEW_PAGE)
    if landscape:
        _make_landscape(doc.sections[1])  # after both breaks, so the last section stays portrait

    anchors = body or [heading]  # a draft without body text anchors its note/comment on the title
    if footnote is not None:
        _add_footnote(doc, anchors[0], footnote)
    if comment is not None:
        target = anchors[1] if len(anchors) > 1 else anchors[0]
        _add_comment(doc, target.runs[0] if target.runs else target.add_run(), comment)
    if tracked_changes:
        _add_tracked_change(doc)
    if numbered_list:
        _add_numbered_list(doc, LIST_ITEMS if numbered_list is True else list(numbered_list))
    if table:
        _add_table(doc, TABLE_ROWS if table is True else table)
    if image:
        picture = _picture_paragraph(doc)
        picture.add_run().add_picture(io.BytesIO(chart_png() if image is True else image), width=Cm(12))
    if external_image:
        _add_external_image(doc)
    if byline:
        tail = doc.add_paragraph(byline)
        tail.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if header_text is not None:
        doc.sections[0].header.paragraphs[0].text = header_text

    path.parent.mkdir(parents=True, exist_ok=True)
    _save_reproducibly(doc, path)
    return path


def make_notice_sheet(
    path: str | Path,
    rows: Iterable[Sequence[str] | Mapping[str, str]],
    *,
    english_headers: bool = False,
    encoding: str = "utf-8-sig",
) -> Path:
    """Write a notice sheet (.xlsx, or .csv by suffix) with columns 单位名称, 通报事项, 通报类别, 备注.

    rows: sequences (单位名称, 通报事项, 通报类别[, 备注]) or mappings keyed by those Chinese names.
    english_headers writes NOTICE_COLUMNS_EN instead (a sheet the reader should refuse or map).
    encoding applies to .csv only: "utf-8-sig" is what Excel writes as "CSV UTF-8"; "gbk" what it writes as
    plain "CSV" on a Chinese Windows.
    """
    import pandas as pd  # imported here: only the notice tests pay for pandas

    path = Path(path)
    records = []
    for row in rows:
        if isinstance(row, Mapping):
            records.append([row.get(column, "") for column in NOTICE_COLUMNS])
        else:
            values = list(row) + [""] * (len(NOTICE_COLUMNS) - len(row))
            records.append(values[: len(NOTICE_COLUMNS)])
    frame = pd.DataFrame(records, columns=list(NOTICE_COLUMNS_EN if english_headers else NOTICE_COLUMNS))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False, encoding=encoding)
    else:
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, sheet_name="通报", engine="openpyxl")
        path.write_bytes(_reproducible_zip(buffer.getvalue()))
    return path


# --- a month of generated drafts --------------------------------------------------------------------------

# Units and the work each plausibly reports on (keys are canonical names in inputs/units.csv).
UNIT_TOPICS = {
    "区人社局": ("稳就业工作", "技能人才培养", "根治欠薪工作"),
    "区财政局": ("财政资金监管", "预算绩效管理", "惠企政策兑现"),
    "区教体局": ("教育高质量发展", "“双减”工作", "校园安全管理"),
    "区工信局": ("工业经济稳增长", "数字经济发展", "企业技术改造"),
    "区发改委": ("重点项目建设", "项目谋划储备", "营商环境优化"),
    "区住建局": ("城市更新", "老旧小区改造", "建筑施工安全"),
    "区市场监管局": ("食品安全监管", "经营主体培育", "特种设备安全"),
    "区行政审批局": ("政务服务", "“放管服”改革", "“高效办成一件事”"),
    "区卫健委": ("基层医疗卫生服务", "健康章贡建设", "医疗质量提升"),
    "区医保局": ("医保基金监管", "医保便民服务", "长期护理保险试点"),
    "区民政局": ("养老服务", "社会救助", "基层治理"),
    "区司法局": ("法治政府建设", "矛盾纠纷化解", "公共法律服务"),
    "区自然资源局": ("土地节约集约利用", "耕地保护", "不动产登记"),
    "区生态环境分局": ("生态环境保护", "大气污染防治", "河湖长制"),
    "区农业农村局": ("乡村振兴", "粮食生产", "和美乡村建设"),
    "区商务局": ("招商引资", "促消费", "外贸稳增长"),
    "区统计局": ("统计数据质量提升", "经济普查", "统计服务"),
    "区城管局": ("城市精细化管理", "市容环境整治", "生活垃圾分类"),
    "解放街道": ("基层治理", "社区服务", "平安建设"),
    "南外街道": ("基层治理", "老旧小区改造", "“一老一小”服务"),
    "赣江街道": ("平安建设", "社区服务", "文明城市创建"),
}
UNITS = tuple(UNIT_TOPICS)
_LEADS = ("多措并举", "“三个聚焦”", "精准发力", "“四个强化”", "靶向施策", "创新机制", "提速提效", "“三个坚持”")
_VERBS = ("推动", "助力", "全力推进", "扎实推进", "纵深推进", "高位推动")
_RESULTS = ("提质增效", "见行见效", "取得新成效", "再上新台阶", "跑出加速度", "落地见效", "走深走实")
_OPENINGS = (
    "今年以来，{we}紧紧围绕区委、区政府中心工作，以“五型”政府建设为抓手，{topic}取得阶段性成效。",
    "为深入贯彻落实全区“五型”政府建设部署要求，{we}坚持目标导向和问题导向，持续推进{topic}。",
    "{month}月以来，{we}聚焦群众急难愁盼，把{topic}作为重要抓手，各项工作有力有序推进。",
)
_MEASURES = (
    "成立由主要领导任组长的工作专班，建立“周调度、月通报”机制，累计召开调度会{n1}次，协调解决问题{n2}个。",
    "制定出台《工作实施方案》，细化任务清单{n1}项，明确责任单位和完成时限，确保事事有人抓、件件有落实。",
    "深入企业、社区开展走访调研{n1}次，收集意见建议{n2}条，已办结{n3}条，办结率达{pct}%。",
    "推行“一窗受理、集成服务”模式，办理时限平均压缩{pct}%，全年累计办件{n4}件，群众满意率保持在99%以上。",
    "组织开展专项检查{n1}次，发现问题{n2}个，已全部完成整改，形成问题、责任、整改“三张清单”。",
    "统筹资金{money}万元，实施项目{n1}个，目前已完工{n3}个，其余项目均按计划节点推进。",
    "加强干部队伍建设，开展业务培训{n1}期，培训人员{n4}人次，干部履职能力明显提升。",
    "强化宣传引导，通过政务新媒体发布信息{n2}条，阅读量累计超过{n4}次，营造了良好社会氛围。",
)
_CLOSINGS = (
    "下一步，{we}将持续巩固工作成效，补短板、强弱项，确保全年目标任务圆满完成。",
    "下一步，{we}将进一步压实责任、完善机制，推动{topic}再上新台阶，为全区高质量发展贡献力量。",
    "下一步，{we}将对标先进地区经验做法，持续创新工作举措，不断提升群众获得感和满意度。",
)


def _paragraphs(rng: random.Random, unit: str, topic: str, count: int) -> list[str]:
    we = "我街道" if unit.endswith("街道") else "我委" if unit.endswith("委") else "我局"

    def fill(text: str) -> str:  # fresh figures for every sentence
        return text.format(
            n1=rng.randint(3, 60), n2=rng.randint(10, 300), n3=rng.randint(2, 40), n4=rng.randint(500, 30000),
            pct=rng.randint(15, 98), money=rng.randint(50, 9000), month=rng.randint(1, 10), topic=topic, we=we,
        )

    middle = [rng.choice(_MEASURES) for _ in range(max(count - 2, 0))]
    texts = [rng.choice(_OPENINGS)] + middle + [rng.choice(_CLOSINGS)]
    return [fill(text) for text in texts[:count]]


def make_month(folder: str | Path, n: int, *, seed: int = 0, rich_every: int | None = 10) -> list[Path]:
    """Write n varied drafts named "<unit>-<title>.docx" into folder and return their paths, in order.

    Each has a title, a unit line and about six paragraphs from phrase pools (same seed, same files).
    Every rich_every-th draft (the 10th, 20th, … by default; None or 0 for none) also has a table and an
    image. About 5 ms a draft here: 1000 drafts (14 MB) in about 5 s.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    used: set[str] = set()
    paths = []
    for index in range(1, n + 1):
        unit = UNITS[rng.randrange(len(UNITS))]
        topic = rng.choice(UNIT_TOPICS[unit])
        headline = f"{rng.choice(_LEADS)}{rng.choice(_VERBS)}{topic}{rng.choice(_RESULTS)}"
        name = f"{unit}-{headline}"
        if name in used:  # the pools are finite: keep names unique without rerolling
            name = f"{name}（{index}）"
        used.add(name)
        rich = bool(rich_every) and index % rich_every == 0
        paths.append(make_draft(
            folder / f"{name}.docx",
            title=f"{unit}{headline}",
            unit_line=unit,
            paragraphs=_paragraphs(rng, unit, topic, rng.randint(5, 7)),
            table=rich,
            image=rich,
        ))
    return paths
