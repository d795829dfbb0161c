"""The review desk (issue 11) through HTTP (FastAPI's TestClient on the real app): reviewer links, the office
login, CSRF, decisions bound to the version shown, hostile text shown as text, no path from a URL. The real
browser is in test_web_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from workspace_kit import SETTINGS, make_workspace

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.office import links
from bulletin.web import tokens
from bulletin.web.app import create_app

REVIEWER = "zhuren@zgq.example.cn"
HOSTILE = "<script>alert(1)</script>{{ 7*7 }}"
DESK = SETTINGS + f"""
[review]
reviewers = ["{REVIEWER}"]
timeout_days = 7

[web]
base_url = "https://shenhe.zgq.example.cn"
"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    office = make_workspace(tmp_path_factory.mktemp("desk") / "ws", settings=DESK)
    (office.root / "inputs" / "recipients.csv").write_text("名单,名称,邮箱\n发,区人社局,renshe@example.com\n",
                                                          encoding="utf-8")
    office.draft("1.docx", title=HOSTILE, unit_line="区人社局", paragraphs=["就业正文。"])
    office.draft("2.docx", title="区财政局兜牢“三保”底线", paragraphs=["财政正文。"])
    office.notices([{"单位名称": "区财政局", "通报事项": "<b>按时报送</b>", "通报类别": "通报表扬", "备注": ""}])
    result = office.compile()
    return office, result


def fresh(desk, tmp_path):
    """A copy of the compiled workspace, so that decisions in one test do not show in another."""
    import shutil

    office, result = desk
    root = tmp_path / "ws"
    shutil.copytree(office.root, root)
    ws = office.ws.__class__.at(root)
    with Ledger(ws.ledger_path) as ledger:  # relative paths: the copy's ledger names the copy's file
        path = Path(ledger.last_compile(office.month).path)
    return ws, path


def client_for(ws) -> TestClient:
    return TestClient(create_app(ws.root), base_url="https://testserver")


@pytest.mark.libreoffice
def test_the_review_page_shows_the_bulletin_and_hostile_text_as_text(desk, tmp_path):
    ws, path = fresh(desk, tmp_path)
    token = links.review_token(ws, "2026-10", sha256_file(path), REVIEWER)
    client = client_for(ws)
    page = client.get(f"/r/{token}")
    assert page.status_code == 200
    html = page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in html
    assert "<script>alert(1)" not in html and "&lt;/script&gt;49" not in html  # not markup, not evaluated
    assert f"{REVIEWER}，您好：请审核 2026-10 工作简报 第64期，" in html and "编排的版本" in html
    assert 'id="page-1"' in html
    image = client.get(f"/r/{token}/page/1.png")
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/r/{token}/page/99.png").status_code == 404
    assert client.get(f"/r/{token}/bulletin.docx").content == path.read_bytes()
    assert page.headers["x-frame-options"] == "DENY" and "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.slow
def test_deciding_needs_the_csrf_token_a_reason_to_reject_and_a_confirmation(desk, tmp_path, no_page_images):
    ws, path = fresh(desk, tmp_path)
    sha = sha256_file(path)
    token = links.review_token(ws, "2026-10", sha, REVIEWER)
    client = client_for(ws)
    csrf = tokens.csrf_token(ws, token)
    refused = client.post(f"/r/{token}", data={"action": "approve", "seen": sha})
    assert refused.status_code == 403 and "表单校验码" in refused.text
    assert client.post(f"/r/{token}", data={"action": "approve", "seen": sha, "csrf": "0" * 64}).status_code == 403
    other = tokens.csrf_token(ws, links.review_token(ws, "2026-10", sha, "other@example.cn"))
    assert client.post(f"/r/{token}", data={"action": "approve", "seen": sha, "csrf": other}).status_code == 403

    no_reason = client.post(f"/r/{token}", data={"action": "reject", "comment": "  ", "seen": sha, "csrf": csrf})
    assert no_reason.status_code == 400 and "退回时请填写审核意见（退回原因）。" in no_reason.text
    confirm = client.post(f"/r/{token}", data={"action": "approve", "seen": sha, "csrf": csrf})
    assert confirm.status_code == 200 and "确认：2026-10 工作简报 第64期，" in confirm.text and "—— 审核通过" in confirm.text
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.latest_decision("2026-10") is None  # nothing recorded before the confirmation
    done = client.post(f"/r/{token}", data={"action": "approve", "seen": sha, "csrf": csrf, "confirm": "1"})
    assert done.status_code == 200 and "已记录：审核通过" in done.text
    with Ledger(ws.ledger_path) as ledger:
        decision = ledger.latest_decision("2026-10")
    assert (decision.approved, decision.reviewer, decision.sha256) == (True, REVIEWER, sha)

    # The link is spent: the page says so, and a replayed POST records nothing more.
    assert "本期简报已有审核结果：审核通过" in client.get(f"/r/{token}").text
    replay = client.post(f"/r/{token}", data={"action": "reject", "comment": "再退回", "seen": sha, "csrf": csrf,
                                              "confirm": "1"})
    assert replay.status_code == 409
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.latest_decision("2026-10").approved is True


