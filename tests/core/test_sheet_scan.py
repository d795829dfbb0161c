"""read_sheet (core/sheetsafety.py) on worksheets written the way other producers write them: rows and cells with
or without their `r` references, shared or inline strings, empty styled cells. The scan that bounds what openpyxl
reads must find the same used range either way, or rows are lost. Mutation testing showed the scan's handling of
rows and cells without references unchecked (openpyxl, which every other test used to write sheets, always writes
them), and the bounds unchecked at their exact values. Small budget in the suite; tools/fuzz.sh runs it longer."""

from __future__ import annotations

import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsx_parts import sheet_of_rows, workbook, zipped

from bulletin.core.sheetsafety import SheetRefused, read_sheet

BUDGET = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])
value = st.one_of(st.none(), st.integers(-10**6, 10**6), st.booleans(),
                  st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs")), min_size=1, max_size=8))


def book(cells: list[list], *, with_refs: bool, inline: bool) -> bytes:
    shared: list[str] = []
    return zipped(workbook([("任务", sheet_of_rows(cells, with_refs=with_refs, inline=inline, shared=shared))], shared))


def used(cells: list[list]) -> list[tuple]:
    """The grid up to the last row and the last column holding something, padded with None."""
    rows = max((r + 1 for r, row in enumerate(cells) if any(v is not None for v in row)), default=0)
    columns = max((c + 1 for row in cells for c, v in enumerate(row) if v is not None), default=0)
    return [tuple(row[c] if c < len(row) else None for c in range(columns)) for row in cells[:rows]]


@BUDGET
@given(cells=st.lists(st.lists(value, max_size=5), max_size=8), with_refs=st.booleans(), inline=st.booleans())
def test_the_values_read_are_the_cells_written_with_or_without_references(cells, with_refs, inline):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        got = read_sheet(book(cells, with_refs=with_refs, inline=inline), 0)
    assert got.title == "任务" and got.rows == used(cells)


@pytest.mark.parametrize("with_refs", [True, False])
def test_the_bounds_hold_to_the_cell(with_refs):
    data = book([["a", None, 3], [None], [True, "中", None, None]], with_refs=with_refs, inline=False)
    assert read_sheet(data, 0, max_rows=3, max_columns=3).rows == [("a", None, 3), (None, None, None), (True, "中", None)]
    tail = "疑似异常文件，未读取；请删除该单元格或把内容复制到新表格中另存为 .xlsx 后重试"
    with pytest.raises(SheetRefused) as raised:
        read_sheet(data, 0, max_rows=2)
    assert str(raised.value) == f"表格：工作表“任务”的单元格 A3 超出可读取的范围（最多 2 行、BL 列），{tail}"
    with pytest.raises(SheetRefused) as raised:
        read_sheet(data, 0, max_columns=2, name="任务清单.xlsx")
    assert str(raised.value) == f"任务清单.xlsx：工作表“任务”的单元格 C1 超出可读取的范围（最多 10000 行、B 列），{tail}"
    with pytest.raises(SheetRefused) as raised:
        read_sheet(data, "汇总")
    assert str(raised.value) == "表格 中没有工作表“汇总”"


def test_a_formula_cell_gives_the_value_excel_saved_not_the_formula():
    """A notice or task sheet may compute a cell (=A1&"局"): the value shown in Excel is what counts."""
    from xlsx_parts import sheet_xml

    data = zipped(workbook([("任务", sheet_xml(['<row r="1"><c r="A1"><f>1+1</f><v>2</v></c>'
                                                 '<c r="B1" t="str"><f>"区"&amp;"财政局"</f><v>区财政局</v></c></row>']))],
                           []))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert read_sheet(data, 0).rows == [(2, "区财政局")]
