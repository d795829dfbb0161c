"""Issue 25: 约稿 and 催报 through the real commands (`bulletin remind/compile/approve/stats/status`) and a real SMTP
server (aiosmtpd), over one month worked out by hand.

The office (units.csv with 邮箱): 区人社局 A, 区教体局 B, 区财政局 C, 区工信局 D, 区行政审批局 E have an address;
区住建局 F has none. [calendar]: call_day 10, deadline 25 at 18:00, remind_days_before [3, 1, 0] -> reminders on
October 22, 24 and 25. 约稿.txt commissions 区工信局 "工业经济运行情况" and 区住建局 "城市更新项目进展".

Day by day (`bulletin remind --today …`, each run twice: the second mails nothing):
  10-10 call day: the call to A B C D E (F listed: no address); D's call names its topic.
  A, B send; D sends an unrelated item.                     (before the first reminder day)
  10-22 (3 days before): C, E (silent) and D (owes its topic). Never A, B.
  C sends.
  10-24 (1 day before): E and D. Not C (it has sent).
  D sends its topic ("全区工业经济运行情况分析").
  10-25 (deadline day): E only.
  E sends after the deadline; the 10-26 run finds its file (first seen 10-26 09:00): 迟报. No mail (past the deadline).

Scoring ([scoring] submitted 1, adopted 3, lead 1, late -1, commission_done 2, commission_missed -2), after the
month is compiled (A's item first: 头条) and approved; the deadline has passed, so F's topic is missed:
  D 区工信局       2 items: 2×1 + 2×3 + 约稿 2                = 10   rank 1, 约稿 1/1
  A 区人社局       1 + 3 + 头条 1                              =  5   rank 2
  B 区教体局       1 + 3                                       =  4   rank 3
  C 区财政局       1 + 3                                       =  4   rank 3
  E 区行政审批局   1 + 3 + 迟报 -1                              =  3   rank 5, 迟报 1
  F 区住建局       nothing sent; 约稿 missed -2                 = -2   rank 6, 约稿 0/1
通报建议: F is criticised for sending nothing and for its missed topic (one row).
"""

from __future__ import annotations

import json

import pytest
from draft_factory import make_draft
from openpyxl import load_workbook
from typer.testing import CliRunner
from workspace_kit import SETTINGS

from bulletin.cli import app
from bulletin.core.ledger import Ledger

pytestmark = [pytest.mark.smtp]

runner = CliRunner()
MONTH = "2026-10"
ADDRESSES = {"区人社局": "rsj@zg.example.cn", "区教体局": "jtj@zg.example.cn", "区财政局": "czj@zg.example.cn",
             "区工信局": "gxj@zg.example.cn", "区行政审批局": "spj@zg.example.cn"}
ROSTER = "单位名称,别名,邮箱\n" + "".join(f"{u},,{a}\n" for u, a in ADDRESSES.items()) + "区住建局,,\n"
CALL = """\
一、报送要点
1. 围绕三季度经济运行、重点项目建设报送信息。
2. 稿件请注明报送单位，每篇不超过1500字。
二、约稿题目
区工信局：工业经济运行情况
区住建局：城市更新项目进展
"""
CALENDAR = """
[calendar]
deadline = 25
deadline_time = "18:00"
call_day = 10
remind_days_before = [3, 1, 0]

[scoring]
late = -1
commission_done = 2
commission_missed = -2
"""


def invoke(*args: str, code: int = 0):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def office(tmp_path, smtp_server):
    server = smtp_server()
    root = tmp_path / "office"
    (root / "inputs" / MONTH).mkdir(parents=True)
    smtp = f'\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsender = "office@zg.example.cn"\ntimeout = 10\n'
    (root / "bulletin.toml").write_text(SETTINGS + smtp + CALENDAR, encoding="utf-8")
    (root / "inputs" / "units.csv").write_text(ROSTER, encoding="utf-8")
    (root / "inputs" / MONTH / "约稿.txt").write_text(CALL, encoding="utf-8")
    return root, server


