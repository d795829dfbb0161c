"""Changing a password on the workbench (/password, any role) and a 管理 resetting someone's (/users 重设密码),
through plain HTTP as curl would drive them; `bulletin users passwd` at the command line.

The rules tried here: the change goes through the workbench's one POST check (session, CSRF); the current password
is checked with the same scrypt as the login, under the login's attempt limits; a new password must pass the
account rules and differ from the current one; the change ends EVERY session of the account (issue 22: sessions
revoked when the password changes) and sends the user to log in again; the audit table says who changed what,
never the password, and neither does the log."""

from __future__ import annotations

import logging
import sqlite3
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from workbench_kit import (
    CHECKER,
    CHECKER_PASSWORD,
    CLERK,
    CLERK_PASSWORD,
    csrf_of,
    make_office,
)

from bulletin.cli import app as cli
from bulletin.office import accounts
from bulletin.web import tokens
from bulletin.web.app import create_app

ADMIN, ADMIN_PASSWORD = "赵主任", "Zhao-2026-guanli"
NEW_PASSWORD = "Zs-2026-xinmima"
WRONG = "Zs-2026-cuowu"


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr("bulletin.web.app.WRONG_PASSWORD_DELAY", 0)


@pytest.fixture
def ws(tmp_path, fast):
    office = make_office(tmp_path / "office", SimpleNamespace(port=1), 8000)  # no mail is sent here
    accounts.add_user(office, ADMIN, accounts.ADMIN, ADMIN_PASSWORD, actor="测试")
    return office


def client(ws) -> TestClient:
    return TestClient(create_app(ws.root), base_url="http://127.0.0.1:8000")


def login(c, ws, name, password):
    return c.post("/login", data={"name": name, "password": password, "csrf": tokens.csrf_token(ws, "login")},
                  follow_redirects=False)


def logged_in(ws, name, password) -> TestClient:
    c = client(ws)
    assert login(c, ws, name, password).status_code == 303
    return c


def change(c, current, new, again=None, csrf=None):
    csrf = csrf if csrf is not None else csrf_of(c.get("/password").text)
    data = {"current": current, "new": new, "new2": new if again is None else again}
    if csrf:
        data["csrf"] = csrf
    return c.post("/password", data=data, follow_redirects=False)


def session_rows(ws) -> list[str]:
    with sqlite3.connect(ws.state_dir / "web-sessions.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT account FROM sessions ORDER BY account")]


def actions(ws) -> list[tuple[str, str, str, str]]:
    """(actor, role, action, details), oldest first, without the logins and logouts."""
    return [(r.actor, r.role, r.action, r.details) for r in reversed(accounts.audit(ws))
            if r.action not in ("登录", "退出")]


