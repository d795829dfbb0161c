"""Build templates/bulletin.docx, the docxtpl (Jinja) template of the monthly 工作简报.

Run:  .venv/bin/python templates/make_template.py            (both shipped layouts: bulletin.docx, 政务信息.docx)

Layout follows GB/T 9704-2012: A4, margins top 37 mm / bottom 35 mm / left 28 mm / right 26 mm
(text area 156 mm x 225 mm), body 仿宋_GB2312 三号 with a 28 pt exact line pitch, red masthead and red rule,
版记 between black rules, page numbers "— N —" in 宋体 四号 (odd pages right, even pages left).

Every Chinese font name is written in the East Asian slot (w:eastAsia) and every theme font attribute is
removed (a theme attribute would override the explicit name). Every Jinja tag is written inside a single
run so docxtpl sees it whole. See templates/README.md for the styles and the tags.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "bulletin.docx"

# --- fonts, colours, geometry -------------------------------------------------------------------
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"
RED = "FF0000"

PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH_TW = 8845  # 156 mm in twips (11906 - 1587 - 1474)

BODY_PT = 16  # 三号
LINE_PT = 28  # exact line pitch of the body
CHAR_TW = BODY_PT * 20  # one 三号 character in twips (320)

THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
THEME_COLOR_ATTRS = ("w:themeColor", "w:themeShade", "w:themeTint")

# Schema order of the children of w:pPr and w:rPr (ECMA-376), so inserted elements land in place.
PPR_SEQ = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
RPR_SEQ = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
    "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
    "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
    "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)
TCPR_SEQ = (
    "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
    "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
)


# --- low-level XML helpers ----------------------------------------------------------------------
def child(parent, tag: str, seq: tuple[str, ...]):
    """Return parent's `tag` child, creating it at its schema position if missing."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    el = OxmlElement(tag)
    idx = seq.index(tag)
    successors = seq[idx + 1:]
    for i, existing in enumerate(parent):
        if any(existing.tag == qn(s) for s in successors):
            parent.insert(i, el)
            break
    else:
        parent.append(el)
    return el


def drop(parent, tag: str) -> None:
    for el in parent.findall(qn(tag)):
        parent.remove(el)


def set_attrs(el, **attrs) -> None:
    for key, value in attrs.items():
        el.set(qn("w:" + key), str(value))


def set_run_props(rPr, *, east_asia: str | None = None, latin: str | None = LATIN,
                  size: float | None = None, color: str | None = None, bold: bool | None = None,
                  char_spacing_tw: int | None = None) -> None:
    """Fonts (East Asian slot!), size in pt, colour hex, bold on/off, character spacing (twips)."""
    if east_asia is not None or latin is not None:
        rFonts = child(rPr, "w:rFonts", RPR_SEQ)
        for attr in THEME_FONT_ATTRS:
            rFonts.attrib.pop(qn(attr), None)
        if latin is not None:
            set_attrs(rFonts, ascii=latin, hAnsi=latin, cs=latin)
        if east_asia is not None:
            rFonts.set(qn("w:eastAsia"), east_asia)
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            b = child(rPr, tag, RPR_SEQ)
            if bold:
                b.attrib.pop(qn("w:val"), None)
            else:
                b.set(qn("w:val"), "0")
    if color is not None:
        c = child(rPr, "w:color", RPR_SEQ)
        for attr in THEME_COLOR_ATTRS:
            c.attrib.pop(qn(attr), None)
        c.set(qn("w:val"), color)
    if char_spacing_tw is not None:
        set_attrs(child(rPr, "w:spacing", RPR_SEQ), val=char_spacing_tw)
    if size is not None:
        half_points = int(round(size * 2))
        set_attrs(child(rPr, "w:sz", RPR_SEQ), val=half_points)
        set_attrs(child(rPr, "w:szCs", RPR_SEQ), val=half_points)


