"""The seed round reproduced: 任务.xlsx from the seed's 78 tasks, split per unit, each unit fills its sheet from
the seed's answers (one unit stays silent), merge, and the report with the seed's counts."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

import supervision_seed
from ooxml_audit import assert_valid, dangling_references
from supervision_kit import ROUND_MONTH, SILENT_UNIT, XLSX_INLINE_STRINGS, answer_all, make_round_workspace

from bulletin.core.errors import BulletinError
from bulletin.intake.notices import read_notices
from bulletin.supervision.round import Round, merge_round, split_round
from bulletin.supervision.report import write_report
from bulletin.supervision.sheets import MARKER_SHEET, marker_of


@pytest.fixture
def seed_round(tmp_path):
    kit = make_round_workspace(tmp_path / "ws")
    rnd = Round.of(kit.ws, ROUND_MONTH)
    split_round(rnd, due=date(2020, 9, 25))
    answer_all(rnd, silent={SILENT_UNIT})
    return kit, rnd


def test_seed_parses_into_78_tasks_with_the_seed_counts():
    tasks = supervision_seed.seed_tasks()
    assert [t.number for t in tasks] == list(range(1, 79))
    counts = {s: sum(t.status == s for t in tasks) for s in ("已完成", "已完成并长期坚持", "推进中")}
    assert counts == {"已完成": 4, "已完成并长期坚持": 44, "推进中": 30}


def test_split_gives_each_unit_only_its_tasks_locked_but_two_columns(tmp_path):
    kit = make_round_workspace(tmp_path / "ws")
    rnd = Round.of(kit.ws, ROUND_MONTH)
    report = split_round(rnd, due=date(2020, 9, 25))
    assert len(report.sheets) == 31  # 32 names in the seed, 区人力资源和社会保障局 is 区人社局's alias
    assert report.counts["区投促局"] == 11
    assert report.counts["区人社局"] == 6  # 2 as 区人社局 + 4 as 区人力资源和社会保障局
    path = rnd.outputs / "分发" / "区卫生健康委.xlsx"
    assert path == tmp_path / "ws" / "outputs" / "督查专报" / "2020-09" / "分发" / "区卫生健康委.xlsx"
    assert_valid(path, accepted=XLSX_INLINE_STRINGS)
    book = load_workbook(path)
    sheet = book["任务"]
    assert "请于2020年9月25日前" in sheet["A1"].value and "区卫生健康委" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == ["序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况"]
    numbers = [sheet.cell(r, 1).value for r in range(3, sheet.max_row + 1)]
    assert numbers == [1, 2, 3, 4, 65]
    assert sheet.protection.sheet is True
    assert [sheet.cell(3, c).protection.locked for c in range(1, 9)] == [True] * 6 + [False, False]
    rules = sheet.data_validations.dataValidation
    assert len(rules) == 1 and rules[0].formula1 == '"未启动,推进中,已完成,已完成并长期坚持"'
    assert str(rules[0].sqref) == "G3:G7"
    assert book[MARKER_SHEET].sheet_state == "veryHidden"
    assert marker_of(path) == ("督查专报/2020-09", "区卫生健康委")


def test_seed_round_merges_and_reports_the_seed(seed_round):
    kit, rnd = seed_round
    merged = merge_round(rnd)
    assert merged.missing == [SILENT_UNIT]
    assert len(merged.answered) == 30
    assert merged.problems == []
    assert merged.written
    assert_valid(rnd.merged_path, accepted=XLSX_INLINE_STRINGS)
    by_number = {t.number: t for t in merged.tasks}
    assert by_number[1].answer.startswith("全面落实中央、省、市“外防输入、内防反弹”")
    assert by_number[2].answer.startswith("【区卫生健康委、青云谱公安分局】认真做好境外")
    assert by_number[2].answer.endswith("【区政府办(区外办)】未报送。")
    assert by_number[14].status == "推进中" and by_number[14].answer.startswith("计划年底前完成。")

    result = write_report(rnd, day=date(2020, 10, 9))
    assert result.number == 1
    assert result.path == kit.root / "outputs" / "督查专报" / "2020-09" / "督查专报第1期.docx"
    # tasks 2 and 3 are shared with the silent unit: 未报送 (issue 23), not the other units' 已完成并长期坚持
    assert result.figures.by_status == {"已完成": 4, "已完成并长期坚持": 42, "推进中": 30, "未启动": 0, "未选择状态": 0,
                                        "": 2}
    assert_valid(result.path)
    assert dangling_references(result.path) == []
    silent = next(u for u in result.figures.units if u.unit == SILENT_UNIT)
    assert (silent.tasks, silent.complete, silent.rate, silent.answered) == (2, 0, "0%", False)
    assert result.notices == kit.root / "outputs" / "督查专报" / "2020-09" / "通报建议.xlsx"
    assert_valid(result.notices, accepted=XLSX_INLINE_STRINGS)
    notices = read_notices(result.notices.parent)
    assert notices.problems == []
    assert [(r.unit, r.matter, r.category, r.remark) for r in notices.rows] == [
        ("区政府办(区外办)", "未按时反馈2020年9月重点任务落实情况", "通报批评", "督查专报第1期"),
    ]

    paragraphs = [p.text for p in Document(result.path).paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "督查专报" and paragraphs[1] == "第1期"
    assert "共78项：已完成46项（其中已完成4项，已完成并长期坚持42项），占59%；推进中30项，占38.5%；未报送2项，占2.6%。" in text
    assert "区政府办(区外办)未按时反馈落实情况" in text
    assert "报：区政府区长、副区长" in text and "发：区政府各部门" in text
    # every chapter, section and task in the seed's order, each with its units and its answer
    seed_lines = []
    for t in supervision_seed.seed_tasks():
        for line in (t.part, t.chapter):
            if line and line not in seed_lines:
                seed_lines.append(line)
        seed_lines.append(f"{t.number}.{t.text}")
    positions = [paragraphs.index(line) for line in seed_lines]
    assert positions == sorted(positions) and len(seed_lines) == 78 + 6 + 15
    for t in supervision_seed.seed_tasks():
        head = paragraphs.index(f"{t.number}.{t.text}")
        units = "、".join("区人社局" if u == "区人力资源和社会保障局" else u for u in t.units)
        assert paragraphs[head + 1] == f"责任单位：{units}"
        status = "部分责任单位未报送" if SILENT_UNIT in units else t.status
        assert paragraphs[head + 2].startswith(f"贯彻落实情况：{status}。")
        assert t.answer in "\n".join(paragraphs[head + 2:head + 5])


def test_merging_twice_changes_nothing(seed_round):
    _, rnd = seed_round
    merge_round(rnd)
    before = rnd.merged_path.read_bytes()
    again = merge_round(rnd)
    assert again.written is False
    assert rnd.merged_path.read_bytes() == before


def test_merge_reports_changed_cells_unknown_numbers_and_contradictions(seed_round):
    _, rnd = seed_round
    returned = next(p for p in sorted(rnd.returns.glob("*.xlsx")) if marker_of(p)[1] == "区金融办")
    book = load_workbook(returned)
    sheet = book["任务"]
    assert [sheet.cell(r, 1).value for r in range(3, sheet.max_row + 1)] == [11, 27]
    sheet["D3"] = "改过的任务内容"  # a locked column (protection has no password: someone lifted it)
    sheet["G4"] = "已完成"
    sheet["H4"] = "推进中。尚未完成验收。"
    sheet["A5"], sheet["G5"], sheet["H5"] = 99, "推进中", "不存在的任务"
    book.save(returned)
    (rnd.returns / "说明.xlsx").write_bytes(b"not a workbook")
    merged = merge_round(rnd)
    name = returned.name
    assert merged.problems == [
        f"区金融办（{name} 第3行）：第11项的“任务”被改动过，已按原任务清单处理。",
        f"区金融办（{name} 第4行）：第27项状态选的是“已完成”，落实情况却写“推进中”，请核实。",
        f"区金融办（{name} 第5行）：第99项不是本轮分给该单位的任务，此行未采用。",
    ]
    assert merged.ignored == ["说明.xlsx：不是本系统分发的任务表（没有识别标记），已忽略。"]
    assert {t.number: t.text for t in merged.tasks}[11].startswith("畅通金融服务“绿色通道”")


def test_task_list_problems_name_the_row(tmp_path):
    from openpyxl import Workbook

    from bulletin.intake.roster import Roster
    from bulletin.supervision.tasks import read_tasks

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况"])
    sheet.append([1, "一、", "", "任务一", "区财政局", None, None, None])
    sheet.append([1, "一、", "", "任务二", "区财政局", None, None, None])
    sheet.append([2, "一、", "", "", "区财政局", None, None, None])
    sheet.append([3, "一、", "", "任务三", "区财政局、区不存在局", None, None, None])
    path = tmp_path / "任务.xlsx"
    book.save(path)
    roster = Roster()
    roster.add("区财政局")
    with pytest.raises(BulletinError) as caught:
        read_tasks(path, roster)
    assert str(caught.value).splitlines()[1:] == [
        "  - 任务.xlsx 第3行：序号 1 与第2行重复。",
        "  - 任务.xlsx 第4行：第2项任务内容为空。",
        "  - 任务.xlsx 第5行：责任单位“区不存在局”不在单位名册 units.csv 中（可在名册中添加该单位或别名）。",
    ]
