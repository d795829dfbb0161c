"""Information-work statistics (issue 12): three months through the real commands, every figure worked out by
hand below and written out literally.

The months (scoring defaults: 报送 1, 采用 3, 头条 1, 市级 5, 省级 10, 国家级 20):
- 2026-08, approved and sent: 区人社局 two items (one under its alias 区人力资源和社会保障局; the first article,
  头条), 区教体局 one, and one draft whose unit is unknown (printed, never counted for a unit).
- 2026-09, compiled twice, the second approved: first 区财政局 a, 区工信局 b, 区人社局 c; then c is taken out,
  区财政局 d is added and a revised a（修改稿） replaces a (one item, not two). a is the 头条.
- 2026-10, compiled and rejected: pending, never zero. 区人社局 e, 区住建局 f.
- 上级采用.xlsx: 区人社局 (by its alias) 省级 in August, 区财政局 市级 in September, a 县级 row (not a level:
  named and left out), a 2025 row (another year).

Per unit:           报送  采用  头条  上级          得分
  区人社局          2+1+1=4  2     1    省级 10   4 + 6 + 1 + 10 = 21
  区财政局          2     2     1    市级 5    2 + 6 + 1 + 5 = 14
  区教体局          1     1     0               1 + 3 = 4
  区工信局          1     1     0               1 + 3 = 4   (tie with 区教体局: both 3rd)
  区住建局          1     0     0               1           (its only item is pending)
  区行政审批局      0     0                     0
"""

from __future__ import annotations

import os
from datetime import date

import draft_factory as f
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from ooxml_audit import XLSX_INLINE_STRINGS, assert_valid
from typer.testing import CliRunner
from workspace_kit import make_workspace

from bulletin.cli import app

runner = CliRunner()
RECIPIENTS = "名单,名称,邮箱\n报,区政府办公室,quzhengfu@example.org\n发,区人社局,renshe@example.com\n"


def invoke(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 2), result.output  # 2: a draft to check (the unknown unit)
    return result


def draft(office, month, name, title, unit, body):
    return office.draft(name, month=month, title=title, unit_line=unit, paragraphs=[body])


def upper_sheet(path):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位", "标题", "采用刊物", "级别", "日期"])
    sheet.append(["区人力资源和社会保障局", "人社部门稳就业", "《江西信息》", "省级", date(2026, 8, 20)])
    sheet.append(["区财政局", "财政资金监管", "《赣州政务》", "市级", "2026-09-25"])
    sheet.append(["区教体局", "教体双减", "《章贡简报》", "县级", "2026-09-01"])
    sheet.append(["区工信局", "去年的稿件", "《赣州政务》", "市级", "2025-12-01"])
    book.save(path)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    office = make_workspace(tmp_path_factory.mktemp("stats") / "ws")
    ws = str(office.root)
    (office.root / "inputs" / "recipients.csv").write_text(RECIPIENTS, encoding="utf-8")

    draft(office, "2026-08", "1.docx", "人社部门稳就业", "区人力资源和社会保障局", "八月人社稳就业正文。")
    draft(office, "2026-08", "2.docx", "人社技能培训", "区人社局", "八月人社技能培训正文。")
    draft(office, "2026-08", "3.docx", "教体双减", "区教体局", "八月教体正文。")
    draft(office, "2026-08", "4.docx", "没有单位的稿件", None, "八月没有单位的正文。")
    invoke("compile", "-w", ws, "-m", "2026-08", "--date", "2026-08-28")
    invoke("approve", "-w", ws, "-m", "2026-08", "--by", "主任")
    invoke("send", "-w", ws, "-m", "2026-08")

    a = draft(office, "2026-09", "a.docx", "财政资金监管", "区财政局", "九月财政初稿正文。")
    draft(office, "2026-09", "b.docx", "工信链上发力", "区工信局", "九月工信正文。")
    c = draft(office, "2026-09", "c.docx", "人社社保扩面", "区人社局", "九月人社正文。")
    invoke("compile", "-w", ws, "-m", "2026-09", "--date", "2026-09-28")
    c.unlink()
    draft(office, "2026-09", "d.docx", "财政预算绩效", "区财政局", "九月财政预算正文。")
    revised = draft(office, "2026-09", "a（修改稿）.docx", "财政资金监管", "区财政局", "九月财政修改后的正文。")
    os.utime(a, (1_700_000_000, 1_700_000_000))
    os.utime(revised, (1_800_000_000, 1_800_000_000))
    office.suggestions_september = invoke("compile", "-w", ws, "-m", "2026-09").output
    invoke("approve", "-w", ws, "-m", "2026-09", "--by", "主任")

    draft(office, "2026-10", "e.docx", "人社十月", "区人社局", "十月人社正文。")
    draft(office, "2026-10", "f.docx", "住建十月", "区住建局", "十月住建正文。")
    invoke("compile", "-w", ws, "-m", "2026-10", "--date", "2026-10-28")
    invoke("reject", "-w", ws, "-m", "2026-10", "--by", "主任", "--comment", "请补充数据")

    upper_sheet(office.root / "inputs" / "上级采用.xlsx")
    office.stats_output = invoke("stats", "-w", ws, "--year", "2026").output
    office.book = office.root / "outputs" / "统计" / "2026年信息报送统计.xlsx"
    return office


