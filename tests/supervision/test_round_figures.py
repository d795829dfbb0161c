"""The 督查 round's published figures checked against counts worked out by hand (issue 23 items 1, 2, 3).

The seed round (78 tasks, 31 units, tests/supervision_seed.py) is split, and the units answer from the seed's own
answers, except:

- silent (no sheet at all): 区政府办(区外办) (tasks 2, 3), 区金融办 (tasks 11, 27), 区司法局 (tasks 54, 74, 75);
- 区市场监管局 returns its sheet (tasks 1, 29, 45, 68) but leaves task 29 blank: silent for that task only;
- disagreeing on shared tasks: 区投促局 answers task 18 推进中 (区商务局 says 已完成, the seed's word);
  区商务局 answers task 45 推进中 (区城管局 and 区市场监管局 say 已完成并长期坚持);
- 区应急管理局 leaves 状态 empty on task 68 and writes "已完成并长期坚持。" before the seed's text; 区信访局 does the
  same on its only task, 76.

By hand, task by task (the seed: 已完成 4 = tasks 17, 18, 58, 60; 已完成并长期坚持 44; 推进中 30):

- 未报送 8: tasks 2, 3 (区外办 silent), 11, 27 (区金融办 silent), 29 (区市场监管局 blank), 54, 74, 75 (区司法局
  silent); all eight were 已完成并长期坚持 in the seed. Silence counts as 未报送 for the task.
- 推进中 32: the seed's 30, plus 18 (区投促局 推进中: 已完成 only when every unit says so) and 45 (区商务局 推进中).
- 未选择状态 2: task 68 (every unit answered; 区应急管理局 without a status) and 76 (区信访局 alone, without a
  status): neither 未报送 nor counted done.
- 已完成 3: 17, 58, 60 (18 left). 已完成并长期坚持 44 - 8 (未报送) - 45 - 68 - 76 = 33.
  3 + 33 + 32 + 2 + 8 = 78. Shares of 78: 36 → 46.2%, 32 → 41%, 2 → 2.6%, 8 → 10.3%.

So: 共78项：已完成36项（其中已完成3项，已完成并长期坚持33项），占46.2%；推进中32项，占41%；未选择状态2项，占2.6%；
未报送8项，占10.3%。无逾期未完成任务。(the seed's list has no 完成时限).

Per unit (附件2), each unit's OWN answer (columns 承担任务/已完成/推进中/未启动/未选状态/未报送/逾期/完成率):

- 区商务局, tasks 5, 6, 7, 8, 9, 18, 45: done 5, 6, 8 (长期坚持), 18 (已完成) = 4; 推进中 7, 9, 45 = 3; 4/7 = 57%.
  (The merged status would give 3 / 4: task 18 is 推进中 for the task, 已完成 for 区商务局.)
- 区城管局, tasks 37, 43, 45, 46, 47, 48, 49: done 43, 45, 46, 47, 48 = 5; 推进中 37, 49 = 2; 5/7 = 71%.
  (The merged status would give 4: task 45 is 推进中 for the task.)
- 区市场监管局, tasks 1, 29, 45, 68: done 1, 45, 68 = 3; 未报送 29 = 1; 3/4 = 75%.
- 区金融办 (未反馈), tasks 11, 27: 未报送 2; 0%.
- 区应急管理局, tasks 68, 77: done 77 = 1; 未选择状态 68 = 1; 1/2 = 50%.
- 区信访局, task 76: 未选择状态 1; 0%.
"""

from __future__ import annotations

from datetime import date

from docx import Document

import supervision_seed
from supervision_kit import ROUND_MONTH, make_round_workspace

from bulletin.supervision.report import write_report
from bulletin.supervision.round import Round, merge_round, split_round
from bulletin.supervision.sheets import marker_of

SILENT = {"区政府办(区外办)", "区金融办", "区司法局"}
OPENING = ("共78项：已完成36项（其中已完成3项，已完成并长期坚持33项），占46.2%；推进中32项，占41%；"
           "未选择状态2项，占2.6%；未报送8项，占10.3%。无逾期未完成任务。")
HEADER = ["责任单位", "承担任务", "已完成", "推进中", "未启动", "未选状态", "未报送", "逾期", "完成率"]


