"""Issue 23 item 15: month folders whose name the product does not accept are named, never passed over.

Rule (bulletin/core/month.py): a folder under inputs/ is a month folder when its name is a month in one of the
accepted forms (2026-11, 2026年11月, 202611, 2026.11), optionally followed by 稿件 or 来稿
("2027年2月稿件" is 2027-02). A folder that looks like a month but is not accepted ("12月": no year; "2026年10月
备份": other words; "2026-13": no such month) is named in the compile's report and output, and in the message
when the month compiled has no folder.
"""

from __future__ import annotations

import pytest

from bulletin.core.errors import NothingToCompile
from bulletin.core.month import folder_month, month_folder_problem

BODY = ["今年以来，区人社局新增城镇就业4120人。"]


def test_folder_names_accepted_and_hinted():
    assert folder_month("2027年2月稿件") == "2027-02"
    assert folder_month("2027年2月份来稿") == "2027-02"
    assert folder_month("2026-10") == "2026-10"
    assert folder_month("2026年10月备份") is None
    assert folder_month("12月") is None
    assert folder_month("督查") is None

    assert month_folder_problem("12月", near="2026-10") == "看起来是月份文件夹，但没有年份：请改名为 2026-12"
    assert month_folder_problem("12月", near="2027-02") == "看起来是月份文件夹，但没有年份：请改名为 2026-12"
    assert month_folder_problem("十一月份稿件", near="2026-10") == "看起来是月份文件夹，但没有年份：请改名为 2026-11"
    assert month_folder_problem("1月", near="2026-10") == "看起来是月份文件夹，但没有年份：请改名为 2027-01"
    assert month_folder_problem("2026年10月备份", near="2026-10") == (
        "看起来是 2026-10 的月份文件夹，但名称中还有其他文字，未读取：如是该月稿件，请改名为 2026-10")
    assert month_folder_problem("2026-13", near="2026-10") == "看起来是月份文件夹，但没有 13 月：请改名为 YYYY-MM，如 2026-10"
    for name in ("督查", "2027年2月稿件", "2026-10", "历年资料", "上级采用", "第3期"):
        assert month_folder_problem(name, near="2026-10") is None, name


def test_compile_names_folders_it_does_not_read(office):
    office.draft("就业.docx", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=BODY)
    office.draft("财政.docx", month="12月", title="区财政局兜牢“三保”底线", unit_line="区财政局",
                 paragraphs=["区财政局保障民生支出。"])

    result = office.compile()

    hint = "inputs/12月 看起来是月份文件夹，但没有年份：请改名为 2026-12"
    assert hint in result.report_path.read_text(encoding="utf-8")
    assert hint in result.summary()


def test_a_month_folder_with_a_suffix_is_that_month(office):
    office.draft("就业.docx", month="2027年2月稿件", title="区人社局推进农民工就业创业", unit_line="区人社局",
                 paragraphs=BODY)

    result = office.compile("2027-02")

    assert result.intake.folder.name == "2027年2月稿件"
    assert [d.name for d in result.intake.accepted] == ["就业.docx"]


def test_no_folder_for_the_month_names_the_lookalike(office):
    office.draft("就业.docx", month="12月", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=BODY)

    with pytest.raises(NothingToCompile) as raised:
        office.compile("2026-12")

    assert "inputs/12月 看起来是月份文件夹，但没有年份：请改名为 2026-12" in str(raised.value)
