"""Hypothesis over the review desk's routes (issue 22): random paths, tokens, cookies and form fields, with and
without an office session. Whatever comes in: never a 500, never a file from outside the workspace, never the
workspace's secret or settings in a response, hostile text always escaped, the password never echoed.

Small budget in the suite; `FUZZ_EXAMPLES=5000 bash tools/fuzz.sh` runs them longer. Page images are stood in
for by one PNG inside the workspace (LibreOffice is test_desk_doors.py's business), so each example is fast.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from workspace_kit import SETTINGS, make_workspace

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.core.secret import secret
from bulletin.office import links
from bulletin.web import tokens

BUDGET = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
REVIEWER = "zhuren@zgq.example.cn"
PASSWORD = "Fz-" + secrets.token_hex(8)
HOSTILE = '<script>alert("x")</script>'
OUTSIDE = "OUTSIDE-" + secrets.token_hex(8)  # the content of a file next to the workspace, never served
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzzdesk")
    (base / "outside.txt").write_text(OUTSIDE)
    office = make_workspace(base / "ws", settings=SETTINGS + f"""
[review]
reviewers = ["{REVIEWER}"]

[web]
base_url = "https://shenhe.zgq.example.cn"
""")
    office.draft("1.docx", title=HOSTILE + "标题", unit_line="区人社局", paragraphs=["正文。"])
    office.compile()
    ws = office.ws
    with Ledger(ws.ledger_path) as ledger:
        path = Path(ledger.last_compile(office.month).path)
    sha = sha256_file(path)
    image = ws.state_dir / "pages" / sha / "page-1.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(PNG)
    (image.parent / "bulletin.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")

    import bulletin.web.app as web_app

    served: list[Path] = []

    class RecordingFileResponse(web_app.FileResponse):
        def __init__(self, path, *args, **kwargs):
            served.append(Path(path))
            super().__init__(path, *args, **kwargs)

    patch = pytest.MonkeyPatch()
    patch.setattr(web_app, "pages", lambda ws_, docx: [image])
    patch.setattr(web_app, "FileResponse", RecordingFileResponse)
    patch.setattr(web_app, "WRONG_PASSWORD_DELAY", 0)
    patch.setenv("BULLETIN_WEB_PASSWORD", PASSWORD)
    app = web_app.create_app(ws.root)
    office_client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False,
                               client=("192.0.2.200", 1))
    login = office_client.post("/login", data={"password": PASSWORD, "csrf": tokens.csrf_token(ws, "login")},
                               follow_redirects=False)
    assert login.status_code == 303
    token = links.review_token(ws, office.month, sha, REVIEWER)
    yield {"ws": ws, "app": app, "office": office_client, "token": token, "sha": sha, "served": served,
           "secret": secret(ws), "toml": (ws.root / "bulletin.toml").read_text(encoding="utf-8")}
    patch.undo()


def check(desk, response, *, echoed: str = "") -> None:
    """What must hold for every answer of the desk."""
    assert response.status_code < 500, (response.status_code, response.text[-500:])
    body = response.content
    assert OUTSIDE.encode() not in body
    assert desk["secret"].encode() not in body
    assert b"first_issue" not in body and b"[bulletin]" not in body
    assert PASSWORD.encode() not in body
    assert HOSTILE.encode() not in body  # the draft's title: always escaped
    if echoed:
        assert echoed.encode() not in body
    root = desk["ws"].root.resolve()
    for path in desk["served"]:
        assert path.resolve().is_relative_to(root), path
    desk["served"].clear()


segment = st.one_of(
    st.sampled_from(["..", ".", "%2e%2e", "%2F", "..%2F..%2Fbulletin.toml", "bulletin.toml", "2026-10", "2026-10\n",
                     "page", "1.png", "0.png", "-1.png", "99999999999999999999.png", "bulletin.docx",
                     "bulletin.pdf", "bulletin.toml", ".bulletin", "web-secret", "outside.txt", "\x00", "m", "r",
                     "login", "logout", "%00", "..\\..\\", "２０２６-10"]),
    st.text(max_size=20),
)


@BUDGET
@given(prefix=st.sampled_from(["", "m/", "r/", "m/2026-10/", "m/2026-10/page/", "r/TOKEN/", "r/TOKEN/page/"]),
       parts=st.lists(segment, max_size=5), raw=st.booleans(), office=st.booleans(),
       cookie=st.one_of(st.none(), st.text(max_size=60)))
def test_any_get_is_answered_without_a_500_or_a_file_from_outside(desk, prefix, parts, raw, office, cookie):
    # raw: "%", "/", "\\" and the like reach the desk as typed (httpx refuses control characters in a URL)
    path = "/" + (prefix.replace("TOKEN", desk["token"]) + "/".join(
        quote(p, safe="%/\\.:@!$&'()*+,;=" if raw else "") for p in parts)).lstrip("/")  # httpx sends no "//x"
    if office:
        client = desk["office"]
        response = client.get(path, follow_redirects=False)
    else:
        client = TestClient(desk["app"], base_url="https://testserver", raise_server_exceptions=False)
        if cookie is not None:
            client.cookies.set(tokens.SESSION_COOKIE, quote(cookie, safe=""))
        response = client.get(path, follow_redirects=False)
    check(desk, response)


form_text = st.one_of(st.text(max_size=80), st.sampled_from(["", "approve", "reject", "1", "0" * 64, HOSTILE]))


@BUDGET
@example(token="VALID", action="", comment="", seen="SHA", csrf="\x80", confirm="")  # found: a 500 (compare_digest)
@given(token=st.one_of(st.just("VALID"), st.text(min_size=1, max_size=120)),
       action=form_text, comment=st.text(max_size=200), seen=st.one_of(st.just("SHA"), form_text),
       csrf=st.one_of(st.just("CSRF"), form_text), confirm=form_text)
def test_any_decision_form_is_answered_without_a_500_and_its_text_escaped(desk, token, action, comment, seen, csrf,
                                                                            confirm):
    token = desk["token"] if token == "VALID" else token
    seen = desk["sha"] if seen == "SHA" else seen
    csrf = tokens.csrf_token(desk["ws"], token) if csrf == "CSRF" else csrf
    marker = f'<b id="{secrets.token_hex(4)}">'  # a hostile comment: shown, if at all, as text
    client = TestClient(desk["app"], base_url="https://testserver", raise_server_exceptions=False)
    response = client.post(f"/r/{quote(token, safe='')}", data={
        "action": action, "comment": comment + marker, "seen": seen, "csrf": csrf, "confirm": confirm})
    check(desk, response, echoed=marker)


@BUDGET
@example(password="", csrf="\x80", address="192.0.2.1")
@given(password=st.text(max_size=60), csrf=st.one_of(st.just("CSRF"), form_text),
       address=st.sampled_from(["192.0.2.1", "192.0.2.2", "2001:db8::1", "unknown"]))
def test_any_login_is_answered_without_a_500_and_never_echoes_the_password(desk, password, csrf, address):
    guess = "PW-" + secrets.token_hex(6) + password
    csrf = tokens.csrf_token(desk["ws"], "login") if csrf == "CSRF" else csrf
    client = TestClient(desk["app"], base_url="https://testserver", raise_server_exceptions=False,
                        client=(address, 2))
    response = client.post("/login", data={"password": guess, "csrf": csrf}, follow_redirects=False)
    assert response.status_code in (401, 403, 429)
    check(desk, response, echoed=guess)


@BUDGET
@given(csrf=form_text, cookie=st.one_of(st.none(), st.text(max_size=80)))
def test_any_logout_is_answered_without_a_500(desk, csrf, cookie):
    client = TestClient(desk["app"], base_url="https://testserver", raise_server_exceptions=False)
    if cookie is not None:
        client.cookies.set(tokens.SESSION_COOKIE, quote(cookie, safe=""))
    response = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 403
    check(desk, response)
