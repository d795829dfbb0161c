"""The review desk's open doors (issue 22 items 7-10), tried as an attacker would, against the real app (FastAPI's
TestClient) and, for the password guessing, against a real `bulletin serve` on 127.0.0.1:

7. the office password: guesses limited per client address and for the office account (a sliding window, the
   wait told in Chinese), failures logged without the password; sessions kept server-side, revoked at logout and
   when BULLETIN_WEB_PASSWORD changes or is removed; the cookie Secure when [web] base_url is https;
8. the signing secret created by eight threads at once: one secret, never empty; an empty or short secret file is
   refused, never used to sign or to accept a link;
9. an approval and a rejection at the same moment on the same version: one recorded, the other told 409;
10. four parallel views of a new version start one LibreOffice; `/m/2026-10%0A` is no month; the notice sheet is
    read once per version of the sheet.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from docx import Document
from fastapi.testclient import TestClient
from repo_paths import REPO
from workspace_kit import SETTINGS, make_workspace

from bulletin.core.atomic import sha256_file
from bulletin.core.errors import BulletinError
from bulletin.core.ledger import Ledger
from bulletin.core.secret import SECRET_FILE, secret
from bulletin.office import links
from bulletin.web import tokens
from bulletin.web.app import create_app

REVIEWER = "zhuren@zgq.example.cn"
PASSWORD = "Zg-2026-shenhe"
DESK = SETTINGS + f"""
[review]
reviewers = ["{REVIEWER}", "mishu@zgq.example.cn"]
timeout_days = 7

[web]
base_url = "https://shenhe.zgq.example.cn"
"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    office = make_workspace(tmp_path_factory.mktemp("doors") / "ws", settings=DESK)
    office.draft("1.docx", title="区人社局稳就业", unit_line="区人社局", paragraphs=["就业正文。"])
    office.notices([{"单位名称": "区财政局", "通报事项": "按时报送", "通报类别": "通报表扬", "备注": ""}])
    office.compile()
    return office


