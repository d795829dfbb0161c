"""restyle.py: a picture paragraph gets a line height that shows the whole picture, and paragraph properties
stay in the order the schema requires (LibreOffice reads them in any order; Word calls the file damaged)."""

from __future__ import annotations

import zipfile

import draft_factory as f
import hostile_kit as k
from lxml import etree
from ooxml_audit import assert_valid, dangling_references

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# CT_PPr (ISO/IEC 29500-1 §17.3.1.26, the sequence python-docx's CT_PPr also follows), written out here.
CT_PPR_SEQUENCE = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
    "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
    "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
    "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]


def _picture_paragraph(path):
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    (paragraph,) = [p for p in root.iter(f"{W}p") if p.find(f".//{W}drawing") is not None]
    return paragraph


def test_picture_paragraph_gets_single_line_spacing_in_schema_order(office, tmp_path):
    source = f.make_draft(tmp_path / "src.docx", title="带图片的稿件", unit_line="区人社局", image=True)
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("word/document.xml").decode()
    picture = xml.index("<w:drawing")
    ppr = xml.rindex("<w:pPr>", 0, picture)
    # As Word writes it: keep-with-next first, and the paragraph mark's run properties (rPr) last.
    xml = xml[:ppr] + "<w:pPr><w:keepNext/>" + xml[ppr + len("<w:pPr>"):]
    end = xml.index("</w:pPr>", ppr)
    xml = xml[:end] + "<w:rPr><w:b/></w:rPr>" + xml[end:]
    k.rewrite(source, office.month_dir() / "图片.docx", {"word/document.xml": xml.encode()})

    result = office.compile()
    ppr = _picture_paragraph(result.path).find(f"{W}pPr")
    tags = [child.tag.removeprefix(W) for child in ppr]
    assert tags == sorted(tags, key=CT_PPR_SEQUENCE.index), tags
    assert tags == ["keepNext", "spacing", "ind", "jc", "rPr"]
    spacing = ppr.find(f"{W}spacing")
    # The body style's exact 28 pt lines would crop an inline picture to one line: single, automatic.
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("240", "auto")
    indent = ppr.find(f"{W}ind")
    assert (indent.get(f"{W}firstLine"), indent.get(f"{W}firstLineChars")) == ("0", "0")
    assert ppr.find(f"{W}jc").get(f"{W}val") == "center"
    assert_valid(result.path)
    assert dangling_references(result.path) == []
