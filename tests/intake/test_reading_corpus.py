"""Reading drafts written the way departments write them (issue 9): a corpus of more than 40 drafts, each
with its expected title lines, unit (and where it came from), first and last body paragraph, and report.

Each case is in tests/reading_corpus.py; the shapes: titles over two or three lines (centred, Title style,
bold), subtitles, editor's notes before and after the title, a generic label above the title, a first
paragraph too long to be a title, meeting names, the unit inside the title (roster name, alias, a unit
not in the roster), unit lines with a person's name, in brackets, after a dash, labelled; bylines in every
form, closing unit-and-date blocks, 撰稿/审核 lines; file names with every separator; the sender's mailbox;
the author property; a footnote on the title; and drafts saved by LibreOffice.
"""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx_read import body_paragraphs
from ooxml_audit import assert_valid, dangling_references
from reading_corpus import BODY1, CASES, LO_CASES, ROSTER_CSV, write_corpus, write_libreoffice_cases
from workspace_kit import make_workspace

from bulletin.intake.docxfile import open_document
from bulletin.intake.drafts import read_draft
from bulletin.intake.intake import gather
from bulletin.intake.notices import NoticeSheet
from bulletin.intake.report import intake_report

SENDERS = {case.file: case.sender for case in CASES if case.sender}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, roster):
    folder = tmp_path_factory.mktemp("corpus") / "2026-10"
    write_corpus(folder)
    intake = gather(folder, "2026-10", roster, sender_units=SENDERS)
    report = intake_report(intake, NoticeSheet(None), number=64, bulletin_name="工作简报第64期.docx")
    return intake, report


def test_the_corpus_is_large_enough():
    assert len(CASES) + len(LO_CASES) >= 40
    assert len({case.file for case in CASES + LO_CASES}) == len(CASES) + len(LO_CASES)


def _check(draft, case, report: str) -> None:
    assert draft.title_lines == case.title
    assert (draft.unit, draft.unit_source) == (case.unit, case.source)
    assert draft.body_texts[0] == case.first
    assert draft.body_texts[-1] == case.last
    assert draft.subtitle == case.subtitle
    assert draft.editor_note == case.note
    assert draft.unit_in_title == case.in_title
    assert draft.flagged == case.flagged, draft.warnings
    # No byline, person's name, date, label or note is left in the body.
    for kind, text in case.paragraphs:
        if kind in ("unit", "right", "note") or text.startswith(("撰稿", "联系人")):
            if text not in (case.first, case.last):
                assert text not in draft.body_texts, text
    section = _section(report, draft.name)
    for words in case.report:
        assert words in section, (words, section)


def _section(report: str, name: str) -> str:
    """The report's lines about one draft: "  N. 单位：标题", "     文件：…" and the lines under it."""
    lines = report.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"     文件：{name}"))
    end = next((i for i in range(at + 1, len(lines)) if not lines[i].startswith("     ")), len(lines))
    return "\n".join(lines[at - 1:end])


@pytest.mark.parametrize("case", CASES, ids=[f"case{n:02d}" for n in range(len(CASES))])  # ASCII ids: tools pass them on
def test_each_draft_is_read_right(corpus, case):
    intake, report = corpus
    drafts = {d.name: d for d in intake.accepted}
    assert case.file in drafts, [r for r in intake.refused + intake.duplicates + intake.replaced]
    _check(drafts[case.file], case, report)


def test_nothing_in_the_corpus_is_left_out(corpus):
    intake, _ = corpus
    assert len(intake.accepted) == len(CASES)
    assert intake.refused == [] and intake.duplicates == [] and intake.replaced == []


@pytest.mark.libreoffice
def test_drafts_saved_by_libreoffice_are_read_right(tmp_path, roster):
    folder = tmp_path / "2026-10"
    write_libreoffice_cases(folder)
    intake = gather(folder, "2026-10", roster)
    report = intake_report(intake, NoticeSheet(None), number=64, bulletin_name="x.docx")
    drafts = {d.name: d for d in intake.accepted}
    assert sorted(drafts) == sorted(case.file for case in LO_CASES)
    for case in LO_CASES:
        _check(drafts[case.file], case, report)


