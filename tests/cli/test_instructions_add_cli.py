"""`bulletin instructions add` (issue 26): one instruction registered from the command line, as the workbench's
add form does (office/instructions.add_instruction); a refusal is a Chinese sentence and exit code 1.
By hand: 李市长 市级·批办 2026-10-20 on 《稳就业》, 落实 区人社局 (typed as its alias 区人力资源和社会保障局)
and 区财政局, due 2026-11-10; on 2026-11-01 未到期."""

from __future__ import annotations

from openpyxl import load_workbook
from typer.testing import CliRunner
from workspace_kit import make_workspace

from bulletin.cli import app
from bulletin.office import accounts

runner = CliRunner()


def test_add_from_the_command_line(tmp_path):
    ws = make_workspace(tmp_path / "office").ws
    add = ["instructions", "add", "-w", str(ws.root), "--leader", "李市长", "--level", "市级", "--kind", "批办",
           "--date", "2026-10-20", "--title", "稳就业", "--unit", "区人力资源和社会保障局", "--unit", "区财政局",
           "--due", "2026-11-10"]
    done = runner.invoke(app, add)
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "已登记领导批示：领导批示.xlsx 第2行 《稳就业》 李市长（新建 inputs/领导批示.xlsx）。"
    row = [c.value for c in load_workbook(ws.inputs / "领导批示.xlsx").active[2]]
    assert row[1] == "稳就业" and row[8] == "区人社局、区财政局"
    listed = runner.invoke(app, ["instructions", "-w", str(ws.root), "--year", "2026", "--today", "2026-11-01"])
    assert "2026年领导批示 1 条（截至2026-11-01）：未到期 1" in listed.output
    refused = runner.invoke(app, add[:7] + ["部级"] + add[8:])
    assert refused.exit_code == 1
    assert "级别“部级”不对：应为 区级/市级/省级 之一（见 bulletin.toml 的 [scoring.instructions.levels]）" in refused.output
    (row,) = [a for a in accounts.audit(ws, None) if a.action == "登记领导批示"]
    assert row.actor.startswith("命令行") and row.role == "管理"


def test_feedback_from_the_command_line_is_audited(tmp_path):
    """`bulletin instructions feedback ROW` writes the same two cells as the workbench's form and, like it, leaves
    a row in the audit table (记录批示反馈, 命令行): the register's history is one, whichever door was used."""
    ws = make_workspace(tmp_path / "office").ws
    add = ["instructions", "add", "-w", str(ws.root), "--leader", "李市长", "--level", "市级", "--kind", "批办",
           "--date", "2026-10-20", "--title", "稳就业", "--unit", "区人社局", "--due", "2026-11-10"]
    assert runner.invoke(app, add).exit_code == 0
    done = runner.invoke(app, ["instructions", "feedback", "2", "-w", str(ws.root), "--text", "已落实 三项 措施",
                               "--date", "2026-11-12"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "已记录 领导批示.xlsx 第2行 《稳就业》 的反馈（2026-11-12）：逾期反馈。"
    row = {c.value: i for i, c in enumerate(load_workbook(ws.inputs / "领导批示.xlsx").active[1])}
    cells = [c.value for c in load_workbook(ws.inputs / "领导批示.xlsx").active[2]]
    assert cells[row["反馈情况"]] == "已落实 三项 措施" and f"{cells[row['反馈日期']]:%Y-%m-%d}" == "2026-11-12"
    (audited,) = [a for a in accounts.audit(ws, None) if a.action == "记录批示反馈"]
    assert audited.actor.startswith("命令行") and audited.month == "2026-10"
    assert audited.details == "第2行 《稳就业》：已落实 三项 措施"
    empty = runner.invoke(app, ["instructions", "feedback", "2", "-w", str(ws.root), "--text", "  "])
    assert empty.exit_code == 1 and "反馈情况不能为空" in empty.output
    missing = runner.invoke(app, ["instructions", "feedback", "9", "-w", str(ws.root), "--text", "x"])
    assert missing.exit_code == 1 and "第9行不是一条可用的批示" in missing.output
