"""Hostile spreadsheets (issue 22 item 2), as bytes: small files that cost gigabytes to a reader that trusts them.

- far_cell: one cell at a far corner (XFD1048576 by default) in a chosen sheet; openpyxl, reading the sheet
  whole, creates every cell up to that corner.
- theme_bomb: a real workbook with a theme part that inflates to `size` bytes (declared honestly in the zip).
Each keeps the rest of a genuine workbook, so only the hostile part can be the reason it is refused.
"""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook


def far_cell(data: bytes, sheet: str, row: int = 1048576, column: int = 16384, value: str = "x") -> bytes:
    """`data` (an .xlsx) with one more cell at (row, column) of `sheet`."""
    book = load_workbook(io.BytesIO(data))
    book[sheet].cell(row, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def theme_bomb(data: bytes, size: int = 1 << 30) -> bytes:
    """`data` with xl/theme/theme1.xml replaced by `size` bytes of XML-ish filler (about 1 MB compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/theme/theme1.xml":
                with target.open("xl/theme/theme1.xml", "w", force_zip64=True) as part:
                    chunk = b" " * (1 << 20)
                    for _ in range(size // len(chunk)):
                        part.write(chunk)
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


def plain_book(rows: list[list], title: str = "Sheet") -> bytes:
    book = Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
