"""BulletinComposer (bulletin/layout/composer.py) makes the same document as docxcompose's Composer, only faster.

Each test composes the same drafts twice, with docxcompose unchanged (ReferenceComposer) and with
BulletinComposer, then compares the saved results part by part, and checks what the bulletin needs on
its own: text, pictures, footnotes, list numbering restarting per draft, unique drawing and bookmark ids.
"""

from __future__ import annotations

import io
import random
import re
from collections import Counter

import draft_factory as f
import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from bulletin.layout.composer import BulletinComposer, style_id_names
from reference_composer import ReferenceComposer
from bulletin.core.wordxml import text_of, xpath

OTHER_PNG = f._png(2, 2, [b"\xff\x00\x00\x00\xff\x00", b"\x00\x00\xff\xff\xff\xff"])
LINK = "https://www.zgq.example.cn/notes"


def _bookmark(path, name: str) -> None:
    """Wrap the first body paragraph of a draft in a bookmark with id 0, as every draft would number it."""
    doc = Document(str(path))
    paragraph = doc.paragraphs[2]._p
    paragraph.insert(1, parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="0" w:name="{name}"/>'))
    paragraph.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="0"/>'))
    doc.save(str(path))


@pytest.fixture
def drafts(tmp_path):
    """Five drafts covering what departments send: lists, footnotes, pictures (one shared), tables,
    headings, bookmarks."""
    make = lambda name, **kw: f.make_draft(tmp_path / name, unit_line="区人社局", **kw)
    paths = [
        make("1.docx", title="第一篇", headings=True, numbered_list=["一稿甲", "一稿乙", "一稿丙"],
             footnote="一稿脚注", image=True, table=True),
        make("2.docx", title="第二篇", numbered_list=["二稿甲", "二稿乙"], footnote="二稿脚注"),
        make("3.docx", title="第三篇", image=OTHER_PNG, footnote="三稿脚注 & <注>"),
        make("4.docx", title="第四篇", paragraphs=["只有一段。"]),
        make("5.docx", title="第五篇", image=True, numbered_list=["五稿甲", "五稿乙"], table=True),
    ]
    for number, path in enumerate(paths[:3], start=1):
        _bookmark(path, f"mark{number}")
    return paths


def _saved(composer) -> Document:
    buffer = io.BytesIO()
    composer.save(buffer)
    return Document(io.BytesIO(buffer.getvalue()))


def append_all(composer_class, paths) -> Document:
    random.seed(7)  # docxcompose gives each copied list a random w:nsid
    composer = composer_class(Document())
    for path in paths:
        composer.append(Document(str(path)))
    return _saved(composer)


def insert_at_markers(composer_class, paths) -> Document:
    """What compose._insert_bodies does: each draft's body replaces a marker paragraph in a rendered doc."""
    random.seed(7)
    master = Document()
    master.add_paragraph("报头")
    markers = []
    for number in range(len(paths)):
        master.add_paragraph(f"标题{number}")
        markers.append(master.add_paragraph(f"MARKER-{number}")._p)
    master.add_paragraph("版记")
    composer = composer_class(master)
    body = master.element.body
    for number, (path, marker) in enumerate(zip(paths, markers)):
        draft = Document(str(path))
        if composer_class is ReferenceComposer or number % 2:
            composer.insert(body.index(marker), draft, style_names=style_id_names(draft.styles.element))
        else:
            composer.insert_before(marker, draft, style_names=style_id_names(draft.styles.element))
        body.remove(marker)
    composer.finish()
    return _saved(composer)


def _part_xml(document, reltype) -> bytes:
    try:
        part = document.part.part_related_by(reltype)
    except KeyError:
        return b""
    xml = part.blob if hasattr(part, "_blob") or not hasattr(part, "element") else etree.tostring(part.element)
    return re.sub(rb'w:nsid w:val="[0-9A-F]+"', b'w:nsid w:val="-"', xml)


def _relationships(document) -> Counter:
    return Counter(
        (rel.reltype, rel.target_ref if rel.is_external else str(rel.target_part.partname))
        for rel in document.part.rels.values()
    )


def _footnote_texts(document) -> list[str]:
    root = etree.fromstring(_part_xml(document, RT.FOOTNOTES))
    return [text_of(note) for note in root if note.get(qn("w:type")) is None]


@pytest.mark.parametrize("compose", [append_all, insert_at_markers], ids=["append", "insert-at-markers"])
def test_same_document_as_docxcompose(drafts, compose):
    reference = compose(ReferenceComposer, drafts)
    fast = compose(BulletinComposer, drafts)

    assert etree.tostring(fast.element.body) == etree.tostring(reference.element.body)
    assert etree.tostring(fast.styles.element) == etree.tostring(reference.styles.element)
    for reltype in (RT.NUMBERING, RT.FOOTNOTES):
        assert _part_xml(fast, reltype) == _part_xml(reference, reltype)
    assert _relationships(fast) == _relationships(reference)
    assert len(fast.inline_shapes) == len(reference.inline_shapes) == 3
    assert len({p.partname for p in fast.part.package.iter_parts() if "media" in p.partname}) == 2


@pytest.mark.parametrize("compose", [append_all, insert_at_markers], ids=["append", "insert-at-markers"])
def test_what_the_bulletin_needs_survives(drafts, compose):
    document = compose(BulletinComposer, drafts)
    body = document.element.body
    texts = [text_of(p) for p in body.iter(qn("w:p"))]
    for expected in ("第一篇", "一稿甲", "二稿乙", "只有一段。", "五稿甲", f.TABLE_ROWS[1][0], f.DEFAULT_PARAGRAPHS[2]):
        assert expected in texts

    # Footnotes: every note copied once, in order, every reference pointing at its note.
    assert _footnote_texts(document) == [" 一稿脚注", " 二稿脚注", " 三稿脚注 & <注>"]
    notes = etree.fromstring(_part_xml(document, RT.FOOTNOTES))
    note_ids = {n.get(qn("w:id")) for n in notes}
    refs = [r.get(qn("w:id")) for r in body.iter(qn("w:footnoteReference"))]
    assert len(refs) == len(set(refs)) == 3 and set(refs) <= note_ids

    # Lists: each draft's first list starts again at 1 (its own numId with a startOverride of 1).
    numbering = document.part.numbering_part.element
    first_items = {}
    for paragraph in body.iter(qn("w:p")):
        text = text_of(paragraph)
        num_ids = xpath(paragraph, "./w:pPr/w:numPr/w:numId/@w:val")
        if num_ids and text[:2] not in first_items:
            first_items[text[:2]] = num_ids[0]
    assert set(first_items) == {"一稿", "二稿", "五稿"}
    assert len(set(first_items.values())) == 3
    for num_id in first_items.values():
        assert xpath(numbering, f'./w:num[@w:numId="{num_id}"]/w:lvlOverride[@w:ilvl="0"]/w:startOverride/@w:val') == ["1"]

    # Drawing and bookmark ids are unique across drafts (each draft numbered its own from 1 / 0).
    doc_pr = [int(e.get("id")) for e in xpath(body, ".//wp:docPr")]
    c_nv_pr = [int(e.get("id")) for e in xpath(body, ".//pic:cNvPr")]
    assert doc_pr == list(range(1, 4)) and c_nv_pr == list(range(1, 4))
    starts = [e.get(qn("w:id")) for e in body.iter(qn("w:bookmarkStart"))]
    ends = [e.get(qn("w:id")) for e in body.iter(qn("w:bookmarkEnd"))]
    assert starts == ends == ["0", "1", "2"]
    assert [e.get(qn("w:name")) for e in body.iter(qn("w:bookmarkStart"))] == ["mark1", "mark2", "mark3"]

    # Pictures resolve to image parts; python-docx reads the whole result.
    for blip in xpath(body, ".//a:blip"):
        assert document.part.related_parts[blip.get(qn("r:embed"))].blob.startswith(b"\x89PNG")
    assert len(document.tables) == 2


def test_styles_added_by_a_draft_are_seen_by_later_drafts(tmp_path):
    """The style cache is refreshed when a draft brings a style the document lacks."""
    first = f.make_draft(tmp_path / "a.docx", title="甲", footnote="注一")  # brings FootnoteText
    second = f.make_draft(tmp_path / "b.docx", title="乙", footnote="注二")
    document = Document()
    before = len(document.styles.element)
    composer = BulletinComposer(document)
    composer.append(Document(str(first)))
    after_first = len(document.styles.element)
    composer.append(Document(str(second)))
    assert after_first > before
    assert len(document.styles.element) == after_first  # not added twice
    assert "FootnoteReference" in composer.our_style_ids()


def test_finish_renumbers_once_and_save_finishes(tmp_path):
    paths = [f.make_draft(tmp_path / f"{n}.docx", title=f"图{n}", image=True) for n in range(3)]
    composer = BulletinComposer(Document())
    for path in paths:
        composer.append(Document(str(path)))
    body = composer.doc.element.body
    assert [e.get("id") for e in xpath(body, ".//wp:docPr")] != ["1", "2", "3"]  # not yet: deferred
    composer.finish()
    assert [e.get("id") for e in xpath(body, ".//wp:docPr")] == ["1", "2", "3"]
    composer.finish()  # idempotent
    assert [e.get("id") for e in xpath(_saved(composer).element.body, ".//wp:docPr")] == ["1", "2", "3"]


def test_a_link_inside_a_footnote_points_at_its_address(tmp_path):
    """Intended difference: docxcompose adds the footnote's hyperlink relationship but leaves the copied
    note on the draft's old rId; BulletinComposer re-points it."""
    path = f.make_draft(tmp_path / "a.docx", title="甲", footnote="详见")
    draft = Document(str(path))
    notes_part = draft.part.part_related_by(RT.FOOTNOTES)
    for unused in ("https://a.example.cn/", "https://b.example.cn/"):  # so the link's rId is not rId1
        notes_part.relate_to(unused, RT.HYPERLINK, is_external=True)
    rid = notes_part.relate_to(LINK, RT.HYPERLINK, is_external=True)
    notes = parse_xml(notes_part.blob)
    note = xpath(notes, '//w:footnote[@w:id="1"]/w:p')[0]
    note.append(parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"><w:r><w:t>网页</w:t></w:r></w:hyperlink>'))
    notes_part._blob = etree.tostring(notes, xml_declaration=True, encoding="UTF-8", standalone=True)
    draft.save(str(path))

    composer = BulletinComposer(Document())
    composer.append(Document(str(path)))
    document = _saved(composer)
    part = document.part.part_related_by(RT.FOOTNOTES)
    links = xpath(etree.fromstring(part.blob), "//w:hyperlink/@r:id")
    assert len(links) == 1
    assert part.rels[links[0]].target_ref == LINK
    assert _footnote_texts(document) == [" 详见网页"]


def test_preserve_styles_is_refused():
    with pytest.raises(ValueError):
        BulletinComposer(Document(), preserve_styles=True)


def test_compile_month_makes_the_same_bulletin_as_with_docxcompose(office, monkeypatch):
    """The whole compose path (template, markers, cleaning, restyling) with either composer: same parts."""
    import bulletin.layout.compose

    office.draft("1.docx", title="第一篇", unit_line="区人社局", headings=True, numbered_list=True,
                 footnote="一稿脚注", image=True, table=True)
    office.draft("2.docx", title="第二篇", unit_line="区财政局", numbered_list=["甲", "乙"], footnote="二稿脚注")
    office.draft("3.docx", title="第三篇", unit_line="区教体局", image=OTHER_PNG, tracked_changes=True,
                 comment="批注", section_break=True)

    def compiled() -> Document:
        random.seed(11)
        return Document(str(office.compile().path))

    fast = compiled()
    monkeypatch.setattr(bulletin.layout.compose, "BulletinComposer", ReferenceComposer)  # where compose looks
    reference = compiled()

    assert etree.tostring(fast.element.body) == etree.tostring(reference.element.body)
    assert etree.tostring(fast.styles.element) == etree.tostring(reference.styles.element)
    for reltype in (RT.NUMBERING, RT.FOOTNOTES):
        assert _part_xml(fast, reltype) == _part_xml(reference, reltype)
    assert _relationships(fast) == _relationships(reference)
    assert _footnote_texts(fast) == [" 一稿脚注", " 二稿脚注"]
    doc_pr = [e.get("id") for e in xpath(fast.element.body, ".//wp:docPr")]
    assert len(doc_pr) == len(set(doc_pr)) == 2
