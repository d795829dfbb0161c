"""Issue 23 item 8: a notice row may name several units.

The real bulletins' notice tables hold rows such as "区财政局、市交警支队直属大队 | 联合开展…… | 通报表扬". Such a
row was checked as ONE unit name and flagged "不在单位名册中" although both units are in the roster. The rule
(bulletin/intake/notices.py): the unit cell is split on 、，,；; each name is resolved through the roster (an
alias becomes the roster's name) and only the names that are truly unknown are flagged; the row is printed as
one row, as written but for the roster's names (tests/intake/test_notice_unit_cell.py).
"""

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


def test_a_row_naming_two_units_is_not_flagged(tmp_path, roster):
    f.make_notice_sheet(tmp_path / "notices.xlsx", [
        ("区财政局、市交警支队直属大队", "联合开展非税收入清缴", "通报表扬", ""),
        ("区住房和城乡建设局，交警直属大队", "工地周边交通整治", "通报表扬", ""),
        ("区财政局; 区住建局", "预算绩效评价", "通报表扬", ""),
    ])
    sheet = read_notices(tmp_path, roster)
    assert sheet.problems == []
    assert [r.unit for r in sheet.rows] == [
        "区财政局、市交警支队直属大队",
        "区住建局，市交警支队直属大队",  # aliases become the roster's names, the separators stay as written
        "区财政局; 区住建局",
    ]


def test_only_the_unknown_name_of_a_row_is_flagged(tmp_path, roster):
    f.make_notice_sheet(tmp_path / "notices.xlsx", [
        ("区财政局、区城管局", "联合执法", "通报表扬", ""),
        ("区城管局", "占道经营整治", "通报批评", ""),
    ])
    sheet = read_notices(tmp_path, roster)
    assert [r.unit for r in sheet.rows] == ["区财政局、区城管局", "区城管局"]
    assert sheet.problems == [
        "notices.xlsx 第2行单位“区城管局”不在单位名册中，请核对（已照录）",
        "notices.xlsx 第3行单位“区城管局”不在单位名册中，请核对（已照录）",
    ]


def test_units_named_by_a_cell(roster):
    assert units_named("区财政局、市交警支队直属大队", roster) == ["区财政局", "市交警支队直属大队"]
    assert units_named(" 区住房和城乡建设局 ，, 区财政局；", roster) == ["区住建局", "区财政局"]
    assert units_named("区财政局、区财政局", roster) == ["区财政局"]
    assert units_named("区城管局", roster) == ["区城管局"]
    assert units_named("", roster) == []
