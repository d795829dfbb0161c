"""Workbook bytes: from openpyxl (with the font properties in the order Excel writes them), or, for one plain
table, written directly (`plain_workbook`).

`plain_workbook` exists for the compile: every compile writes the month's 通报建议.xlsx, a four-column table,
and importing openpyxl (with the numpy and Pillow it pulls in) cost a third of a second of every compile, more
than writing the file. The package it writes is the minimum SpreadsheetML asks for (workbook, one worksheet,
shared strings, styles, content types and relationships); tests validate it with openxml-audit, read it back
with openpyxl and with the product's own notice-sheet reader, and open it in LibreOffice Calc.

ISO/IEC 29500-1 lets a font's properties (b, sz, color, name, …) come in any order, but Excel and the Open XML
SDK expect the order Excel writes (b, i, strike, condense, extend, outline, shadow, u, vertAlign, sz, color,
name, family, charset, scheme); openpyxl writes name first and color before sz, which OOXML validators report
as an error in xl/styles.xml. The properties are reordered; nothing else in the package changes.
"""

from __future__ import annotations

import io
import zipfile

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from lxml import etree

if TYPE_CHECKING:
    from openpyxl import Workbook

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
               "name", "family", "charset", "scheme")


def _reorder_fonts(styles: bytes) -> bytes:
    root = etree.fromstring(styles)
    rank = {f"{_MAIN}{name}": index for index, name in enumerate(_FONT_ORDER)}
    for font in root.iter(f"{_MAIN}font"):
        children = sorted(font, key=lambda el: rank.get(el.tag, len(rank)))
        for child in children:
            font.append(child)  # appending an existing child moves it to the end, in sorted order
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def workbook_bytes(book: "Workbook") -> bytes:
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/styles.xml":
                data = _reorder_fonts(data)
            target.writestr(info, data)
    return out.getvalue()


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    "</Types>"
)
_ROOT_RELS = (_DECL + f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
              f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    _DECL + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId4" Type="{_REL}/theme" Target="theme/theme1.xml"/>'
    "</Relationships>"
)
# The smallest theme DrawingML allows (Excel and the validators expect a workbook to have one): the Office
# colours, 宋体 for East Asian text, three plain fills, lines, effects and background fills.
_COLORS = (("dk1", '<a:sysClr val="windowText" lastClr="000000"/>'), ("lt1", '<a:sysClr val="window" lastClr="FFFFFF"/>'),
           ("dk2", '<a:srgbClr val="44546A"/>'), ("lt2", '<a:srgbClr val="E7E6E6"/>'), ("accent1", '<a:srgbClr val="4472C4"/>'),
           ("accent2", '<a:srgbClr val="ED7D31"/>'), ("accent3", '<a:srgbClr val="A5A5A5"/>'),
           ("accent4", '<a:srgbClr val="FFC000"/>'), ("accent5", '<a:srgbClr val="5B9BD5"/>'),
           ("accent6", '<a:srgbClr val="70AD47"/>'), ("hlink", '<a:srgbClr val="0563C1"/>'),
           ("folHlink", '<a:srgbClr val="954F72"/>'))
_FILL = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
_LINE = '<a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>'
_FONT = '<a:latin typeface="Calibri"/><a:ea typeface="宋体"/><a:cs typeface=""/>'
_THEME = (
    _DECL + '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office">'
    '<a:themeElements><a:clrScheme name="Office">' + "".join(f"<a:{k}>{v}</a:{k}>" for k, v in _COLORS)
    + '</a:clrScheme><a:fontScheme name="Office">'
    f"<a:majorFont>{_FONT}</a:majorFont><a:minorFont>{_FONT}</a:minorFont></a:fontScheme>"
    f'<a:fmtScheme name="Office"><a:fillStyleLst>{_FILL * 3}</a:fillStyleLst><a:lnStyleLst>{_LINE * 3}</a:lnStyleLst>'
    "<a:effectStyleLst>" + "<a:effectStyle><a:effectLst/></a:effectStyle>" * 3 + "</a:effectStyleLst>"
    f"<a:bgFillStyleLst>{_FILL * 3}</a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>"
)
_STYLES = (
    _DECL + f"<styleSheet {_NS}>"
    '<fonts count="2"><font><sz val="11"/><name val="宋体"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def plain_workbook(title: str, header: list[str], rows: list[list[str]], widths: list[float]) -> bytes:
    """One sheet named `title`: a bold header row, then `rows` of text (wrapped), columns `widths` wide, the
    header kept in view when scrolling. Text is written as shared strings, escaped; nothing is evaluated."""
    table = [list(header)] + [[str(value) for value in row] for row in rows]
    strings: dict[str, int] = {}
    cells_xml = []
    for r, row in enumerate(table, start=1):
        cells = []
        for c, value in enumerate(row):
            if not value:
                continue  # an empty cell is no cell, as Excel writes it
            index = strings.setdefault(value, len(strings))
            style = 1 if r == 1 else 2
            cells.append(f'<c r="{_column(c)}{r}" s="{style}" t="s"><v>{index}</v></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    last = f"{_column(max(len(header), 1) - 1)}{len(table)}"
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    sheet = (
        _DECL + f"<worksheet {_NS} {_R}><dimension ref=\"A1:{last}\"/>"
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(cells_xml)}</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    )
    shared = (_DECL + f'<sst {_NS} count="{sum(1 for r in table for v in r if v)}" uniqueCount="{len(strings)}">'
              + "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in strings) + "</sst>")
    workbook = (_DECL + f"<workbook {_NS} {_R}><bookViews><workbookView/></bookViews>"
                f'<sheets><sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                           ("xl/styles.xml", _STYLES), ("xl/worksheets/sheet1.xml", sheet),
                           ("xl/sharedStrings.xml", shared), ("xl/theme/theme1.xml", _THEME)):
            package.writestr(name, text.encode("utf-8"))
    return out.getvalue()
