"""A notice row's 单位名称 cell is printed as the office wrote it (tests/layout/test_properties.py: random text comes
out literally). Issue 23 item 8 split the cell on 、，,；; to check each unit against the roster, and then printed
the split names joined again: "0;" came out "0", "甲，乙" as "甲、乙", a name written twice once. The split is for
the check and for "who was praised" (units_named); the printed cell keeps the writer's separators, spaces and
repeats, and only a name the roster knows by an alias is printed with the roster's name."""

from __future__ import annotations

import draft_factory as f
import pytest

from bulletin.intake.notices import read_notices, units_named
from bulletin.intake.roster import Roster

ROSTER = """\
单位名称,别名
区财政局,
区住建局,区住房和城乡建设局
市交警支队直属大队,交警直属大队
"""


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return Roster.load(path)


def test_the_unit_cell_is_printed_as_written_with_the_rosters_names(tmp_path, roster):
    f.make_notice_sheet(tmp_path / "notices.xlsx", [
        ("0;", "按时报送", "通报表扬", ""),
        ("区财政局; 区住房和城乡建设局", "预算绩效评价", "通报表扬", ""),
        ("区住房和城乡建设局，交警直属大队、", "工地周边交通整治", "通报表扬", ""),
        ("区城管局、区城管局", "占道经营整治", "通报批评", ""),
        ("区住房和城乡建设局", "质量安全检查", "通报表扬", ""),
    ])
    sheet = read_notices(tmp_path, roster)
    assert [r.unit for r in sheet.rows] == [
        "0;",
        "区财政局; 区住建局",
        "区住建局，市交警支队直属大队、",
        "区城管局、区城管局",
        "区住建局",
    ]
    # the check still reads each name on its own
    assert sheet.problems == [
        "notices.xlsx 第2行单位“0”不在单位名册中，请核对（已照录）",
        "notices.xlsx 第5行单位“区城管局”不在单位名册中，请核对（已照录）",
    ]
    assert [units_named(r.unit, roster) for r in sheet.rows] == [
        ["0"], ["区财政局", "区住建局"], ["区住建局", "市交警支队直属大队"], ["区城管局"], ["区住建局"]]


def test_other_cells_are_never_split(tmp_path, roster):
    f.make_notice_sheet(tmp_path / "notices.xlsx", [("区财政局", "甲、乙；丙;", "通报表扬", "备注,；、")])
    (row,) = read_notices(tmp_path, roster).rows
    assert (row.unit, row.matter, row.remark) == ("区财政局", "甲、乙；丙;", "备注,；、")
