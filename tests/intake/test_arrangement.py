"""inputs/<month>/编排.toml (issue 24): the office's decisions on the month's drafts, written by hand here (the
workbench writes the same file), honoured by compile: a 需核对 draft's unit fixed, a title changed, a draft taken
out and put back, the lead chosen, a draft printed under another column; what cannot be used is named, never
fatal. Hypothesis: any text the workbench writes reads back the same."""

from __future__ import annotations

import tomllib

from docx_read import all_text
from hypothesis import given, settings
from hypothesis import strategies as st
from workspace_kit import make_workspace

from bulletin.core.ledger import Ledger
from bulletin.intake.arrangement import (
    Arrangement,
    Choice,
    arrangement_text,
    read_arrangement,
    write_arrangement,
)


def office(tmp_path):
    o = make_workspace(tmp_path / "ws")
    o.draft("1-就业.docx", title="区人社局稳就业出实招", unit_line="区人社局", paragraphs=["就业正文。"])
    o.draft("2-财政.docx", title="兜牢三保底线", unit_line="区财政局", paragraphs=["财政正文。"])
    o.draft("3-无单位.docx", title="教育新闻一则", paragraphs=["教育正文一段，没有署名。"])
    return o


def rows(o) -> dict[str, dict]:
    with Ledger(o.ws.ledger_path) as ledger:
        return {r["file"]: r for r in ledger.last_compile(o.month).drafts}


def test_the_office_s_decisions_are_honoured_and_said_in_the_report(tmp_path):
    o = office(tmp_path)
    first = o.compile()
    assert [d.name for d in first.intake.accepted] == ["1-就业.docx", "2-财政.docx", "3-无单位.docx"]
    assert rows(o)["3-无单位.docx"]["status"] == "flagged"

    (o.month_dir() / "编排.toml").write_text(
        'order = ["3-无单位.docx"]\n\n'
        '[draft."3-无单位.docx"]\nunit = "区教育局"\ntitle = "全区教育质量稳步提升"\n\n'
        '[draft."2-财政.docx"]\nexcluded = true\n\n'
        '[draft."9-没有.docx"]\nunit = "区财政局"\n', encoding="utf-8")
    result = o.compile()
    assert [d.name for d in result.intake.accepted] == ["3-无单位.docx", "1-就业.docx"]
    got = rows(o)
    # 区教育局 is an alias of 区教体局 in the roster: the canonical name, and no longer 需核对
    assert (got["3-无单位.docx"]["unit"], got["3-无单位.docx"]["title"], got["3-无单位.docx"]["status"]) == (
        "区教体局", "全区教育质量稳步提升", "accepted")
    assert got["2-财政.docx"]["status"] == "refused"
    assert got["2-财政.docx"]["reason"] == "办公室已撤下（编排.toml 中 excluded = true）"
    report = result.report_path.read_text(encoding="utf-8")
    assert "编排.toml：《3-无单位.docx》供稿单位为“区教体局”（原为未识别）" in report
    assert "编排.toml：《3-无单位.docx》标题为“全区教育质量稳步提升”（原为“教育新闻一则”）" in report
    assert "编排.toml：《2-财政.docx》本期不编入（已撤下）" in report
    assert "编排.toml：本月没有稿件“9-没有.docx”，其编排决定未使用" in report
    assert "编排.toml：头条《3-无单位.docx》" in report
    text = all_text(result.path)
    assert text.index("全区教育质量稳步提升") < text.index("区人社局稳就业出实招")
    assert "兜牢三保底线" not in text and "教育新闻一则" not in text

    # put it back in: excluded removed by hand
    (o.month_dir() / "编排.toml").write_text('order = ["2-财政.docx"]\n', encoding="utf-8")
    result = o.compile()
    assert [d.name for d in result.intake.accepted] == ["2-财政.docx", "1-就业.docx", "3-无单位.docx"]
    assert rows(o)["3-无单位.docx"]["status"] == "flagged"  # the decision on it is gone: 需核对 again


def test_a_column_change_is_for_print_and_the_file_keeps_its_name(tmp_path):
    o = office(tmp_path)
    arrangement = Arrangement(order=["2-财政.docx"])
    arrangement.choice("1-就业.docx").column = "工作动态"
    arrangement.choice("2-财政.docx").column = "工作动态"
    write_arrangement(o.month_dir(), arrangement, o.month)
    result = o.compile()
    got = rows(o)
    assert sorted(got) == ["1-就业.docx", "2-财政.docx", "3-无单位.docx"]
    assert (got["1-就业.docx"]["column"], got["3-无单位.docx"]["column"]) == ("工作动态", "")
    text = all_text(result.path)
    # 工作动态 leads (its first draft is the lead), its two drafts together, then the draft with no column
    assert text.index("兜牢三保底线") < text.index("区人社局稳就业出实招") < text.index("教育新闻一则")
    assert "工作动态" in text


def test_a_broken_file_is_said_and_the_compile_goes_on(tmp_path):
    o = office(tmp_path)
    (o.month_dir() / "编排.toml").write_text('order = [“1-就业.docx”]\n', encoding="utf-8")  # Chinese quotes
    result = o.compile()
    assert len(result.intake.accepted) == 3
    assert "编排.toml 无法读取" in result.report_path.read_text(encoding="utf-8")
    (o.month_dir() / "编排.toml").write_text(
        '[draft."1-就业.docx"]\nexcluded = "yes"\ncolour = "red"\nunit = 5\n', encoding="utf-8")
    report = o.compile().report_path.read_text(encoding="utf-8")
    assert 'draft."1-就业.docx" 的 excluded 应为 true 或 false，已忽略' in report
    assert 'draft."1-就业.docx" 的 colour 不认识' in report
    assert 'draft."1-就业.docx" 的 unit 应为文字' in report


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(order=st.lists(names, max_size=4, unique=True),
       choices=st.dictionaries(names, st.tuples(st.none() | names, st.none() | names, st.booleans()), max_size=4))
def test_what_is_written_reads_back(tmp_path_factory, order, choices):
    from bulletin.intake.arrangement import clean

    arrangement = Arrangement(order=list(order))
    for file, (unit, title, excluded) in choices.items():
        arrangement.drafts[file] = Choice(unit=unit, title=title, excluded=excluded)
    text = arrangement_text(arrangement, "2026-10")
    tomllib.loads(text)  # always valid TOML
    folder = tmp_path_factory.mktemp("a")
    (folder / "编排.toml").write_text(text, encoding="utf-8")
    back = read_arrangement(folder)
    assert back.order == list(dict.fromkeys(c for c in (clean(n) for n in order) if c))
    for file, choice in arrangement.drafts.items():
        unit = clean(choice.unit) if choice.unit is not None else ""
        title = clean(choice.title) if choice.title is not None else ""
        got = back.drafts.get(clean(file))
        if not (unit or title or choice.excluded) or not clean(file):  # blank values are no decision
            assert got is None or clean(file) in {clean(f) for f in arrangement.drafts if f != file}
            continue
        assert got is not None
        assert (got.excluded, got.unit or "", got.title or "") == (choice.excluded, unit, title)


def test_the_readme_example_reads_without_a_problem(tmp_path):
    from repo_paths import REPO as ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```toml 编排.toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "编排.toml").write_text("\n".join(line[2:] for line in block.splitlines()), encoding="utf-8")
    got = read_arrangement(tmp_path)
    assert got.problems == [] and got.order == ["6-住建.docx", "1-人社.docx"]
    assert got.drafts["4-无单位.docx"] == Choice(unit="区教体局", title="课后服务全覆盖", column="工作动态", excluded=True)
