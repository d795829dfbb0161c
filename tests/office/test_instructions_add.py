"""领导批示 written from the workbench (issue 26): `add_instruction` appends one checked row to the office's own
inputs/领导批示.xlsx (or creates it), `feedback` records 反馈 on a row the page showed, `replace_register` takes
a whole uploaded register and keeps the old one. Every value below is worked out by hand.

The office's register (make_register): a merged title row, then the header in office words with NO 报送单位 and
NO 批示内容 column (A..J: 期数 信息标题 批示领导 批示级别 批示类别 批示日期 承办单位 反馈时限 落实情况 反馈日期),
one instruction in row 3 (第64期《就业帮扶见实效》 李市长 市级·批办 2026-10-20, 落实 区人社局, due 2026-11-10,
no feedback), a note in N3 outside the register, a yellow fill on B3, and a second sheet 填表说明.

Adding 第65期《老旧小区改造开工》 (王副区长 区级·指导 2026-11-05, 报送 区住建局, 落实 区住建局、区财政局, due
2026-11-20, 批示内容 given) writes row 4; 报送单位 and 批示内容 become new header cells K2 and L2 (the order of
the canonical columns: 报送单位 comes before 批示内容). On 2026-11-15: row 3 逾期未反馈 (11-15 > 11-10), row 4
未到期. Feedback on row 4 dated 2026-11-18 (<= 11-20): 已反馈.
"""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill
from workspace_kit import make_workspace

from bulletin.core.errors import BulletinError
from bulletin.intake.instructions import FILE_NAME, HEADERS
from bulletin.office import accounts
from bulletin.office.instructions import (
    CLOSE_IT,
    add_instruction,
    feedback,
    history_dir,
    listing,
    replace_register,
)

OFFICE_HEADER = ["期数", "信息标题", "批示领导", "批示级别", "批示类别", "批示日期", "承办单位", "反馈时限", "落实情况", "反馈日期"]
NEW = dict(number="65", title="老旧小区改造开工", source_unit="区住建局", leader="王副区长", level="区级", kind="指导",
           day="2026-11-05", text="抓紧推进，按期完工。", units=["区住建局", "区财政局"], due="2026-11-20")