def send(root, name: str, unit: str, title: str, text: str = "全区各项工作稳步推进，成效明显。") -> None:
    make_draft(root / "inputs" / MONTH / name, title=title, unit_line=unit, paragraphs=[text])


def mails_since(server, start: int) -> dict[str, object]:
    """unit address -> the message received since `start` (one each, asserted)."""
    new = server.messages[start:]
    by_address = {}
    for m in new:
        for rcpt in m.rcpt_tos:
            assert rcpt not in by_address, f"{rcpt} got two messages in one run"
            by_address[rcpt] = m.message
    return by_address


def unit_of(address: str) -> str:
    return next(u for u, a in ADDRESSES.items() if a == address)


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def remind_day(root, server, day: str) -> dict[str, object]:
    """`bulletin remind --today day` twice; {unit: message} of the first run; the second mails nothing."""
    start = len(server.messages)
    out = invoke("remind", "-w", str(root), "--month", MONTH, "--today", day)
    got = {unit_of(a): m for a, m in mails_since(server, start).items()}
    again = len(server.messages)
    second = invoke("remind", "-w", str(root), "--month", MONTH, "--today", day)
    assert len(server.messages) == again, f"the second run on {day} mailed again:\n{second}"
    return {"mails": got, "out": out, "second": second}


def test_a_month_of_calls_reminders_lateness_and_scores(office):
    root, server = office

    # 10-10: the call, to every unit with an address, once.
    day = remind_day(root, server, "2026-10-10")
    assert sorted(day["mails"]) == sorted(ADDRESSES)
    assert "区住建局" in day["out"] and "没有邮箱" in day["out"]
    d_call, a_call = body(day["mails"]["区工信局"]), body(day["mails"]["区人社局"])
    assert day["mails"]["区人社局"]["Subject"] == "【约稿通知】章贡区“五型”政府建设工作简报2026年10月工作信息"
    assert "工业经济运行情况" in d_call and "请贵单位重点报送" in d_call
    assert "请贵单位重点报送" not in a_call and "围绕三季度经济运行" in a_call
    assert "2026年10月25日 18:00" in a_call and "zgqwxzfb@163.com" in a_call
    assert "此前已发（未重复发送）：区人社局、区教体局、区财政局、区工信局、区行政审批局" in day["second"]

    # Before the first reminder day: A and B send, D sends something other than its topic.
    send(root, "1-区人社局-就业帮扶.docx", "区人社局", "我区就业帮扶见实效")
    send(root, "2-区教体局-课后服务.docx", "区教体局", "课后服务全覆盖")
    send(root, "4-区工信局-企业服务.docx", "区工信局", "企业服务专员制度落地见效")

    day = remind_day(root, server, "2026-10-22")
    assert sorted(day["mails"]) == sorted(["区财政局", "区行政审批局", "区工信局"])
    e_text, d_text = body(day["mails"]["区行政审批局"]), body(day["mails"]["区工信局"])
    assert "截至10月22日，尚未收到贵单位2026年10月的工作信息" in e_text
    assert "2026年10月25日 18:00" in e_text and "zgqwxzfb@163.com" in e_text
    assert "贵单位已报送稿件，但约稿题目“工业经济运行情况”尚未收到" in d_text
    assert "尚未收到贵单位" not in d_text
    assert day["mails"]["区财政局"]["Subject"] == "【催报】2026年10月工作信息还有3天截止（章贡区“五型”政府建设工作简报）"
    assert "区住建局" in day["out"].split("没有邮箱")[1]  # listed for the clerk to call

    send(root, "3-区财政局-直达资金.docx", "区财政局", "财政直达资金惠企利民")
    day = remind_day(root, server, "2026-10-24")
    assert sorted(day["mails"]) == sorted(["区行政审批局", "区工信局"])

    send(root, "5-区工信局-工业经济.docx", "区工信局", "全区工业经济运行情况分析",
         "前三季度全区规上工业增加值增长8.2%，工业经济运行总体平稳。")
    day = remind_day(root, server, "2026-10-25")
    assert sorted(day["mails"]) == ["区行政审批局"]
    assert "今天截止" in day["mails"]["区行政审批局"]["Subject"]

    send(root, "6-区行政审批局-一网通办.docx", "区行政审批局", "一网通办提速增效")
    day = remind_day(root, server, "2026-10-26")
    assert day["mails"] == {} and "已过报送截止时间" in day["out"]

    # Nobody who had sent was reminded after sending: A and B never, C only on the 22nd, D never after its topic.
    subjects = [(m.rcpt_tos[0], m.message["Subject"]) for m in server.messages]
    reminded = [unit_of(a) for a, s in subjects if s.startswith("【催报】")]
    assert sorted(reminded) == sorted(["区财政局", "区行政审批局", "区工信局",  # 22nd
                                       "区行政审批局", "区工信局",  # 24th
                                       "区行政审批局"])  # 25th
    assert len(server.messages) == 5 + 6

    # Compile (today, long after the deadline): E's draft is 迟报, first seen on the 26th at 09:00.
    invoke("compile", "-w", str(root), "--month", MONTH, "--date", "2026-10-28")
    report = (root / "outputs" / MONTH / "收稿报告.txt").read_text(encoding="utf-8-sig")
    assert "报送截止：2026年10月25日 18:00" in report
    assert "迟报 1 份：6-区行政审批局-一网通办.docx（区行政审批局，10月26日 09:00 收到）" in report
    assert "迟报：10月26日 09:00 收到，晚于截止时间 2026年10月25日 18:00" in report
    assert "约稿：工业经济运行情况" in report
    assert "约稿未收到：区住建局“城市更新项目进展”" in report
    with Ledger(root / ".bulletin" / "ledger.sqlite3") as ledger:
        rows = {r["file"]: r for r in ledger.last_compile(MONTH).drafts}
    assert [f for f, r in rows.items() if r["late"]] == ["6-区行政审批局-一网通办.docx"]
    assert rows["1-区人社局-就业帮扶.docx"]["received"] == "2026-10-22T09:00:00+08:00"
    assert rows["3-区财政局-直达资金.docx"]["received"] == "2026-10-24T09:00:00+08:00"
    assert rows["5-区工信局-工业经济.docx"]["topic"] == "工业经济运行情况"
    assert "topic" not in rows["4-区工信局-企业服务.docx"]

    suggestions = load_workbook(root / "outputs" / MONTH / "通报建议.xlsx").active
    criticised = [(r[0], r[1]) for r in suggestions.iter_rows(min_row=2, values_only=True) if r[2] == "通报批评"]
    assert criticised == [("区住建局", "未按时报送10月份章贡区“五型”政府建设工作信息，未完成10月份约稿“城市更新项目进展”")]

    status = invoke("status", "-w", str(root), "--month", MONTH)
    assert "迟报 1 份（晚于报送截止时间收到）：" in status
    assert "迟报 一网通办提速增效（区行政审批局） 10-26 09:00 收到" in status
    assert "约稿：10月10日发出约稿通知；报送截止：2026年10月25日 18:00；" in status
    assert "约稿通知：已发 5 个单位" in status
    lines = status.splitlines()
    reminded_22 = next(line for line in lines if line.strip().startswith("10月22日催报："))
    assert all(u in reminded_22 for u in ("区财政局", "区工信局", "区行政审批局"))
    assert "区人社局" not in reminded_22 and "区教体局" not in reminded_22
    reminded_25 = next(line for line in lines if line.strip().startswith("10月25日催报："))
    assert "区行政审批局" in reminded_25 and "区工信局" not in reminded_25

    invoke("approve", "-w", str(root), "--month", MONTH, "--by", "张主任")
    invoke("stats", "-w", str(root), "--month", MONTH)
    book = load_workbook(root / "outputs" / "统计" / "2026年10月信息报送统计.xlsx")
    ranking = [list(r) for r in book["排名"].iter_rows(values_only=True)]
    assert ranking[0] == ["名次", "单位", "报送", "采用", "采用率", "上级采用", "得分", "迟报", "约稿完成"]
    assert [(r[0], r[1], r[2], r[3], r[6], r[7], r[8]) for r in ranking[1:]] == [
        (1, "区工信局", 2, 2, 10, 0, "1/1"),
        (2, "区人社局", 1, 1, 5, 0, None),
        (3, "区教体局", 1, 1, 4, 0, None),
        (3, "区财政局", 1, 1, 4, 0, None),
        (5, "区行政审批局", 1, 1, 3, 1, None),
        (6, "区住建局", 0, 0, -2, 0, "0/1"),
    ]
    items = [list(r) for r in book["稿件"].iter_rows(values_only=True)]
    assert items[0][-3:] == ["收到时间", "迟报", "约稿"]
    by_file = {r[2]: r for r in items[1:]}
    assert by_file["6-区行政审批局-一网通办.docx"][-3:] == ["2026-10-26 09:00", "迟报", None]
    assert by_file["5-区工信局-工业经济.docx"][-3:] == ["2026-10-25 09:00", None, "工业经济运行情况"]


