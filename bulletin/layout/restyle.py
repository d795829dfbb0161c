"""Give a draft's body the bulletin's look (GB/T 9704) while keeping what the author meant.

Styles are matched by name when composing and the template's win, so a paragraph's look comes from its
style. Drafts arrive with direct formatting from many offices (宋体 小四, manual indents, full-width spaces
for indentation); we drop fonts, sizes and indents set by hand in ordinary paragraphs so the template
decides, and keep emphasis (bold, italic, underline, colour), alignment, lists, tables and pictures.
"""

from __future__ import annotations

import re

from lxml import etree

from ..core.wordxml import text_of, w, xpath

HEADING_1 = "Heading 1"
HEADING_2 = "Heading 2"
TABLE_TEXT = "Table Text"
# 一、 二、 … 十一、 ; （一） (一)
_LEVEL_1 = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_LEVEL_2 = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
_MAX_HEADING_CHARS = 40
_DIRECT_RUN_LOOK = ("rFonts", "sz", "szCs", "kern", "spacing", "w", "position")
_DIRECT_PARA_LOOK = ("ind", "spacing", "snapToGrid", "adjustRightInd", "wordWrap", "textAlignment")
# Paragraph styles worth keeping by name; the template defines them (others become the body style).
_KEPT_STYLE_NAMES = {HEADING_1, HEADING_2, "Heading 3", "List Number", "List Bullet", "List Paragraph",
                     "List Number 2", "List Bullet 2", "Caption", TABLE_TEXT, "Quote"}
_LEADING_SPACE = re.compile(r"^[\s\u3000\u00a0]+")


def restyle_body(elements: list[etree._Element], style_names: dict[str, str], style_ids: dict[str, str]) -> None:
    """Restyle top-level body elements in place.

    style_names: the draft's style id -> name; style_ids: the template's style name -> id.
    """
    for element in elements:
        if element.tag == w("p"):
            _restyle_paragraph(element, style_names, style_ids)
            continue
        for paragraph in xpath(element, ".//w:tbl//w:p" if element.tag != w("tbl") else ".//w:p"):
            _restyle_table_paragraph(paragraph, style_ids)


def _set_style(paragraph: etree._Element, style_id: str | None) -> None:
    ppr = paragraph.find(w("pPr"))
    if ppr is None:
        if style_id is None:
            return
        ppr = etree.Element(w("pPr"))
        paragraph.insert(0, ppr)
    current = ppr.find(w("pStyle"))
    if style_id is None:
        if current is not None:
            ppr.remove(current)
        return
    if current is None:
        current = etree.Element(w("pStyle"))
        ppr.insert(0, current)
    current.set(w("val"), style_id)


def _restyle_paragraph(paragraph: etree._Element, style_names: dict[str, str], style_ids: dict[str, str]) -> None:
    ids = xpath(paragraph, "./w:pPr/w:pStyle/@w:val")
    name = style_names.get(ids[0], ids[0]) if ids else ""
    text = text_of(paragraph).strip()
    heading = _heading_level(text)
    if heading and name not in _KEPT_STYLE_NAMES - {HEADING_1, HEADING_2}:
        _set_style(paragraph, style_ids.get(heading))
    elif name in _KEPT_STYLE_NAMES:
        pass  # the template's style of that name takes over
    else:
        _set_style(paragraph, None)
    is_list = bool(xpath(paragraph, "./w:pPr/w:numPr"))
    _drop_direct_look(paragraph, keep_indent=is_list)
    if xpath(paragraph, ".//w:drawing|.//w:pict|.//w:object"):
        _fit_picture(paragraph)
    elif not is_list:
        _strip_leading_spaces(paragraph)


def _fit_picture(paragraph: etree._Element) -> None:
    """Body text has an exact 28 pt line height, which would crop an inline picture to one line."""
    ppr = paragraph.find(w("pPr"))
    if ppr is None:
        ppr = etree.Element(w("pPr"))
        paragraph.insert(0, ppr)
    spacing = etree.SubElement(ppr, w("spacing"))
    spacing.set(w("line"), "240")
    spacing.set(w("lineRule"), "auto")
    indent = etree.SubElement(ppr, w("ind"))
    indent.set(w("firstLine"), "0")
    indent.set(w("firstLineChars"), "0")
    for node in ppr.findall(w("jc")):
        ppr.remove(node)
    etree.SubElement(ppr, w("jc")).set(w("val"), "center")
    _order_ppr(ppr)


# CT_PPr is a sequence: Word rejects children out of schema order.
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
    "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]


def _order_ppr(ppr: etree._Element) -> None:
    rank = {w(tag): n for n, tag in enumerate(_PPR_ORDER)}
    children = sorted(ppr, key=lambda c: rank.get(c.tag, len(rank)))
    for child in children:
        ppr.append(child)


def _restyle_table_paragraph(paragraph: etree._Element, style_ids: dict[str, str]) -> None:
    if TABLE_TEXT in style_ids and not xpath(paragraph, "./w:pPr/w:numPr"):
        _set_style(paragraph, style_ids[TABLE_TEXT])
    for rfonts in xpath(paragraph, ".//w:rPr/w:rFonts"):
        rfonts.getparent().remove(rfonts)


def _heading_level(text: str) -> str | None:
    if not text or len(text) > _MAX_HEADING_CHARS:
        return None
    body = text.rstrip("。")
    if "。" in body:  # a heading followed by running text stays a paragraph
        return None
    if _LEVEL_1.match(text):
        return HEADING_1
    if _LEVEL_2.match(text):
        return HEADING_2
    return None


def _drop_direct_look(paragraph: etree._Element, keep_indent: bool) -> None:
    ppr = paragraph.find(w("pPr"))
    if ppr is not None:
        for tag in _DIRECT_PARA_LOOK:
            if keep_indent and tag == "ind":
                continue
            for node in ppr.findall(w(tag)):
                ppr.remove(node)
        mark = ppr.find(w("rPr"))
        if mark is not None:
            _drop_run_look(mark)
    for rpr in xpath(paragraph, "./w:r/w:rPr|./w:hyperlink/w:r/w:rPr|./w:smartTag/w:r/w:rPr"):
        _drop_run_look(rpr)


def _drop_run_look(rpr: etree._Element) -> None:
    for tag in _DIRECT_RUN_LOOK:
        for node in rpr.findall(w(tag)):
            rpr.remove(node)


def _strip_leading_spaces(paragraph: etree._Element) -> None:
    """Clerks indent with full-width spaces; the body style already indents two characters."""
    for node in paragraph.iter(w("t")):
        if not node.text:
            continue
        stripped = _LEADING_SPACE.sub("", node.text)
        if stripped != node.text:
            node.text = stripped
        if node.text:
            return
