"""Screening inflates a shared part once per compile, not once per draft (issue 21, speed): drafts written from one
template carry the same compressed styles.xml (349 KB inflated) and stylesWithEffects.xml (438 KB), and
`docxfile._stream_key` recognises a member by its compressed bytes and directory fields before inflating it.

What must hold besides the saving: the tree handed over is the one the draft's own bytes make, and a member that
zipfile would refuse is still refused, even when a sound member with the same compressed bytes was seen before
(the CRC in the directory, the name in the local header)."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from docx import Document
from lxml import etree

import bulletin.intake.docxfile as docxfile
from bulletin.intake.docxfile import PartCache, Refused, screen

SHARED = ("word/styles.xml", "word/stylesWithEffects.xml", "word/theme/theme1.xml", "word/fontTable.xml")


def _draft(title: str) -> bytes:
    """A draft as python-docx's default template makes it (what issue 21's independent run used)."""
    doc = Document()
    doc.add_paragraph(title)
    doc.add_paragraph("区人社局")
    doc.add_paragraph("正文第一段。")
    doc.add_table(rows=2, cols=2).cell(0, 0).text = "表格"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _inflated(monkeypatch) -> list[str]:
    """The names of the members screening inflates from now on."""
    names: list[str] = []
    real = docxfile._read_member

    def spy(archive, name, limit=docxfile.MAX_PART_BYTES):
        names.append(name)
        return real(archive, name, limit)

    monkeypatch.setattr(docxfile, "_read_member", spy)
    return names


def _central_entry(data: bytes, name: str) -> int:
    """Offset of `name`'s entry in the zip's central directory."""
    encoded = name.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == encoded:
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} not in the central directory")


def test_a_second_draft_from_the_same_template_inflates_only_its_own_parts(monkeypatch):
    first, second = _draft("第一篇稿件标题"), _draft("第二篇稿件标题")
    cache = PartCache()
    package = screen(first, cache)
    inflated = _inflated(monkeypatch)
    again = screen(second, cache)

    assert "word/document.xml" in inflated  # the body is the draft's own: always read
    assert not set(SHARED) & set(inflated), inflated
    for name in SHARED:
        assert again.xml(name) is package.xml(name)  # one parsed tree for both drafts
    # ... and it is what the second draft's own bytes make (read without the cache):
    alone = screen(second)
    for name in SHARED:
        assert etree.tostring(again.xml(name)) == etree.tostring(alone.xml(name))
    assert "第二篇稿件标题" in "".join(again.xml("word/document.xml").itertext())


def test_a_wrong_crc_is_refused_although_the_same_stream_was_read_before():
    good = _draft("完好的稿件")
    cache = PartCache()
    screen(good, cache)
    bad = bytearray(_draft("完好的稿件"))
    entry = _central_entry(bytes(bad), "word/styles.xml")
    crc = struct.unpack_from("<I", bad, entry + 16)[0]
    struct.pack_into("<I", bad, entry + 16, crc ^ 0x1)  # the directory's CRC only: the stream is unchanged

    with pytest.raises(Refused) as refused:
        screen(bytes(bad), cache)
    assert str(refused.value) == "文件已损坏（内部的 word/styles.xml 无法解压，可能只复制或下载了一部分），请重新提交"


def test_a_local_header_naming_another_member_is_refused_although_the_stream_was_read_before():
    good = _draft("完好的稿件")
    cache = PartCache()
    screen(good, cache)
    bad = bytearray(_draft("完好的稿件"))
    with zipfile.ZipFile(io.BytesIO(bytes(bad))) as archive:
        offset = archive.getinfo("word/styles.xml").header_offset
    name_at = offset + 30
    assert bad[name_at:name_at + 15] == b"word/styles.xml"
    bad[name_at:name_at + 15] = b"word/styles.xmx"  # zipfile: "File name in directory ... and header ... differ"

    with pytest.raises(Refused) as refused:
        screen(bytes(bad), cache)
    assert str(refused.value) == "文件已损坏（内部的 word/styles.xml 无法解压，可能只复制或下载了一部分），请重新提交"


def test_the_composer_gets_every_part_with_its_own_bytes_and_plain_parts_are_inflated_on_first_read(tmp_path):
    """open_document hands python-docx the trees intake parsed and leaves plain parts (stylesWithEffects.xml,
    theme, fontTable...) packed until read: what a reader of the Document sees is still the draft's bytes."""
    import draft_factory

    from bulletin.intake.docxfile import DraftContent, _DeferredPart, open_document

    path = draft_factory.make_draft(tmp_path / "图文.docx", title="有图的稿件", unit_line="区人社局", image=True)
    data = path.read_bytes()
    package = screen(data, PartCache())
    import hashlib

    document = open_document(DraftContent(data, hashlib.sha256(data).hexdigest(), package.main, package.parsed()))
    parts = {part.partname.membername: part for part in document.part.package.iter_parts()}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        plain = [name for name, part in parts.items() if type(part) is _DeferredPart]
        assert "word/theme/theme1.xml" in plain and "word/fontTable.xml" in plain, sorted(plain)
        assert all(parts[name]._blob is None for name in plain)  # nothing inflated yet
        for name in plain:
            assert parts[name].blob == archive.read(name)
        image = next(part for name, part in parts.items() if name.startswith("word/media/"))
        assert type(image).__name__ == "ImagePart"
        assert image.blob == archive.read(image.partname.membername)
    assert document.paragraphs[0].text == "有图的稿件"
