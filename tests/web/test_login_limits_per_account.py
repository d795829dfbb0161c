"""Login limits per named account (issues 22 and 24): the account window of web/attempts.py was written when the
desk had one shared office password, so it counted every login of every account together. With named accounts,
thirty wrong guesses at 张三's password from several addresses locked 李四 and every other clerk out of the
workbench for fifteen minutes: a way for anyone on the office network to stop the office. Each account now has its
own window (and the shared BULLETIN_WEB_PASSWORD login its own); an address's window still covers all accounts.

By hand: 4 addresses x 9 guesses at 张三 = 36 attempts; each address stays under its 10, 张三's window refuses
from the 31st: 30 × 401 then 6 × 429. Then 李四 from a fifth address: 303 (before: 429). 张三 with the right
password from a sixth address: 429 (his window is full)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from workspace_kit import make_workspace

from bulletin.office import accounts
from bulletin.web import tokens
from bulletin.web.app import create_app

ZHANG, LI = ("张三", "Zs-2026-bianji"), ("李四", "Ls-2026-shenhe")


@pytest.fixture
def office(tmp_path, monkeypatch):
    monkeypatch.setattr("bulletin.web.app.WRONG_PASSWORD_DELAY", 0)
    ws = make_workspace(tmp_path / "ws").ws
    accounts.add_user(ws, ZHANG[0], accounts.EDITOR, ZHANG[1], actor="测试")
    accounts.add_user(ws, LI[0], accounts.REVIEWER, LI[1], actor="测试")
    return ws, create_app(ws.root)


def login(ws, app, address: str, name: str, password: str) -> int:
    client = TestClient(app, base_url="https://testserver", client=(address, 50000))
    return client.post("/login", data={"name": name, "password": password, "csrf": tokens.csrf_token(ws, "login")},
                       follow_redirects=False).status_code


def test_guesses_at_one_account_do_not_lock_out_the_others(office):
    ws, app = office
    answers = [login(ws, app, f"198.51.100.{n + 1}", ZHANG[0], f"guess-{n}-{k}") for n in range(4) for k in range(9)]
    assert answers == [401] * 30 + [429] * 6
    assert login(ws, app, "198.51.100.5", *LI) == 303
    assert login(ws, app, "198.51.100.6", *ZHANG) == 429


def test_an_address_is_limited_across_accounts(office):
    ws, app = office
    answers = [login(ws, app, "192.0.2.10", name, f"guess-{k}") for k in range(6) for name in (ZHANG[0], LI[0])]
    assert answers == [401] * 10 + [429] * 2
    assert login(ws, app, "192.0.2.11", *LI) == 303


def test_one_account_is_one_window_however_its_name_is_typed(office):
    """Spaces around the name and a decomposed accent are the same account to the login (accounts.login: NFC,
    stripped), so they are the same window: 30 guesses as "张三 " and 6 as " 张三" -> 30 × 401, 6 × 429."""
    ws, app = office
    accounts.add_user(ws, "José", accounts.EDITOR, "Jo-2026-shenhe", actor="测试")
    typed = [ZHANG[0] + " "] * 30 + [" " + ZHANG[0]] * 6
    answers = [login(ws, app, f"203.0.113.{n // 9 + 1}", name, f"g{n}") for n, name in enumerate(typed)]
    assert answers == [401] * 30 + [429] * 6
    spelled = ["José"] * 30 + ["Jose\u0301"] * 6  # composed é, then e + combining acute
    answers = [login(ws, app, f"203.0.113.{n // 9 + 11}", name, f"g{n}") for n, name in enumerate(spelled)]
    assert answers == [401] * 30 + [429] * 6
