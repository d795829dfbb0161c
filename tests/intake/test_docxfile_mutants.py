"""docxfile.open_document checked part by part, where mutation testing (tools/mutation.sh docxfile,
docs/TESTING.md) found changes no test noticed: the composer's python-docx Document of a draft must have every
part python-docx's own Document() has, with the same content type, class, package and bytes; the trees intake
parsed are handed over (not parsed again), and no part intake parsed is inflated a second time; a plain part
(theme, fontTable, stylesWithEffects...) is inflated only when read, and then gives its own bytes; bytes that
changed since intake are refused. And the part cache's hit count, and a local header cut short by the end of
the file (screening refuses the member, never crashes)."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile

import draft_factory as f
import pytest
from docx import Document
from docx.opc import phys_pkg
from docx.opc.part import Part, XmlPart

from bulletin.intake.docxfile import DraftContent, PartCache, Refused, _DeferredPart, open_document, screen


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> tuple[bytes, DraftContent]:
    """A draft with a picture, a footnote and a header (media, notes, header parts), screened as intake does."""
    path = f.make_draft(tmp_path_factory.mktemp("draft") / "稿件.docx", title="招商引资成效明显",
                        unit_line="区商务局", paragraphs=["第一段。", "第二段。"], image=True, footnote="脚注",
                        header_text="页眉")
    data = path.read_bytes()
    with screen(data) as package:
        trees = package.parsed()
        main = package.main
    return data, DraftContent(data, hashlib.sha256(data).hexdigest(), main, trees)


def _parts(document) -> dict[str, Part]:
    return {str(part.partname): part for part in document.part.package.iter_parts()}


def test_bytes_changed_since_intake_are_refused(draft):
    data, content = draft
    changed = DraftContent(data + b"\0", content.sha256, content.main, content.trees)
    with pytest.raises(ValueError, match="^draft bytes changed since intake$"):
        open_document(changed)


def test_every_part_is_what_python_docx_makes_of_the_same_bytes(draft):
    data, content = draft
    ours, theirs = _parts(open_document(content)), _parts(Document(io.BytesIO(data)))
    assert sorted(ours) == sorted(theirs)
    package = next(iter(ours.values())).package
    members = zipfile.ZipFile(io.BytesIO(data))
    kinds = set()
    for name, part in ours.items():
        mine, python_docx = part, theirs[name]
        assert mine.content_type == python_docx.content_type, name
        # python-docx's ImagePart.load drops the package (its own Document has None there too)
        assert mine.package is (None if python_docx.package is None else package), name
        assert ({r.rId: (r.reltype, r.target_ref) for r in mine.rels.values()}
                == {r.rId: (r.reltype, r.target_ref) for r in python_docx.rels.values()}), name
        if isinstance(python_docx, XmlPart):
            assert type(mine) is type(python_docx), name
            assert mine.element is content.trees[name.lstrip("/")], name  # intake's tree, not parsed again
            kinds.add("xml")
        else:
            assert isinstance(mine, type(python_docx)), name  # Part, or _DeferredPart (a Part)
            assert mine.blob == python_docx.blob == members.read(name.lstrip("/")), name
            kinds.add(type(mine).__name__)
    # the draft has all three kinds: parsed XML parts, a picture (ImagePart), plain parts read on demand
    assert kinds == {"xml", "ImagePart", "_DeferredPart"}


def test_parsed_parts_are_not_inflated_again_and_plain_parts_only_when_read(draft, monkeypatch):
    data, content = draft
    read: list[str] = []
    real = phys_pkg._ZipPkgReader.blob_for

    def recording(self, pack_uri):
        read.append(pack_uri.membername)
        return real(self, pack_uri)

    monkeypatch.setattr(phys_pkg._ZipPkgReader, "blob_for", recording)
    document = open_document(content)
    # besides the relationships (python-docx asks for each part's, present or not) only the content types and
    # the picture: no part intake parsed, no plain part
    assert [name for name in read if not name.endswith(".rels")] == ["[Content_Types].xml", "word/media/image1.png"]
    assert "word/_rels/document.xml.rels" in read
    theme = _parts(document)["/word/theme/theme1.xml"]
    assert type(theme) is _DeferredPart
    assert theme.blob == zipfile.ZipFile(io.BytesIO(data)).read("word/theme/theme1.xml")
    assert theme.blob is theme.blob  # inflated once, then kept
    assert "word/theme/theme1.xml" not in read  # read from intake's bytes, not through python-docx's reader


def _template_draft(text: str) -> bytes:
    """A draft from python-docx's default template: 15 XML parts (document, styles, stylesWithEffects, numbering,
    settings, webSettings, fontTable, theme, core and app properties, two customXml parts and three .rels)."""
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_cache_counts_one_hit_per_shared_part_of_a_second_draft():
    cache = PartCache()
    with screen(_template_draft("第一篇"), cache) as first:
        assert len(first.parsed()) == 15
    assert cache.hits == 0  # nothing repeats inside one draft: every lookup missed
    with screen(_template_draft("第二篇"), cache) as second:
        assert second.parsed()["word/styles.xml"] is first.parsed()["word/styles.xml"]
    assert cache.hits == 14  # every part but word/document.xml (the draft's own, never shared) found once


def test_a_member_pointed_at_the_last_bytes_of_the_file_is_refused_not_a_crash():
    """The directory sends word/styles.xml to the zip comment, which starts like a local header ("PK\\x03\\x04")
    but has fewer than its 30 bytes: the cache key gives up (None) and the ordinary read refuses the member."""
    source = zipfile.ZipFile(io.BytesIO(_template_draft("正文")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info.filename))
        archive.comment = b"PK\x03\x04" + b"\0" * 8
    data = bytearray(buffer.getvalue())
    entry = data.find(b"PK\x01\x02")  # central directory entries: name length at +28, local header offset at +42
    while data[entry + 46:entry + 46 + struct.unpack_from("<H", data, entry + 28)[0]] != b"word/styles.xml":
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<L", data, entry + 42, len(data) - 12)
    for cache in (None, PartCache()):
        with pytest.raises(Refused) as info:
            screen(bytes(data), cache)
        assert str(info.value) == "文件已损坏（内部的 word/styles.xml 无法解压，可能只复制或下载了一部分），请重新提交"