def test_a_clerk_changes_her_password_and_every_session_of_hers_ends(ws):
    desk, laptop = logged_in(ws, CLERK, CLERK_PASSWORD), logged_in(ws, CLERK, CLERK_PASSWORD)
    checker = logged_in(ws, CHECKER, CHECKER_PASSWORD)
    old_cookie = desk.cookies.get(tokens.SESSION_COOKIE)
    assert session_rows(ws) == [CLERK, CLERK, CHECKER]

    form = desk.get("/password")
    assert form.status_code == 200 and 'name="current"' in form.text and 'name="new2"' in form.text
    answer = change(desk, CLERK_PASSWORD, NEW_PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?changed=1"
    assert f'{tokens.SESSION_COOKIE}=""' in answer.headers["set-cookie"]  # the browser forgets it
    assert "密码已修改，请用新密码重新登录。" in desk.get("/login?changed=1").text

    assert session_rows(ws) == [CHECKER]  # both of hers deleted on the server, the reviewer's kept
    assert laptop.get("/", follow_redirects=False).headers["location"] == "/login"
    stolen = client(ws)
    stolen.cookies.set(tokens.SESSION_COOKIE, old_cookie)
    assert stolen.get("/", follow_redirects=False).headers["location"] == "/login"
    assert checker.get("/", follow_redirects=False).status_code == 200

    assert login(client(ws), ws, CLERK, CLERK_PASSWORD).status_code == 401
    again = client(ws)
    assert login(again, ws, CLERK, NEW_PASSWORD).status_code == 303
    assert again.get("/", follow_redirects=False).status_code == 200
    assert actions(ws)[-1] == (CLERK, "编辑", "修改密码", "")


@pytest.mark.parametrize("role_user", [(CLERK, CLERK_PASSWORD), (CHECKER, CHECKER_PASSWORD), (ADMIN, ADMIN_PASSWORD)])
def test_every_role_sees_the_link_and_may_change_its_own_password(ws, role_user):
    name, password = role_user
    c = logged_in(ws, name, password)
    assert '<a href="/password">修改密码</a>' in c.get("/").text
    assert change(c, password, NEW_PASSWORD).headers["location"] == "/login?changed=1"
    assert accounts.login(ws, name, NEW_PASSWORD) is not None and accounts.login(ws, name, password) is None


def test_without_a_session_or_a_csrf_token_nothing_changes(ws):
    outsider = client(ws)
    assert outsider.get("/password", follow_redirects=False).headers["location"] == "/login"
    refused = outsider.post("/password", data={"current": CLERK_PASSWORD, "new": NEW_PASSWORD, "new2": NEW_PASSWORD})
    assert refused.status_code == 403 and "请先登录办公台。" in refused.text

    clerk = logged_in(ws, CLERK, CLERK_PASSWORD)
    missing = change(clerk, CLERK_PASSWORD, NEW_PASSWORD, csrf="")
    assert missing.status_code == 403 and "缺少或错误的表单校验码" in missing.text
    checker = logged_in(ws, CHECKER, CHECKER_PASSWORD)
    foreign = change(clerk, CLERK_PASSWORD, NEW_PASSWORD, csrf=csrf_of(checker.get("/password").text))
    assert foreign.status_code == 403 and "缺少或错误的表单校验码" in foreign.text

    assert accounts.login(ws, CLERK, CLERK_PASSWORD) is not None
    assert clerk.get("/", follow_redirects=False).status_code == 200
    assert [a for a in actions(ws) if "密码" in a[2]] == []


def test_a_wrong_current_password_is_refused_audited_and_the_session_kept(ws):
    clerk = logged_in(ws, CLERK, CLERK_PASSWORD)
    wrong = change(clerk, WRONG, NEW_PASSWORD)
    assert wrong.status_code == 400 and "当前密码不对，密码未修改。" in wrong.text
    assert accounts.login(ws, CLERK, CLERK_PASSWORD) is not None and accounts.login(ws, CLERK, NEW_PASSWORD) is None
    assert clerk.get("/", follow_redirects=False).status_code == 200  # a wrong guess logs no one out
    assert actions(ws)[-1] == (CLERK, "编辑", "修改密码未成功", "当前密码不对")


@pytest.mark.parametrize(("new", "again", "said"), [
    ("short1", None, "密码至少 8 位。"),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "两次输入的新密码不一致，密码未修改。"),
    (CLERK_PASSWORD, None, "新密码不能与当前密码相同。"),
])
def test_a_new_password_that_breaks_a_rule_changes_nothing(ws, new, again, said):
    clerk = logged_in(ws, CLERK, CLERK_PASSWORD)
    answer = change(clerk, CLERK_PASSWORD, new, again)
    assert answer.status_code == 400 and said in answer.text
    assert accounts.login(ws, CLERK, CLERK_PASSWORD) is not None
    assert session_rows(ws) == [CLERK]


def test_guessing_the_current_password_is_limited_like_the_login(ws):
    clerk = logged_in(ws, CLERK, CLERK_PASSWORD)  # the login cleared this address's window
    for n in range(10):  # attempts.PER_ADDRESS: 10 in 15 minutes from one address
        assert change(clerk, f"{WRONG}{n}", NEW_PASSWORD).status_code == 400
    limited = change(clerk, CLERK_PASSWORD, NEW_PASSWORD)  # even the right one now waits
    assert limited.status_code == 429 and "尝试次数过多，请 15 分钟后再试。" in limited.text
    assert 800 < int(limited.headers["Retry-After"]) <= 900
    assert accounts.login(ws, CLERK, CLERK_PASSWORD) is not None
    assert [a[3] for a in actions(ws)].count("当前密码不对") == 10


def test_the_office_password_login_is_told_where_its_password_lives(ws, monkeypatch):
    monkeypatch.setenv("BULLETIN_WEB_PASSWORD", "office-shared-1")
    c = client(ws)
    assert login(c, ws, "", "office-shared-1").status_code == 303
    page = c.get("/password")
    assert "统一密码登录（BULLETIN_WEB_PASSWORD）没有个人密码" in page.text and 'name="current"' not in page.text
    refused = change(c, "office-shared-1", NEW_PASSWORD, csrf=csrf_of(c.get("/").text))
    assert refused.status_code == 400 and "统一密码登录（BULLETIN_WEB_PASSWORD）没有个人密码" in refused.text


