"""Drafts as real producers write them (issue 15): Word 2016/WPS markup (mc:AlternateContent with fallbacks,
w14/w15 attributes, text boxes, content controls, TOC/PAGE/HYPERLINK fields, bookmarks, smart tags, KSO custom
properties) and documents LibreOffice saved from its own format (pictures, text frames, hyperlinks, bookmarks,
footnotes and endnotes). Their text, pictures and notes reach the bulletin, and every bulletin validates."""

from __future__ import annotations

import re
import shutil
import zipfile

import hostile_kit as k
import producers as p
from producers import LIBREOFFICE_DRAFT_FINDINGS
import pytest
from ooxml_audit import assert_valid, dangling_references

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# ISO/IEC 29500-1 §17.9.18: numId 0 "shall never be used to point to a numbering definition instance, and
# shall instead only be used to designate the removal of numbering properties"; Word writes it itself.
NUM_ID_ZERO = {"Numbering definition '0' referenced but not found":
               "numId 0 removes numbering (ISO/IEC 29500-1 17.9.18); it never names a definition"}
LIBREOFFICE_RICH_FINDINGS = {
    **LIBREOFFICE_DRAFT_FINDINGS, **NUM_ID_ZERO,
    "Document references numbering but numbering.xml is missing":
        "the draft's only numbering reference is numId 0 (no numbering), which needs no numbering part",
    "A required relationship type 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering'":
        "same: numId 0 needs no numbering part",
}


def _blips(path) -> int:
    return k.member_xml(path, "word/document.xml").count("<a:blip ")


def test_word_and_wps_drafts_keep_text_pictures_and_notes(office, tmp_path):
    # The two WPS drafts share their body word for word (the producer's fixed text): the near-duplicate check
    # would rightly flag them (issue 27); this test is about the markup, so it is off here.
    with open(office.root / "bulletin.toml", "a", encoding="utf-8") as settings:
        settings.write("\n[intake]\nnear_duplicate = 0\n")
    draft = p.word_wps_draft(tmp_path / "wps.docx", title="政务服务提速增效", unit_line="区行政审批局")
    assert_valid(draft, accepted=p.SMART_TAG_FINDING)
    shutil.copyfile(draft, office.month_dir() / "1-区行政审批局.docx")
    p.word_wps_draft(office.month_dir() / "2-区人社局.docx", title="就业服务延伸到村", unit_line="区人社局")
    office.draft("3-区财政局.docx", title="财政保障有力", unit_line="区财政局", footnote="财政数据截至10月底。")

    result = office.compile()
    assert [d.title for d in result.intake.accepted] == ["政务服务提速增效", "就业服务延伸到村", "财政保障有力"]
    assert not result.intake.flagged
    body = k.part_texts(result.path)["word/document.xml"]
    for text in (p.WPS_HEADING, p.WPS_LINK_TEXT, p.WPS_SMART_TAG, p.WPS_CONTROL_TEXT, p.WPS_TEXT_BOX, p.WPS_CLOSING):
        assert body.count(text) >= 2, text  # both WPS drafts (text boxes twice each: Choice and Fallback)
    assert "政务服务提速增效区行政审批局今年以来" in body  # title and unit came from the draft, not repeated
    notes = k.part_texts(result.path)["word/footnotes.xml"]
    assert notes.count(p.WPS_FOOTNOTE) == 2 and "财政数据截至10月底。" in notes
    assert _blips(result.path) == 2  # each WPS draft's picture

    xml = k.member_xml(result.path, "word/document.xml")
    assert "smartTag" not in xml and "w14:paraId" not in xml  # Word 2010+ markup only, ids Word assigns anew
    assert xml.count("<mc:AlternateContent>") == 2 and xml.count("<mc:Fallback>") == 2
    assert xml.count("<w:sdt>") == 4 and "HYPERLINK" in xml and " TOC " in xml and "PAGE" in xml
    root_tag = xml[xml.index("<w:document"):xml.index(">", xml.index("<w:document"))]
    ignorable = re.search(r'mc:Ignorable="([^"]*)"', root_tag).group(1).split()
    assert {"w14", "w15", "wp14"} <= set(ignorable) and 'xmlns:w15="' in root_tag
    vml_ids = re.findall(r'<v:shape [^>]*\bid="([^"]+)"', xml)
    assert len(vml_ids) == 2 and len(set(vml_ids)) == 2
    assert_valid(result.path)
    assert dangling_references(result.path) == []


@pytest.fixture(scope="module")
def libreoffice_rich_file(tmp_path_factory):
    from libreoffice import require_soffice

    require_soffice()
    return p.libreoffice_rich_draft(tmp_path_factory.mktemp("lo-rich") / "住建.docx",
                                    title="城市更新见实效", unit_line="区住建局")


@pytest.mark.libreoffice
def test_libreoffice_documents_keep_pictures_frames_and_both_kinds_of_notes(office, libreoffice_rich_file):
    assert_valid(libreoffice_rich_file, accepted=LIBREOFFICE_RICH_FINDINGS)
    shutil.copyfile(libreoffice_rich_file, office.month_dir() / "1-住建.docx")
    shutil.copyfile(libreoffice_rich_file, office.month_dir() / "2-住建（重报）.docx")  # identical: one kept
    p.libreoffice_rich_draft(office.month_dir() / "3-人社.docx", title="零工市场服务就业", unit_line="区人社局")

    result = office.compile()
    assert [d.title for d in result.intake.accepted] == ["城市更新见实效", "零工市场服务就业"]
    parts = k.part_texts(result.path)
    body = parts["word/document.xml"]
    for text in (p.LO_RICH_FIRST, p.LO_RICH_HEADING, p.LO_RICH_LINK, p.LO_RICH_FRAME, p.LO_RICH_LAST):
        assert body.count(text) >= 2, text
    assert parts["word/footnotes.xml"].count(p.LO_RICH_FOOTNOTE) == 2
    # Endnotes: docxcompose copies the references but not the notes; the bulletin now has both.
    assert parts["word/endnotes.xml"].count(p.LO_RICH_ENDNOTE) == 2
    with zipfile.ZipFile(result.path) as archive:
        document = archive.read("word/document.xml").decode()
        endnotes = archive.read("word/endnotes.xml").decode()
    referenced = set(re.findall(r'<w:endnoteReference w:id="(\d+)"', document))
    defined = set(re.findall(r'<w:endnote w:id="(\d+)"', endnotes))
    assert len(referenced) == 2 and referenced <= defined
    assert _blips(result.path) == 2
    assert_valid(result.path, accepted=NUM_ID_ZERO)
    assert dangling_references(result.path) == []
