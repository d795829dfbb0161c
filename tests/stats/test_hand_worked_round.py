"""Issue 23 items 6, 7 and 17: the statistics of a realistic round, every figure worked out by hand below.

Rules decided here (README "信息报送统计" says the same):
- 上级采用 counts in the year of its date, whether or not a bulletin was compiled that month (the provincial
  publication takes an item up the month after, and October had no bulletin of its own here).
- A file that could not be used (.doc, .wps…) whose unit is known, from its file name or from the registered
  mailbox it came from, counts as 报送: it is not 未报送 and never draws 通报批评. `[scoring] count_refused`
  decides only whether it earns the 报送 points.
- A unit praised in the month's own notice sheet is never suggested for 通报批评 in that month.
- One word for "not decided yet": 待审 (排名, 月度, 稿件). A unit all of whose items wait for the review shows
  采用 待审 in 排名 and in 月度's 合计采用, never 0; refused files read 未采用, the intake's word.

The round (roster: 区人社局, 区教体局, 区财政局, 区工信局 (mailbox gxj@mail.zg.local), 区行政审批局, 区住建局,
市交警支队直属大队 (alias 交警直属大队)); scoring defaults: 报送 1, 采用 3, 头条 1, 市级 5, 省级 10.

2026-11, compiled and approved:
  1.docx 区人社局 人社就业帮扶 (头条), 2.docx 区财政局 财政直达资金, 3.docx 区人社局 人社欠薪治理: printed;
  区教体局-教体课后服务.doc: refused, unit from the file name;
  工信稿件.wps: refused, sent by gxj@mail.zg.local (区工信局's registered mailbox);
  情况通报.xlsx praises "区财政局、交警直属大队" and 区住建局.
  Silent: 区行政审批局, 区住建局, 市交警支队直属大队.
2026-12, compiled, not decided (pending):
  1.docx 区人社局 人社年终考核, 2.docx 区住建局 住建老旧小区改造; 区工信局-工信年报.wps refused (file name).
  Silent: 区教体局, 区财政局, 区行政审批局, 市交警支队直属大队.
上级采用.xlsx: 区人社局 省级 2026-12-20; 区财政局 市级 2026-10-15 (a month without a bulletin: counts for
2026); 区住建局 市级 2027-01-08 (next year: not in 2026).

Per unit, year 2026      报送        采用          头条  上级       得分                    采用率 (approved months)
  区人社局               2+1 = 3     2 (12 待审)   1     省级 10    3 + 2×3 + 1 + 10 = 20    2/2 = 100%
  区财政局               1           1             0     市级 5     1 + 3 + 5 = 9            1/1 = 100%
  区住建局               1 (12 月)   待审          0     (2027)     1                        none decided
  区工信局               1+1 = 2     0             0                0 (refused: no points)   0/1 = 0%
  区教体局               1           0             0                0 (refused: no points)   0/1 = 0%
  区行政审批局           0           0                              0
  市交警支队直属大队     0           0                              0
Ranks: 20, 9, 1, then four units with 0 share rank 4 (order: 采用, 报送, roster order).
With count_refused = true: 区工信局 2 points, 区教体局 1 point (see the last tests for the ranks).

通报建议 of 2026-11 (praise from 2 printed): 区人社局 praised (2 sent, 2 printed); criticised: 区行政审批局 only
(区住建局 and 市交警支队直属大队 were praised in the month's notice; 区教体局 and 区工信局 sent files).
通报建议 of 2026-12: no praise (pending month: 区人社局 1 in the compile); criticised: 区教体局, 区财政局,
区行政审批局, 市交警支队直属大队 (区工信局 sent a .wps).
"""

from __future__ import annotations

from datetime import date

import draft_factory as f
import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner
from workspace_kit import SETTINGS, make_workspace

from bulletin.cli import app
from bulletin.core.ledger import Ledger
from bulletin.intake.mailledger import MailLedger

runner = CliRunner()
ROSTER = """\
单位名称,别名,邮箱
区人社局,区人力资源和社会保障局,
区教体局,区教育局,
区财政局,,
区工信局,,gxj@mail.zg.local
区行政审批局,,
区住建局,,
市交警支队直属大队,交警直属大队,
"""
SUBJECT = "章贡区“五型”政府建设"


