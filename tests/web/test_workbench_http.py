"""The workbench (issue 24) through plain HTTP, as curl would drive it (no JavaScript): a clerk's month on a fresh
workspace — log in with a named account, upload drafts and a .zip (receipt), compile in the background, fix a
需核对 draft's unit, set the lead, upload the notice sheet, compile again, 送审 to 初审, the reviewers decide through
their links (初审, then 签发), send with one recipient refused, 补发 to that one. Then the ledger, the files and
the mails are checked as the CLI tests check them. Roles, CSRF, the reviewer link's reach, and hostile text
through every field are tried on the same office."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from smtp_server import free_port
from workbench_kit import (
    CHECKER,
    CHECKER_PASSWORD,
    CLERK,
    CLERK_PASSWORD,
    FIRST,
    HOSTILE,
    MONTH,
    SIGNER,
    csrf_of,
    drafts,
    links_in,
    make_office,
    notice_sheet,
    zip_of,
)

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.office import accounts
from bulletin.web import tokens
from bulletin.web.app import create_app

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr("bulletin.web.app.WRONG_PASSWORD_DELAY", 0)


def login(client, ws, name, password):
    return client.post("/login", data={"name": name, "password": password, "csrf": tokens.csrf_token(ws, "login")},
                       follow_redirects=False)


def wait_job(client, month=MONTH, timeout=120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/m/{month}/job").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.3)
    raise AssertionError("the compile job did not finish")


def post(client, path, data=None, files=None, csrf=None, **kwargs):
    csrf = csrf or csrf_of(client.get(f"/m/{MONTH}").text)
    return client.post(path, data={"csrf": csrf, **(data or {})}, files=files, **kwargs)


def rows(ws) -> list[tuple]:
    with Ledger(ws.ledger_path) as ledger:
        return [(r["file"], r["unit"], r["status"]) for r in ledger.last_compile(MONTH).drafts]


def test_a_clerks_month_through_plain_http(tmp_path, smtp_server, fast):
    server = smtp_server()
    port = free_port()
    ws = make_office(tmp_path / "office", server, port)
    made = drafts(tmp_path / "usb")
    clerk = TestClient(create_app(ws.root), base_url=f"http://127.0.0.1:{port}")

    assert clerk.get("/", follow_redirects=False).headers["location"] == "/login"
    assert login(clerk, ws, CLERK, "wrong-password").status_code == 401
    assert login(clerk, ws, CLERK, CLERK_PASSWORD).status_code == 303
    page = clerk.get(f"/m/{MONTH}")
    assert page.status_code == 200 and "尚未编排：上传稿件后点“编排”。" in page.text
    assert not (ws.root / "inputs" / MONTH).exists()

    # upload five drafts and a .zip with two more, and a picture that is refused on the receipt
    files = [("files", (name, made[name].read_bytes(), DOCX)) for name in list(made)[:5]]
    files += [("files", ("稿件.zip", zip_of([made["6-住建.docx"], made["7-教体.docx"]]), "application/zip")),
              ("files", ("现场照片.jpg", b"\xff\xd8\xff\xe0 a photo", "image/jpeg"))]
    answer = post(clerk, f"/m/{MONTH}/upload", files=files)
    assert answer.status_code == 200
    receipt = re.search(r'<div class="receipt" id="receipt">(.*?)</div>', answer.text, re.S).group(1)
    assert receipt.splitlines()[0] == "已保存 7 份，未保存 1 份。"
    assert "✓ 6-住建.docx（压缩包《稿件.zip》中） → 6-住建.docx" in receipt
    assert "✗ 现场照片.jpg：图片不能单独编入简报，请把图片插入 Word 稿件后重新上传" in receipt
    assert sorted(p.name for p in (ws.root / "inputs" / MONTH).iterdir()) == sorted(made)

    # 编排 in the background; the month page says how it went
    assert post(clerk, f"/m/{MONTH}/compile", follow_redirects=False).status_code == 303
    state = wait_job(clerk)
    assert state["state"] == "done", state
    assert "编入 7 篇，需核对 1 篇" in state["message"] and "页面图" in state["message"]
    assert ("4-无单位.docx", "", "flagged") in rows(ws)

    # fix the 需核对 draft's unit (from the roster), make 6-住建 the lead, upload the notice sheet, compile again
    fix = {"file": "4-无单位.docx", "unit": "区教体局", "title": "课后服务全覆盖", "column": ""}
    assert post(clerk, f"/m/{MONTH}/draft", fix, follow_redirects=False).status_code == 303
    assert post(clerk, f"/m/{MONTH}/move", {"file": "6-住建.docx", "where": "lead"},
                follow_redirects=False).status_code == 303
    sheet = notice_sheet(tmp_path / "情况通报.xlsx").read_bytes()
    answer = post(clerk, f"/m/{MONTH}/notices", files=[("sheet", ("10月通报.xlsx", sheet, "application/octet-stream"))])
    assert "✓ 10月通报.xlsx → 情况通报.xlsx" in answer.text
    post(clerk, f"/m/{MONTH}/compile", follow_redirects=False)
    assert wait_job(clerk)["state"] == "done"
    assert rows(ws)[:2] == [("6-住建.docx", "区住建局", "accepted"), ("1-人社.docx", "区人社局", "accepted")]
    assert ("4-无单位.docx", "区教体局", "accepted") in rows(ws)
    arrangement = (ws.root / "inputs" / MONTH / "编排.toml").read_text(encoding="utf-8")
    assert 'order = ["6-住建.docx", "1-人社.docx", "2-财政.docx", "3-工信.docx", "4-无单位.docx", "5-审批.docx", ' \
           '"7-教体.docx"]' in arrangement and '[draft."4-无单位.docx"]\nunit = "区教体局"' in arrangement
    page = clerk.get(f"/m/{MONTH}").text
    assert '<span class="lead">头条</span>' in page and 'id="page-1"' in page
    assert "<td>区住建局</td><td>逾期未报</td><td>通报批评</td>" in page
    image = clerk.get(f"/m/{MONTH}/page/1.png")
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"

    # 送审: the 初审 reviewer gets a personal link; an 编辑 cannot decide
    answer = post(clerk, f"/m/{MONTH}/review")
    assert "本次发送 1 位" in answer.text
    assert post(clerk, f"/m/{MONTH}/decide", {"action": "approve", "seen": "x"}).status_code == 403
    reviewer = TestClient(create_app(ws.root), base_url=f"http://127.0.0.1:{port}")
    (first_link,) = links_in(server, FIRST[1], port)
    approve(reviewer, first_link, port)
    post(clerk, f"/m/{MONTH}/review")  # now to 签发
    (sign_link,) = links_in(server, SIGNER[1], port)
    # a reviewer's link opens no session: it cannot upload or compile
    token = sign_link.rsplit("/", 1)[1]
    refused = reviewer.post(f"/m/{MONTH}/upload", data={"csrf": tokens.csrf_token(ws, token)},
                            files=[("files", ("x.docx", made["1-人社.docx"].read_bytes(), DOCX))])
    assert refused.status_code == 403 and "请先登录办公台" in refused.text
    approve(reviewer, sign_link, port)

    # send: caizheng@ refused once by the server, then 补发 to that one alone
    server.handler.reject.add("caizheng@zgq.example.cn")
    answer = post(clerk, f"/m/{MONTH}/send")
    assert "本次发送 2 位" in answer.text and "✗ [发] 区财政局 &lt;caizheng@zgq.example.cn&gt;：550 5.1.1 User unknown" in answer.text
    assert str(ws.root) not in answer.text  # no server path on the page
    assert answer.text.count('class="small resend"') == 1
    server.handler.reject.clear()
    answer = post(clerk, f"/m/{MONTH}/resend", {"email": "caizheng@zgq.example.cn"})
    assert "本次发送 1 位" in answer.text and "resend" not in answer.text.split('id="delivery"')[1].split("</table>")[0]

    # the ledger, the file and the mails, as the CLI tests check them
    with Ledger(ws.ledger_path) as ledger:
        record = ledger.last_compile(MONTH)
        deliveries = ledger.deliveries(MONTH, "bulletin")
        decision = ledger.latest_decision(MONTH)
    assert record.number == 64 and sha256_file(record.path) == record.sha256
    assert (decision.approved, decision.reviewer, decision.step, decision.sha256) == (True, SIGNER[0], "签发", record.sha256)  # the name (§22), not the link's address
    assert {e: d.status for e, d in deliveries.items()} == {
        "renshe@zgq.example.cn": "sent", "caizheng@zgq.example.cn": "sent", "shi@zgq.example.cn": "sent"}
    issues = [m for m in server.messages if not {FIRST[1], SIGNER[1]} & set(m.rcpt_tos)]
    assert sorted(r for m in issues for r in m.rcpt_tos) == ["caizheng@zgq.example.cn", "renshe@zgq.example.cn",
                                                             "shi@zgq.example.cn"]
    for m in issues:
        (part,) = list(m.message.iter_attachments())
        assert part.get_payload(decode=True) == Path(record.path).read_bytes()  # the approved bytes

    # every action in the audit table, with who and when
    actions = [(a.actor, a.action) for a in accounts.audit(ws, MONTH) if a.month == MONTH][::-1]
    assert actions == [
        (CLERK, "上传稿件"), (CLERK, "开始编排"), (CLERK, "编排完成"), (CLERK, "设置供稿单位"), (CLERK, "设为头条"),
        (CLERK, "上传情况通报表"), (CLERK, "开始编排"), (CLERK, "编排完成"), (CLERK, "送审"),
        (FIRST[1], "审核通过"), (CLERK, "送审"), (SIGNER[1], "审核通过"), (CLERK, "发送简报"), (CLERK, "补发")]
    assert f"<td>{CLERK}</td><td>编辑</td><td>补发</td>" in clerk.get(f"/m/{MONTH}").text


def approve(client, link: str, port: int) -> None:
    path = link.replace(f"http://127.0.0.1:{port}", "")
    page = client.get(path)
    assert page.status_code == 200
    seen = re.search(r'name="seen" value="([0-9a-f]{64})"', page.text).group(1)
    data = {"action": "approve", "seen": seen, "csrf": csrf_of(page.text), "comment": "", "confirm": "1"}
    done = client.post(path, data=data)
    assert done.status_code == 200 and "已记录：审核通过" in done.text, done.text


def test_roles_csrf_and_hostile_text(tmp_path, smtp_server, fast):
    server = smtp_server()
    port = free_port()
    ws = make_office(tmp_path / "office", server, port)
    folder = ws.root / "inputs" / MONTH
    from draft_factory import make_draft

    make_draft(folder / "1.docx", title=HOSTILE, unit_line="区人社局", paragraphs=["正文。"])
    make_draft(folder / "2.docx", title="兜底线", unit_line="区财政局", paragraphs=["财政正文。"])
    clerk = TestClient(create_app(ws.root), base_url=f"http://127.0.0.1:{port}")
    login(clerk, ws, CLERK, CLERK_PASSWORD)
    post(clerk, f"/m/{MONTH}/compile")
    assert wait_job(clerk)["state"] == "done"

    # CSRF: missing or another session's token is refused, nothing written
    assert clerk.post(f"/m/{MONTH}/note", data={"note": "x"}).status_code == 403
    assert clerk.post(f"/m/{MONTH}/note", data={"note": "x", "csrf": "0" * 64}).status_code == 403
    assert not (folder / "编者按.txt").exists()
    # a 审核 account can read, not edit; only 管理 manages accounts
    checker = TestClient(create_app(ws.root), base_url=f"http://127.0.0.1:{port}")
    assert login(checker, ws, CHECKER, CHECKER_PASSWORD).status_code == 303
    assert checker.get(f"/m/{MONTH}").status_code == 200 and 'action="/m/2026-10/upload"' not in checker.get(f"/m/{MONTH}").text
    refused = post(checker, f"/m/{MONTH}/upload", files=[("files", ("a.docx", (folder / "2.docx").read_bytes(), DOCX))])
    assert refused.status_code == 403 and "您的角色（审核）不能进行此操作。" in refused.text
    assert clerk.get("/users").status_code == 403
    assert clerk.post("/users", data={"csrf": csrf_of(clerk.get(f"/m/{MONTH}").text), "name": "x", "role": "管理",
                                      "password": "abcdefgh1", "password2": "abcdefgh1"}).status_code == 403
    assert accounts.find_user(ws, "x") is None
    # a file name that is a path is no draft of the month
    bad = post(clerk, f"/m/{MONTH}/exclude", {"file": "../../bulletin.toml", "excluded": "1"})
    assert bad.status_code == 400 and "本月没有稿件" in bad.text

    # hostile text through every field: shown as text, never markup
    post(clerk, f"/m/{MONTH}/draft", {"file": "2.docx", "unit": "区财政局", "title": HOSTILE, "column": HOSTILE})
    post(clerk, f"/m/{MONTH}/note", {"note": HOSTILE})
    post(clerk, f"/m/{MONTH}/notice-rows", {"unit": HOSTILE, "matter": "=HYPERLINK(\"http://x\")", "category": "通报表扬",
                                            "remark": HOSTILE})
    csrf = csrf_of(clerk.get(f"/m/{MONTH}").text)
    clerk.post("/stats/upper", data={"csrf": csrf, "unit": "区人社局", "title": HOSTILE, "publication": "=1+1",
                                     "level": "市级", "day": "2026-10-15", "year": "2026"})
    post(clerk, f"/m/{MONTH}/compile")
    assert wait_job(clerk)["state"] == "done"
    for page in (clerk.get(f"/m/{MONTH}").text, clerk.get("/stats?year=2026").text, clerk.get("/archive?q=" + HOSTILE).text):
        assert "<script>alert" not in page and "<img src=x" not in page
    page = clerk.get(f"/m/{MONTH}").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "{{7*7}}" in page
    assert "&#39;=HYPERLINK" in page or "=HYPERLINK" in page
    from openpyxl import load_workbook

    upper = load_workbook(ws.root / "inputs" / "上级采用.xlsx").active
    assert [c.value for c in upper[2]] == ["区人社局", HOSTILE, "'=1+1", "市级", "2026-10-15"]
    assert all(c.data_type == "s" for c in upper[2])
    notices = load_workbook(folder / "情况通报.xlsx").active
    assert notices["B2"].value == "'=HYPERLINK(\"http://x\")" and notices["B2"].data_type == "s"
