"""The notice sheet as offices fill it in: every row ends up in the table or in a message naming it."""

from __future__ import annotations

import re
import shutil
import zipfile

import draft_factory as f
import hostile_kit as k
import pytest
from docx_read import table_rows
from openpyxl import Workbook

from bulletin.intake.notices import read_notices
from bulletin.intake.roster import Roster

GOOD = [("区行政审批局", "政务服务满意率100%", "通报表扬", ""), ("区住建局", "信访件办理超期2件", "通报批评", "已督促整改")]


def _workbook(path, rows, merges=(), extra_sheet=None):
    """rows as written cell by cell (numbers stay numbers); merges like "A1:D1"."""
    book = Workbook()
    sheet = book.active
    sheet.title = "通报"
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    if extra_sheet:
        book.create_sheet("附表").append(extra_sheet)
    book.save(path)
    return path


def test_good_sheet(tmp_path):
    f.make_notice_sheet(tmp_path / "notices.xlsx", GOOD)
    sheet = read_notices(tmp_path)
    assert [(r.index, r.unit, r.matter, r.category, r.remark) for r in sheet.rows] == [
        (1, *GOOD[0]), (2, *GOOD[1])]
    assert sheet.problems == []


def test_missing_columns_are_named(tmp_path):
    _workbook(tmp_path / "notices.xlsx", [("单位名称", "通报事项"), ("区住建局", "信访件办理超期")])
    sheet = read_notices(tmp_path)
    assert sheet.rows == [] and sheet.problems == ["notices.xlsx：缺少“通报类别”列，本期未编入情况通报"]


def test_no_header_at_all(tmp_path):
    _workbook(tmp_path / "notices.xlsx", [("区住建局", "信访件办理超期", "通报批评")])
    assert "找不到表头" in read_notices(tmp_path).problems[0]


def test_english_headers_are_understood(tmp_path):
    f.make_notice_sheet(tmp_path / "notices.xlsx", GOOD, english_headers=True)
    sheet = read_notices(tmp_path)
    assert len(sheet.rows) == 2 and sheet.problems == []


def test_empty_rows_are_skipped_quietly_but_stray_cells_are_named(tmp_path):
    rows = [("序号", "单位名称", "通报事项", "通报类别", "备注", "联系人"),
            (1, *GOOD[0], None), (2, None, None, None, None, None), (None,) * 6,
            (3, *GOOD[1], None), (4, None, None, None, None, "张三")]
    _workbook(tmp_path / "notices.xlsx", rows)
    sheet = read_notices(tmp_path)
    assert [r.unit for r in sheet.rows] == ["区行政审批局", "区住建局"]
    assert sheet.problems == ["notices.xlsx 第6行F列有内容，但“单位名称、通报事项、通报类别”都是空的，此行未编入"]


def test_merged_title_row_and_merged_category_cells(tmp_path):
    rows = [("2026年10月份情况通报", None, None, None), ("单位名称", "通报事项", "通报类别", "备注"),
            ("区行政审批局", "满意率100%", "通报表扬", None), ("区人社局", "按时办结", None, None),
            ("区住建局", "超期2件", "通报批评", None)]
    _workbook(tmp_path / "notices.xlsx", rows, merges=("A1:D1", "C3:C4"))
    sheet = read_notices(tmp_path)
    assert [(r.unit, r.category) for r in sheet.rows] == [
        ("区行政审批局", "通报表扬"), ("区人社局", "通报表扬"), ("区住建局", "通报批评")]
    assert sheet.problems == []


def test_numbers_where_text_is_expected_name_row_and_column(tmp_path):
    rows = [("单位名称", "通报事项", "通报类别", "备注"), (12345, "事项", "通报表扬", None),
            ("区住建局", 3.5, "通报批评", None), ("区人社局", "事项", 1, None), ("区财政局", "事项", "通报表扬", 7)]
    _workbook(tmp_path / "notices.xlsx", rows)
    sheet = read_notices(tmp_path)
    assert [(r.unit, r.remark) for r in sheet.rows] == [("区财政局", "7")]  # a number is fine as a remark
    assert sheet.problems == [
        "notices.xlsx 第2行A列“单位名称”填的是数字（12345），应为文字，此行未编入",
        "notices.xlsx 第3行B列“通报事项”填的是数字（3.5），应为文字，此行未编入",
        "notices.xlsx 第4行C列“通报类别”填的是数字（1），应为文字，此行未编入",
    ]


def test_unknown_category_and_missing_cells(tmp_path):
    rows = [("单位名称", "通报事项", "通报类别", "备注"), ("区住建局", "事项", "通报", None),
            (None, "没有单位的事项", "表扬", None), ("区人社局", None, "批评", "备注")]
    _workbook(tmp_path / "notices.xlsx", rows)
    sheet = read_notices(tmp_path)
    assert sheet.rows == []
    assert sheet.problems == [
        "notices.xlsx 第2行C列“通报类别”为“通报”，应为“通报表扬”或“通报批评”，此行未编入",
        "notices.xlsx 第3行A列“单位名称”是空的，此行未编入",
        "notices.xlsx 第4行B列“通报事项”是空的，此行未编入",
    ]