def rows(path, sheet):
    book = load_workbook(path, data_only=True)
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def test_ranking(year):
    assert rows(year.book, "排名")[:7] == [
        ["名次", "单位", "报送", "采用", "采用率", "上级采用", "得分"],
        [1, "区人社局", 4, 2, pytest.approx(2 / 3), 1, 21],
        [2, "区财政局", 2, 2, 1, 1, 14],
        [3, "区教体局", 1, 1, 1, 0, 4],
        [3, "区工信局", 1, 1, 1, 0, 4],
        [5, "区住建局", 1, "待审", None, 0, 1],  # its only item is pending: 待审, not 0 (issue 23)
        [6, "区行政审批局", 0, 0, None, 0, 0],
    ]
    assert len(rows(year.book, "排名")) == 7


def test_monthly_sheet_shows_pending_months_as_pending(year):
    table = rows(year.book, "月度")
    assert table[0] == ["单位", "8月报送", "8月采用", "9月报送", "9月采用", "10月报送", "10月采用", "合计报送", "合计采用"]
    assert table[1:8] == [
        ["区人社局", 2, 2, 1, 0, 1, "待审", 4, 2],
        ["区财政局", 0, 0, 2, 2, 0, "待审", 2, 2],
        ["区教体局", 1, 1, 0, 0, 0, "待审", 1, 1],
        ["区工信局", 0, 0, 1, 1, 0, "待审", 1, 1],
        ["区住建局", 0, 0, 0, 0, 1, "待审", 1, "待审"],
        ["区行政审批局", 0, 0, 0, 0, 0, "待审", 0, 0],
        ["合计", 3, 3, 4, 3, 2, "待审", 9, 6],
    ]


def test_every_draft_with_its_state(year):
    table = rows(year.book, "稿件")
    assert table[0] == ["月份", "期号", "文件", "单位", "标题", "状态", "sha256", "说明"]
    assert [r[:6] for r in table[1:]] == [
        ["2026-08", 64, "1.docx", "区人社局", "人社部门稳就业", "采用"],
        ["2026-08", 64, "2.docx", "区人社局", "人社技能培训", "采用"],
        ["2026-08", 64, "3.docx", "区教体局", "教体双减", "采用"],
        ["2026-08", 64, "4.docx", "（单位未识别）", "没有单位的稿件", "采用"],
        ["2026-09", 65, "a（修改稿）.docx", "区财政局", "财政资金监管", "采用"],
        ["2026-09", 65, "b.docx", "区工信局", "工信链上发力", "采用"],
        ["2026-09", 65, "c.docx", "区人社局", "人社社保扩面", "未采用"],
        ["2026-09", 65, "d.docx", "区财政局", "财政预算绩效", "采用"],
        ["2026-09", 65, "a.docx", None, None, "被替换"],
        ["2026-10", 66, "e.docx", "区人社局", "人社十月", "待审"],
        ["2026-10", 66, "f.docx", "区住建局", "住建十月", "待审"],
    ]
    assert all(len(r[6]) == 64 for r in table[1:] if r[5] in ("采用", "未采用", "待审"))


def test_units_that_sent_nothing(year):
    assert rows(year.book, "未报送") == [
        ["月份", "未报送单位"],
        ["2026-08", "区财政局"], ["2026-08", "区工信局"], ["2026-08", "区行政审批局"], ["2026-08", "区住建局"],
        ["2026-09", "区教体局"], ["2026-09", "区行政审批局"], ["2026-09", "区住建局"],
        ["2026-10", "区教体局"], ["2026-10", "区财政局"], ["2026-10", "区工信局"], ["2026-10", "区行政审批局"],
    ]


@pytest.mark.libreoffice
def test_the_workbook_is_prepared_for_print_and_has_native_charts(year, tmp_path):
    import zipfile

    from libreoffice import convert

    book = load_workbook(year.book)
    assert book.sheetnames == ["排名", "月度", "稿件", "未报送"]
    ranking = book["排名"]
    assert ranking.freeze_panes == "A2"
    assert ranking.print_title_rows == "$1:$1"
    assert (ranking.page_setup.orientation, ranking.page_setup.paperSize) == ("landscape", 9)
    assert ranking["E2"].number_format == "0.0%"
    with zipfile.ZipFile(year.book) as package:
        charts = sorted(n for n in package.namelist() if n.startswith("xl/charts/chart"))
        assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
        assert b"<barChart>" in package.read(charts[0]) and b"<lineChart>" in package.read(charts[1])
    frame = pd.read_excel(year.book, sheet_name="排名")
    assert list(frame["单位"])[:2] == ["区人社局", "区财政局"] and list(frame["得分"])[:2] == [21, 14]
    assert_valid(year.book, XLSX_INLINE_STRINGS)
    pdf = convert(year.book, "pdf", tmp_path)
    assert pdf.stat().st_size > 1000


