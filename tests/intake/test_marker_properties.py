"""Property tests (Hypothesis) over the 督查 returned-sheet marker reader: `marker_of_bytes`
(bulletin/intake/returnsheets.py) over `small_cells` (bulletin/core/sheetsafety.py).

Every attachment of the submission mailbox and every file in 反馈/ passes through it to learn whether it is one of
our returned sheets, so it meets anything: a Word draft, a photo, a damaged zip, a workbook another program wrote,
a sheet a unit edited by hand. Whatever it gets it answers (round, unit) or None, never raises, and reads only
the cells it was asked for (rows 1..max_rows, columns 1..max_columns) within the byte bounds it promises:

- random bytes, with and without a zip's magic;
- random zips whose members are the parts of a workbook, each one valid, truncated, replaced by random bytes or
  by markup with hostile pieces (a DOCTYPE with an entity, huge or negative row numbers, cell references with no
  row or row 0, shared-string indexes past the end or written in other digits);
- valid workbooks (written here part by part, with shared and inline strings, rows and cells with or without
  their `r` attributes) whose marker sheet holds random cells: the answer is then worked out from the cells
  written, independently of the reader.

Small budget in the suite; `FUZZ_EXAMPLES=5000 bash tools/fuzz.sh` runs them longer.
"""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from xlsx_parts import sheet_of_rows, sheet_xml, workbook, zipped

from bulletin.core.sheetsafety import small_cells
from bulletin.intake.returnsheets import MARKER_KIND, MARKER_SHEET, marker_of_bytes

BUDGET = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PEAK_BYTES = 16 * 1024 * 1024  # the reader on an input of a few KB; a bomb would take hundreds of MB

# Text a unit may type into a cell (XML 1.0 characters only: a workbook cannot hold others).
cell_text = st.text(
    alphabet=st.one_of(st.sampled_from(list("kindroundunit区人社局2026-10督查 \t,;：、<>&\"'")),
                       st.characters(blacklist_categories=("Cs", "Cc"))),
    max_size=30,
)


def marker_workbook(cells: list[list], *, with_refs: bool, inline: bool) -> bytes:
    """A 任务 sheet and the marker sheet holding `cells` (rows of values; None = no cell)."""
    shared: list[str] = []
    marker = sheet_of_rows(cells, with_refs=with_refs, inline=inline, shared=shared)
    task = sheet_xml(['<row r="1"><c r="A1" t="inlineStr"><is><t>任务</t></is></c></row>'])
    return zipped(workbook([("任务", task), (MARKER_SHEET, marker)], shared))


def shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def expected_marker(cells: list[list]) -> tuple[str, str] | None:
    """The rule, worked out from the cells written: the first ten rows; a label in column A (its first
    occurrence counts) gives the value in column B; kind must be ours and unit non-empty."""
    values: dict[str, str] = {}
    for row in cells[:10]:
        label = shown(row[0]) if row else ""
        if label:
            values.setdefault(label, shown(row[1]) if len(row) > 1 else "")
    if values.get("kind") != MARKER_KIND or not values.get("unit"):
        return None
    return values.get("round", ""), values["unit"]


def bounded_call(function, *args, **kwargs):
    """The call's result, checked to stay within PEAK_BYTES of memory."""
    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, peak
    return result


def check_answer(data: bytes) -> None:
    answer = bounded_call(marker_of_bytes, data)
    assert answer is None or (isinstance(answer, tuple) and len(answer) == 2
                              and all(isinstance(part, str) for part in answer) and answer[1])
    cells = bounded_call(small_cells, data, MARKER_SHEET, max_rows=10, max_columns=2)
    assert cells is None or all(1 <= row <= 10 and 1 <= column <= 2 and isinstance(text, str)
                                for (row, column), text in cells.items()), cells


# -- random bytes -------------------------------------------------------------------------------------------------
@BUDGET
@given(data=st.one_of(st.binary(max_size=2000), st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b)))
def test_random_bytes_are_not_a_marker(data):
    assert bounded_call(marker_of_bytes, data) is None


# -- random zips made of a workbook's parts -------------------------------------------------------------------------
HOSTILE = [
    '<!DOCTYPE x [<!ENTITY e "kind">]>',
    "&e;",
    '<row r="0"><c><v>1</v></c></row>',
    '<row r="-3"><c t="inlineStr"><is><t>kind</t></is></c></row>',
    '<row r="99999999999999999999"><c r="A1"><v>1</v></c></row>',
    '<row r="abc"><c r="A1"><v>1</v></c></row>',
    '<row r="2"><c r="A0" t="inlineStr"><is><t>unit</t></is></c><c r="B0" t="inlineStr"><is><t>x</t></is></c></row>',
    '<c r="XFD1048576" t="inlineStr"><is><t>unit</t></is></c>',
    '<c r="A1" t="s"><v>999999999</v></c>',
    '<c r="A1" t="s"><v>\u0661</v></c>',  # an Arabic-Indic digit: str.isdigit, and int() reads it
    '<c r="A1" t="s"><v>\u00b2</v></c>',  # a superscript two: str.isdigit, but int() refuses it
    '<c r="B1" t="s"><v>-1</v></c>',
    "<sheetData>", "</sheetData>", "<si><t>kind</t></si>", '<sheet name="bulletin-marker" r:id="rId9"/>',
    '<Relationship Id="rId2" Type="x/worksheet" Target="../../../../etc/passwd"/>',
    '<Relationship Id="rId2" Type="x/worksheet" Target="/xl/worksheets/sheet1.xml" TargetMode="External"/>',
    "\x00",
]
HOSTILE_BYTES = [piece.encode("utf-8") for piece in HOSTILE] + [b"\xed\xb2\x80", b"\xff\xfe<", b"\xc0"]  # not UTF-8