def fresh(desk, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(desk.root, root)
    ws = desk.ws.__class__.at(root)
    with Ledger(ws.ledger_path) as ledger:
        path = Path(ledger.last_compile(desk.month).path)
    return ws, path


def login(client, password=PASSWORD):
    return client.post("/login", data={"password": password, "csrf": tokens.csrf_token(client.app_ws, "login")},
                       follow_redirects=False)


def client_for(ws, address="192.0.2.10", base_url="https://testserver", app=None):
    """A browser at `address`; pass `app` so that several browsers meet the same desk (one `bulletin serve`)."""
    client = TestClient(app or create_app(ws.root), base_url=base_url, client=(address, 50000))
    client.app_ws = ws
    return client


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr("bulletin.web.app.WRONG_PASSWORD_DELAY", 0)
    monkeypatch.setenv("BULLETIN_WEB_PASSWORD", PASSWORD)


# -- 7. the office password -------------------------------------------------------------------------------------------
def test_guesses_from_one_address_are_refused_after_ten_with_the_wait_in_chinese(desk, tmp_path, no_delay, caplog):
    ws, _ = fresh(desk, tmp_path)
    app = create_app(ws.root)
    client = client_for(ws, "192.0.2.10", app=app)
    caplog.set_level(logging.WARNING, logger="bulletin.web")
    answers = [login(client, f"guess-{n}").status_code for n in range(12)]
    assert answers == [401] * 10 + [429] * 2
    refused = login(client, PASSWORD)  # even the right password: this address waits
    assert refused.status_code == 429
    assert "尝试次数过多，请 15 分钟后再试。" in refused.text
    assert refused.headers["retry-after"] in {str(s) for s in range(840, 901)}
    # another address of the office is not locked out by this one
    assert login(client_for(ws, "192.0.2.11", app=app)).status_code == 303
    # every failure is logged with the client address, never the password
    failures = [r.getMessage() for r in caplog.records if r.name == "bulletin.web"]
    assert sum("192.0.2.10" in m and "wrong password" in m for m in failures) == 10
    assert sum("192.0.2.10" in m and "too many" in m for m in failures) == 3
    assert not any("guess-" in m or PASSWORD in m for m in failures)


def test_guesses_spread_over_addresses_are_refused_for_the_account_after_thirty(desk, tmp_path, no_delay):
    ws, _ = fresh(desk, tmp_path)
    answers = []
    app = create_app(ws.root)
    for n in range(4):  # 4 addresses x 9 guesses: under each address's 10, over the account's 30
        client = client_for(ws, f"198.51.100.{n + 1}", app=app)
        answers += [login(client, f"guess-{n}-{k}").status_code for k in range(9)]
    assert answers == [401] * 30 + [429] * 6
    refused = login(client_for(ws, "198.51.100.99", app=app), PASSWORD)
    assert refused.status_code == 429 and "尝试次数过多，请 15 分钟后再试。" in refused.text


def test_a_session_ends_at_logout_and_when_the_password_changes_or_is_removed(desk, tmp_path, no_delay, monkeypatch):
    ws, _ = fresh(desk, tmp_path)
    client = client_for(ws)
    ok = login(client)
    assert ok.status_code == 303
    cookie = client.cookies.get(tokens.SESSION_COOKIE)
    assert cookie and PASSWORD not in cookie
    page = client.get("/")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)

    # logout: the cookie the browser had is dead on the server, not only deleted in the browser
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    stolen = client_for(ws)
    stolen.cookies.set(tokens.SESSION_COOKIE, cookie)
    assert stolen.get("/", follow_redirects=False).headers.get("location") == "/login"

    # the password changes: every session made with the old one ends
    assert login(client).status_code == 303
    cookie = client.cookies.get(tokens.SESSION_COOKIE)
    assert client.get("/", follow_redirects=False).status_code == 200
    monkeypatch.setenv("BULLETIN_WEB_PASSWORD", "new-Zg-2027")
    assert client.get("/", follow_redirects=False).headers.get("location") == "/login"
    monkeypatch.setenv("BULLETIN_WEB_PASSWORD", PASSWORD)  # the old one back: still dead (revoked at the check)
    assert client.get("/", follow_redirects=False).headers.get("location") == "/login"

    # the password is removed: no office login at all, no session either
    assert login(client).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    monkeypatch.delenv("BULLETIN_WEB_PASSWORD")
    assert client.get("/", follow_redirects=False).headers.get("location") == "/login"

    # what the server keeps: no password, no cookie value in clear
    for path in ws.state_dir.glob("*sqlite3"):
        data = path.read_bytes()
        assert PASSWORD.encode() not in data and cookie.encode() not in data


def test_the_cookie_is_secure_when_base_url_is_https_even_behind_a_proxy_that_says_http(desk, tmp_path, no_delay):
    ws, _ = fresh(desk, tmp_path)
    behind_nginx = client_for(ws, base_url="http://127.0.0.1:8600")  # nginx without X-Forwarded-Proto
    cookie = login(behind_nginx).headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_plain_http_desk_on_this_machine_keeps_working_without_secure(desk, tmp_path, no_delay):
    ws, _ = fresh(desk, tmp_path)
    text = (ws.root / "bulletin.toml").read_text(encoding="utf-8")
    (ws.root / "bulletin.toml").write_text(text.replace("https://shenhe.zgq.example.cn", "http://127.0.0.1:8600"),
                                           encoding="utf-8")
    ws = ws.__class__.at(ws.root)
    client = client_for(ws, base_url="http://127.0.0.1:8600")
    cookie = login(client).headers["set-cookie"]
    assert "Secure" not in cookie
    assert client.get("/").status_code == 200