def test_the_bulletin_prints_titles_notes_subtitles_and_the_unit_once(tmp_path):
    """The whole corpus compiled: two-line titles printed as two lines of one title paragraph and joined in
    the TOC; the editor's note before its title in 楷体; subtitles under titles; units named once."""
    office = make_workspace(tmp_path / "office", roster=ROSTER_CSV)
    write_corpus(office.month_dir())
    result = office.compile(sender_units=SENDERS)
    assert len(result.intake.accepted) == len(CASES)
    paragraphs = body_paragraphs(result.path)
    toc = [t.split("\t", 1)[1] for s, t in paragraphs if s == "TOC Entry"]
    assert "区生态环境分局：我市强化“三双”机制 精准有效推进污染防治攻坚战" in toc
    assert "区民政局多措并举提升养老服务水平" in toc  # the title names its unit: not "区民政局：区民政局…"
    assert "区生态环境分局扎实推进大气污染防治" in toc
    assert "区医疗保障局推行医保服务“就近办”" in toc
    assert not any(entry.startswith("区民政局：区民政局") for entry in toc)

    document = Document(str(result.path))
    titles = [p for p in document.paragraphs if p.style.name == "Article Title"]
    two_lines = next(p for p in titles if "我市强化" in p.text)
    assert len(two_lines._p.findall(".//" + qn("w:br"))) == 1  # one paragraph, two printed lines
    assert [t.text for t in two_lines._p.iter(qn("w:t"))] == ["我市强化“三双”机制", "精准有效推进污染防治攻坚战"]
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    note = "【编者按】今年以来，区医保局创新监管方式，成效明显。现将其做法刊发，供各地学习借鉴。"
    at = styles.index(("Editor Note", note))
    assert styles[at + 1] == ("Article Title", "织牢医保基金监管网")
    assert document.styles["Editor Note"].element.rPr.rFonts.get(qn("w:eastAsia")).startswith("楷体")
    assert ("Article Subtitle", "——全区社会救助工作综述") in styles
    units = [t for s, t in styles if s == "Article Unit"]
    assert units.count("区生态环境分局") == 1  # under the two-line title; the title that opens with it has none
    texts = [t for _, t in styles]
    for gone in ("（区医保局供稿 撰稿人：王五）", "撰稿：王五 审核：李四", "2026年11月5日", "工作信息", "区人社局 张三"):
        assert gone not in texts, gone
    # The footnote that sat on a title is kept, referenced from the first body paragraph of its article.
    footnotes = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes").blob.decode()
    assert "数据来源：区商务局统计。" in footnotes
    first_body = next(p for p in document.paragraphs if p.text == BODY1 and p._p.findall(".//" + qn("w:footnoteReference")))
    assert first_body is not None
    assert_valid(result.path)
    assert dangling_references(result.path) == []


def test_open_document_builds_what_python_docx_builds(tmp_path, roster):
    """compose builds each draft's python-docx Document from intake's parsed parts (docxfile.open_document):
    the same parts, the same XML, as python-docx's own Document() of the same (cleaned, cut) bytes."""
    path = write_corpus_case(tmp_path, "43-标题脚注.docx")
    draft = read_draft(path, roster)
    ours = open_document(draft.content)
    theirs = Document(io.BytesIO(draft.content.data))
    assert sorted(str(p.partname) for p in ours.part.package.iter_parts()) == \
        sorted(str(p.partname) for p in theirs.part.package.iter_parts())
    assert ours.styles.element.xml == theirs.styles.element.xml
    assert ours.settings.element.xml == theirs.settings.element.xml
    assert [p.text for p in theirs.paragraphs][:2] == ["招商引资成效明显", "区商务局"]  # the draft as sent
    assert [p.text for p in ours.paragraphs][0] == BODY1  # what intake read and cut: title and unit line out
    assert ours.element.body is draft.content.document.find(qn("w:body"))  # the very tree intake parsed


def write_corpus_case(folder, name):
    from reading_corpus import write_case

    return write_case(next(c for c in CASES if c.file == name), folder)
