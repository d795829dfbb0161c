"""The unit roster (inputs/units.csv) and how unit names are recognised."""

from __future__ import annotations

import pytest

from bulletin.intake.roster import (
    Roster,
    looks_like_unit,
    normalize,
    strip_decoration,
)

CSV = "单位名称,别名\n区人社局,区人力资源和社会保障局；人社局\n\n区教体局,区教育局、区教育体育局\n,无名\n区财政局,\n"


@pytest.fixture
def roster(tmp_path) -> Roster:
    path = tmp_path / "units.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    return Roster.load(path)


def test_load_header_aliases_blank_and_nameless_rows(roster):
    assert roster.resolve("区人力资源和社会保障局") == "区人社局"
    assert roster.resolve("人社局") == "区人社局"
    assert roster.resolve("区教育体育局") == "区教体局"
    assert roster.resolve("区财政局") == "区财政局"
    assert roster.resolve("单位名称") is None  # the header is not a unit
    assert roster.problems == ["units.csv 第5行：缺少单位名称，已跳过。"]


@pytest.mark.parametrize("text", ["（区人社局供稿）", "供稿单位：区人社局", "——区人社局", "【区人社局】", "区 人 社 局",
                                  "区人社局供稿", "(区人社局供稿)"])
def test_decorated_names_resolve(roster, text):
    assert roster.resolve(text) == "区人社局"


def test_full_width_and_spaces_fold():
    assert normalize("区　ＡＢＣ局 １") == "区ABC局1"
    assert strip_decoration("（ 区财政局 供稿 ）") == "区财政局"


def test_match_prefers_roster_then_look(roster):
    assert roster.match("区教育局") == ("区教体局", True)
    assert roster.match("区统计局") == ("区统计局", False)
    assert roster.match("今年以来，我局扎实推进各项工作。") is None


@pytest.mark.parametrize("text, expected", [("区统计局", True), ("解放街道", True), ("区委", True),
                                            ("今年以来，我局扎实推进。", False), ("局", False), ("区" * 30 + "局", False)])
def test_looks_like_unit(text, expected):
    assert looks_like_unit(text) is expected


def test_gbk_roster_from_excel(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("单位名称,别名\n区医保局,区医疗保障局\n".encode("gbk"))
    assert Roster.load(path).resolve("区医疗保障局") == "区医保局"


def test_alias_of_two_units_is_reported(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("区教体局,区教育局\n区教科局,区教育局\n", encoding="utf-8")
    roster = Roster.load(path)
    assert roster.resolve("区教育局") == "区教体局"
    assert roster.problems == ["units.csv 第2行：“区教育局”已是“区教体局”的名称或别名，仍按“区教体局”处理。"]


def test_unreadable_roster_does_not_stop_anything(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(b"\x00\xff\xfe" * 100)
    roster = Roster.load(path)
    assert not roster and "无法读取" in roster.problems[0]


def test_missing_roster_is_empty(tmp_path):
    roster = Roster.load(tmp_path / "units.csv")
    assert not roster and roster.problems == [] and roster.match("区统计局") == ("区统计局", False)


def test_template_syntax_in_names_is_just_text(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("区{{ 7*7 }}局,{% for %}\n", encoding="utf-8")
    roster = Roster.load(path)
    assert roster.resolve("区{{7*7}}局") == "区{{ 7*7 }}局" and roster.resolve("{% for %}") == "区{{ 7*7 }}局"


def test_roster_problems_reach_the_report(office):
    (office.root / "inputs" / "units.csv").write_text("区人社局,区人社\n,空\n", encoding="utf-8")
    office.draft("1.docx", title="稿件", unit_line="区人社局")
    report = office.compile().report_path.read_text(encoding="utf-8")
    assert "units.csv 第2行：缺少单位名称，已跳过。" in report