def invoke(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def draft(office, month, name, title, unit, body):
    return office.draft(name, month=month, title=title, unit_line=unit, paragraphs=[body])


def mailed(office, month, file, sender):
    """What `bulletin fetch` records for a file it saved from a message (the mailbox's part of the ledger)."""
    with Ledger(office.ws.ledger_path) as ledger:
        MailLedger(ledger).record_message(
            {"account": "tougao@mail.zg.local", "uidvalidity": 1, "uid": 7, "message_key": "<m7@mail.zg.local>",
             "month": month, "received_at": f"{month}-20T09:00:00", "sender": sender, "unit": "区工信局",
             "subject": "工信稿件", "state": "done", "receipt": "sent"},
            [{"file": file, "sha256": "0" * 64, "origin": "attachment"}])


def upper_sheet(path):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位", "标题", "采用刊物", "级别", "日期"])
    sheet.append(["区人社局", "人社就业帮扶", "《江西信息》", "省级", date(2026, 12, 20)])
    sheet.append(["区财政局", "财政直达资金", "《赣州政务》", "市级", "2026-10-15"])
    sheet.append(["区住建局", "住建老旧小区改造", "《赣州政务》", "市级", "2027-01-08"])
    book.save(path)


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    office = make_workspace(tmp_path_factory.mktemp("round") / "ws", roster=ROSTER)
    ws = str(office.root)

    draft(office, "2026-11", "1.docx", "人社就业帮扶", "区人社局", "十一月人社就业帮扶正文。")
    draft(office, "2026-11", "2.docx", "财政直达资金", "区财政局", "十一月财政直达资金正文。")
    draft(office, "2026-11", "3.docx", "人社欠薪治理", "区人力资源和社会保障局", "十一月人社欠薪治理正文。")
    (office.month_dir("2026-11") / "区教体局-教体课后服务.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old")
    (office.month_dir("2026-11") / "工信稿件.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 wps")
    mailed(office, "2026-11", "工信稿件.wps", "GXJ@mail.zg.local")
    f.make_notice_sheet(office.month_dir("2026-11") / "情况通报.xlsx", [
        ("区财政局、交警直属大队", "联合开展非税收入清缴", "通报表扬", ""),
        ("区住建局", "城建档案整理获省级表彰", "通报表扬", ""),
    ])
    office.compile_november = invoke("compile", "-w", ws, "-m", "2026-11", "--date", "2026-11-28")
    invoke("approve", "-w", ws, "-m", "2026-11", "--by", "主任")

    draft(office, "2026-12", "1.docx", "人社年终考核", "区人社局", "十二月人社年终考核正文。")
    draft(office, "2026-12", "2.docx", "住建老旧小区改造", "区住建局", "十二月住建正文。")
    (office.month_dir("2026-12") / "区工信局-工信年报.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 wps")
    invoke("compile", "-w", ws, "-m", "2026-12", "--date", "2026-12-28")

    upper_sheet(office.root / "inputs" / "上级采用.xlsx")
    office.stats_output = invoke("stats", "-w", ws, "--year", "2026")
    office.book = office.root / "outputs" / "统计" / "2026年信息报送统计.xlsx"
    return office


def rows(path, sheet):
    book = load_workbook(path, data_only=True)
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def test_ranking_counts_refused_drafts_as_sent_and_upper_adoptions_by_their_year(round_):
    assert rows(round_.book, "排名") == [
        ["名次", "单位", "报送", "采用", "采用率", "上级采用", "得分"],
        [1, "区人社局", 3, 2, 1, 1, 20],
        [2, "区财政局", 1, 1, 1, 1, 9],
        [3, "区住建局", 1, "待审", None, 0, 1],
        [4, "区工信局", 2, 0, 0, 0, 0],
        [4, "区教体局", 1, 0, 0, 0, 0],
        [4, "区行政审批局", 0, 0, None, 0, 0],
        [4, "市交警支队直属大队", 0, 0, None, 0, 0],
    ]


def test_monthly_sheet(round_):
    table = rows(round_.book, "月度")
    assert table[0] == ["单位", "11月报送", "11月采用", "12月报送", "12月采用", "合计报送", "合计采用"]
    assert table[1:9] == [
        ["区人社局", 2, 2, 1, "待审", 3, 2],
        ["区财政局", 1, 1, 0, "待审", 1, 1],
        ["区住建局", 0, 0, 1, "待审", 1, "待审"],
        ["区工信局", 1, 0, 1, "待审", 2, 0],
        ["区教体局", 1, 0, 0, "待审", 1, 0],
        ["区行政审批局", 0, 0, 0, "待审", 0, 0],
        ["市交警支队直属大队", 0, 0, 0, "待审", 0, 0],
        ["合计", 5, 3, 3, "待审", 8, 3],
    ]


def test_every_file_with_the_products_words(round_):
    table = rows(round_.book, "稿件")
    assert table[0] == ["月份", "期号", "文件", "单位", "标题", "状态", "sha256", "说明"]
    assert [r[:6] for r in table[1:]] == [
        ["2026-11", 64, "1.docx", "区人社局", "人社就业帮扶", "采用"],
        ["2026-11", 64, "2.docx", "区财政局", "财政直达资金", "采用"],
        ["2026-11", 64, "3.docx", "区人社局", "人社欠薪治理", "采用"],
        ["2026-11", 64, "区教体局-教体课后服务.doc", "区教体局", "教体课后服务", "未采用"],
        ["2026-11", 64, "工信稿件.wps", "区工信局", "工信稿件", "未采用"],
        ["2026-12", 65, "1.docx", "区人社局", "人社年终考核", "待审"],
        ["2026-12", 65, "2.docx", "区住建局", "住建老旧小区改造", "待审"],
        ["2026-12", 65, "区工信局-工信年报.wps", "区工信局", "工信年报", "未采用"],
    ]
    assert "旧版 Word 格式（.doc）" in table[4][7] and "WPS 格式（.wps）" in table[5][7]
    words = {r[5] for r in table[1:]}
    assert not words & {"待审核", "未能使用"}


def test_units_that_sent_nothing_leave_out_units_whose_file_was_refused(round_):
    assert rows(round_.book, "未报送") == [
        ["月份", "未报送单位"],
        ["2026-11", "区行政审批局"], ["2026-11", "区住建局"], ["2026-11", "市交警支队直属大队"],
        ["2026-12", "区教体局"], ["2026-12", "区财政局"], ["2026-12", "区行政审批局"],
        ["2026-12", "市交警支队直属大队"],
    ]


def test_the_command_prints_no_problem_for_an_upper_adoption_of_a_month_without_bulletin(round_):
    out = round_.stats_output
    assert "注意：" + "2026-12 的简报尚未审核通过" in out
    assert "上级采用.xlsx" not in out  # every row is fine: nothing to say
    assert "│ 区财政局" in out and "│ 9    │" in out
    assert "│ 区住建局" in out and "│ 待审 │" in out


def test_suggestions_never_criticise_a_unit_that_sent_a_file_or_was_praised(round_):
    assert rows(round_.root / "outputs" / "2026-11" / "通报建议.xlsx", "通报建议") == [
        ["单位名称", "通报事项", "通报类别", "备注"],
        ["区人社局", f"11月份报送{SUBJECT}工作信息2篇，被采用2篇", "通报表扬", None],
        ["区行政审批局", f"未按时报送11月份{SUBJECT}工作信息", "通报批评", None],
    ]
    assert rows(round_.root / "outputs" / "2026-12" / "通报建议.xlsx", "通报建议") == [
        ["单位名称", "通报事项", "通报类别", "备注"],
        ["区教体局", f"未按时报送12月份{SUBJECT}工作信息", "通报批评", None],
        ["区财政局", f"未按时报送12月份{SUBJECT}工作信息", "通报批评", None],
        ["区行政审批局", f"未按时报送12月份{SUBJECT}工作信息", "通报批评", None],
        ["市交警支队直属大队", f"未按时报送12月份{SUBJECT}工作信息", "通报批评", None],
    ]
    # The notice sheet's two-unit row is read as two roster units (item 8): nothing flagged at compile.
    assert "不在单位名册中" not in round_.compile_november


def test_count_refused_decides_only_the_points(round_):
    """count_refused = true: 区工信局 1 + 1 = 2 points, 区教体局 1; 报送 and 采用 are the same as without it.
    Ranks: 20, 9, then 区工信局 2 (3rd), then 区教体局 1 and 区住建局 1 share 4th (区教体局 first: both 采用 0 in
    the approved months and 报送 1, so roster order), then the two silent units share 6th."""
    settings = (round_.root / "bulletin.toml")
    original = settings.read_text(encoding="utf-8")
    settings.write_text(original + "\n[scoring]\ncount_refused = true\n", encoding="utf-8")
    try:
        invoke("stats", "-w", str(round_.root), "--year", "2026")
        table = rows(round_.book, "排名")
    finally:
        settings.write_text(original, encoding="utf-8")
        invoke("stats", "-w", str(round_.root), "--year", "2026")
    assert table[1:] == [
        [1, "区人社局", 3, 2, 1, 1, 20],
        [2, "区财政局", 1, 1, 1, 1, 9],
        [3, "区工信局", 2, 0, 0, 0, 2],
        [4, "区教体局", 1, 0, 0, 0, 1],
        [4, "区住建局", 1, "待审", None, 0, 1],
        [6, "区行政审批局", 0, 0, None, 0, 0],
        [6, "市交警支队直属大队", 0, 0, None, 0, 0],
    ]


def test_one_pending_month_alone_shows_every_sender_as_pending(round_):
    """`bulletin stats --month 2026-12`: nothing decided yet, so 采用 is 待审 for every unit that sent something
    (区人社局, 区住建局, and 区工信局's refused .wps); the silent units show 0 (nothing to decide). 上级采用 of
    December: 区人社局 省级 10. Points: 区人社局 1 + 10 = 11, 区住建局 1, the rest 0."""
    invoke("stats", "-w", str(round_.root), "--month", "2026-12")
    table = rows(round_.root / "outputs" / "统计" / "2026年12月信息报送统计.xlsx", "排名")
    assert table[1:] == [
        [1, "区人社局", 1, "待审", None, 1, 11],
        [2, "区住建局", 1, "待审", None, 0, 1],
        [3, "区工信局", 1, "待审", None, 0, 0],
        [3, "区教体局", 0, 0, None, 0, 0],
        [3, "区财政局", 0, 0, None, 0, 0],
        [3, "区行政审批局", 0, 0, None, 0, 0],
        [3, "市交警支队直属大队", 0, 0, None, 0, 0],
    ]