def _answer(rnd: Round) -> None:
    seed = {t.number: t for t in supervision_seed.seed_tasks()}
    for path in sorted((rnd.outputs / "分发").glob("*.xlsx")):
        unit = marker_of(path)[1]
        if unit in SILENT:
            continue
        answers = {n: (t.status, t.answer) for n, t in seed.items()}
        if unit == "区市场监管局":
            del answers[29]
        elif unit == "区投促局":
            answers[18] = ("推进中", seed[18].answer)
        elif unit == "区商务局":
            answers[45] = ("推进中", seed[45].answer)
        elif unit == "区应急管理局":
            answers[68] = (None, "已完成并长期坚持。" + seed[68].answer)
        elif unit == "区信访局":
            answers[76] = (None, "已完成并长期坚持。" + seed[76].answer)
        supervision_seed.fill_sheet(path, rnd.returns / f"{unit}-反馈.xlsx", answers)


def _round(tmp_path):
    kit = make_round_workspace(tmp_path / "ws")
    rnd = Round.of(kit.ws, ROUND_MONTH)
    split_round(rnd, due=date(2020, 9, 25))
    _answer(rnd)
    return rnd


def test_hand_worked_counts_silence_disagreement_and_missing_status(tmp_path):
    rnd = _round(tmp_path)
    merged = merge_round(rnd)
    assert merged.missing == ["区政府办(区外办)", "区金融办", "区司法局"]
    assert merged.problems == [
        "区市场监管局（区市场监管局-反馈.xlsx 第4行）：第29项未填写。",
        "区应急管理局（区应急管理局-反馈.xlsx 第3行）：第68项写了落实情况，但没有选择状态：请该单位补选状态"
        "（或在汇总表中补填）；补上之前，专报照印其落实情况，该项不计入已完成。",
        "区信访局（区信访局-反馈.xlsx 第3行）：第76项写了落实情况，但没有选择状态：请该单位补选状态"
        "（或在汇总表中补填）；补上之前，专报照印其落实情况，该项不计入已完成。",
    ]
    status = {t.number: t.status for t in merged.tasks}
    # the merged sheet (汇总.xlsx) says the same: no status where a unit is silent or gave none
    assert [n for n, s in status.items() if s == ""] == [2, 3, 11, 27, 29, 54, 68, 74, 75, 76]
    assert status[18] == status[45] == "推进中"

    result = write_report(rnd, day=date(2020, 10, 9))
    f = result.figures
    assert f.by_status == {"已完成": 3, "已完成并长期坚持": 33, "推进中": 32, "未启动": 0, "未选择状态": 2, "": 8}
    assert f.opening() == OPENING

    doc = Document(result.path)
    paragraphs = [p.text for p in doc.paragraphs]
    assert OPENING in paragraphs
    assert "截至发稿时，区政府办(区外办)、区金融办、区司法局未按时反馈落实情况，请抓紧报送。" in paragraphs
    seed = {t.number: t for t in supervision_seed.seed_tasks()}

    def answer_of(number: int) -> list[str]:
        head = paragraphs.index(f"{number}.{seed[number].text}")
        return paragraphs[head + 2:head + 4]

    # task 3: three units answered alike, 区外办 silent: the task is not reported, never 已完成
    assert answer_of(3) == [
        "贯彻落实情况：部分责任单位未报送。【区卫生健康委、青云谱公安分局、区民政局】" + seed[3].answer,
        "【区政府办(区外办)】未报送。",
    ]
    assert answer_of(27)[0].startswith("贯彻落实情况：部分责任单位未报送。【区财政局、区投促局】")
    assert answer_of(29)[0].startswith("贯彻落实情况：部分责任单位未报送。【区行政审批局、区发改委】")
    assert answer_of(54)[0].startswith("贯彻落实情况：部分责任单位未报送。【区住建局、区生态环境局】")
    assert answer_of(11)[0] == "贯彻落实情况：未报送。"
    # task 68: status missing, text present: the text is printed, never "未报送"
    assert answer_of(68) == [
        "贯彻落实情况：【区应急管理局】已完成并长期坚持。" + seed[68].answer,
        "【青云谱交警大队、区市场监管局】" + seed[68].answer,
    ]
    assert answer_of(76)[0] == "贯彻落实情况：已完成并长期坚持。" + seed[76].answer  # as written, status not given
    assert answer_of(18)[0] == "贯彻落实情况：推进中。" + seed[18].answer
    assert not any(p.startswith("贯彻落实情况：未报送。【") for p in paragraphs)

    rows = {r[0]: r for r in ([c.text for c in row.cells] for row in doc.tables[-1].rows)}
    assert rows["责任单位"] == HEADER
    assert rows["区商务局"] == ["区商务局", "7", "4", "3", "0", "0", "0", "0", "57%"]
    assert rows["区城管局"] == ["区城管局", "7", "5", "2", "0", "0", "0", "0", "71%"]
    assert rows["区市场监管局"] == ["区市场监管局", "4", "3", "0", "0", "0", "1", "0", "75%"]
    assert rows["区金融办（未反馈）"] == ["区金融办（未反馈）", "2", "0", "0", "0", "0", "2", "0", "0%"]
    assert rows["区应急管理局"] == ["区应急管理局", "2", "1", "0", "0", "1", "0", "0", "50%"]
    assert rows["区信访局"] == ["区信访局", "1", "0", "0", "0", "1", "0", "0", "0%"]
    assert len(rows) == 32  # the header and the round's 31 units
    # every unit's row adds up to its tasks
    for row in list(rows.values())[1:]:
        assert int(row[1]) == sum(int(x) for x in row[2:7]), row


