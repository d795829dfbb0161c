"""Stats -> <YYYY>年信息报送统计.xlsx, laid out as an office would prepare it: frozen headers, widths, number
formats, A4 landscape with the header row repeated, and native Excel charts (openpyxl) that stay editable in
Excel and WPS."""

from __future__ import annotations

from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.atomic import write_atomic
from ..core.xlsxparts import workbook_bytes
from .figures import PENDING, Stats, by_unit_month
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = "宋体"


def month_label(month: str) -> str:
    return f"{int(month[5:])}月"


def write_workbook(stats: Stats, path: Path, title: str) -> Path:
    book = Workbook()
    _ranking(book.active, stats, title)
    _monthly(book.create_sheet("月度"), stats)
    _items(book.create_sheet("稿件"), stats)
    _silent(book.create_sheet("未报送"), stats)
    if stats.instructions is not None:
        _instructions(book.create_sheet("批示"), stats)
    write_atomic(path, workbook_bytes(book))
    return path


def _header(sheet: Worksheet, headers: list[str], widths: list[float]) -> None:
    sheet.append(headers)
    for column, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _body(sheet: Worksheet, first_row: int = 2) -> None:
    """Every body cell in the body font with a border (number formats and alignments are set after). The first
    cell is styled through openpyxl's API and the others share its style ids (`_style`, as openpyxl's own
    WorksheetCopy does): setting font and border per cell hashed both for each cell, 2 s of a 300-row 批示 sheet."""
    template = None
    for row in sheet.iter_rows(min_row=first_row, max_row=sheet.max_row):
        for cell in row:
            if template is None:
                cell.font = Font(name=_FONT)
                cell.border = _BORDER
                template = cell
            else:
                cell._style = copy(template._style)


def _ranking(sheet: Worksheet, stats: Stats, title: str) -> None:
    sheet.title = "排名"
    # With [calendar]: 迟报 (items received after the deadline) and 约稿 completion ("1/2") after the score.
    extra = (["迟报", "约稿完成"], [8, 10]) if stats.calendar else ([], [])
    # Issue 26, each when it applies: 批示 (counted instructions on its items) and 批示反馈逾期 (instructions it
    # acts on, feedback overdue or late), 基础分, 定额差额 (items short of its class's quota).
    scoring = [("批示", 7, lambda r: r.instructions), ("批示反馈逾期", 9, lambda r: r.feedback_overdue or None)] \
        if stats.instructions is not None else []
    scoring += [("基础分", 8, lambda r: r.base)] if stats.base else []
    scoring += [("定额差额", 9, lambda r: r.quota_short or None)] if stats.quota else []
    _header(sheet, ["名次", "单位", "报送", "采用", "采用率", "上级采用", "得分"] + extra[0] + [c[0] for c in scoring],
            [7, 24, 8, 8, 9, 10, 9] + extra[1] + [c[1] for c in scoring])
    for row in stats.ranking:
        more = [row.late, row.commission_shown or None] if stats.calendar else []
        sheet.append([row.rank, row.unit, row.submitted, row.adopted_shown, row.rate, row.upper, row.points] + more
                     + [c[2](row) for c in scoring])
    _body(sheet)
    last = sheet.max_row
    for n in range(2, last + 1):
        sheet.cell(row=n, column=5).number_format = "0.0%"
        sheet.cell(row=n, column=7).number_format = "0.##"
    sheet.oddHeader.center.text = f"{title} {stats.year}年信息报送排名"
    if last >= 2:
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: long unit names stay readable
        chart.title = "得分"
        chart.y_axis.title = "得分"
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=7, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=last))
        chart.x_axis.scaling.orientation = "maxMin"  # first place at the top
        chart.height = max(7.5, 0.5 * (last - 1) + 2)
        chart.width = 16
        sheet.add_chart(chart, f"{get_column_letter(sheet.max_column + 2)}2")