def test_an_admin_resets_a_clerks_password_and_her_sessions_end(ws):
    clerk = logged_in(ws, CLERK, CLERK_PASSWORD)
    admin = logged_in(ws, ADMIN, ADMIN_PASSWORD)
    page = admin.get("/users").text
    assert "重设密码" in page
    csrf = csrf_of(page)
    mismatch = admin.post("/users", data={"csrf": csrf, "reset": "1", "name": CLERK, "password": NEW_PASSWORD,
                                          "password2": NEW_PASSWORD + "x"}, follow_redirects=False)
    assert mismatch.status_code == 400 and "两次输入的密码不一致。" in mismatch.text
    unknown = admin.post("/users", data={"csrf": csrf, "reset": "1", "name": "王五", "password": NEW_PASSWORD,
                                         "password2": NEW_PASSWORD}, follow_redirects=False)
    assert unknown.status_code == 400 and "没有账号“王五”。" in unknown.text
    assert clerk.get("/", follow_redirects=False).status_code == 200

    done = admin.post("/users", data={"csrf": csrf, "reset": "1", "name": CLERK, "password": NEW_PASSWORD,
                                      "password2": NEW_PASSWORD}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/users"
    assert clerk.get("/", follow_redirects=False).headers["location"] == "/login"
    assert session_rows(ws) == [ADMIN]
    assert accounts.login(ws, CLERK, NEW_PASSWORD).role == "编辑"  # the role kept
    assert actions(ws)[-1] == (ADMIN, "管理", "重设密码", CLERK)
    assert admin.get("/users", follow_redirects=False).status_code == 200  # the admin's own session lives on

    # an existing name through 添加 is still refused, and says where to go instead
    again = admin.post("/users", data={"csrf": csrf, "name": CLERK, "role": "管理", "password": NEW_PASSWORD,
                                       "password2": NEW_PASSWORD}, follow_redirects=False)
    assert again.status_code == 400 and "账号“张三”已存在" in again.text and "重设密码" in again.text


def test_a_clerk_cannot_reset_anyone(ws):
    clerk = logged_in(ws, CLERK, CLERK_PASSWORD)
    csrf = csrf_of(clerk.get("/password").text)
    refused = clerk.post("/users", data={"csrf": csrf, "reset": "1", "name": CHECKER, "password": NEW_PASSWORD,
                                         "password2": NEW_PASSWORD})
    assert refused.status_code == 403 and "您的角色（编辑）不能进行此操作。" in refused.text
    assert accounts.login(ws, CHECKER, CHECKER_PASSWORD) is not None


def test_no_password_reaches_the_audit_table_the_session_table_or_the_log(ws, caplog):
    caplog.set_level(logging.DEBUG)
    clerk = logged_in(ws, CLERK, CLERK_PASSWORD)
    change(clerk, WRONG, NEW_PASSWORD)
    change(clerk, CLERK_PASSWORD, "short1")
    assert change(clerk, CLERK_PASSWORD, NEW_PASSWORD).status_code == 303
    admin = logged_in(ws, ADMIN, ADMIN_PASSWORD)
    reset = "Reset-2026-mima"
    admin.post("/users", data={"csrf": csrf_of(admin.get("/users").text), "reset": "1", "name": CHECKER,
                               "password": reset, "password2": reset})
    result = CliRunner().invoke(cli, ["users", "passwd", CLERK, "-w", str(ws.root)], input="Cli-2026-mima\n" * 2)
    assert result.exit_code == 0, result.output

    said = [(r.action, r.details) for r in accounts.audit(ws) if "密码" in r.action]
    assert said == [("重设密码", CLERK), ("重设密码", CHECKER), ("修改密码", ""), ("修改密码未成功", "当前密码不对")]
    secrets = [CLERK_PASSWORD, NEW_PASSWORD, WRONG, "short1", reset, "Cli-2026-mima", ADMIN_PASSWORD]
    with sqlite3.connect(ws.state_dir / "workbench.sqlite3") as db:
        audit_text = repr(db.execute("SELECT * FROM audit").fetchall())
        stored = [row[0] for row in db.execute("SELECT password FROM users")]
    sessions_bytes = (ws.state_dir / "web-sessions.sqlite3").read_bytes()
    log_text = caplog.text + repr([r.args for r in caplog.records])
    for secret in secrets:
        assert secret not in audit_text and secret not in log_text, secret
        assert secret.encode() not in sessions_bytes and all(secret not in s for s in stored), secret
    assert "password changed for account" in caplog.text  # the log says that it happened, not what


def test_users_passwd_at_the_command_line(ws):
    runner = CliRunner()
    ok = runner.invoke(cli, ["users", "passwd", CLERK, "-w", str(ws.root)], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert ok.exit_code == 0, ok.output
    assert "已重设账号“张三”的密码：其已登录的办公台页面需重新登录。" in ok.output
    assert NEW_PASSWORD not in ok.output  # hidden input
    assert accounts.login(ws, CLERK, NEW_PASSWORD) is not None and accounts.login(ws, CLERK, CLERK_PASSWORD) is None
    mismatch = runner.invoke(cli, ["users", "passwd", CLERK, "-w", str(ws.root)], input="abcdefgh1\nabcdefgh2\n")
    assert mismatch.exit_code == 1 and "两次输入的密码不一致，未修改。" in mismatch.output
    unknown = runner.invoke(cli, ["users", "passwd", "王五", "-w", str(ws.root), "--password-stdin"],
                            input="abcdefgh1\n")
    assert unknown.exit_code == 1 and "没有账号“王五”。" in unknown.output
    short = runner.invoke(cli, ["users", "passwd", CLERK, "-w", str(ws.root), "--password-stdin"], input="abc\n")
    assert short.exit_code == 1 and "密码至少 8 位" in short.output
    assert accounts.login(ws, CLERK, NEW_PASSWORD) is not None
    row = accounts.audit(ws)[0]
    assert (row.action, row.details) == ("重设密码", CLERK) and row.actor.startswith("命令行")
