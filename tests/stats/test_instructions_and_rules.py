"""Issue 26 parts 3 and 4: 领导批示 tracked to their feedback, and scoring rules as data (a monthly base score,
quotas per unit class, feedback deductions), through the real commands (`bulletin compile/approve`,
`bulletin instructions`, `bulletin instructions feedback`, `bulletin remind`, `bulletin stats`) and a real SMTP
server (aiosmtpd); every figure worked out by hand below.

The office: units.csv with a 类别 column
  区人社局  区直部门  rsj@zg.example.cn        区财政局  区直部门  czj@zg.example.cn
  水西镇    乡镇街道  sxz@zg.example.cn        沙石镇    乡镇街道  (no address)
[scoring]: submitted 1, adopted 3, lead 1 (defaults); base_monthly 10;
  quota 乡镇街道: per_month 2 (报送), missing -2;  quota 区直部门: per_year 3 (采用), missing -1;
  instructions: levels 区级 2, 市级 5, 省级 10 (defaults) + 县级 2; kinds (multipliers) 批办 2, 指导 1, 参阅 0.5;
  points table 省级批办 = 25; per_item highest; feedback_missing -3; feedback_late -1.
[calendar] instruction_remind_days_before = [3, 0].

October (第64期, approved): 区人社局 就业帮扶见实效 (头条), 区财政局 直达资金惠企, 水西镇 水西镇产业振兴.
November (第65期, approved): 水西镇 水西镇环境整治 (头条), 水西镇 水西镇平安建设, 区人社局 欠薪治理.
沙石镇 sends nothing; 区财政局 nothing in November.

inputs/领导批示.xlsx, a title row, then the header in the words offices use (期数, 信息标题, 批示领导, 批示类别,
批示日期, 承办单位, 反馈时限, 落实情况, ...); no 报送单位 column: each item is found in the ledger by 期号+标题.
  row 3  64 就业帮扶见实效   李市长 市级 批办 2026-10-20  落实 区人社局 due 11-10, fed back 11-08   已反馈
         value 5×2 = 10, but row 4 is on the same item and higher: not counted (per_item highest)
  row 4  64 就业帮扶见实效   王省长 省级 批办 2026-10-28  落实 区人社局 due 11-20, fed back 11-25   逾期反馈
         value 25 (the table) -> 区人社局 +25; feedback late -1
  row 5  65 水西镇环境整治   张书记 "区" 指导 2026-11-15  落实 水西镇 due 12-10, no feedback
         value 2×1 = 2 -> 水西镇; on 2027-01-05 逾期未反馈: -3
  row 6  65 平安建设 (part of 水西镇平安建设) 赵县长 县级 参阅 2026-11-20, no acting unit   无需反馈
         value 2×0.5 = 1 -> 水西镇
  row 7  64 直达资金惠企     "市领导" 指导 2026-10-25  落实 区财政局、沙石镇 due 2027-01-20   未到期 (on 01-05)
         value 5×1 = 5 -> 区财政局
  row 8  65 欠薪治理 部级 ... : 级别 not known -> a problem naming 第8行, left out
  row 9  2025-12-28: another year, not in 2026's statistics nor in the 2026 list

Year 2026, `bulletin stats --year 2026 --today 2027-01-05` (the year is over: per_year quotas count):
  unit      报送/采用/头条       base      quota                         批示        feedback   total
  区人社局  2/2/1: 2+6+1 = 9     2×10=20   采用 2 of 3: 1 short, -1      25 (1 条)   late -1    9+20-1+25-1 = 52
  水西镇    3/3/1: 3+9+1 = 13    20        Oct 1 of 2: 1 short, -2       2+1 (2 条)  overdue -3 13+20-2+3-3 = 31
  区财政局  1/1/0: 1+3 = 4       20        采用 1 of 3: 2 short, -2      5 (1 条)               4+20-2+5   = 27
  沙石镇    0                    20        Oct 2 + Nov 2 short: -8       0                      20-8       = 12
With --today 2026-12-20 (year not over: no per_year quota): 区人社局 53, 区财政局 29, 水西镇 31, 沙石镇 12.
After `bulletin instructions feedback 5 --text … --date 2026-12-09` (on time): 水西镇 31 + 3 = 34.

Reminders (`bulletin remind --today D`, each run twice, the second mails nothing):
  2026-12-07 (3 days before row 5's 12-10): 水西镇, once.      2026-12-08: nothing (stage 3 already sent).
  2027-01-17 (3 days before row 7's 01-20): 区财政局; 沙石镇 listed (no address).
  2027-01-18: nothing.   2027-01-20 (the day): 区财政局 again (stage 0).   Row 4 (fed back): never.
通报建议 of 2026-11 judged on 2027-02-01: row 7 is overdue, so 区财政局 and 沙石镇 (both sent nothing in November)
are criticised for that too, in the same row: "未按时报送11月份…工作信息，刘副市长同志10月25日对…逾期未反馈（…）".
"""

