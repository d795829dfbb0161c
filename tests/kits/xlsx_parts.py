"""A workbook written part by part (no openpyxl): what other producers write, down to whether rows and cells
carry their `r` references, with shared or inline strings. For the spreadsheet doors' tests
(tests/intake/test_marker_properties.py, tests/core/test_sheet_scan.py)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def column_letter(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def cell_xml(row: int, column: int, value, shared: list[str], *, with_ref: bool, inline: bool) -> str:
    ref = f' r="{column_letter(column)}{row}"' if with_ref else ""
    if value is None:  # an empty (styled) cell: without references it still holds its place in the row
        return "" if with_ref else '<c s="1"/>'
    if isinstance(value, bool):
        return f'<c{ref} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f"<c{ref}><v>{value}</v></c>"
    if inline:
        return f'<c{ref} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    shared.append(value)
    return f'<c{ref} t="s"><v>{len(shared) - 1}</v></c>'


def workbook(sheets: list[tuple[str, str]], shared: list[str]) -> dict[str, bytes]:
    """The parts of a workbook with these (title, sheet XML) worksheets and shared strings."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.'
                      'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for n in range(1, len(sheets) + 1))
            + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{REL}"><Relationship Id="rId1" '
                        f'Type="{TYPE}officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_REL}"><sheets>'
            + "".join(f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
                      for n, (title, _) in enumerate(sheets, start=1))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{REL}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{TYPE}worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in range(1, len(sheets) + 1))
            + f'<Relationship Id="rIdS" Type="{TYPE}sharedStrings" Target="sharedStrings.xml"/>'
            + f'<Relationship Id="rIdT" Type="{TYPE}styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": (  # two cell formats: s="1" (an empty styled cell) names a real one
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(shared)}">'
            + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared) + "</sst>"),
    }
    for n, (_, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = xml
    return {name: text.encode("utf-8") for name, text in parts.items()}


def sheet_xml(rows: list[str]) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()



def sheet_of_rows(cells: list[list], *, with_refs: bool, inline: bool, shared: list[str]) -> str:
    """A worksheet holding `cells` (rows of values; None = an empty cell)."""
    rows = []
    for r, values in enumerate(cells, start=1):
        xml = "".join(cell_xml(r, c, v, shared, with_ref=with_refs, inline=inline)
                      for c, v in enumerate(values, start=1))
        rows.append(f'<row r="{r}">{xml}</row>' if with_refs else f"<row>{xml}</row>")
    return sheet_xml(rows)
