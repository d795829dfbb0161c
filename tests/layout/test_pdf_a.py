"""The PDF edition is PDF/A-2b (issue 27: archives and electronic exchange want fixed-layout files): read back
with pypdf, the file declares PDF/A part 2 conformance B in its XMP metadata, carries an sRGB output intent
(GTS_PDFA1), and every font it uses is embedded (a FontFile stream in each font descriptor) — what a reader
needs to show the issue the same way in ten years on a machine without the fonts."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from workspace_kit import SETTINGS, make_workspace

from bulletin.layout.render import to_pdf_a

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]


def fonts_of(reader: PdfReader) -> dict[str, bool]:
    """{font name: embedded?} over every page, descendant fonts of Type0 fonts included."""
    found: dict[str, bool] = {}

    def visit(font) -> None:
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", []):
            visit(descendant)
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            found[str(font.get("/BaseFont"))] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get_object().get("/Font") or {}).values():
            visit(font)
    return found


def test_the_pdf_edition_is_pdf_a_2b_with_every_font_embedded(tmp_path):
    office = make_workspace(tmp_path / "ws", settings=SETTINGS.replace("[bulletin]\n", "[bulletin]\npdf = true\n"))
    office.draft("1.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局",
                 paragraphs=["今年以来，区人社局围绕稳就业目标，新增城镇就业1260人。"])
    result = office.compile()
    reader = PdfReader(io.BytesIO(to_pdf_a(result.path)))
    xmp = reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp or 'pdfaid:part="2"' in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp or 'pdfaid:conformance="B"' in xmp
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert [str(i.get_object()["/S"]) for i in intents] == ["/GTS_PDFA1"]
    fonts = fonts_of(reader)
    assert fonts and all(fonts.values()), fonts
    assert "三个聚焦" in "".join(page.extract_text() for page in reader.pages)
