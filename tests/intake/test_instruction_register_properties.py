"""Issue 26: the 领导批示 register is outside input typed by hand in Excel. Hypothesis over its cells (text of any
script, numbers, dates, date-like strings, booleans, blanks; a title row above the header or not; the header's
synonyms): reading never raises, every problem names the file and a row that holds something, and every row that
holds something is either read or named as left out ("未计入"). The state on any day is one of the five words.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings, strategies as st
from openpyxl import Workbook

from bulletin.core.config import INSTRUCTION_KINDS, INSTRUCTION_LEVELS
from bulletin.intake.instructions import STATES, read_register
from bulletin.intake.roster import Roster

HEADERS = [("期号", "期数"), ("标题", "信息标题", "事项"), ("领导", "批示领导"), ("级别", "领导级别"),
           ("类别", "批示类别"), ("日期", "批示日期"), ("批示内容",), ("落实单位", "承办单位"), ("反馈期限", "反馈时限"),
           ("反馈情况", "落实情况"), ("反馈日期",), ("报送单位",)]
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).filter(lambda t: not t.startswith("="))
PLAUSIBLE = st.sampled_from(["市级", "省", "区领导", "县级", "批办", "指导性", "参阅件", "第65期", "65", "区人社局",
                             "区人社局、水西镇", "不存在局", "2026-10-15", "2026年13月1日", "2026/2/30", "10月15日",
                             "", " ", "——"])
CELL = st.one_of(st.none(), TEXT, PLAUSIBLE, st.integers(-10**9, 10**9),
                 st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
                 st.dates(date(1950, 1, 1), date(2100, 12, 31)), st.booleans(),
                 st.datetimes(datetime(1950, 1, 1), datetime(2100, 1, 1)))


GOOD = [st.sampled_from([65, "第66期", None]), st.sampled_from(["就业帮扶见实效", "", "《平安建设》"]),
        st.sampled_from(["李市长", "王省长"]), st.sampled_from(["市级", "省", "区领导"]),
        st.sampled_from(["批办", "指导性", "参阅件"]), st.sampled_from([date(2026, 10, 20), "2026年10月20日", 46000]),
        st.sampled_from(["请总结推广。", None]), st.sampled_from(["区人社局", "水西镇、区人力资源和社会保障局", None]),
        st.sampled_from([date(2026, 11, 10), "2026/11/10", None]), st.sampled_from(["已落实", None]),
        st.sampled_from([date(2026, 11, 8), None, "不详"]), st.sampled_from(["区人社局", None])]
ROW = st.one_of(st.lists(CELL, min_size=12, max_size=12),
                st.tuples(*[st.one_of(good, CELL) if n % 3 else good for n, good in enumerate(GOOD)]).map(list))


def roster() -> Roster:
    r = Roster()
    r.add("区人社局", ["区人力资源和社会保障局"])
    r.add("水西镇")
    return r


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data(), title_row=st.booleans(), rows=st.lists(ROW, max_size=8),
       today=st.dates(date(2000, 1, 1), date(2100, 1, 1)))
def test_any_cells_are_read_or_named_by_row(tmp_path, data, title_row, rows, today):
    header = [data.draw(st.sampled_from(names)) for names in HEADERS]
    book = Workbook()
    sheet = book.active
    if title_row:
        sheet.append(["2026年领导批示登记表"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    path = tmp_path / "领导批示.xlsx"
    path.write_bytes(out.getvalue())

    register = read_register(path, roster(), INSTRUCTION_LEVELS, INSTRUCTION_KINDS)

    event(f"rows read: {min(len(register.instructions), 2)}")  # --hypothesis-show-statistics: both kinds occur
    first = 3 if title_row else 2
    holding = {first + n for n, row in enumerate(rows)
               if any(v is not None and " ".join(str(v).split()) != "" for v in row)}
    read = {i.row for i in register.instructions}
    assert read <= holding
    for problem in register.problems:
        assert problem.startswith("领导批示.xlsx 第"), problem
        row_no = int(problem.split("第", 1)[1].split("行", 1)[0])
        assert row_no in holding, problem
    left_out = {int(p.split("第", 1)[1].split("行", 1)[0]) for p in register.problems if "未计入" in p}
    assert read | left_out == holding and not read & left_out
    for i in register.instructions:
        assert i.level in INSTRUCTION_LEVELS and i.kind in INSTRUCTION_KINDS
        assert set(i.units) <= {"区人社局", "水西镇"}
        for day in (today, i.day, i.due or today, (i.due or today) + timedelta(days=1)):
            assert i.state(day) in STATES
        assert len(i.key) == 12


def test_a_sheet_without_the_header_is_one_problem_and_no_file_is_none(tmp_path):
    book = Workbook()
    book.active.append(["单位", "标题", "日期"])
    book.save(tmp_path / "领导批示.xlsx")
    register = read_register(tmp_path / "领导批示.xlsx", roster(), INSTRUCTION_LEVELS, INSTRUCTION_KINDS)
    assert register.found and not register.instructions
    assert len(register.problems) == 1 and "找不到表头" in register.problems[0]
    missing = read_register(tmp_path / "nothing.xlsx", roster(), INSTRUCTION_LEVELS, INSTRUCTION_KINDS)
    assert not missing.found and not missing.problems


def test_a_far_cell_is_refused_by_name_not_read(tmp_path):
    book = Workbook()
    book.active.append(["期号", "标题", "领导", "级别", "类别", "日期"])
    book.active["XFD1048576"] = "x"
    book.save(tmp_path / "领导批示.xlsx")
    register = read_register(tmp_path / "领导批示.xlsx", roster(), INSTRUCTION_LEVELS, INSTRUCTION_KINDS)
    assert not register.instructions and "XFD1048576" in register.problems[0]