def test_the_command_names_problems_pending_months_and_the_top(year):
    out = year.stats_output
    assert "注意：上级采用.xlsx 第4行：级别“县级”不在 市级/省级/国家级 之中，未计入。" in out
    assert "注意：2026-10 的简报尚未审核通过，采用数按“待审”计，不计入得分。" in out
    assert "已生成 " in out and "2026年信息报送统计.xlsx" in out
    assert "│ 1    │ 区人社局" in out and "│ 21   │" in out
    picture = year.root / "outputs" / "统计" / "2026年信息报送统计-得分排名.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_suggested_notice_rows_of_a_compile(year):
    assert "通报建议（表扬/批评，供复制到通报表）：" in year.suggestions_september
    path = year.root / "outputs" / "2026-09" / "通报建议.xlsx"
    assert rows(path, "通报建议") == [
        ["单位名称", "通报事项", "通报类别", "备注"],
        ["区财政局", "9月份报送章贡区“五型”政府建设工作信息2篇，被采用2篇", "通报表扬", None],
        ["区教体局", "未按时报送9月份章贡区“五型”政府建设工作信息", "通报批评", None],
        ["区行政审批局", "未按时报送9月份章贡区“五型”政府建设工作信息", "通报批评", None],
        ["区住建局", "未按时报送9月份章贡区“五型”政府建设工作信息", "通报批评", None],
    ]
    assert_valid(path, XLSX_INLINE_STRINGS)
    # A suggestion only: the bulletin's notice section is still read from the inputs, and there is none.
    assert not any("情况通报" in p.name for p in (year.root / "inputs" / "2026-09").iterdir())


def test_one_month_only(year):
    invoke("stats", "-w", str(year.root), "--month", "2026年9月")
    book = year.root / "outputs" / "统计" / "2026年9月信息报送统计.xlsx"
    assert rows(book, "排名")[1:3] == [[1, "区财政局", 2, 2, 1, 1, 14], [2, "区工信局", 1, 1, 1, 0, 4]]


def test_no_compile_yet_is_a_clear_message(tmp_path):
    office = make_workspace(tmp_path / "empty")
    result = runner.invoke(app, ["stats", "-w", str(office.root)])
    assert result.exit_code == 1
    assert "台账中还没有编排记录，无法统计：请先编排（bulletin compile）。" in result.output


def test_refused_files_earn_points_only_when_asked_and_an_edited_approved_file_counts_its_compile(tmp_path):
    from docx import Document

    from bulletin.core.ledger import Ledger
    from bulletin.intake.roster import Roster
    from bulletin.stats.figures import month_figures

    office = make_workspace(tmp_path / "ws")
    draft(office, "2026-11", "1.docx", "财政十一月", "区财政局", "十一月财政正文。")
    (office.month_dir("2026-11") / "区教体局-旧格式稿件.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    ws = str(office.root)
    invoke("compile", "-w", ws, "-m", "2026-11")
    bulletin = next((office.root / "outputs" / "2026-11").glob("工作简报第*期.docx"))
    edited = Document(str(bulletin))
    edited.add_paragraph("审核时补充的一句。")
    edited.save(str(bulletin))
    invoke("approve", "-w", ws, "-m", "2026-11", "--by", "主任")

    roster = Roster.load(office.root / "inputs" / "units.csv")
    scoring = office.ws.settings.scoring
    with Ledger(office.ws.ledger_path) as ledger:
        plain = month_figures(ledger, "2026-11", roster, scoring)
        counting = month_figures(ledger, "2026-11", roster, scoring.model_copy(update={"count_refused": True}))
    # A refused file whose unit is known is 报送 either way (issue 23); count_refused decides only its points.
    assert plain.approved and [(i.file, i.unit, i.status, i.counted) for i in plain.items] == [
        ("1.docx", "区财政局", "采用", True), ("区教体局-旧格式稿件.doc", "区教体局", "未采用", True)]
    assert (plain.submitted("区财政局"), plain.adopted("区财政局"), plain.submitted("区教体局")) == (1, 1, 1)
    assert [(i.file, i.unit, i.status, i.counted) for i in counting.items] == [
        ("1.docx", "区财政局", "采用", True), ("区教体局-旧格式稿件.doc", "区教体局", "未采用", True)]
    assert (counting.submitted("区教体局"), counting.adopted("区教体局")) == (1, 0)
    assert (plain.scored("区教体局"), counting.scored("区教体局")) == (0, 1)
