"""Issue 23 item 10: a title broken with Shift+Enter (a w:br inside the one title paragraph).

Rule (bulletin/intake/drafts.py): the author's break is kept where the title is printed (the bulletin prints
the pieces as the lines of the title, like a title typed over two paragraphs), and the one-line title of the
contents list and the intake report joins the pieces without a space, except between two Latin letters or
digits ("Smart" / "City" -> "Smart City").
"""

from __future__ import annotations

from docx import Document
from docx.oxml.ns import qn
from docx_read import body_paragraphs

from bulletin.core.wordxml import text_of
from bulletin.intake.drafts import join_broken_line

LINE_1 = "区人社局“三个聚焦”推动农民工"
LINE_2 = "就业创业提质增效"


def _break_title(path, pieces):
    """Rewrite the title paragraph (the first) as one run: piece, w:br, piece, ... as Word's Shift+Enter does."""
    document = Document(str(path))
    title = document.paragraphs[0]
    run = title.runs[0]
    run.text = pieces[0]
    for piece in pieces[1:]:
        run.add_break()
        run.add_text(piece)
    for extra in title.runs[1:]:
        extra._r.getparent().remove(extra._r)
    document.save(str(path))
    return path


def test_join_broken_line_keeps_a_space_only_between_latin_or_digits():
    assert join_broken_line(["农民工", "就业创业"]) == "农民工就业创业"
    assert join_broken_line(["推进5G", "基站建设"]) == "推进5G基站建设"
    assert join_broken_line(["Smart", "City"]) == "Smart City"
    assert join_broken_line(["共建2026", "3个项目"]) == "共建2026 3个项目"
    assert join_broken_line(["ＡＢ", "ＣＤ"]) == "ＡＢ ＣＤ"  # full-width Latin is Latin
    assert join_broken_line(["单行"]) == "单行"


def test_a_shift_enter_title_is_one_title_in_report_contents_and_body(office):
    path = office.draft("1-就业.docx", title=LINE_1 + LINE_2, unit_line="区人社局",
                        paragraphs=["今年以来，区人社局新增城镇就业4120人。"])
    _break_title(path, [LINE_1, LINE_2])
    office.draft("2-财政.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局",
                 paragraphs=["区财政局全力保障民生支出。"])

    result = office.compile()

    draft = next(d for d in result.intake.accepted if d.name == "1-就业.docx")
    assert draft.title == "区人社局“三个聚焦”推动农民工就业创业提质增效"
    assert draft.title_lines == (LINE_1, LINE_2)
    assert draft.body_texts == ["今年以来，区人社局新增城镇就业4120人。"]
    assert not draft.warnings

    report = result.report_path.read_text(encoding="utf-8")
    assert "区人社局：区人社局“三个聚焦”推动农民工就业创业提质增效" in report
    assert "农民工 就业" not in report

    paragraphs = body_paragraphs(result.path)
    toc = [t for s, t in paragraphs if s == "TOC Entry"]
    assert toc[0] == "1.\t区人社局“三个聚焦”推动农民工就业创业提质增效"
    # In the body the title keeps the author's break: one paragraph, the two lines separated by a w:br.
    document = Document(str(result.path))
    titles = [p for p in document.paragraphs if LINE_1 in text_of(p._p) and p.style.name != "TOC Entry"]
    assert [text_of(p._p) for p in titles] == [f"{LINE_1}\n{LINE_2}"]
    assert len(titles[0]._p.findall(f".//{qn('w:br')}")) == 1