def test_all_problems_of_a_row_are_named_at_once(tmp_path):
    _workbook(tmp_path / "notices.xlsx", [("单位名称", "通报事项", "通报类别"), (None, 42, "优秀")])
    (problem,) = read_notices(tmp_path).problems
    assert "A列“单位名称”是空的" in problem and "B列“通报事项”填的是数字（42）" in problem
    assert "C列“通报类别”为“优秀”" in problem and problem.endswith("此行未编入")


def test_no_bad_row_vanishes(tmp_path):
    """Every non-empty data row is in the table or named (by its row number) in a problem."""
    rows = [("单位名称", "通报事项", "通报类别", "备注"), *[(u, m, c, r) for u, m, c, r in GOOD],
            ("区人社局", "事项", "不明", None), (None, None, "通报表扬", None), (1, 2, 3, 4),
            ("区财政局", "事项", "批评", None), ("区教体局", "", "", "只有备注")]
    _workbook(tmp_path / "notices.xlsx", rows)
    sheet = read_notices(tmp_path, Roster())
    named = {int(n) for p in sheet.problems for n in re.findall(r"第(\d+)行", p)}
    kept = {r.matter for r in sheet.rows}
    for number, row in enumerate(rows[1:], start=2):
        assert row[1] in kept or number in named, row
    assert len(sheet.rows) + len(named) == len(rows) - 1


def test_xls_and_wps_sheets_get_save_as_advice(tmp_path):
    k.ole2_file(tmp_path / "notices.xls")
    assert "另存为” .xlsx" in read_notices(tmp_path).problems[0]
    (tmp_path / "notices.xls").unlink()
    k.ole2_file(tmp_path / "情况通报.et")
    assert "WPS 表格" in read_notices(tmp_path).problems[0]


def test_second_sheet_and_second_file_are_named(tmp_path):
    _workbook(tmp_path / "notices.xlsx", [("单位名称", "通报事项", "通报类别"), GOOD[0][:3]],
              extra_sheet=("区住建局", "另一张表里的通报", "通报批评"))
    f.make_notice_sheet(tmp_path / "情况通报.csv", GOOD)
    sheet = read_notices(tmp_path)
    assert sheet.source.name == "notices.xlsx" and len(sheet.rows) == 1
    assert any("情况通报.csv 未使用" in p for p in sheet.problems)
    assert any("工作表“附表”未读取" in p for p in sheet.problems)


def test_csv_from_excel_in_gbk_with_template_syntax(tmp_path):
    rows = [("区{{ 7*7 }}局", "事项{% for x in y %}<&>\"'", "通报表扬", "{# 备注 #}")]
    f.make_notice_sheet(tmp_path / "notices.csv", rows, encoding="gbk")
    sheet = read_notices(tmp_path)
    assert [(r.unit, r.matter, r.remark) for r in sheet.rows] == [rows[0][:2] + rows[0][3:]]


@pytest.mark.parametrize("damage", ["truncated", "bomb", "renamed text"])
def test_broken_or_hostile_xlsx_is_refused_with_a_message(tmp_path, damage):
    source = f.make_notice_sheet(tmp_path / "source.xlsx", GOOD)
    folder = tmp_path / "month"
    folder.mkdir()
    target = folder / "notices.xlsx"
    if damage == "truncated":
        k.truncated(source, target)
    elif damage == "bomb":
        shutil.copy(source, target)
        with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as archive, \
                archive.open("xl/media/padding.bin", "w") as handle:
            for _ in range(300):
                handle.write(b"\0" * 2**20)
    else:
        target.write_text("单位名称,通报事项\n", encoding="utf-8")
    sheet = read_notices(folder)
    assert sheet.rows == [] and len(sheet.problems) == 1
    assert sheet.problems[0].startswith("notices.xlsx：") and sheet.problems[0].endswith("本期未编入情况通报")


def test_problems_reach_the_report_and_good_rows_the_bulletin(office):
    office.draft("1.docx", title="稿件", unit_line="区人社局")
    _workbook(office.month_dir() / "notices.xlsx", [("单位名称", "通报事项", "通报类别", "备注"),
                                                    ("区行政审批局", "满意率100% & <好>", "通报表扬", None),
                                                    ("区住建局", "事项", "警告", None)])
    result = office.compile()
    report = result.report_path.read_text(encoding="utf-8")
    assert "notices.xlsx：编入 1 条。" in report
    assert "！notices.xlsx 第3行C列“通报类别”为“警告”，应为“通报表扬”或“通报批评”，此行未编入" in report
    rows = table_rows(result.path, 0)
    assert ["1", "区行政审批局", "满意率100% & <好>", "通报表扬", ""] in rows
    assert not any("警告" in cell for row in rows for cell in row)
