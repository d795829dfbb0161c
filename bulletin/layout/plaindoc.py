"""GB/T 9704 pieces for the documents the product writes from scratch with python-docx rather than from the
office's Word template: the 督查专报 (supervision/report.py) and the 年度汇编 (archive/compendium.py). Text goes
in as data (`clean_text`, never a template); the official font names are written as they are (an office's PC
has them; LibreOffice maps them through layout/fonts.conf).
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from ..core.textio import clean_text

TITLE_FONT, HEADING_FONT, KAI_FONT, BODY_FONT = "方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"
LINE_PITCH = 28  # points: 28.95 in GB/T 9704 (22 lines a page); 28 keeps it on whole points


def set_font(run, east_asian: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    """The run's East Asian font by name (Latin text in Times New Roman beside 仿宋), size in points."""
    run.font.size = Pt(size)
    run.font.bold = bold or None
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    latin = "Times New Roman" if east_asian == BODY_FONT else east_asian
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def add_paragraph(doc, text: str = "", font: str = BODY_FONT, size: float = 16, *, align=None, indent: bool = False,
                  bold: bool = False, color: RGBColor | None = None, before: float = 0, after: float = 0,
                  page_break: bool = False, keep: bool = False):
    """A paragraph on the GB/T 9704 line pitch: `indent` two characters, `keep` with the next paragraph."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = Pt(LINE_PITCH)
    fmt.page_break_before = page_break or None
    fmt.keep_with_next = keep or None
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        set_font(paragraph.add_run(clean_text(text)), font, size, bold, color)
    return paragraph


def page_numbers(section) -> None:
    """GB/T 9704 page numbers: "— N —" centred at the foot of every page (a PAGE field Word and LibreOffice fill)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(paragraph.add_run("— "), "宋体", 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = paragraph.add_run("1")
    set_font(run, "宋体", 14)
    run._r.addprevious(field)
    field.append(run._r)
    set_font(paragraph.add_run(" —"), "宋体", 14)