def _monthly(sheet: Worksheet, stats: Stats) -> None:
    months = [f.month for f in stats.months]
    headers = ["单位"] + [f"{month_label(m)}{what}" for m in months for what in ("报送", "采用")] + ["合计报送", "合计采用"]
    _header(sheet, headers, [24] + [8] * (2 * len(months) + 2))
    table = by_unit_month(stats)
    for row in stats.ranking:
        cells: list = [row.unit]
        for m in months:
            sent, used = table[row.unit][m]
            cells += [sent, PENDING if used is None else used]
        cells += [row.submitted, row.adopted_shown]
        sheet.append(cells)
    totals: list = ["合计"]
    for f in stats.months:
        sent = sum(f.submitted(r.unit) for r in stats.ranking)
        totals += [sent, sum(f.adopted(r.unit) or 0 for r in stats.ranking) if f.approved else PENDING]
    totals += [sum(r.submitted for r in stats.ranking),
               sum(r.adopted for r in stats.ranking) if any(f.approved for f in stats.months) else PENDING]
    sheet.append(totals)
    _body(sheet)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(name=_FONT, bold=True)

    # The office's month by month figures, for the line chart (采用 left empty while a month is pending).
    start = sheet.max_row + 3
    sheet.cell(row=start, column=1, value="月份")
    sheet.cell(row=start, column=2, value="报送")
    sheet.cell(row=start, column=3, value="采用")
    for n, f in enumerate(stats.months, start=1):
        sheet.cell(row=start + n, column=1, value=month_label(f.month))
        sheet.cell(row=start + n, column=2, value=sum(f.submitted(r.unit) for r in stats.ranking))
        if f.approved:
            sheet.cell(row=start + n, column=3, value=sum(f.adopted(r.unit) or 0 for r in stats.ranking))
    if stats.months:
        chart = LineChart()
        chart.title = "全办每月报送与采用"
        chart.y_axis.title = "篇数"
        end = start + len(stats.months)
        chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=start, max_row=end), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=start + 1, max_row=end))
        chart.height, chart.width = 7.5, 16
        sheet.add_chart(chart, f"E{start}")


def _items(sheet: Worksheet, stats: Stats) -> None:
    extra = (["收到时间", "迟报", "约稿"], [17, 7, 24]) if stats.calendar else ([], [])
    _header(sheet, ["月份", "期号", "文件", "单位", "标题", "状态", "sha256", "说明"] + extra[0],
            [9, 7, 34, 20, 46, 9, 20, 40] + extra[1])
    for f in stats.months:
        for item in f.items:
            more = [item.received[:16].replace("T", " ") or None, "迟报" if item.late else None,
                    item.topic or None] if stats.calendar else []
            sheet.append([f.month, item.number, item.file, item.unit, item.title, item.status, item.sha256,
                          item.reason or None] + more)
    _body(sheet)
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _silent(sheet: Worksheet, stats: Stats) -> None:
    _header(sheet, ["月份", "未报送单位"], [9, 28])
    for month, units in stats.silent.items():
        for unit in units:
            sheet.append([month, unit])
    _body(sheet)


def _instructions(sheet: Worksheet, stats: Stats) -> None:
    """The period's 领导批示, one row each as in the register (its row number), with whose item it is, its
    feedback state on the day of the statistics, the points it earned and why not."""
    _header(sheet, ["登记行", "期号", "标题", "报送单位", "批示领导", "级别", "类别", "批示日期", "批示内容", "落实单位",
                    "反馈期限", "反馈情况", "反馈日期", "反馈状态", "分值", "得分", "说明"],
            [7, 7, 36, 18, 12, 7, 7, 11, 40, 20, 11, 30, 11, 11, 7, 7, 30])
    for s in stats.instructions.scored:
        i = s.instruction
        sheet.append([i.row, i.number, i.title or None, s.unit or None, i.leader, i.level, i.kind, i.day, i.text or None,
                      "、".join(i.units) or None, i.due, i.feedback or None, i.feedback_day, s.state, s.value,
                      s.points, s.note or None])
    _body(sheet)
    for row in sheet.iter_rows(min_row=2):
        for column in (8, 11, 13):
            row[column - 1].number_format = "yyyy-mm-dd"
        for column in (3, 9, 12, 17):
            row[column - 1].alignment = Alignment(wrap_text=True, vertical="top")
        for column in (15, 16):
            row[column - 1].number_format = "0.##"