def good_parts() -> dict[str, bytes]:
    cells = [["kind", MARKER_KIND], ["round", "2026-10"], ["unit", "区人社局"]]
    with zipfile.ZipFile(io.BytesIO(marker_workbook(cells, with_refs=True, inline=False))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


GOOD = good_parts()


@st.composite
def mutated_workbook(draw) -> bytes:
    parts = dict(GOOD)
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(parts) + ["xl/worksheets/sheet9.xml", "xl/sharedStrings2.xml"]))
        how = draw(st.sampled_from(["drop", "truncate", "random", "insert", "replace"]))
        data = parts.get(name, b"")
        if how == "drop":
            parts.pop(name, None)
        elif how == "truncate":
            parts[name] = data[:draw(st.integers(0, max(len(data) - 1, 0)))]
        elif how == "random":
            parts[name] = draw(st.binary(max_size=300))
        elif how == "insert":
            at = draw(st.integers(0, len(data)))
            piece = draw(st.sampled_from(HOSTILE_BYTES))
            parts[name] = data[:at] + piece + data[at:]
        else:
            old = draw(st.sampled_from([b"rId2", b"r=\"3\"", b"unit", b"kind", b"<v>", b"t=\"s\"", b"sheet",
                                        b"bulletin-marker", b"<row", b"</c>"]))
            parts[name] = data.replace(old, draw(st.sampled_from(HOSTILE_BYTES)))
    return zipped(parts)


@BUDGET
@given(data=mutated_workbook())
def test_a_damaged_or_hostile_workbook_gives_none_or_a_marker_never_an_error(data):
    check_answer(data)


def test_the_hostile_rows_and_cells_are_not_read_outside_the_sheet():
    """Found by the property above: a `<row r="0">` (or a negative one) holding cells without references put
    them at row 0 / -3, outside the rows asked for; so did `A0`. Excel numbers rows from 1: such cells are no
    cells of the sheet and are left out."""
    rows = ['<row r="0"><c t="inlineStr"><is><t>kind</t></is></c>'
            f'<c t="inlineStr"><is><t>{MARKER_KIND}</t></is></c></row>',
            '<row r="-3"><c t="inlineStr"><is><t>unit</t></is></c><c t="inlineStr"><is><t>区人社局</t></is></c></row>',
            '<row r="2"><c r="A0" t="inlineStr"><is><t>round</t></is></c><c r="B0" t="inlineStr"><is><t>x</t></is></c></row>']
    data = zipped(workbook([(MARKER_SHEET, sheet_xml(rows))], []))
    assert small_cells(data, MARKER_SHEET, max_rows=10, max_columns=2) == {}
    assert marker_of_bytes(data) is None


# -- valid workbooks with random cells in the marker sheet -----------------------------------------------------------
cell_value = st.one_of(st.none(), cell_text, st.sampled_from(["kind", "round", "unit", MARKER_KIND]),
                       st.integers(-10**6, 10**6), st.booleans())


@BUDGET
@given(cells=st.lists(st.lists(cell_value, max_size=4), max_size=14), with_refs=st.booleans(), inline=st.booleans(),
       head=st.lists(st.sampled_from([["kind", MARKER_KIND], ["round", "2026-10"], ["unit", "区人社局"]]), max_size=3))
@example(cells=[], with_refs=True, inline=False, head=[["kind", MARKER_KIND], ["unit", "区人社局"]])
@example(cells=[["unit", ""], ["kind", MARKER_KIND], ["unit", "区财政局"]], with_refs=False, inline=True, head=[])
@example(cells=[["unit", "区人社局"]] + [["第n行"]] * 9 + [["kind", MARKER_KIND]], with_refs=True, inline=True,
         head=[])  # the kind in the eleventh row: not read
@example(cells=[["说明", "unit"]], with_refs=True, inline=False, head=[["kind", MARKER_KIND]])  # labels: column A only
@example(cells=[["round"], ["kind", MARKER_KIND], ["unit", "区人社局"]], with_refs=True, inline=False, head=[])
@example(cells=[["kind", "其他"], ["unit", "区人社局"]], with_refs=True, inline=True, head=[])
def test_a_valid_workbook_gives_the_marker_its_cells_say(cells, with_refs, inline, head):
    rows = head + cells
    data = marker_workbook(rows, with_refs=with_refs, inline=inline)
    check_answer(data)
    assert marker_of_bytes(data) == expected_marker(rows)


def test_the_marker_of_a_sheet_the_product_writes_is_read():
    """The oracle agrees with the product on its own sheet (bulletin/supervision/sheets.py)."""
    from datetime import date

    from bulletin.supervision.sheets import unit_sheet_bytes

    data = unit_sheet_bytes("2026-10", "区人社局", [], date(2026, 10, 31))
    assert marker_of_bytes(data) == ("2026-10", "区人社局")


def test_a_sheet_mailed_without_a_sender_is_held_and_says_so():
    """The reason printed when the mail had no usable sender (killed a surviving mutant of untrusted_reason)."""
    from bulletin.intake.returnsheets import untrusted_reason

    assert untrusted_reason("区人社局", "", None) == (
        "发件邮箱 （无） 不是区人社局在单位名册中登记的邮箱，反馈表已放入待核实，由办公室核实后使用；请用登记的邮箱发送")
    assert untrusted_reason("区人社局", "x@a.cn", "区人社局") is None
