"""The workbench's month page shows the month's calendar (issue 25: "the workbench shows the calendar and who
was reminded when"): the deadline, the call, and each reminder day with the units reminded and when — the same
lines `bulletin status` prints. Outbox mode (no [smtp]): the reminders are .eml files, recorded once."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from workspace_kit import SETTINGS

from bulletin.cli import app
from bulletin.core.workspace import Workspace
from bulletin.office import accounts
from bulletin.web import tokens
from bulletin.web.app import create_app

MONTH = "2026-10"
ROSTER = "单位名称,别名,邮箱\n区人社局,,rsj@zg.example.cn\n区财政局,,czj@zg.example.cn\n区住建局,,\n"
CALENDAR = '\n[calendar]\ndeadline = 25\ndeadline_time = "18:00"\ncall_day = 10\nremind_days_before = [3, 1, 0]\n'


def test_the_month_page_lists_the_calendar_and_who_was_reminded_when(tmp_path):
    root = tmp_path / "office"
    (root / "inputs" / MONTH).mkdir(parents=True)
    (root / "bulletin.toml").write_text(SETTINGS + CALENDAR, encoding="utf-8")
    (root / "inputs" / "units.csv").write_text(ROSTER, encoding="utf-8")
    (root / "inputs" / MONTH / "约稿.txt").write_text("一、报送要点\n1. 围绕三季度经济运行报送信息。\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["remind", "-w", str(root), "--month", MONTH, "--today", "2026-10-22"])
    assert done.exit_code == 0, done.output
    ws = Workspace.at(root)
    accounts.add_user(ws, "张三", "编辑", "Zhang-San-2026!")
    client = TestClient(create_app(root), base_url="https://testserver")
    login = client.post("/login", data={"name": "张三", "password": "Zhang-San-2026!",
                                        "csrf": tokens.csrf_token(ws, "login")}, follow_redirects=False)
    assert login.status_code == 303
    page = client.get(f"/m/{MONTH}")
    assert page.status_code == 200
    section = page.text[page.text.index('<div id="calendar">'):]
    section = section[:section.index("</div>")]
    assert "报送日历（约稿与催报）" in section and "10月25日 18:00" in section
    assert "约稿通知：已发 2 个单位" in section  # the two units with an address (区住建局 has none)
    # the send times shown are when the mails were written (now), not the --today the run stood for
    assert re.search(r"10月22日催报：区人社局（\d\d-\d\d \d\d:\d\d）、区财政局（\d\d-\d\d \d\d:\d\d）</li>", section)
    assert "区住建局" not in section