def test_overdue_and_notices_follow_each_units_own_answer(tmp_path):
    """Worked by hand, on 2026-12-15, three tasks all past 完成时限:

    - task 1 (区住建局、区城管局, 2026-11-30): 区住建局 推进中, 区城管局 已完成 → the task is 推进中, overdue;
      overdue for 区住建局 only (区城管局 has done its part);
    - task 2 (区城管局, 2026-10-31): 区城管局 returns its sheet with this row blank → 未报送, overdue for 区城管局;
    - task 3 (区财政局, 2026-12-01): 区财政局 sends nothing → 未报送, overdue for 区财政局.

    共3项：已完成0项，占0%；推进中1项 (33.3%)；未报送2项 (66.7%)；逾期未完成3项. Per unit: 区住建局 1 task, 推进中 1,
    逾期 1; 区城管局 2 tasks, 已完成 1, 未报送 1, 逾期 1 (task 2 only: the merged status would have made it 2);
    区财政局 (未反馈) 1 task, 未报送 1, 逾期 1. Notices: 区财政局 for not answering, then one per unit with its
    own overdue tasks."""
    from openpyxl import Workbook

    from supervision_kit import SERIES_SETTINGS
    from workspace_kit import make_workspace

    from bulletin.intake.notices import read_notices

    kit = make_workspace(tmp_path / "ws", settings=SERIES_SETTINGS,
                         roster="单位名称,别名\n区财政局,\n区住建局,\n区城管局,\n")
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况"])
    sheet.append([1, "一、城市建设", "", "完成老旧小区改造12个。", "区住建局、区城管局", date(2026, 11, 30), None, None])
    sheet.append([2, "一、城市建设", "", "启动智慧停车平台建设。", "区城管局", date(2026, 10, 31), None, None])
    sheet.append([3, "二、财政", "", "落实减税降费政策。", "区财政局", date(2026, 12, 1), None, None])
    rnd = Round.of(kit.ws, "2026-12")
    rnd.tasks_path.parent.mkdir(parents=True)
    book.save(rnd.tasks_path)
    split_round(rnd, due=date(2026, 12, 10))
    answers = {"区住建局": {1: ("推进中", "已完成9个。")}, "区城管局": {1: ("已完成", "管线迁改已完成。")}}
    for unit, given in answers.items():
        supervision_seed.fill_sheet(rnd.sheet_path(unit), rnd.returns / f"{unit}.xlsx", given)
    merge_round(rnd)
    result = write_report(rnd, day=date(2026, 12, 15))
    assert result.figures.opening() == "共3项：已完成0项，占0%；推进中1项，占33.3%；未报送2项，占66.7%。逾期未完成3项（第1项、第2项、第3项）。"
    doc = Document(result.path)
    assert [[c.text for c in row.cells] for row in doc.tables[0].rows][1:] == [
        ["1", "完成老旧小区改造12个。", "区住建局、区城管局", "2026-11-30", "推进中"],
        ["2", "启动智慧停车平台建设。", "区城管局", "2026-10-31", "未报送"],
        ["3", "落实减税降费政策。", "区财政局", "2026-12-01", "未报送"],
    ]
    assert [[c.text for c in row.cells] for row in doc.tables[1].rows] == [
        ["责任单位", "承担任务", "已完成", "推进中", "未启动", "未报送", "逾期", "完成率"],
        ["区住建局", "1", "0", "1", "0", "0", "1", "0%"],
        ["区城管局", "2", "1", "0", "0", "1", "1", "50%"],
        ["区财政局（未反馈）", "1", "0", "0", "0", "1", "1", "0%"],
    ]
    rows = read_notices(result.notices.parent).rows
    assert [(r.unit, r.matter) for r in rows] == [
        ("区财政局", "未按时反馈2026年12月重点任务落实情况"),
        ("区住建局", "第1项重点任务逾期未完成（1项）"),
        ("区城管局", "第2项重点任务逾期未完成（1项）"),
        ("区财政局", "第3项重点任务逾期未完成（1项）"),
    ]
