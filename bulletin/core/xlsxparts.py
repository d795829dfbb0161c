"""Workbook bytes from openpyxl, with the font properties in the order Excel writes them.

ISO/IEC 29500-1 lets a font's properties (b, sz, color, name, …) come in any order, but Excel and the Open XML
SDK expect the order Excel writes (b, i, strike, condense, extend, outline, shadow, u, vertAlign, sz, color,
name, family, charset, scheme); openpyxl writes name first and color before sz, which OOXML validators report
as an error in xl/styles.xml. The properties are reordered; nothing else in the package changes.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree
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


def workbook_bytes(book: Workbook) -> bytes:
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