def test_the_readme_nginx_passes_the_scheme_and_the_client_address():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```nginx\n(.*?)```", readme, re.S)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in block
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in block


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(desk, tmp_path):
    """`bulletin serve` on 127.0.0.1 (a real uvicorn, its real thread pool) for the workspace copy."""
    ws, _ = fresh(desk, tmp_path)
    port = free_port()
    env = {**os.environ, "BULLETIN_WEB_PASSWORD": PASSWORD}
    log = open(tmp_path / "serve.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "bulletin.cli", "serve", "--workspace", str(ws.root),
                                "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError((tmp_path / "serve.log").read_text(errors="replace"))
    yield SimpleNamespace(ws=ws, base=base, log=tmp_path / "serve.log")
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.mark.slow
def test_120_parallel_guesses_against_bulletin_serve_check_ten_passwords(served):
    """Before: 120 guesses from one address in about 4 s, every one checked (1 s delay per request, on a
    thread pool of 40). Now: ten are checked, the rest refused at once with the wait."""
    csrf = tokens.csrf_token(served.ws, "login")

    browser = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=16))

    def guess(n: int) -> int:
        return browser.post(f"{served.base}/login", data={"password": f"guess-{n}", "csrf": csrf}).status_code

    started = time.monotonic()
    with browser, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(guess, range(120)))
    took = time.monotonic() - started
    print(f"120 guesses: {answers.count(401)} checked, {answers.count(429)} refused, {took:.1f} s")
    assert answers.count(401) == 10 and answers.count(429) == 110
    # nginx on this machine says who the client is (X-Forwarded-For from 127.0.0.1 is trusted): another
    # address is not locked out, and https from the proxy is seen as https
    other = httpx.post(f"{served.base}/login", data={"password": PASSWORD, "csrf": csrf}, timeout=30,
                       headers={"X-Forwarded-For": "192.0.2.77", "X-Forwarded-Proto": "https"})
    assert other.status_code == 303 and "Secure" in other.headers["set-cookie"]


# -- 8. the signing secret --------------------------------------------------------------------------------------------
def test_eight_threads_creating_the_secret_all_read_the_same_full_secret(tmp_path):
    bad = 0
    for trial in range(150):
        ws = SimpleNamespace(state_dir=tmp_path / f"t{trial}" / ".bulletin")
        barrier = threading.Barrier(8)

        def read() -> str:
            barrier.wait()
            return secret(ws)

        with ThreadPoolExecutor(8) as pool:
            seen = list(pool.map(lambda _: read(), range(8)))
        if len(set(seen)) != 1 or len(seen[0]) < 32:
            bad += 1
    assert bad == 0, f"{bad} of 150 trials read an empty, short or differing secret"


def test_an_empty_or_short_secret_file_is_refused_never_signed_with(desk, tmp_path):
    ws, path = fresh(desk, tmp_path)
    sha = sha256_file(path)
    (ws.state_dir / SECRET_FILE).write_text("")
    with pytest.raises(BulletinError, match="密钥"):
        secret(ws)
    with pytest.raises(BulletinError):
        links.review_token(ws, "2026-10", sha, REVIEWER)
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("", salt="bulletin-review-link").dumps({"m": "2026-10", "s": sha, "r": REVIEWER})
    client = TestClient(create_app(ws.root), base_url="https://testserver", raise_server_exceptions=False)
    answer = client.get(f"/r/{forged}")
    assert answer.status_code == 503 and "密钥" in answer.text
    (ws.state_dir / SECRET_FILE).write_text("short")
    assert client.get(f"/r/{forged}").status_code == 503


