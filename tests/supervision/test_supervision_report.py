"""The 专报's figures and tables: overdue tasks (完成时限 passed, not complete), per unit, 未启动, suggested
notices for overdue units; the report opens in LibreOffice; series settings errors in Chinese."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from openpyxl import Workbook

from libreoffice import pdf_pages, pdf_text, to_pdf
from ooxml_audit import assert_valid, dangling_references
from supervision_kit import SERIES_SETTINGS, XLSX_INLINE_STRINGS
from workspace_kit import make_workspace

from bulletin.core.errors import BulletinError
from bulletin.intake.notices import read_notices
from bulletin.supervision.report import write_report
from bulletin.supervision.round import Round, merge_round, split_round
from bulletin.supervision.sheets import marker_of

import supervision_seed

ROSTER = "单位名称,别名\n区财政局,\n区住建局,区住房和城乡建设局\n区城管局,\n"
MONTH = "2026-12"


def _small_round(root):
    kit = make_workspace(root, settings=SERIES_SETTINGS, roster=ROSTER)
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况"])
    sheet.append([1, "一、优化营商环境", "(一)财政保障", "落实减税降费政策<含&符号>。", "区财政局", date(2026, 12, 31), None, None])
    sheet.append([2, "一、优化营商环境", "(一)财政保障", "完成老旧小区改造12个。", "区住房和城乡建设局、区城管局",
                  date(2026, 11, 30), None, None])
    sheet.append([3, "二、民生保障", "", "启动智慧停车平台建设。", "区城管局", "2026-10-31", None, None])
    path = root / "inputs" / "督查" / MONTH / "任务.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    rnd = Round.of(kit.ws, MONTH)
    split_round(rnd, due=date(2026, 12, 10))
    answers = {
        "区财政局": {1: ("已完成", "全年减税降费3.2亿元。")},
        "区住建局": {2: ("推进中", "已完成9个，其余3个12月底完工。")},
        "区城管局": {2: ("推进中", "配合完成管线迁改。"), 3: ("未启动", "")},
    }
    for path in sorted((rnd.outputs / "分发").glob("*.xlsx")):
        unit = marker_of(path)[1]
        supervision_seed.fill_sheet(path, rnd.returns / f"{unit}-回.xlsx", answers[unit])
    return kit, rnd


def test_overdue_tasks_units_table_and_notices(tmp_path):
    kit, rnd = _small_round(tmp_path / "ws")
    merged = merge_round(rnd)
    assert merged.problems == [] and merged.missing == []
    assert [t.answer for t in merged.tasks][1] == "【区住建局】已完成9个，其余3个12月底完工。\n【区城管局】配合完成管线迁改。"
    result = write_report(rnd, day=date(2026, 12, 15))
    assert_valid(result.path)
    assert dangling_references(result.path) == []
    text = "\n".join(p.text for p in Document(result.path).paragraphs)
    assert "共3项：已完成1项，占33.3%；推进中1项，占33.3%；未启动1项，占33.3%。逾期未完成2项（第2项、第3项）。" in text
    assert "1.落实减税降费政策<含&符号>。" in text  # data, set as text: nothing escaped away
    assert "贯彻落实情况：未启动。" in text
    tables = Document(result.path).tables
    assert [[c.text for c in row.cells] for row in tables[0].rows] == [
        ["序号", "任务", "责任单位", "完成时限", "状态"],
        ["2", "完成老旧小区改造12个。", "区住建局、区城管局", "2026-11-30", "推进中"],
        ["3", "启动智慧停车平台建设。", "区城管局", "2026-10-31", "未启动"],
    ]
    assert [[c.text for c in row.cells] for row in tables[1].rows] == [
        ["责任单位", "承担任务", "已完成", "推进中", "未启动", "未报送", "逾期", "完成率"],
        ["区财政局", "1", "1", "0", "0", "0", "0", "100%"],
        ["区住建局", "1", "0", "1", "0", "0", "1", "0%"],
        ["区城管局", "2", "0", "1", "1", "0", "2", "0%"],
    ]
    assert_valid(result.notices, accepted=XLSX_INLINE_STRINGS)
    rows = read_notices(result.notices.parent).rows
    assert [(r.unit, r.matter, r.category) for r in rows] == [
        ("区住建局", "第2项重点任务逾期未完成（1项）", "通报批评"),
        ("区城管局", "第2、3项重点任务逾期未完成（2项）", "通报批评"),
    ]


@pytest.mark.libreoffice
def test_the_seed_report_opens_in_libreoffice(tmp_path):
    from supervision_kit import ROUND_MONTH, SILENT_UNIT, answer_all, make_round_workspace

    kit = make_round_workspace(tmp_path / "ws")
    rnd = Round.of(kit.ws, ROUND_MONTH)
    split_round(rnd)
    answer_all(rnd, silent={SILENT_UNIT})
    merge_round(rnd)
    result = write_report(rnd, day=date(2020, 10, 9))
    pdf = to_pdf(result.path, tmp_path / "pdf")
    text = "".join(pdf_text(pdf).split())
    assert pdf_pages(pdf) >= 10
    assert "督查专报" in text and "第1期" in text
    assert "78.持续深化“五型”政府建设。" in text
    assert "报：区政府区长、副区长" in text


def test_series_settings_errors_are_chinese(tmp_path):
    kit = make_workspace(tmp_path / "ws", settings=SERIES_SETTINGS)
    with pytest.raises(BulletinError, match=r"bulletin.toml 中没有 \[series\.专项通报\] 配置节（已配置：督查专报）"):
        kit.ws.for_series("专项通报")
    with pytest.raises(BulletinError, match="系列名称“../x”不对"):
        kit.ws.for_series("../x")
    ws = kit.ws
    assert ws.for_series(None) is ws and ws.for_series("") is ws
    view = kit.ws.for_series("督查专报")
    assert view.ledger_path == kit.root / ".bulletin" / "ledger-督查专报.sqlite3"
    assert view.month_outputs("2026-12") == kit.root / "outputs" / "督查专报" / "2026-12"
    assert view.settings.bulletin.title == "督查专报" and view.settings.bulletin.first_issue == 1
    assert kit.ws.settings.bulletin.first_issue == 64  # the bulletin's own settings are unchanged


def test_returns_of_another_round_are_ignored_and_two_answers_of_a_unit_conflict(tmp_path):
    import os
    import shutil

    kit, rnd = _small_round(tmp_path / "ws")
    # the next round has the same task list; a unit sends last round's sheet by mistake
    later = Round.of(kit.ws, "2027-03")
    later.tasks_path.parent.mkdir(parents=True)
    shutil.copy(rnd.tasks_path, later.tasks_path)
    later.returns.mkdir()
    shutil.copy(rnd.returns / "区财政局-回.xlsx", later.returns / "财政局反馈.xlsx")
    merged = merge_round(later)
    assert merged.ignored == ["财政局反馈.xlsx：是“督查专报/2026-12”一轮的任务表，不是本轮（督查专报/2027-03），已忽略。"]
    assert merged.missing == ["区财政局", "区住建局", "区城管局"]

    # 区城管局 answers twice (issue 22): a conflict, not "the newer wins"; the task the two files answer alike
    # (2) is used, the one they disagree on (3) is used from neither until the office removes one file
    newer = rnd.returns / "区城管局-更正.xlsx"
    supervision_seed.fill_sheet(rnd.outputs / "分发" / "区城管局.xlsx", newer,
                                {2: ("推进中", "配合完成管线迁改。"), 3: ("推进中", "已完成方案设计。")})
    os.utime(newer, (os.path.getmtime(rnd.returns / "区城管局-回.xlsx") + 60,) * 2)
    merged = merge_round(rnd)
    assert merged.ignored == []
    assert merged.conflicts == {"区城管局": [rnd.returns / "区城管局-回.xlsx", newer]}
    assert merged.problems == ["区城管局 有 2 份不同的反馈表（“区城管局-回.xlsx”与“区城管局-更正.xlsx”）：第3项的回答不一致，"
                               "这几项暂不采用任何一份；请核实后从 反馈/ 中删去不用的一份，再汇总。"]
    assert {t.number: t.status for t in merged.tasks} == {1: "已完成", 2: "推进中", 3: ""}
    newer.unlink()  # the office keeps one: its answers are used again
    assert {t.number: t.status for t in merge_round(rnd).tasks} == {1: "已完成", 2: "推进中", 3: "未启动"}
