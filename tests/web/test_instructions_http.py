"""The workbench's 领导批示 page (issue 26) through plain HTTP, as curl would drive it: a clerk (编辑) registers an
instruction whose 批示内容 is hostile markup, records its feedback, downloads the register and replaces it by an
upload; a 审核 account reads the page but is refused every POST; a POST without the CSRF token is refused; every
action is in the audit table. The office's today is fixed at 2026-11-15 so the states are worked out by hand:
  第65期《<hostile>》 王副区长 区级·指导 2026-11-05, 落实 区住建局、区财政局, due 2026-11-20 -> 未到期;
  feedback dated 2026-11-18 (<= 11-20) -> 已反馈.
No compile runs: no LibreOffice, no SMTP server (make_office only writes the [smtp] port)."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from smtp_server import free_port
from workbench_kit import CHECKER, CHECKER_PASSWORD, CLERK, CLERK_PASSWORD, HOSTILE, csrf_of, make_office

from bulletin.office import accounts
from bulletin.office.instructions import history_dir, recent_actions
from bulletin.web import tokens
from bulletin.web.app import create_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADD = {"number": "65", "title": "老旧小区改造开工", "source_unit": "区住建局", "leader": "王副区长", "level": "区级",
       "kind": "指导", "day": "2026-11-05", "text": HOSTILE, "due": "2026-11-20", "year": "2026"}


@pytest.fixture
def office(tmp_path, monkeypatch):
    monkeypatch.setattr("bulletin.web.app.WRONG_PASSWORD_DELAY", 0)
    monkeypatch.setattr("bulletin.office.instructions.office_today", lambda: date(2026, 11, 15))
    port = free_port()
    ws = make_office(tmp_path / "office", SimpleNamespace(port=1), port)
    return ws, port


def client_of(ws, port, name, password) -> TestClient:
    client = TestClient(create_app(ws.root), base_url=f"http://127.0.0.1:{port}")
    answer = client.post("/login", data={"name": name, "password": password, "csrf": tokens.csrf_token(ws, "login")},
                         follow_redirects=False)
    assert answer.status_code == 303
    return client


def add_form(csrf: str | None, **change) -> dict:
    return ADD | {"units": ["区住建局", "区财政局"]} | ({"csrf": csrf} if csrf else {}) | change


def test_the_register_page_through_plain_http(office, tmp_path):
    ws, port = office
    path = ws.inputs / "领导批示.xlsx"
    clerk = client_of(ws, port, CLERK, CLERK_PASSWORD)
    page = clerk.get("/instructions")
    assert page.status_code == 200 and '<a href="/instructions" id="nav-instructions">领导批示</a>' in page.text
    assert "还没有登记表 inputs/领导批示.xlsx" in page.text
    assert "<h2 id=\"heading\">2026年领导批示</h2>" in page.text  # the office's today's year
    # the choices: the roster's units, the configured levels and kinds
    assert '<select name="level" id="add-level"><option>区级</option><option>市级</option><option>省级</option></select>' \
        in page.text
    assert "<option>区行政审批局</option>" in page.text and "<option>批办</option>" in page.text
    assert clerk.get("/instructions/register.xlsx").status_code == 404
    csrf = csrf_of(page.text)

    # CSRF missing or wrong: refused, nothing written
    answer = clerk.post("/instructions/add", data=add_form(None))
    assert answer.status_code == 403 and "缺少或错误的表单校验码" in answer.text
    assert clerk.post("/instructions/add", data=add_form("0" * 64)).status_code == 403
    assert not path.exists()

    # a 审核 account reads the page, has no forms, and is refused every POST
    checker = client_of(ws, port, CHECKER, CHECKER_PASSWORD)
    seen = checker.get("/instructions")
    assert seen.status_code == 200 and 'action="/instructions/add"' not in seen.text
    for where, kwargs in (("add", {"data": add_form(csrf_of(seen.text))}),
                          ("feedback", {"data": {"csrf": csrf_of(seen.text), "row": "2", "key": "x", "text": "y"}}),
                          ("upload", {"data": {"csrf": csrf_of(seen.text)},
                                      "files": [("register", ("a.xlsx", b"PK\x03\x04", XLSX))]})):
        refused = checker.post(f"/instructions/{where}", **kwargs)
        assert refused.status_code == 403 and "您的角色（审核）不能进行此操作。" in refused.text, where
    assert not path.exists()

    # a refusal shows its reason and keeps what was typed
    answer = clerk.post("/instructions/add", data=add_form(csrf, units=["区住建局", "区财政局", "区水利局"]))
    assert answer.status_code == 400
    assert '<p class="error" id="error">落实单位“区水利局”不在单位名册（inputs/units.csv）中：请从名册中选择。</p>' in answer.text
    assert 'value="老旧小区改造开工"' in answer.text and "<option selected>区财政局</option>" in answer.text
    assert not path.exists()

    # added: the register is created, the page shows the row escaped
    answer = clerk.post("/instructions/add", data=add_form(csrf), follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/instructions?year=2026#row-2"
    page = clerk.get("/instructions?year=2026").text
    row = re.search(r'<tr id="row-2">(.*?)</tr>', page, re.S).group(1)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert ('<td class="text">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'
            "{{7*7}}</td>") in row
    assert "<td>第65期《老旧小区改造开工》</td><td>区住建局</td><td>王副区长</td><td>区级·指导</td><td>2026-11-05</td>" in row
    assert "<td>区住建局、区财政局</td><td>2026-11-20</td>" in row
    assert '<td class="state state-未到期">未到期</td>' in row
    assert "共 1 条（截至 2026-11-15）" in page
    assert load_workbook(path).active["H2"].value == HOSTILE

    # feedback on that row (the key the page carries), then the state is 已反馈
    key = re.search(r'name="key" value="([0-9a-f]{12})"', row).group(1)
    answer = clerk.post("/instructions/feedback", data={"csrf": csrf, "year": "2026", "row": "2", "key": key,
                                                        "text": "已开工18个小区。", "day": "2026-11-18"})
    assert answer.status_code == 200
    assert "已记录 领导批示.xlsx 第2行 第65期《老旧小区改造开工》 的反馈（2026-11-18）：已反馈。" in answer.text
    row = re.search(r'<tr id="row-2">(.*?)</tr>', answer.text, re.S).group(1)
    assert '<td class="state state-已反馈">已反馈</td>' in row
    assert '<span class="feedback">已开工18个小区。（2026-11-18）</span>' in row
    stale = clerk.post("/instructions/feedback", data={"csrf": csrf, "row": "2", "key": "0" * 12, "text": "x"})
    assert stale.status_code == 400 and "已被改动（第2行不再是页面上的那条批示）" in stale.text

    # the register as a download: the very bytes of the file
    got = clerk.get("/instructions/register.xlsx")
    assert got.status_code == 200 and got.content == path.read_bytes()
    assert "attachment" in got.headers["content-disposition"]
    old = path.read_bytes()

    # a whole register uploaded: refused without a header, else it replaces the file and the old one is kept
    book = Workbook()
    book.active.append(["不是登记表"])
    book.save(tmp_path / "x.xlsx")
    refused = clerk.post("/instructions/upload", data={"csrf": csrf},
                         files=[("register", ("x.xlsx", (tmp_path / "x.xlsx").read_bytes(), XLSX))])
    assert refused.status_code == 400 and "x.xlsx：前几行中找不到表头" in refused.text and path.read_bytes() == old
    book = Workbook()
    sheet = book.active
    sheet.append(["期号", "标题", "领导", "级别", "类别", "日期", "落实单位", "反馈期限", "反馈情况"])
    sheet.append([64, "稳就业", "李市长", "市级", "批办", "2026-10-20", "区人社局", "2026-11-10", "已落实"])
    sheet.append([65, "保供暖", "张书记", "区级", "批办", "2026-11-02", "区财政局", "2026-11-12", ""])
    sheet.append([65, "一窗通办", "赵局长", "省级", "参阅", "2026-11-03", "", "", ""])
    book.save(tmp_path / "办公室登记表.xlsx")
    new = (tmp_path / "办公室登记表.xlsx").read_bytes()
    answer = clerk.post("/instructions/upload", data={"csrf": csrf, "year": "2026"},
                        files=[("register", ("办公室登记表.xlsx", new, XLSX))])
    assert answer.status_code == 200
    assert "已替换 inputs/领导批示.xlsx（办公室登记表.xlsx）：可用批示 3 条。" in answer.text
    (kept,) = history_dir(ws).iterdir()
    assert kept.read_bytes() == old and path.read_bytes() == new
    # on 2026-11-15: 稳就业 fed back (no date) 已反馈; 保供暖 due 11-12 逾期未反馈; 一窗通办 no unit 无需反馈
    states = re.findall(r'<td class="state state-[^"]+">([^<]+)</td>', answer.text)
    assert states == ["已反馈", "逾期未反馈", "无需反馈"]
    assert '<span class="state-已反馈">已反馈 1</span><span class="state-逾期反馈">逾期反馈 0</span>' in answer.text

    # the audit table: who did what, newest last here
    assert [(a.actor, a.role, a.action) for a in recent_actions(ws)][::-1] == [
        (CLERK, "编辑", "登记领导批示"), (CLERK, "编辑", "记录批示反馈"), (CLERK, "编辑", "上传领导批示登记表")]
    (added,) = [a for a in accounts.audit(ws, None) if a.action == "登记领导批示"]
    assert added.month == "2026-11"
    assert added.details.startswith("第2行 第65期《老旧小区改造开工》 王副区长 区级·指导 2026-11-05 落实：区住建局、区财政局")
    assert f"<td>{CLERK}</td><td>编辑</td><td>上传领导批示登记表</td>" in answer.text