from __future__ import annotations

from datetime import date

import pytest
from ooxml_audit import XLSX_INLINE_STRINGS, assert_valid
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner
from workspace_kit import SETTINGS, make_workspace

from bulletin.cli import app

pytestmark = [pytest.mark.smtp, pytest.mark.slow]

runner = CliRunner()
ROSTER = """\
单位名称,别名,类别,邮箱
区人社局,区人力资源和社会保障局,区直部门,rsj@zg.example.cn
区财政局,,区直部门,czj@zg.example.cn
水西镇,,乡镇街道,sxz@zg.example.cn
沙石镇,,乡镇街道,
"""
RULES = """
[calendar]
deadline = 25
call_day = 10
remind_days_before = [3]
instruction_remind_days_before = [3, 0]

[scoring]
base_monthly = 10

[scoring.quota."乡镇街道"]
per_month = 2
missing = -2

[scoring.quota."区直部门"]
per_year = 3
counts = "adopted"
missing = -1

[scoring.instructions]
per_item = "highest"
feedback_missing = -3
feedback_late = -1

[scoring.instructions.levels]
"县级" = 2

[scoring.instructions.kinds]
"批办" = 2
"指导" = 1
"参阅" = 0.5

[scoring.instructions.points]
"省级批办" = 25
"""
HEADER = ["期数", "信息标题", "批示领导", "级别", "批示类别", "批示日期", "批示内容", "承办单位", "反馈时限", "落实情况",
          "反馈日期"]
