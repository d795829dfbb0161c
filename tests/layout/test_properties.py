"""Property tests: any text — any Unicode, XML-special characters, Jinja and docxtpl syntax — put into
titles, units, bodies, settings values and notice cells comes out of the bulletin literally.

"Literally" means after `clean_text`: characters XML cannot hold (C0 controls other than tab/newline,
lone surrogates, U+FFFE/U+FFFF) are removed and runs of whitespace fold to one space. That is the only
change; nothing is ever evaluated."""

from __future__ import annotations

import re
import string
from datetime import date

import draft_factory as f
import hostile_kit as k
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from bulletin.layout.compose import Literal, render_issue
from bulletin.intake.attribution import is_date_line, parse_attribution
from bulletin.intake.drafts import MAX_FORMATTED_TITLE, clean_text, read_draft
from bulletin.layout.issue import Article, Issue
from bulletin.intake.notices import NoticeRow
from bulletin.core.resources import shipped_template
from bulletin.intake.roster import Roster
from bulletin.core.wordxml import text_of, w

SYNTAX = ["{{", "}}", "{%", "%}", "{#", "#}", "{_{", "}_}", "{_%", "%_}", "{{ 7*7 }}", "{% for x in y %}",
          "{%p if a %}", "{%tr endfor %}", "{{r x }}", "{{p sd }}", "{% raw %}", "{{ cycler.__init__ }}",
          "&", "<", ">", '"', "'", "&amp;", "&#123;", "&lt;", "<w:t>", "]]>", "<![CDATA[", "\\", "%"]
CONTROLS = ["\t", "\n", "\r", "\a", "\f", "\v", "\x00", "\x1b", "\ud800", "\ufffe", "\u2028", "\u3000", "\xa0"]
# What python-docx and openpyxl accept in a document (they refuse XML-invalid characters outright).
_XML_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")


def _mix(alphabet_text, extra):
    return st.lists(st.one_of(alphabet_text, st.sampled_from(extra)), max_size=8).map("".join)


ANY_TEXT = _mix(st.text(max_size=12), SYNTAX + CONTROLS)  # everything, for values given to the template
DOC_TEXT = _mix(st.text(_XML_CHARS, max_size=12), SYNTAX + ["\t", "\n", "\u3000", " "])  # what a .docx holds
CELL_TEXT = _mix(st.text(_XML_CHARS, max_size=12), SYNTAX + [" ", "\u3000"])
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def _paragraph_texts(xml_root) -> list[str]:
    return [clean_text(text_of(p)) for p in xml_root.iter(w("p"))]


@pytest.fixture(scope="module")
def plain_article(tmp_path_factory):
    path = f.make_draft(tmp_path_factory.mktemp("draft") / "plain.docx", title="固定标题", unit_line="区人社局",
                        paragraphs=["固定正文。"])
    return path


def _title_like(text: str) -> bool:
    """What reading takes as a title line (tests/test_reading_corpus.py has the cases): no sentence end."""
    text = clean_text(text)
    return bool(text) and len(text) <= MAX_FORMATTED_TITLE and not re.search(r"[。！？!?；;：:]$", text) \
        and "。" not in text and not is_date_line(text) and not re.match(r"^\s*(?:[【\[]\s*编者按|编者按\s*[:：])", text)


def test_literal_keeps_braces_out_of_reach_of_docxtpl():
    """docxtpl turns "{_{" into "{{" after rendering; character references survive that step."""
    html = Literal("{_{ x }_} {{ 7*7 }} {% if %} <&>").__html__()
    assert "{" not in html and "}" not in html and "<" not in html and "%" not in html


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(values=st.lists(ANY_TEXT, min_size=9, max_size=9))
def test_template_values_render_literally(plain_article, values):
    source = plain_article
    draft = read_draft(source, Roster())  # composing consumes what intake read: read it for every example
    title, unit, top, office, report_to, send_to, phone, notice_unit, notice_matter = values
    assume(clean_text(title) and clean_text(unit) and clean_text(notice_unit))
    issue = Issue(
        masthead_top=top, masthead="工作简报", number=64, office=office, issue_date=date(2026, 10, 28),
        articles=[Article(title, unit, source, draft.content)], notice_heading="2026年10月份工作通报",
        notices=[NoticeRow(1, notice_unit, notice_matter, "通报表扬", notice_matter)],
        report_to=report_to, send_to=send_to, phone=phone, email="office@zgq.example.cn",
    )
    data = render_issue(issue, shipped_template())
    root = etree.fromstring(k.zip_member(data, "word/document.xml"))
    paragraphs = _paragraph_texts(root)
    whole = "\n".join(paragraphs)
    assert clean_text(title) in paragraphs  # the article title paragraph holds exactly the title
    for value in (unit, top, office, report_to, send_to, phone, notice_unit, notice_matter):
        assert clean_text(value) in whole
    assert "固定正文。" in paragraphs


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=DOC_TEXT, body=st.lists(DOC_TEXT, min_size=1, max_size=3),
       cells=st.lists(CELL_TEXT, min_size=3, max_size=3))
@pytest.mark.slow
def test_compiled_bulletin_holds_random_text_literally(office_factory, title, body, cells):
    unit_cell, matter, remark = cells
    assume(clean_text(title) and clean_text(unit_cell) and clean_text(matter))
    assume(any(clean_text(p) for p in body))  # a draft with only a title is refused (tested elsewhere)
    assume(_title_like(title))  # other first lines are body text (tested in test_reading_corpus.py)
    last = [clean_text(p) for p in body if clean_text(p)][-1]  # a closing line like a byline is cut from the body
    assume(parse_attribution(last, Roster()) is None and not is_date_line(last))
    assume(not any(c.lstrip().startswith("=") for c in cells))  # Excel would take it as a formula
    assume(not _NUMBER.fullmatch(clean_text(unit_cell)) and not _NUMBER.fullmatch(clean_text(matter)))
    office = office_factory()
    office.draft("1.docx", title=title, unit_line="区人社局", paragraphs=body, byline="（区人社局供稿）")
    office.notices([(unit_cell, matter, "通报表扬", remark)])
    result = office.compile()

    assert [d.title for d in result.intake.accepted] == [clean_text(title)]
    root = etree.fromstring(k.member_xml(result.path, "word/document.xml").encode())
    paragraphs = [p for p in _paragraph_texts(root) if p]
    assert clean_text(title) in paragraphs
    expected = [clean_text(p) for p in body if clean_text(p)]
    assert any(paragraphs[i:i + len(expected)] == expected for i in range(len(paragraphs))), (expected, paragraphs)
    cells_seen = [clean_text(text_of(tc)) for tc in root.iter(w("tc"))]
    for value in (unit_cell, matter, remark):
        assert clean_text(value) in cells_seen
    assert result.notices.rows and not [p for p in result.notices.problems if "未编入" in p]


@given(st.text(alphabet=string.printable + "\u3000\xa0\ud800\x00\x1f", max_size=40))
def test_clean_text_only_drops_xml_invalid_characters_and_folds_whitespace(text):
    cleaned = clean_text(text)
    assert cleaned == " ".join(re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text).split())
    etree.fromstring(f"<t>{cleaned.replace('&', '&amp;').replace('<', '&lt;')}</t>".encode())
