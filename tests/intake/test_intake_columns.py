"""gather() with columns (栏目), order.txt, links and failures, one rule at a time (fast: these keep mutation
testing of bulletin/intake/intake.py quick; the printed layouts are in test_layouts.py)."""

from __future__ import annotations

import logging
import os

import draft_factory as f
import pytest

from bulletin.intake import intake as intake_module
from bulletin.intake.intake import gather

MONTH = "2026-10"


def draft(path, title, unit="区人社局", body=None, **kwargs):
    return f.make_draft(path, title=title, unit_line=unit, paragraphs=[body or f"{title}的正文。"], **kwargs)


def names(intake):
    return [d.name for d in intake.accepted]


def test_columns_come_after_the_month_folder_in_configured_then_order_then_name_order(tmp_path, roster):
    folder = tmp_path / MONTH
    for column in ("丁栏", "丙栏", "乙栏", "甲栏"):
        draft(folder / column / "a.docx", f"{column}稿件")
    draft(folder / "根.docx", "不属于栏目的稿件")
    (folder / "order.txt").write_text("【丙栏】\n【戊栏】\n", encoding="utf-8")
    intake = gather(folder, MONTH, roster, columns=["不存在的栏目", "乙栏"])
    assert names(intake) == ["根.docx", "乙栏/a.docx", "丙栏/a.docx", "丁栏/a.docx", "甲栏/a.docx"]
    assert intake.columns == ["", "乙栏", "丙栏", "丁栏", "甲栏"]
    assert intake.notes == ["order.txt 中的栏目“【戊栏】”没有对应的子文件夹 戊栏/，已忽略"]


def test_files_of_a_column_in_natural_order_and_order_txt_per_column(tmp_path, roster):
    folder = tmp_path / MONTH
    for name in ("10-甲.docx", "2-乙.docx", "3-丙.docx"):
        draft(folder / "工作进展" / name, f"稿件{name[:-5]}")
    intake = gather(folder, MONTH, roster)
    assert names(intake) == ["工作进展/2-乙.docx", "工作进展/3-丙.docx", "工作进展/10-甲.docx"]

    (folder / "order.txt").write_text("【工作进展】\n3-丙.docx\n\n不存在\n", encoding="utf-8")
    intake = gather(folder, MONTH, roster)
    assert names(intake) == ["工作进展/3-丙.docx", "工作进展/2-乙.docx", "工作进展/10-甲.docx"]
    assert intake.notes == [
        "order.txt 第4行“不存在”没有在栏目“工作进展”中找到可用的稿件",
        "栏目“工作进展”中2 篇稿件未列入 order.txt，已按文件名顺序排在后面：工作进展/2-乙.docx、工作进展/10-甲.docx",
    ]


def test_a_blank_line_in_order_txt_does_not_end_it(tmp_path, roster):
    folder = tmp_path / MONTH
    for name in ("a.docx", "b.docx", "c.docx"):
        draft(folder / name, f"稿件{name[0]}")
    (folder / "order.txt").write_text("c\n\nb.docx\na\n", encoding="utf-8")
    intake = gather(folder, MONTH, roster)
    assert names(intake) == ["c.docx", "b.docx", "a.docx"]
    assert intake.notes == []


def test_an_unreadable_order_txt_is_named_and_file_order_used(tmp_path, roster):
    folder = tmp_path / MONTH
    draft(folder / "b.docx", "乙稿")
    draft(folder / "a.docx", "甲稿")
    (folder / "order.txt").write_bytes(b"\xff\xfe\xfa\x80\x81")
    intake = gather(folder, MONTH, roster)
    assert names(intake) == ["a.docx", "b.docx"]
    assert intake.notes == [
        "order.txt 的编码无法识别：请用 Excel 或记事本另存为 UTF-8 编码的 CSV。（order.txt 未使用，稿件按文件名顺序排列）"]


def test_names_sort_case_blind_as_people_expect(tmp_path, roster):
    folder = tmp_path / MONTH
    draft(folder / "xa.docx", "甲稿")
    draft(folder / "x_1.docx", "乙稿")
    assert names(gather(folder, MONTH, roster)) == ["x_1.docx", "xa.docx"]  # "_" sorts before letters


def test_links_inside_the_folders(tmp_path, roster):
    folder = tmp_path / MONTH
    outside = draft(tmp_path / "外部.docx", "外部稿件")
    inside = draft(folder / "a.docx", "甲稿")
    column_draft = draft(folder / "工作进展" / "b.docx", "乙稿", body="乙稿的另一段正文。")
    (folder / "链接到本月稿件.docx").symlink_to(inside)
    (folder / "链接到外部.docx").symlink_to(outside)
    (folder / "链接到文件夹.docx").symlink_to(folder / "工作进展", target_is_directory=True)
    (folder / "工作进展" / "栏目内链接.docx").symlink_to(column_draft)
    (folder / "工作进展" / "链接到根目录稿件.docx").symlink_to(inside)
    (folder / "工作进展" / "子文件夹").mkdir()
    outside_link = "是指向本月文件夹以外的链接（快捷方式），未读取：请把稿件文件本身放入本月文件夹"
    intake = gather(folder, MONTH, roster)
    assert names(intake) == ["a.docx", "工作进展/b.docx"]
    assert [(d.file, d.of) for d in intake.duplicates] == [
        ("链接到本月稿件.docx", "a.docx"), ("工作进展/栏目内链接.docx", "工作进展/b.docx")]
    assert [(r.file, r.reason) for r in intake.refused] == [
        ("工作进展/子文件夹", "是栏目“工作进展”中的子文件夹，其中的文件未读取：栏目文件夹中请直接放稿件"),
        ("工作进展/链接到根目录稿件.docx", outside_link),
        ("链接到外部.docx", outside_link),
        ("链接到文件夹.docx", outside_link),
    ]