def test_a_dry_run_names_the_units_and_sends_and_records_nothing(office):
    root, server = office
    out = invoke("remind", "-w", str(root), "--month", MONTH, "--today", "2026-10-22", "--dry-run")
    assert "试运行，不发送" in out
    assert "催报（提前3天）：将发给 5 个单位：区人社局、区教体局、区财政局、区工信局、区行政审批局" in out
    assert server.messages == []
    with Ledger(root / ".bulletin" / "ledger.sqlite3") as ledger:
        assert ledger._conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0
        seen = ledger._conn.execute("SELECT name FROM sqlite_master WHERE name = 'draft_seen'").fetchone()
        assert seen is None or ledger._conn.execute("SELECT COUNT(*) FROM draft_seen").fetchone()[0] == 0


def test_without_smtp_the_reminders_are_eml_files_written_once(tmp_path):
    root = tmp_path / "office"
    (root / "inputs" / MONTH).mkdir(parents=True)
    (root / "bulletin.toml").write_text(SETTINGS + CALENDAR, encoding="utf-8")
    (root / "inputs" / "units.csv").write_text(ROSTER, encoding="utf-8")
    send(root, "区人社局-就业帮扶.docx", "区人社局", "我区就业帮扶见实效")
    invoke("remind", "-w", str(root), "--month", MONTH, "--today", "2026-10-22")
    outbox = root / "outputs" / MONTH / "outbox" / "约稿催报"
    first = sorted(p.name for p in outbox.glob("*.eml"))
    assert len(first) == 4 and not any("rsj@" in name for name in first)
    out = invoke("remind", "-w", str(root), "--month", MONTH, "--today", "2026-10-22")
    assert sorted(p.name for p in outbox.glob("*.eml")) == first
    assert "没有 约稿.txt，未发约稿通知" in out


def test_remind_without_a_calendar_says_how_to_set_one(tmp_path):
    root = tmp_path / "office"
    (root / "inputs").mkdir(parents=True)
    (root / "bulletin.toml").write_text(SETTINGS, encoding="utf-8")
    out = invoke("remind", "-w", str(root), "--today", "2026-10-22", code=1)
    assert "没有 [calendar] 配置节" in out


def test_ledger_rows_of_a_workspace_without_calendar_stay_as_they_were(tmp_path):
    """No [calendar]: compile records no `late` (older rows and offices without a calendar look the same)."""
    root = tmp_path / "office"
    (root / "inputs" / MONTH).mkdir(parents=True)
    (root / "bulletin.toml").write_text(SETTINGS, encoding="utf-8")
    send(root, "区人社局-就业帮扶.docx", "区人社局", "我区就业帮扶见实效")
    invoke("compile", "-w", str(root), "--month", MONTH, "--date", "2026-10-28")
    with Ledger(root / ".bulletin" / "ledger.sqlite3") as ledger:
        (row,) = ledger.last_compile(MONTH).drafts
    assert "late" not in row and row["received"]
    assert json.dumps(row, ensure_ascii=False)