@pytest.mark.libreoffice
def test_a_file_edited_after_the_mail_is_shown_as_the_new_version(desk, tmp_path):
    ws, path = fresh(desk, tmp_path)
    mailed = sha256_file(path)
    token = links.review_token(ws, "2026-10", mailed, REVIEWER)
    doc = Document(str(path))
    doc.add_paragraph("审核前补充的一句。")
    doc.save(str(path))
    client = client_for(ws)
    page = client.get(f"/r/{token}")
    assert "送审邮件发出后，文件已被修改：下面是当前版本，请审核这个版本。" in page.text
    assert "编排后经人工修改的版本" in page.text
    csrf = tokens.csrf_token(ws, token)
    stale = client.post(f"/r/{token}", data={"action": "approve", "seen": mailed, "csrf": csrf, "confirm": "1"})
    assert stale.status_code == 409 and "您查看后文件又被修改过" in stale.text
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.latest_decision("2026-10") is None


def test_forged_expired_and_other_month_links_are_useless(desk, tmp_path, monkeypatch):
    ws, path = fresh(desk, tmp_path)
    sha = sha256_file(path)
    client = client_for(ws)
    token = links.review_token(ws, "2026-10", sha, REVIEWER)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert "审核链接无效：请使用送审邮件中的完整链接。" in client.get(f"/r/{forged}").text
    from itsdangerous import URLSafeTimedSerializer

    foreign = URLSafeTimedSerializer("another-office", salt="bulletin-review-link").dumps(
        {"m": "2026-10", "s": sha, "r": REVIEWER})
    assert client.get(f"/r/{foreign}").status_code == 403
    assert client.get(f"/r/{foreign}/bulletin.docx").status_code == 403
    september = links.review_token(ws, "2026-09", sha, REVIEWER)
    assert client.get(f"/r/{september}").status_code == 404  # a link names its month; nothing else opens

    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 8 * 86400)  # 8 days later
    expired = client.get(f"/r/{token}")
    assert expired.status_code == 403 and "审核链接已过期（有效期 7 天）" in expired.text


@pytest.mark.libreoffice
def test_the_office_pages_need_the_password_and_paths_never_come_from_urls(desk, tmp_path, monkeypatch):
    ws, _ = fresh(desk, tmp_path)
    client = client_for(ws)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/m/2026-10", follow_redirects=False).status_code == 303
    assert client.get("/m/2026-10/bulletin.docx").status_code == 403
    monkeypatch.setattr("bulletin.web.app.WRONG_PASSWORD_DELAY", 0)
    monkeypatch.setenv("BULLETIN_WEB_PASSWORD", "Zg-2026-shenhe")
    login_csrf = tokens.csrf_token(ws, "login")
    assert client.post("/login", data={"password": "Zg-2026-shenhe"}).status_code == 403  # no CSRF token
    wrong = client.post("/login", data={"password": "guess", "csrf": login_csrf})
    assert wrong.status_code == 401 and "密码不对。" in wrong.text
    ok = client.post("/login", data={"password": "Zg-2026-shenhe", "csrf": login_csrf}, follow_redirects=False)
    cookie = ok.headers["set-cookie"]
    assert ok.status_code == 303 and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    months = client.get("/")
    assert months.status_code == 200 and "第64期" in months.text and 'href="/m/2026-10"' in months.text
    month = client.get("/m/2026-10")
    assert "&lt;script&gt;" in month.text and "renshe@example.com" in month.text and "待发送" in month.text
    assert "<td>&lt;b&gt;按时报送&lt;/b&gt;</td><td>通报表扬</td>" in month.text  # the notice table, as text
    for url in ("/m/..%2F..%2Fbulletin.toml", "/m/2026-10/page/..%2F..%2Fbulletin.toml",
                "/r/..%2F..%2Fbulletin.toml", "/m/../../bulletin.toml"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "smtp" not in response.text and "first_issue" not in response.text


@pytest.mark.libreoffice
def test_review_mail_carries_a_personal_link_per_reviewer(desk, tmp_path, smtp_server):
    from mail_workspace import smtp_settings

    from bulletin.office.review import review as send_for_review

    ws, path = fresh(desk, tmp_path)
    server = smtp_server()
    text = (ws.root / "bulletin.toml").read_text(encoding="utf-8")
    smtp = smtp_settings(server)
    text = text.replace(f'reviewers = ["{REVIEWER}"]', f'reviewers = ["{REVIEWER}", "mishu@zgq.example.cn"]')
    text += "\n[smtp]\n" + "\n".join(f'{k} = {v!r}'.replace("'", '"') for k, v in smtp.items()) + "\n"
    (ws.root / "bulletin.toml").write_text(text, encoding="utf-8")
    ws = ws.__class__.at(ws.root)
    report = send_for_review(ws, "2026-10")
    assert len(report.sent) == 2 and len(server.messages) == 2
    links = {}
    for message in server.messages:
        body = message.message.get_body(("plain",)).get_content()
        (url,) = re.findall(r"https://shenhe\.zgq\.example\.cn/r/(\S+)", body)
        links[message.rcpt_tos[0]] = url
    assert sorted(links) == ["mishu@zgq.example.cn", REVIEWER]
    client = client_for(ws)
    assert "mishu@zgq.example.cn，您好" in client.get(f"/r/{links['mishu@zgq.example.cn']}").text
    assert send_for_review(ws, "2026-10").sent == []  # the same version is not mailed twice
