"""The compile's 通报建议.xlsx is written without openpyxl (core/xlsxparts.plain_workbook). The file must be what
Excel and the office expect: valid OOXML (openxml-audit, with no finding accepted), the same cells when openpyxl
reads it back, rows the product's own notice-sheet reader takes (the office copies them into the month's
notice sheet), and a file LibreOffice Calc opens. Text is data: markup, formulas and XML specials come out
literally."""

from __future__ import annotations

import pytest
from ooxml_audit import assert_valid
from openpyxl import load_workbook

from bulletin.core.xlsxparts import plain_workbook
from bulletin.intake.notices import NoticeRow, read_notices, write_notice_suggestions
from bulletin.intake.roster import Roster

HEADER = ["单位名称", "通报事项", "通报类别", "备注"]
ROWS = [
    ["区财政局", "9月份报送工作信息2篇，被采用2篇 <b>&amp;</b> \"引号\"", "通报表扬", ""],
    ["区教体局", "=1+1 {{ 7*7 }} 未按时报送9月份工作信息", "通报批评", "备注\n第二行"],
]


def test_the_plain_workbook_is_valid_and_reads_back_cell_for_cell(tmp_path):
    path = tmp_path / "通报建议.xlsx"
    path.write_bytes(plain_workbook("通报建议", HEADER, ROWS, [24, 60, 12, 30]))
    assert_valid(path)
    book = load_workbook(path)
    sheet = book["通报建议"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        HEADER, ROWS[0][:3] + [None], ROWS[1]]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["B"].width == 60
    assert sheet["A1"].font.b and not sheet["A2"].font.b


def test_the_suggestions_are_rows_the_notice_reader_takes(tmp_path):
    roster_file = tmp_path / "units.csv"
    roster_file.write_text("单位名称,别名\n区财政局,\n区教体局,区教育局\n", encoding="utf-8")
    folder = tmp_path / "2026-09"
    folder.mkdir()
    write_notice_suggestions(folder / "notices.xlsx", [
        NoticeRow(1, "区财政局", "9月份报送工作信息2篇，被采用2篇", "通报表扬", ""),
        NoticeRow(2, "区教育局", "未按时报送9月份工作信息", "通报批评", "")])
    sheet = read_notices(folder, Roster.load(roster_file))
    assert [(r.unit, r.matter, r.category) for r in sheet.rows] == [
        ("区财政局", "9月份报送工作信息2篇，被采用2篇", "通报表扬"), ("区教体局", "未按时报送9月份工作信息", "通报批评")]
    assert sheet.problems == []


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_calc_opens_it(tmp_path):
    from bulletin.layout.render import convert

    path = tmp_path / "通报建议.xlsx"
    path.write_bytes(plain_workbook("通报建议", HEADER, ROWS, [24, 60, 12, 30]))
    csv = convert(path, 'csv:Text - txt - csv (StarCalc):44,34,76', "CSV").decode("utf-8")  # 76: UTF-8
    assert "区教体局" in csv and "=1+1 {{ 7*7 }}" in csv
