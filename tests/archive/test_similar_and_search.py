"""The near-duplicate measure and the search's query handling, below the commands (issue 27)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.archive.search import search, sentence_around, words_of
from bulletin.archive.similar import NUM_PERM, Text, estimates, jaccard, near_duplicates, shingles, signature
from bulletin.archive.store import Archive, ArchivedArticle, ArchivedIssue


def test_shingles_are_character_trigrams_without_spaces_and_punctuation():
    assert shingles("今天 天气，好") == {"今天天", "天天气", "天气好"}
    assert shingles("１２３４") == {"123", "234"}  # full-width digits read as ASCII (NFKC)
    assert shingles("好") == {"好"}
    assert jaccard(shingles("今天天气好"), shingles("今天天气")) == 2 / 3  # {今天天, 天天气} of three


def test_minhash_estimates_the_exact_jaccard():
    base = "区人社局聚焦工程建设领域全面开展根治欠薪冬季专项行动切实保障农民工工资按时足额支付共检查项目八十六个"
    copy = base.replace("区人社局", "区住建局").replace("八十六", "九十")
    a, b = shingles(base), shingles(copy)
    exact = jaccard(a, b)
    estimate = estimates(signature(a), signature(b)[None, :])[0]
    assert 0.6 < exact < 0.9
    assert abs(estimate - exact) < 0.15


def test_same_unit_pairs_are_left_to_the_intake_and_other_units_are_reported_both_ways():
    text = "入冬以来，聚焦工程建设领域，全面开展根治欠薪冬季专项行动，切实保障农民工工资按时足额支付。" * 3
    drafts = [Text(0, "区人社局", "甲", text), Text(1, "区人社局", "乙", text), Text(2, "区住建局", "丙", text)]
    found = near_duplicates(drafts, [], np.zeros((0, 128), dtype=np.uint32), 0.8)
    assert sorted((m.draft, m.other.key) for m in found) == [(0, 2), (1, 2), (2, 0), (2, 1)]


def test_sentence_around_the_match():
    text = "第一句话。今年以来共追回欠薪120万元，涉及农民工312名；第三句。"
    assert sentence_around(text, "欠薪") == "今年以来共追回欠薪120万元，涉及农民工312名；"
    assert sentence_around(text, "没有") == ""


def _archive(tmp_path) -> Archive:
    archive = Archive(tmp_path / "ledger.sqlite3")
    issue = ArchivedIssue("", "2026-09", 64, "2026-09-25", "工作简报", "outputs/2026-09/x.docx", "0" * 64)
    archive.replace_issue(issue, [
        ArchivedArticle("区人社局根治欠薪", "区人社局", "", "追回欠薪120万元。\n\"引号\"和 AND OR NEAR( * 也是文字。"),
        ArchivedArticle("区财政局预算绩效", "区财政局", "", "预算绩效管理。"),
    ])
    return archive


def test_fts_syntax_in_a_query_is_text(tmp_path):
    with _archive(tmp_path) as archive:
        hits, total = search(archive, ['"引号"和'])
        assert total == 1 and hits[0].article.unit == "区人社局"
        assert search(archive, ["NEAR(", "*"])[1] == 1
        assert search(archive, ["AND"])[1] == 1
        assert search(archive, ["绩效", "区人社局"])[1] == 0


def test_replacing_an_issue_replaces_its_index_rows(tmp_path):
    with _archive(tmp_path) as archive:
        issue = ArchivedIssue("", "2026-09", 64, "2026-09-25", "工作简报", "outputs/2026-09/x.docx", "1" * 64)
        archive.replace_issue(issue, [ArchivedArticle("新标题", "区教体局", "", "义务教育优质均衡。")])
        assert search(archive, ["欠薪"])[1] == 0
        assert search(archive, ["优质均衡"])[1] == 1
        assert [a.title for a in archive.articles("", "2026-09")] == ["新标题"]


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_any_query_text_is_answered_without_error(tmp_path_factory, query):
    path = tmp_path_factory.getbasetemp() / "hypothesis-archive"
    path.mkdir(exist_ok=True)
    with _archive(path) if not (path / "ledger.sqlite3").exists() else Archive(path / "ledger.sqlite3") as archive:
        hits, total = search(archive, query)
        assert total >= len(hits)
        assert all(all(w in h.article.title + h.article.text for w in words_of(query)) for h in hits)


@given(st.lists(st.sets(st.sampled_from("甲乙丙丁戊己庚辛壬癸子丑寅卯"), max_size=9), max_size=9),
       st.sampled_from([0.3, 0.5, 0.8, 1.0]))
@settings(max_examples=200, deadline=None)
def test_the_month_join_finds_exactly_the_pairs_brute_force_finds(sets, threshold):
    """similar_pairs (prefix filtering) against every pair measured: no pair at the threshold is missed, none
    below it is reported (small alphabets make many near pairs and many ties)."""
    from bulletin.archive.similar import jaccard, similar_pairs

    brute = sorted((i, j, jaccard(sets[i], sets[j])) for i in range(len(sets)) for j in range(i + 1, len(sets))
                   if jaccard(sets[i], sets[j]) >= threshold)
    assert similar_pairs(sets, threshold) == brute


def test_a_month_without_an_archive_is_checked_without_numpy():
    """A new office's compile (empty archive) pays neither numpy's import nor any signature."""
    import subprocess
    import sys

    code = ("import sys\nfrom bulletin.archive.similar import Text, near_duplicates\n"
            "a = '区人社局坚持把稳就业作为首要任务，全年新增城镇就业一千二百六十人，帮扶困难人员再就业三百人。'\n"
            "found = near_duplicates([Text(0, '区人社局', '甲', a), Text(1, '区财政局', '乙', a + '特此报告。')], [], None, 0.8)\n"
            "assert len(found) == 2 and {m.draft for m in found} == {0, 1}, found\n"
            "assert 'numpy' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