# -- 9. two reviewers at the same moment ------------------------------------------------------------------------------
def test_an_approval_and_a_rejection_at_the_same_moment_record_one(desk, tmp_path, monkeypatch, no_page_images):
    import bulletin.web.app as web_app

    ws, path = fresh(desk, tmp_path)
    sha = sha256_file(path)
    barrier = threading.Barrier(2, timeout=10)
    real = web_app.decide_month

    def both_past_the_page_check(*args, **kwargs):  # the two requests meet right before deciding
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(web_app, "decide_month", both_past_the_page_check)
    app = create_app(ws.root)

    def post(reviewer: str, action: str):
        token = links.review_token(ws, "2026-10", sha, reviewer)
        form = {"action": action, "comment": "" if action == "approve" else "数据有误", "seen": sha,
                "csrf": tokens.csrf_token(ws, token), "confirm": "1"}
        return TestClient(app, base_url="https://testserver").post(f"/r/{token}", data=form)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda a: post(*a), [(REVIEWER, "approve"), ("mishu@zgq.example.cn", "reject")]))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [(a.status_code, a.text[-300:]) for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert "本期简报已有审核结果，无需再审。" in loser.text and "已记录" not in loser.text
    with sqlite3.connect(ws.ledger_path) as db:
        assert db.execute("SELECT COUNT(*) FROM approvals WHERE month = '2026-10'").fetchone() == (1,)


def test_once_per_version_is_the_desks_rule_and_the_command_line_may_still_change_its_mind(desk, tmp_path):
    from bulletin.core.month import Month
    from bulletin.office.decide import AlreadyDecided, decide

    ws, path = fresh(desk, tmp_path)
    sha = sha256_file(path)
    decide(ws, Month("2026-10"), approved=True, by="甲", seen_sha256=sha, once_per_version=True)
    with pytest.raises(AlreadyDecided, match="已有审核结果"):
        decide(ws, Month("2026-10"), approved=False, by="乙", comment="不行", seen_sha256=sha, once_per_version=True)
    changed = decide(ws, Month("2026-10"), approved=False, by="主任", comment="再改", seen_sha256=sha)
    assert changed.written and changed.decision.approved is False


# -- 10. the month check, the notice sheet, one LibreOffice per version ---------------------------------------------
def test_a_month_with_a_newline_is_no_month(desk, tmp_path, no_delay):
    ws, _ = fresh(desk, tmp_path)
    client = client_for(ws)
    assert login(client).status_code == 303
    for url in ("/m/2026-10%0A", "/m/2026-10%0A/bulletin.docx", "/m/%202026-10", "/m/2026-10%00"):
        answer = client.get(url)
        assert answer.status_code in (403, 404), url
    assert "没有这个月份。" in client.get("/m/2026-10%0A").text


def test_the_notice_sheet_is_read_once_per_version_of_the_sheet(desk, tmp_path, no_delay, monkeypatch):
    import bulletin.office.status as office_status
    from draft_factory import make_notice_sheet

    ws, _ = fresh(desk, tmp_path)
    monkeypatch.setattr("bulletin.web.app.pages", lambda *a: (_ for _ in ()).throw(BulletinError("无预览")))
    reads = []
    real = office_status.read_notices
    monkeypatch.setattr(office_status, "read_notices", lambda *a, **k: reads.append(1) or real(*a, **k))
    client = client_for(ws)
    assert login(client).status_code == 303
    for _ in range(3):
        assert "按时报送" in client.get("/m/2026-10").text
    assert len(reads) == 1
    make_notice_sheet(ws.root / "inputs" / "2026-10" / "notices.xlsx",
                      [{"单位名称": "区人社局", "通报事项": "逾期未报", "通报类别": "通报批评", "备注": ""}])
    page = client.get("/m/2026-10").text
    assert "逾期未报" in page and "按时报送" not in page and len(reads) == 2


@pytest.mark.slow
@pytest.mark.libreoffice
def test_four_parallel_views_of_a_new_version_start_one_libreoffice(desk, tmp_path, monkeypatch):
    import bulletin.layout.render as render

    ws, path = fresh(desk, tmp_path)
    doc = Document(str(path))
    doc.add_paragraph("编排后补充的一句。")  # a version no one has seen: no page images yet
    doc.save(str(path))
    sha = sha256_file(path)
    runs = []
    real = render.to_pdf
    monkeypatch.setattr(render, "to_pdf", lambda docx: runs.append(docx) or real(docx))
    app = create_app(ws.root)

    def view(reviewer: str):
        token = links.review_token(ws, "2026-10", sha, reviewer)
        client = TestClient(app, base_url="https://testserver")
        return client.get(f"/r/{token}").status_code, client.get(f"/r/{token}/page/1.png").content

    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(view, [f"r{n}@zgq.example.cn" for n in range(4)]))
    print(f"4 parallel views: {len(runs)} LibreOffice runs, {time.monotonic() - started:.1f} s")
    assert len(runs) == 1
    assert {code for code, _ in answers} == {200}
    assert len({image for _, image in answers}) == 1 and answers[0][1][:8] == b"\x89PNG\r\n\x1a\n"
