"""Issue 23 item 11: of identical files, the one whose name is not a copy mark is kept.

"农民工就业创业 (1).docx" sorts before "农民工就业创业.docx" (a space before a dot), so the first-come rule kept
the copy and reported the original as 重复. Rule (bulletin/intake/intake.py): the original goes in, in the
copy's place in the order, and the copy is reported 重复 naming the original.
"""

from __future__ import annotations

import shutil

import pytest

from bulletin.intake.intake import is_copy_name

BODY = ["今年以来，区人社局开展农民工就业创业服务行动，帮助1200人实现就业。"]


@pytest.mark.parametrize("copy", ["农民工就业创业 (1).docx", "农民工就业创业（1）.docx", "农民工就业创业 - 副本.docx",
                                  "农民工就业创业副本.docx", "农民工就业创业_copy.docx", "农民工就业创业 - Copy.docx",
                                  "农民工就业创业 (2).docx", "农民工就业创业 - 副本 (2).docx"])
def test_copy_marks(copy):
    assert is_copy_name(copy)


@pytest.mark.parametrize("name", ["农民工就业创业.docx", "2026(1)号文件.docx", "副本管理办法.docx",
                                  "关于“1+3”工作（第1期）.docx"])
def test_not_copy_marks(name):
    assert not is_copy_name(name)


def test_the_original_is_kept_and_the_copy_reported(office):
    original = office.draft("农民工就业创业.docx", title="区人社局推进农民工就业创业", unit_line="区人社局",
                            paragraphs=BODY)
    shutil.copyfile(original, original.with_name("农民工就业创业 (1).docx"))
    office.draft("财政.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局", paragraphs=["区财政局保障民生支出。"])

    result = office.compile()

    assert [d.name for d in result.intake.accepted] == ["农民工就业创业.docx", "财政.docx"]
    (duplicate,) = result.intake.duplicates
    assert duplicate.file == "农民工就业创业 (1).docx"
    assert duplicate.of == "农民工就业创业.docx"
    assert duplicate.reason == "与“农民工就业创业.docx”是同一文件（内容完全相同），只编入一次"
    report = result.report_path.read_text(encoding="utf-8")
    assert "农民工就业创业 (1).docx：与“农民工就业创业.docx”是同一文件" in report


def test_two_copies_before_the_original_both_name_the_original(office):
    original = office.draft("2-就业.docx", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=BODY)
    shutil.copyfile(original, original.with_name("2-就业 (1).docx"))
    shutil.copyfile(original, original.with_name("2-就业 - 副本.docx"))
    office.draft("1-财政.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局", paragraphs=["区财政局保障民生支出。"])

    result = office.compile()

    assert [d.name for d in result.intake.accepted] == ["1-财政.docx", "2-就业.docx"]
    assert sorted((d.file, d.of) for d in result.intake.duplicates) == [
        ("2-就业 (1).docx", "2-就业.docx"), ("2-就业 - 副本.docx", "2-就业.docx")]


def test_two_copies_without_an_original_keep_the_first(office):
    original = office.draft("就业 (1).docx", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=BODY)
    shutil.copyfile(original, original.with_name("就业 (2).docx"))

    result = office.compile()

    assert [d.name for d in result.intake.accepted] == ["就业 (1).docx"]
    assert [(d.file, d.of) for d in result.intake.duplicates] == [("就业 (2).docx", "就业 (1).docx")]