def make_register(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "批示台账"
    sheet["A1"] = "2026年领导批示登记表"
    sheet.merge_cells("A1:F1")
    sheet.append(OFFICE_HEADER)  # row 2
    sheet.append([64, "就业帮扶见实效", "李市长", "市级", "批办", date(2026, 10, 20), "区人社局", date(2026, 11, 10)])
    sheet["B3"].fill = PatternFill("solid", fgColor="FFF2CC")
    sheet["N3"] = "电话催办过"
    notes = book.create_sheet("填表说明")
    notes["A1"] = "日期写成 2026-10-15"
    book.save(path)


@pytest.fixture
def office(tmp_path):
    return make_workspace(tmp_path / "office").ws


def test_a_row_appended_to_the_offices_register_keeps_everything_else(office):
    path = office.inputs / FILE_NAME
    make_register(path)
    added = add_instruction(office, actor="张三", **NEW)
    assert (added.row, added.created) == (4, False)
    assert added.line() == "已登记领导批示：领导批示.xlsx 第4行 第65期《老旧小区改造开工》 王副区长。"

    book = load_workbook(path)
    assert book.sheetnames == ["批示台账", "填表说明"]
    sheet = book["批示台账"]
    assert sheet["A1"].value == "2026年领导批示登记表" and "A1:F1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]][:12] == OFFICE_HEADER + ["报送单位", "批示内容"]
    three = [c.value for c in sheet[3]]
    assert three[:5] + [three[6]] == [64, "就业帮扶见实效", "李市长", "市级", "批办", "区人社局"]
    assert (three[5].date(), three[7].date(), three[8:12]) == (date(2026, 10, 20), date(2026, 11, 10), [None] * 4)
    assert sheet["N3"].value == "电话催办过"
    assert book["填表说明"]["A1"].value == "日期写成 2026-10-15"
    row = [c.value for c in sheet[4]][:12]
    assert row[:5] == [65, "老旧小区改造开工", "王副区长", "区级", "指导"]
    assert row[5].date() == date(2026, 11, 5) and row[7].date() == date(2026, 11, 20)
    assert row[6] == "区住建局、区财政局" and row[8:] == [None, None, "区住建局", "抓紧推进，按期完工。"]
    assert sheet["F4"].number_format == "yyyy-mm-dd"
    assert sheet["B4"].fill.fgColor.rgb == "00FFF2CC"  # the style of the row above

    listed = listing(office, 2026, date(2026, 11, 15))
    states = [(s.instruction.row, s.instruction.item, s.state) for s in listed.scored]
    assert states == [(3, "第64期《就业帮扶见实效》", "逾期未反馈"), (4, "第65期《老旧小区改造开工》", "未到期")]
    assert listed.counts() == {"已反馈": 0, "逾期反馈": 0, "未到期": 1, "逾期未反馈": 1, "无需反馈": 0}
    four = listed.scored[1].instruction
    assert (four.units, four.source_unit, four.text) == (("区住建局", "区财政局"), "区住建局", "抓紧推进，按期完工。")

    said = feedback(office, 4, four.key, "  已开工18个小区。 ", "2026-11-18", actor="张三")
    assert said == "已记录 领导批示.xlsx 第4行 第65期《老旧小区改造开工》 的反馈（2026-11-18）：已反馈。"
    listed = listing(office, 2026, date(2026, 11, 15))
    assert [s.state for s in listed.scored] == ["逾期未反馈", "已反馈"]
    assert listed.scored[1].instruction.feedback == "已开工18个小区。"
    # the key of row 4 is not the key of row 3: a stale page is refused, nothing written
    with pytest.raises(BulletinError, match="已被改动（第3行不再是页面上的那条批示）"):
        feedback(office, 3, four.key, "x", "2026-11-18", actor="张三")

    actions = [(a.actor, a.action, a.month) for a in accounts.audit(office, None)][::-1]
    assert actions[-2:] == [("张三", "登记领导批示", "2026-11"), ("张三", "记录批示反馈", "2026-11")]


def test_the_register_is_created_with_the_canonical_header(office):
    path = office.inputs / FILE_NAME
    added = add_instruction(office, actor="张三", title="=HYPERLINK(\"http://x\")", leader="刘副市长",
                            level="市领导", kind="参阅件", day="2026年12月1日", text="", units=(), due="")
    assert (added.row, added.created) == (2, True)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == list(HEADERS)
    assert [c.value for c in sheet[1]] == ["期号", "标题", "报送单位", "领导", "级别", "类别", "日期", "批示内容",
                                           "落实单位", "反馈期限", "反馈情况", "反馈日期"]
    values = [c.value for c in sheet[2]]
    assert values[:6] == [None, "=HYPERLINK(\"http://x\")", None, "刘副市长", "市级", "参阅"]
    assert values[6].date() == date(2026, 12, 1) and values[7:] == [None] * 5
    assert sheet["B2"].data_type == "s"  # text, never a formula
    listed = listing(office, 2026, date(2026, 12, 2))
    assert [(s.instruction.row, s.state) for s in listed.scored] == [(2, "无需反馈")]
    # the next one goes under it
    assert add_instruction(office, actor="张三", **NEW).row == 3


@pytest.mark.parametrize(("change", "reason"), [
    ({"units": ["区住建局", "区水利局"]}, "落实单位“区水利局”不在单位名册（inputs/units.csv）中"),
    ({"source_unit": "市住建局"}, "报送单位“市住建局”不在单位名册"),
    ({"level": "部级"}, "级别“部级”不对：应为 区级/市级/省级 之一"),
    ({"kind": "表扬"}, "类别“表扬”不对：应为 批办/指导/参阅 之一"),
    ({"day": "2026-13-40"}, "批示日期“2026-13-40”无法识别"),
    ({"day": ""}, "请填写批示日期"),
    ({"due": "下周"}, "反馈期限“下周”无法识别"),
    ({"due": "2026-11-01"}, "反馈期限 2026-11-01 早于批示日期 2026-11-05"),
    ({"units": [], "due": "2026-11-20"}, "填写了反馈期限，请同时选择落实单位"),
    ({"text": "批" * 2001}, "批示内容过长：最多 2000 个字（现有 2001 个）"),
    ({"title": "题" * 201}, "标题过长：最多 200 个字（现有 201 个）"),
    ({"leader": " "}, "请填写批示领导"),
    ({"number": "", "title": ""}, "请填写期号或标题"),
    ({"number": "六十五"}, "期号“六十五”应为数字"),
])
def test_refusals_write_nothing(office, change, reason):
    path = office.inputs / FILE_NAME
    make_register(path)
    before = path.read_bytes()
    with pytest.raises(BulletinError) as refused:
        add_instruction(office, actor="张三", **(NEW | change))
    assert reason in str(refused.value)
    assert path.read_bytes() == before
    assert not any(a.action == "登记领导批示" for a in accounts.audit(office, None))


def test_a_register_open_in_excel_is_named(office, monkeypatch):
    def locked(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("bulletin.office.instructions.write_atomic", locked)
    with pytest.raises(BulletinError) as refused:
        add_instruction(office, actor="张三", **NEW)
    assert str(refused.value) == "无法写入 领导批示.xlsx：请先在 Excel/WPS 中关闭该文件后重试。" == CLOSE_IT


def test_replace_register_keeps_the_old_one_and_refuses_what_it_cannot_read(office, tmp_path):
    path = office.inputs / FILE_NAME
    make_register(path)
    old = path.read_bytes()
    # no header in the first rows: refused, the register untouched
    book = Workbook()
    book.active.append(["随便", "一张", "表"])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(BulletinError, match="bad.xlsx：前几行中找不到表头"):
        replace_register(office, (tmp_path / "bad.xlsx").read_bytes(), actor="张三", name="bad.xlsx")
    with pytest.raises(BulletinError, match="不是 .xlsx 文件"):
        replace_register(office, b"\xd0\xcf\x11\xe0 an old .xls", actor="张三", name="旧.xls")
    with pytest.raises(BulletinError, match="过大（上限 5 MB）"):
        replace_register(office, b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024), actor="张三", name="大.xlsx")
    assert path.read_bytes() == old and not history_dir(office).exists()

    # a good one: two instructions, one with an unknown 落实单位 (noted, kept)
    book = Workbook()
    sheet = book.active
    sheet.append(["标题", "领导", "级别", "类别", "日期", "落实单位", "反馈期限"])
    sheet.append(["稳就业", "李市长", "市级", "批办", "2026-10-20", "区人社局", "2026-11-10"])
    sheet.append(["保供暖", "王副区长", "区级", "指导", "2026-11-02", "区水利局", "2026-11-30"])
    book.save(tmp_path / "新登记表.xlsx")
    new = (tmp_path / "新登记表.xlsx").read_bytes()
    lines = replace_register(office, new, actor="张三", name="新登记表.xlsx")
    (kept,) = history_dir(office).iterdir()
    assert kept.name.endswith("-领导批示.xlsx") and kept.read_bytes() == old and path.read_bytes() == new
    assert lines[0] == "已替换 inputs/领导批示.xlsx（新登记表.xlsx）：可用批示 2 条。"
    assert lines[1] == f"原登记表已保存为 .bulletin/instructions-history/{kept.name}。"
    # (the reader's "有反馈期限但没有落实单位" is only for an empty 落实单位 cell: one problem here)
    assert lines[2:] == ["注意：领导批示.xlsx 第3行：落实单位“区水利局”不在单位名册（units.csv）中，不提醒、不计反馈"]
    (row,) = [a for a in accounts.audit(office, None) if a.action == "上传领导批示登记表"]
    assert row.actor == "张三" and row.details.startswith("新登记表.xlsx：2 条，1 处问题；原登记表存为 .bulletin/")