def test_files_that_are_not_drafts_inside_a_column(tmp_path, roster):
    folder = tmp_path / MONTH
    draft(folder / "工作进展" / "a.docx", "甲稿")
    (folder / "工作进展" / "README.txt").write_text("说明", encoding="utf-8")
    draft(folder / "工作进展" / "z.docx", "乙稿")
    (folder / "工作进展" / "坏.docx").write_bytes(b"not a zip")
    (folder / "工作进展" / "情况通报.xlsx").write_bytes(b"")
    intake = gather(folder, MONTH, roster)
    assert names(intake) == ["工作进展/a.docx", "工作进展/z.docx"]
    assert [(r.file, r.reason) for r in intake.refused] == [
        ("工作进展/坏.docx", "不是有效的 Word 文档（可能是改了扩展名的其他文件或已损坏），请在 Word 中另存为 .docx 后重新提交"),
        ("工作进展/情况通报.xlsx", "表格文件不是稿件；如是情况通报表，请在文件名中写明“通报”（如 情况通报.xlsx）"),
    ]


def test_progress_names_each_file_as_the_office_finds_it(tmp_path, roster):
    folder = tmp_path / MONTH
    draft(folder / "a.docx", "甲稿")
    draft(folder / "工作进展" / "b.docx", "乙稿")
    calls = []
    gather(folder, MONTH, roster, progress=lambda done, total, name: calls.append((done, total, name)))
    assert calls == [(1, 2, "a.docx"), (2, 2, "工作进展/b.docx")]


def test_sender_units_by_the_name_the_office_sees(tmp_path, roster):
    folder = tmp_path / MONTH
    draft(folder / "a.docx", "甲稿", unit=None)
    draft(folder / "工作进展" / "b.docx", "乙稿", unit=None)
    intake = gather(folder, MONTH, roster, sender_units={"a.docx": "区财政局", "工作进展/b.docx": "区教体局"})
    assert [(d.name, d.unit, d.unit_source) for d in intake.accepted] == [
        ("a.docx", "区财政局", "mailbox"), ("工作进展/b.docx", "区教体局", "mailbox")]


def test_an_unexpected_reading_error_refuses_the_file_and_logs_it(tmp_path, roster, monkeypatch, caplog):
    folder = tmp_path / MONTH
    draft(folder / "a.docx", "甲稿")
    broken = draft(folder / "工作进展" / "b.docx", "乙稿")
    real = intake_module.read_draft

    def read_draft(path, *args, **kwargs):
        if path == broken:
            raise RuntimeError("boom")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(intake_module, "read_draft", read_draft)
    with caplog.at_level(logging.ERROR, logger="bulletin.intake.intake"):
        intake = gather(folder, MONTH, roster)
    assert names(intake) == ["a.docx"]
    assert [(r.file, r.reason) for r in intake.refused] == [(
        "工作进展/b.docx",
        "读取时出错（RuntimeError），请在 Word 中打开后另存为 .docx 再提交；如仍不行，请把此文件交技术人员查看",
    )]
    assert [r.getMessage() for r in caplog.records] == [f"reading {broken} failed"]


def test_copies_of_a_replaced_version_name_the_version_that_went_in(tmp_path, roster):
    """A later copy of the older version (same bytes, or same text saved again) is a duplicate of that older
    version, and the report says which version went in instead: not a second replacement."""
    folder = tmp_path / MONTH
    newer = draft(folder / "1.docx", "同一标题", body="修改后的正文。")
    older = draft(folder / "2.docx", "同一标题", body="原来的正文。")
    (folder / "3.docx").write_bytes(older.read_bytes())
    draft(folder / "4.docx", "同一标题", body="原来的正文。", author="另存的人")
    os.utime(older, (1_700_000_000, 1_700_000_000))
    os.utime(newer, (1_800_000_000, 1_800_000_000))
    for copy in ("3.docx", "4.docx"):
        os.utime(folder / copy, (1_700_000_000, 1_700_000_000))
    intake = gather(folder, MONTH, roster)
    assert names(intake) == ["1.docx"]
    assert [(r.file, r.by) for r in intake.replaced] == [("2.docx", "1.docx")]
    assert [(d.file, d.of, d.reason) for d in intake.duplicates] == [
        ("3.docx", "2.docx", "与“2.docx”是同一文件（内容完全相同），只编入一次（而“2.docx”已被《1.docx》替换）"),
        ("4.docx", "2.docx", "与“2.docx”文字完全相同（只是另存或格式不同），只编入一次（而“2.docx”已被《1.docx》替换）"),
    ]


def test_drafts_of_one_month_share_the_parts_they_have_in_common(tmp_path, roster):
    """Drafts made from one Word template carry identical styles, theme and settings parts: they are parsed
    once per compile (the memory figures in bench/README.md depend on it), in the month folder and columns."""
    folder = tmp_path / MONTH
    draft(folder / "a.docx", "甲稿")
    draft(folder / "工作进展" / "b.docx", "乙稿")
    a, b = gather(folder, MONTH, roster).accepted
    assert a.content.trees["word/styles.xml"] is b.content.trees["word/styles.xml"]
    assert a.content.trees["word/document.xml"] is not b.content.trees["word/document.xml"]