REGISTER = [
    [64, "就业帮扶见实效", "李市长", "市级", "批办", date(2026, 10, 20), "请总结推广。", "区人社局", date(2026, 11, 10),
     "已总结经验做法", date(2026, 11, 8)],
    ["第64期", "就业帮扶见实效", "王省长", "省级", "批办", "2026-10-28", "经验很好。", "区人社局", "2026年11月20日",
     "已报省厅", date(2026, 11, 25)],
    [65, "水西镇环境整治", "张书记", "区", "指导", "2026/11/15", "巩固成果。", "水西镇", date(2026, 12, 10), None, None],
    [65, "平安建设", "赵县长", "县级", "参阅", date(2026, 11, 20), None, None, None, None, None],
    [64, "直达资金惠企", "刘副市长", "市领导", "指导", date(2026, 10, 25), "抓好政策落实。", "区财政局、沙石镇",
     date(2027, 1, 20), None, None],
    [65, "欠薪治理", "某部长", "部级", "批办", date(2026, 11, 30), None, "区人社局", None, None, None],
    [64, "就业帮扶见实效", "王省长", "省级", "批办", date(2025, 12, 28), None, None, None, None, None],
]
ADDRESSES = {"rsj@zg.example.cn": "区人社局", "czj@zg.example.cn": "区财政局", "sxz@zg.example.cn": "水西镇"}


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def write_register(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年领导批示登记表"])
    sheet.append(HEADER)
    for row in REGISTER:
        sheet.append(row)
    book.save(path)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    from smtp_server import SmtpServer

    server = SmtpServer().start()
    office = make_workspace(tmp_path_factory.mktemp("instructions") / "ws", roster=ROSTER)
    smtp = f'\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsender = "office@zg.example.cn"\ntimeout = 10\n'
    (office.root / "bulletin.toml").write_text(SETTINGS + smtp + RULES, encoding="utf-8")
    ws = str(office.root)
    for month, drafts, day in (
        ("2026-10", [("1.docx", "就业帮扶见实效", "区人社局"), ("2.docx", "直达资金惠企", "区财政局"),
                     ("3.docx", "水西镇产业振兴", "水西镇")], "2026-10-28"),
        ("2026-11", [("1.docx", "水西镇环境整治", "水西镇"), ("2.docx", "水西镇平安建设", "水西镇"),
                     ("3.docx", "欠薪治理", "区人力资源和社会保障局")], "2026-11-28"),
    ):
        for name, title, unit in drafts:
            office.draft(name, month=month, title=title, unit_line=unit, paragraphs=[f"{title}的正文内容。"])
        invoke("compile", "-w", ws, "-m", month, "--date", day)
        invoke("approve", "-w", ws, "-m", month, "--by", "主任")
    write_register(office.root / "inputs" / "领导批示.xlsx")
    office.server = server
    yield office
    server.stop()


def ranking(path) -> dict[str, dict[str, object]]:
    sheet = load_workbook(path)["排名"]
    rows = list(sheet.iter_rows(values_only=True))
    return {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}


def remind(office, day: str) -> tuple[dict[str, object], str]:
    """`bulletin remind --today day` twice: {unit: message} of the first run; the second mails nothing."""
    ws = str(office.root)
    start = len(office.server.messages)
    out = invoke("remind", "-w", ws, "--today", day)
    got = {}
    for m in office.server.messages[start:]:
        for rcpt in m.rcpt_tos:
            assert ADDRESSES[rcpt] not in got
            got[ADDRESSES[rcpt]] = m.message
    again = len(office.server.messages)
    second = invoke("remind", "-w", ws, "--today", day)
    assert len(office.server.messages) == again, second
    return got, out


def test_the_list_shows_each_instruction_with_its_feedback_state(office):
    out = invoke("instructions", "-w", str(office.root), "--year", "2026", "--today", "2026-12-07")
    assert "2026年领导批示 5 条（截至2026-12-07）：已反馈 1，逾期反馈 1，未到期 2，无需反馈 1" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  第")}
    assert lines.keys() == {"第3行", "第4行", "第5行", "第6行", "第7行"}  # row 9 is 2025's, row 8 is refused
    assert lines["第4行"].endswith("逾期反馈（2026-11-25 反馈）")
    assert "第65期《水西镇环境整治》（水西镇）" in lines["第5行"] and lines["第5行"].endswith("未到期")
    assert "第65期《平安建设》（水西镇）" in lines["第6行"] and lines["第6行"].endswith("无需反馈")
    assert "落实：区财政局、沙石镇，期限 2027-01-20：未到期" in lines["第7行"]
    assert "领导批示.xlsx 第8行：级别“部级”不在 区级/市级/省级/县级 之中" in out
    later = invoke("instructions", "-w", str(office.root), "--year", "2026", "--today", "2026-12-11")
    assert "逾期未反馈 1" in later and "第5行" in later


def test_feedback_reminders_go_once_per_instruction_and_stage(office):
    got, out = remind(office, "2026-12-07")
    assert list(got) == ["水西镇"]
    message = got["水西镇"]
    assert message["Subject"].startswith("【批示落实反馈提醒】张书记同志批示的落实情况反馈还有3天到期")
    text = message.get_body(("plain",)).get_content()
    assert "第65期《水西镇环境整治》" in text and "12月10日前" in text and "巩固成果。" in text
    assert "批示落实反馈提醒：本次提醒 1 个单位：水西镇" in out
    assert remind(office, "2026-12-08")[0] == {}  # stage 3 was sent on the 7th

    got, out = remind(office, "2027-01-17")
    assert list(got) == ["区财政局"] and "请电话通知：沙石镇" in out
    assert remind(office, "2027-01-18")[0] == {}
    got, _ = remind(office, "2027-01-20")
    assert list(got) == ["区财政局"] and "今天到期" in got["区财政局"]["Subject"]


def test_the_year_scored_by_hand_with_base_quotas_instructions_and_deductions(office):
    ws = str(office.root)
    out = invoke("stats", "-w", ws, "--year", "2026", "--today", "2027-01-05")
    assert "领导批示.xlsx 第8行" in out
    book = office.root / "outputs" / "统计" / "2026年信息报送统计.xlsx"
    assert_valid(book, XLSX_INLINE_STRINGS)
    rank = ranking(book)
    assert {u: (r["名次"], r["得分"]) for u, r in rank.items()} == {
        "区人社局": (1, 52), "水西镇": (2, 31), "区财政局": (3, 27), "沙石镇": (4, 12)}
    assert {u: (r["批示"], r["批示反馈逾期"], r["基础分"], r["定额差额"]) for u, r in rank.items()} == {
        "区人社局": (1, 1, 20, 1), "水西镇": (2, 1, 20, 1), "区财政局": (1, None, 20, 2), "沙石镇": (0, None, 20, 4)}

    sheet = load_workbook(book)["批示"]
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    table = {r[0]: dict(zip(head, r)) for r in rows[1:]}
    assert list(table) == [3, 4, 5, 6, 7]
    assert {n: (r["报送单位"], r["反馈状态"], r["分值"], r["得分"]) for n, r in table.items()} == {
        3: ("区人社局", "已反馈", 10, 0), 4: ("区人社局", "逾期反馈", 25, 25), 5: ("水西镇", "逾期未反馈", 2, 2),
        6: ("水西镇", "无需反馈", 1, 1), 7: ("区财政局", "未到期", 5, 5)}
    assert table[3]["说明"] == "同一篇信息另有分值更高的批示，按最高分计"
    assert table[7]["落实单位"] == "区财政局、沙石镇" and table[4]["级别"] == "省级" and table[5]["级别"] == "区级"

    invoke("stats", "-w", ws, "--year", "2026", "--today", "2026-12-20")  # the year not over: no per_year quota
    assert {u: r["得分"] for u, r in ranking(book).items()} == {"区人社局": 53, "水西镇": 31, "区财政局": 29, "沙石镇": 12}


def test_feedback_written_into_the_register_counts(office):
    ws = str(office.root)
    out = invoke("instructions", "feedback", "5", "-w", ws, "--text", "已完成整治并建立长效机制", "--date", "2026-12-09")
    assert "第5行 第65期《水西镇环境整治》 的反馈（2026-12-09）：已反馈" in out
    sheet = load_workbook(office.root / "inputs" / "领导批示.xlsx").active
    assert sheet["J5"].value == "已完成整治并建立长效机制" and sheet["K5"].value.date() == date(2026, 12, 9)
    assert sheet["A1"].value == "2026年领导批示登记表"  # the office's title row kept
    listed = invoke("instructions", "-w", ws, "--year", "2026", "--today", "2027-01-05")
    assert "逾期未反馈" not in listed.splitlines()[0]
    invoke("stats", "-w", ws, "--year", "2026", "--today", "2027-01-05")
    assert ranking(office.root / "outputs" / "统计" / "2026年信息报送统计.xlsx")["水西镇"]["得分"] == 34
    refused = invoke("instructions", "feedback", "8", "-w", ws, "--text", "x", code=1)
    assert "第8行不是一条可用的批示" in refused and "部级" in refused


def test_the_months_notice_suggestions_name_overdue_feedback(office):
    from bulletin.core.workspace import Workspace
    from bulletin.stats.run import suggestion_rows

    ws = Workspace.at(office.root)
    rows = {r.unit: (r.matter, r.category) for r in suggestion_rows(ws, "2026-11", today=date(2027, 2, 1))}
    silent = "未按时报送11月份章贡区“五型”政府建设工作信息"
    overdue = "刘副市长同志10月25日对第64期《直达资金惠企》的批示落实情况逾期未反馈（反馈期限1月20日）"
    assert rows["区财政局"] == (f"{silent}，{overdue}", "通报批评")
    assert rows["沙石镇"] == (f"{silent}，{overdue}", "通报批评")
    before = {r.unit: r.matter for r in suggestion_rows(ws, "2026-11", today=date(2027, 1, 20))}
    assert before["区财政局"] == silent  # on the due date itself it is still in time