def set_spacing(pPr, *, before_pt: float = 0, after_pt: float = 0, line_pt: float | None = None,
                line_rule: str = "exact", before_lines: int | None = None,
                after_lines: int | None = None) -> None:
    """Paragraph spacing. line_pt=None with line_rule='auto' means single spacing."""
    sp = child(pPr, "w:spacing", PPR_SEQ)
    sp.attrib.clear()
    if before_lines is not None:
        set_attrs(sp, beforeLines=before_lines)
    set_attrs(sp, before=int(before_pt * 20))
    if after_lines is not None:
        set_attrs(sp, afterLines=after_lines)
    set_attrs(sp, after=int(after_pt * 20))
    if line_rule == "auto":
        set_attrs(sp, line=240 if line_pt is None else int(line_pt), lineRule="auto")
    else:
        set_attrs(sp, line=int(line_pt * 20), lineRule=line_rule)


def set_ind(pPr, *, first_chars: int = 0, left_chars: int = 0, right_chars: int = 0,
            hanging_chars: int = 0, char_tw: int = CHAR_TW) -> None:
    """Indents in hundredths of a character (200 = two characters), with twip fallbacks."""
    ind = child(pPr, "w:ind", PPR_SEQ)
    ind.attrib.clear()
    set_attrs(ind, leftChars=left_chars, left=left_chars * char_tw // 100,
              rightChars=right_chars, right=right_chars * char_tw // 100)
    if hanging_chars:
        set_attrs(ind, hangingChars=hanging_chars, hanging=hanging_chars * char_tw // 100)
    else:
        set_attrs(ind, firstLineChars=first_chars, firstLine=first_chars * char_tw // 100)


def set_jc(pPr, value: str) -> None:
    set_attrs(child(pPr, "w:jc", PPR_SEQ), val=value)


def set_flag(pPr, tag: str, on: bool = True) -> None:
    el = child(pPr, tag, PPR_SEQ)
    if on:
        el.attrib.pop(qn("w:val"), None)
    else:
        el.set(qn("w:val"), "0")


def set_tabs(pPr, tabs: list[tuple[str, int]]) -> None:
    """tabs: [(alignment 'left'|'right'|'center', position in twips)]."""
    drop(pPr, "w:tabs")
    el = child(pPr, "w:tabs", PPR_SEQ)
    for align, pos in tabs:
        tab = OxmlElement("w:tab")
        set_attrs(tab, val=align, pos=pos)
        el.append(tab)


def set_border(pPr, side: str, *, color: str, size_eighths: int, space_pt: int = 1,
               style: str = "single") -> None:
    pBdr = child(pPr, "w:pBdr", PPR_SEQ)
    order = ("top", "left", "bottom", "right", "between", "bar")
    drop(pBdr, "w:" + side)
    el = OxmlElement("w:" + side)
    set_attrs(el, val=style, sz=size_eighths, space=space_pt, color=color)
    later = order[order.index(side) + 1:]
    for i, existing in enumerate(pBdr):
        if any(existing.tag == qn("w:" + s) for s in later):
            pBdr.insert(i, el)
            break
    else:
        pBdr.append(el)


def strip_theme_fonts(root) -> None:
    """Remove theme font attributes everywhere below root (they override explicit names)."""
    for rFonts in root.iter(qn("w:rFonts")):
        for attr in THEME_FONT_ATTRS:
            rFonts.attrib.pop(qn(attr), None)
        if not rFonts.attrib:
            rFonts.getparent().remove(rFonts)


# --- styles -------------------------------------------------------------------------------------
_NEXT_STYLES: list[tuple[str, str]] = []


def style_pr(style):
    el = style.element
    return el.get_or_add_pPr(), el.get_or_add_rPr()


def para_style(doc, name: str, *, east_asia: str, latin: str = LATIN, size: float,
               align: str = "center", color: str | None = None, bold: bool | None = False,
               line_pt: float | None = LINE_PT, line_rule: str = "exact",
               before_pt: float = 0, after_pt: float = 0,
               first_chars: int = 0, left_chars: int = 0, right_chars: int = 0,
               hanging_chars: int = 0, char_tw: int = CHAR_TW,
               keep_next: bool = False, page_break_before: bool = False,
               char_spacing_tw: int | None = None, next_style: str | None = None):
    styles = doc.styles
    if name in [s.name for s in styles]:
        style = styles[name]
    else:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
    style.quick_style = True
    style.hidden = False
    style.unhide_when_used = False
    pPr, rPr = style_pr(style)
    if keep_next:
        set_flag(pPr, "w:keepNext")
    if page_break_before:
        set_flag(pPr, "w:pageBreakBefore")
    set_spacing(pPr, before_pt=before_pt, after_pt=after_pt, line_pt=line_pt, line_rule=line_rule)
    set_ind(pPr, first_chars=first_chars, left_chars=left_chars, right_chars=right_chars,
            hanging_chars=hanging_chars, char_tw=char_tw)
    set_jc(pPr, align)
    set_run_props(rPr, east_asia=east_asia, latin=latin, size=size, color=color, bold=bold,
                  char_spacing_tw=char_spacing_tw)
    if next_style:
        _NEXT_STYLES.append((name, next_style))  # linked once every style exists
    return style


def reset_heading(doc, name: str, east_asia: str, outline_level: int) -> None:
    """Rebuild a built-in heading (python-docx's is blue bold Calibri Light) as a 公文 heading."""
    style = doc.styles[name]
    el = style.element
    for tag in ("w:pPr", "w:rPr"):
        drop(el, tag)
    pPr, rPr = style_pr(style)
    set_flag(pPr, "w:keepNext")
    set_flag(pPr, "w:keepLines")
    set_spacing(pPr, line_pt=LINE_PT)
    set_ind(pPr, first_chars=200)
    set_jc(pPr, "both")
    set_attrs(child(pPr, "w:outlineLvl", PPR_SEQ), val=outline_level)
    set_run_props(rPr, east_asia=east_asia, size=BODY_PT, color="000000", bold=False)
    # The linked character style ("Heading 1 Char") is used when the style is applied to a part of
    # a paragraph: give it the same look.
    char_name = name + " Char"
    if char_name in [s.name for s in doc.styles]:
        cel = doc.styles[char_name].element
        drop(cel, "w:rPr")
        crPr = cel.get_or_add_rPr()
        set_run_props(crPr, east_asia=east_asia, size=BODY_PT, color="000000", bold=False)


def build_styles(doc) -> None:
    styles_el = doc.styles.element
    strip_theme_fonts(styles_el)
    # Theme colours on headings, titles etc. of the stock template: make them plain black.
    for color in styles_el.iter(qn("w:color")):
        if color.get(qn("w:themeColor")) is not None:
            for attr in THEME_COLOR_ATTRS:
                color.attrib.pop(qn(attr), None)
            color.set(qn("w:val"), "000000")

    # docDefaults: explicit fonts, 三号, Chinese language, no spacing.
    doc_defaults = styles_el.find(qn("w:docDefaults"))
    rPr_default = doc_defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_run_props(rPr_default, east_asia=FANGSONG, latin=LATIN, size=BODY_PT)
    lang = child(rPr_default, "w:lang", RPR_SEQ)
    lang.attrib.clear()
    set_attrs(lang, val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    pPr_default = doc_defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    set_spacing(pPr_default, line_pt=None, line_rule="auto")

    # Normal: 仿宋_GB2312 三号, two-character first-line indent, 28 pt exact, justified.
    normal = doc.styles["Normal"]
    pPr, rPr = style_pr(normal)
    set_spacing(pPr, line_pt=LINE_PT)
    set_ind(pPr, first_chars=200)
    set_jc(pPr, "both")
    set_run_props(rPr, east_asia=FANGSONG, latin=LATIN, size=BODY_PT, color="000000")

    # 版头
    para_style(doc, "Masthead Top", east_asia=XIAOBIAOSONG, latin=XIAOBIAOSONG, size=26,
               color=RED, line_pt=None, line_rule="auto", before_pt=0, after_pt=0,
               char_tw=520, next_style="Masthead")
    para_style(doc, "Masthead", east_asia=XIAOBIAOSONG, latin=XIAOBIAOSONG, size=52, color=RED,
               line_pt=None, line_rule="auto", before_pt=6, after_pt=12,
               char_spacing_tw=200, char_tw=1040, next_style="Issue Line")
    para_style(doc, "Issue Line", east_asia=FANGSONG, size=BODY_PT, after_pt=14,
               next_style="Office Line")
    office = para_style(doc, "Office Line", east_asia=FANGSONG, size=BODY_PT, align="left",
                        after_pt=0, next_style="TOC Heading")
    opPr = office.element.get_or_add_pPr()
    set_tabs(opPr, [("right", TEXT_WIDTH_TW)])
    set_border(opPr, "bottom", color=RED, size_eighths=18, space_pt=6)

    # 目录 (python-docx's stock template already has a "TOC Heading" style: it is rebuilt here)
    toc_heading = doc.styles["TOC Heading"]
    drop(toc_heading.element, "w:pPr")
    drop(toc_heading.element, "w:rPr")
    toc_heading.base_style = doc.styles["Normal"]
    para_style(doc, "TOC Heading", east_asia=HEITI, latin=HEITI, size=BODY_PT, before_pt=28,
               after_pt=14, keep_next=True, next_style="TOC Entry")
    toc_entry = para_style(doc, "TOC Entry", east_asia=FANGSONG, size=BODY_PT, align="left",
                           left_chars=200, hanging_chars=200, next_style="TOC Entry")
    set_tabs(toc_entry.element.get_or_add_pPr(), [("left", 2 * CHAR_TW)])

    # 专刊 line under the masthead, the issue's own editor's note (编者按.txt), a column line of the contents
    para_style(doc, "Special Line", east_asia=KAITI, size=BODY_PT, before_pt=0, after_pt=6,
               next_style="Issue Line")
    para_style(doc, "Issue Note", east_asia=KAITI, size=BODY_PT, align="both", before_pt=14,
               first_chars=200, next_style="Issue Note")
    para_style(doc, "TOC Column", east_asia=HEITI, latin=HEITI, size=BODY_PT, align="left",
               keep_next=True, next_style="TOC Entry")
    # Columns open with their heading in the body ("◆学习园地◆"); the trailer layout ends each article with
    # "（XX供稿）", right-aligned
    para_style(doc, "Column Heading", east_asia=HEITI, latin=HEITI, size=BODY_PT, before_pt=LINE_PT,
               after_pt=0, keep_next=True, next_style="Article Title")
    para_style(doc, "Article Byline", east_asia=KAITI, size=BODY_PT, align="right", right_chars=100,
               next_style="Normal")

    # Articles: [editor's note], title (one or more lines), [subtitle], [unit], body
    para_style(doc, "Editor Note", east_asia=KAITI, size=BODY_PT, align="both", before_pt=LINE_PT,
               first_chars=200, keep_next=True, next_style="Article Title")
    para_style(doc, "Article Title", east_asia=XIAOBIAOSONG, latin=XIAOBIAOSONG, size=22,
               line_pt=36, before_pt=LINE_PT, after_pt=6, keep_next=True, char_tw=440,
               next_style="Article Unit")
    para_style(doc, "Article Subtitle", east_asia=KAITI, size=BODY_PT, before_pt=0, after_pt=6,
               keep_next=True, next_style="Article Unit")
    unit = para_style(doc, "Article Unit", east_asia=KAITI, size=BODY_PT, before_pt=0,
                      after_pt=14, keep_next=True, next_style="Normal")
    set_attrs(unit.element.get_or_add_pPr().find(qn("w:spacing")), afterLines=50)
    reset_heading(doc, "Heading 1", HEITI, 0)
    reset_heading(doc, "Heading 2", KAITI, 1)

    # 情况通报
    para_style(doc, "Notice Heading", east_asia=HEITI, latin=HEITI, size=BODY_PT, before_pt=0,
               after_pt=14, keep_next=True, page_break_before=True, next_style="Notice Title")
    para_style(doc, "Notice Title", east_asia=XIAOBIAOSONG, latin=XIAOBIAOSONG, size=20,
               line_pt=32, after_pt=14, keep_next=True, char_tw=400)
    para_style(doc, "Table Text", east_asia=FANGSONG, size=12, line_pt=None, line_rule="auto",
               char_tw=240)

    # 版记: 四号, text one character in from the left (first-line indent), left/right indents 0 so
    # that the paragraph borders (the 版记 rules) are as wide as the text area (GB/T 9704 7.4.1).
    para_style(doc, "Closing", east_asia=FANGSONG, size=14, align="left", first_chars=100,
               keep_next=True, char_tw=280, next_style="Closing")

    for name, next_name in _NEXT_STYLES:
        doc.styles[name].next_paragraph_style = doc.styles[next_name]
    _NEXT_STYLES.clear()

    # 页码
    footer = doc.styles["Footer"]
    fpPr, frPr = style_pr(footer)
    drop(fpPr, "w:tabs")
    set_spacing(fpPr, line_pt=None, line_rule="auto")
    set_ind(fpPr)
    set_run_props(frPr, east_asia=SONGTI, latin=SONGTI, size=14)


# --- body helpers -------------------------------------------------------------------------------
def add_par(doc_or_cell, text: str = "", style: str | None = None):
    """One paragraph, the whole text (tags included) in ONE run; '\t' becomes a w:tab in that run."""
    p = doc_or_cell.add_paragraph(style=style)
    if text:
        p.add_run(text)
    return p


def direct_pPr(p):
    return p._p.get_or_add_pPr()


def set_cell_width(cell, twips: int) -> None:
    tcPr = cell._tc.get_or_add_tcPr()
    tcW = child(tcPr, "w:tcW", TCPR_SEQ)
    set_attrs(tcW, w=twips, type="dxa")


def set_table_borders(table, size_eighths: int = 4) -> None:
    tblPr = table._tbl.tblPr
    drop(tblPr, "w:tblBorders")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement("w:" + side)
        set_attrs(el, val="single", sz=size_eighths, space=0, color="000000")
        borders.append(el)
    # tblBorders comes after tblW/jc/tblCellSpacing/tblInd and before shd/tblLayout/tblCellMar/tblLook
    successors = {qn(t) for t in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                  "w:tblCaption", "w:tblDescription")}
    for i, existing in enumerate(tblPr):
        if existing.tag in successors:
            tblPr.insert(i, borders)
            break
    else:
        tblPr.append(borders)


def add_notice_table(doc) -> None:
    headers = ("序号", "单位名称", "通报事项", "通报类别", "备注")
    widths_mm = (13, 35, 62, 24, 22)  # = 156 mm
    widths_tw = [round(w * 1440 / 25.4) for w in widths_mm]
    widths_tw[2] += TEXT_WIDTH_TW - sum(widths_tw)  # absorb rounding
    data = ("{{ row.index }}", "{{ row.unit }}", "{{ row.matter }}", "{{ row.category }}",
            "{{ row.remark }}")
    aligns = ("center", "left", "left", "center", "left")

    table = doc.add_table(rows=4, cols=5)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblPr = table._tbl.tblPr
    tblW = tblPr.find(qn("w:tblW"))
    if tblW is None:
        tblW = OxmlElement("w:tblW")
        tblPr.insert(1 if tblPr.find(qn("w:tblStyle")) is not None else 0, tblW)
    set_attrs(tblW, w=TEXT_WIDTH_TW, type="dxa")
    set_table_borders(table)
    # a little air above and below the 12 pt cell text (tblCellMar goes after tblLayout)
    cell_mar = OxmlElement("w:tblCellMar")
    for side, w in (("top", 57), ("left", 85), ("bottom", 57), ("right", 85)):
        el = OxmlElement("w:" + side)
        set_attrs(el, w=w, type="dxa")
        cell_mar.append(el)
    look = tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(cell_mar)
    else:
        tblPr.append(cell_mar)
    grid = table._tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths_tw):
        gc.set(qn("w:w"), str(w))

    rows = table.rows
    # header row: bold, repeated on each page, never split
    for i, row in enumerate(rows):
        trPr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        trPr.append(cant)
        if i == 0:
            trPr.append(OxmlElement("w:tblHeader"))
        for j, cell in enumerate(row.cells):
            set_cell_width(cell, widths_tw[j])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.style = doc.styles["Table Text"]
            if i == 0:
                p.add_run(headers[j]).bold = True
            elif i == 1 and j == 0:
                p.add_run("{%tr for row in notices.rows %}")
            elif i == 2:
                p.add_run(data[j])
                if aligns[j] != "center":
                    set_jc(direct_pPr(p), aligns[j])
            elif i == 3 and j == 0:
                p.add_run("{%tr endfor %}")


def add_page_number(paragraph) -> None:
    """'— N —' with a real PAGE field (fldChar), all runs 宋体 四号."""
    def run(text=None, fld=None, instr=None):
        r = paragraph.add_run()
        rPr = r._r.get_or_add_rPr()
        set_run_props(rPr, east_asia=SONGTI, latin=SONGTI, size=14)
        rFonts = rPr.find(qn("w:rFonts"))
        rFonts.set(qn("w:hint"), "eastAsia")
        if fld:
            el = OxmlElement("w:fldChar")
            set_attrs(el, fldCharType=fld)
            r._r.append(el)
        elif instr:
            el = OxmlElement("w:instrText")
            el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            el.text = instr
            r._r.append(el)
        else:
            r.text = text
        return r

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def setup_section(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(15)
    # GB/T 9704: the dash line of the page number sits about 7 mm below the text area.
    section.footer_distance = Mm(23)
    section.gutter = 0
    sectPr = section._sectPr
    # explicit twips so the text width is exactly TEXT_WIDTH_TW
    pgMar = sectPr.find(qn("w:pgMar"))
    set_attrs(pgMar, top=2098, bottom=1984, left=1587, right=1474)
    pgSz = sectPr.find(qn("w:pgSz"))
    set_attrs(pgSz, w=11906, h=16838)

    # Odd pages: right-aligned, one character in from the right; even pages: left-aligned, one in.
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer
    odd.is_linked_to_previous = False
    p = odd.paragraphs[0]
    p.style = doc.styles["Footer"]
    set_jc(direct_pPr(p), "right")
    set_ind(direct_pPr(p), right_chars=100, char_tw=280)
    add_page_number(p)

    even = section.even_page_footer
    even.is_linked_to_previous = False
    p = even.paragraphs[0]
    p.style = doc.styles["Footer"]
    set_jc(direct_pPr(p), "left")
    set_ind(direct_pPr(p), left_chars=100, char_tw=280)
    add_page_number(p)


def tune_settings(doc) -> None:
    settings = doc.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        set_attrs(tfl, val="en-US", eastAsia="zh-CN")
    # 28 pt exact lines: keep the default tab grid at two characters of 三号.
    dts = settings.find(qn("w:defaultTabStop"))
    if dts is not None:
        set_attrs(dts, val=2 * CHAR_TW)
    # rsids / proof state of the stock template are meaningless here
    for tag in ("w:rsids", "w:proofState"):
        drop(settings, tag)


def build_body(doc, layout: str = "工作简报") -> None:
    """The template's body. Both layouts take every setting of [layout] (contents list numbered, bulleted or
    none; columns; trailers; 专刊; the issue's 编者按): they differ in look. 工作简报 prints "目  录" and
    numbered entries; 政务信息 prints its contents without a heading, "●" entries without a tab."""
    add_par(doc, "{%p if masthead_top %}")
    add_par(doc, "{{ masthead_top }}", "Masthead Top")
    add_par(doc, "{%p endif %}")
    add_par(doc, "{{ masthead }}", "Masthead")
    add_par(doc, "{%p if special %}")
    add_par(doc, "（{{ special }}）", "Special Line")
    add_par(doc, "{%p endif %}")
    # [layout] signer (issue 26): 签发人 on the issue-number line, only for offices that print it
    add_par(doc, "第{{ issue_number }}期{% if signer %}　　签发人：{{ signer }}{% endif %}", "Issue Line")
    add_par(doc, "{{ office }}\t{{ date_text }}", "Office Line")

    add_par(doc, "{%p for paragraph in issue_note %}")
    add_par(doc, "{{ paragraph }}", "Issue Note")
    add_par(doc, "{%p endfor %}")

    add_par(doc, "{%p if toc %}")
    if layout == "工作简报":
        add_par(doc, "目  录", "TOC Heading")
    add_par(doc, "{%p for entry in toc %}")
    add_par(doc, "{%p if entry.column %}")
    add_par(doc, "{{ entry.column }}", "TOC Column")
    add_par(doc, "{%p else %}")
    add_par(doc, "{{ entry.mark }}\t{{ entry.text }}" if layout == "工作简报" else "{{ entry.mark }}{{ entry.text }}",
            "TOC Entry")
    add_par(doc, "{%p endif %}")
    add_par(doc, "{%p endfor %}")
    add_par(doc, "{%p endif %}")

    add_par(doc, "{%p for article in articles %}")
    add_par(doc, "{%p if article.column_heading %}")
    add_par(doc, "{{ article.column_heading }}", "Column Heading")
    add_par(doc, "{%p endif %}")
    add_par(doc, "{%p if article.note %}")
    add_par(doc, "{{ article.note }}", "Editor Note")
    add_par(doc, "{%p endif %}")
    add_par(doc, "{{ article.title }}", "Article Title")
    add_par(doc, "{%p if article.subtitle %}")
    add_par(doc, "{{ article.subtitle }}", "Article Subtitle")
    add_par(doc, "{%p endif %}")
    add_par(doc, "{%p if article.unit %}")
    add_par(doc, "{{ article.unit }}", "Article Unit")
    add_par(doc, "{%p endif %}")
    add_par(doc, "{{ article.body }}", "Normal")
    add_par(doc, "{%p if article.byline %}")
    add_par(doc, "{{ article.byline }}", "Article Byline")
    add_par(doc, "{%p endif %}")
    add_par(doc, "{%p endfor %}")

    add_par(doc, "{%p if notices %}")
    add_par(doc, "【情况通报】", "Notice Heading")
    add_par(doc, "{{ notices.heading }}", "Notice Title")
    add_notice_table(doc)
    add_par(doc, "{%p endif %}")

    # 版记. 报/发 lines: "　报：…" (leading full-width space = 左空一字) with a 3-character hanging
    # indent, so wrapped lines align with the first character after the colon while the rule above
    # still starts at the left margin (a border spans from the leftmost text position).
    first = add_par(doc, "　报：{{ report_to }}", "Closing")
    pPr = direct_pPr(first)
    set_spacing(pPr, before_pt=LINE_PT, line_pt=LINE_PT)
    set_ind(pPr, left_chars=300, hanging_chars=300, char_tw=280)
    set_border(pPr, "top", color="000000", size_eighths=8, space_pt=1)  # 0.35 mm rule
    sent = add_par(doc, "　发：{{ send_to }}", "Closing")
    set_ind(direct_pPr(sent), left_chars=300, hanging_chars=300, char_tw=280)
    printed = add_par(doc, "{{ office }}编\t{{ date_text }}印发", "Closing")
    # right tab one character of 四号 in from the right margin (印发日期右空一字)
    set_tabs(direct_pPr(printed), [("right", TEXT_WIDTH_TW - 280)])
    set_border(direct_pPr(printed), "top", color="000000", size_eighths=4, space_pt=1)  # thin rule
    last = add_par(doc, "电话：{{ phone }}　　电子邮箱：{{ email }}", "Closing")
    lpPr = direct_pPr(last)
    set_flag(lpPr, "w:keepNext", on=False)
    set_border(lpPr, "bottom", color="000000", size_eighths=8, space_pt=1)  # 0.35 mm rule


def set_core_properties(doc, layout: str = "工作简报") -> None:
    """docxtpl renders the string core properties through Jinja: no braces here. They are copied into
    every bulletin, so the composer should overwrite title (and dates) for each issue."""
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    cp = doc.core_properties
    cp.title = f"{layout}模板"
    cp.author = "bulletin"
    cp.last_modified_by = "bulletin"
    cp.subject = ""
    cp.comments = ""
    cp.keywords = layout
    cp.language = "zh-CN"
    cp.category = ""
    cp.identifier = ""
    cp.revision = 1
    cp.created = now
    cp.modified = now


def drop_stock_parts(doc) -> None:
    """Leftovers of python-docx's stock template: a thumbnail of another document, an empty
    bibliography customXml part and stylesWithEffects.xml (a Word 2010 copy of the styles that still
    carries theme fonts). Parts no longer reachable through a relationship are not saved."""
    unwanted = ("/thumbnail", "/customXml", "/stylesWithEffects")
    for rels in (doc.part.package.rels, doc.part.rels):
        for rId in [rId for rId, rel in rels.items() if rel.reltype.endswith(unwanted)]:
            del rels[rId]


FOOTNOTES_XML = (
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/></w:pPr><w:r><w:separator/></w:r></w:p>'
    '</w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/></w:pPr><w:r><w:continuationSeparator/>'
    '</w:r></w:p></w:footnote></w:footnotes>'
)


def add_footnotes(doc) -> None:
    """Drafts' footnotes are copied into this part. Without it docxcompose creates one that lacks the
    separator notes Word expects; the two styles make every draft's footnotes look alike."""
    from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, FOOTNOTES_XML.encode("utf-8"),
                doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    settings = doc.settings.element
    footnote_pr = OxmlElement("w:footnotePr")
    for note_id in ("-1", "0"):
        ref = OxmlElement("w:footnote")
        ref.set(qn("w:id"), note_id)
        footnote_pr.append(ref)
    # CT_Settings order: footnotePr comes right before endnotePr/compat/rsids…
    anchor = next((settings.find(qn(t)) for t in ("w:endnotePr", "w:compat", "w:docVars", "w:rsids",
                                                      "m:mathPr", "w:themeFontLang", "w:clrSchemeMapping",
                                                      "w:shapeDefaults", "w:decimalSymbol", "w:listSeparator")
                   if settings.find(qn(t)) is not None), None)
    if anchor is not None:
        anchor.addprevious(footnote_pr)
    else:
        settings.append(footnote_pr)
    text = para_style(doc, "footnote text", east_asia=FANGSONG, size=12, align="both", line_pt=None,
                      line_rule="auto")
    text.element.set(qn("w:styleId"), "FootnoteText")
    reference = doc.styles.add_style("footnote reference", WD_STYLE_TYPE.CHARACTER)
    reference.element.set(qn("w:styleId"), "FootnoteReference")
    reference.font.superscript = True


LAYOUTS = {"工作简报": HERE / "bulletin.docx", "政务信息": HERE / "政务信息.docx"}


def tune_layout(doc, layout: str) -> None:
    """政务信息: contents entries "●标题" in 楷体 with a one-character hanging indent (no tab)."""
    if layout != "政务信息":
        return
    entry = doc.styles["TOC Entry"]
    pPr, rPr = style_pr(entry)
    drop(pPr, "w:tabs")
    set_ind(pPr, left_chars=100, hanging_chars=100)
    set_run_props(rPr, east_asia=KAITI, size=BODY_PT)


def build(out: Path = DEFAULT_OUT, layout: str = "工作简报") -> Path:
    doc = docx.Document()
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # stock template: start from an empty body
        body.remove(p)
    build_styles(doc)
    tune_layout(doc, layout)
    tune_settings(doc)
    setup_section(doc)
    build_body(doc, layout)
    add_footnotes(doc)
    set_core_properties(doc, layout)
    drop_stock_parts(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    # make_template.py            -> both shipped templates
    # make_template.py OUT [NAME] -> one layout (工作简报 by default) written to OUT
    if len(sys.argv) > 1:
        print(build(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "工作简报"))
    else:
        for name, path in LAYOUTS.items():
            print(build(path, name))
