"""Issue 23 item 9, second half: a compile forced (`compile --force`) while a review was out.

The reviewers then hold a version that is no longer the month's. `bulletin status`, the office's month page and
the reviewer's own link must say so before anyone reads or decides: which version the reviewers have (its
checksum, when it was mailed, to whom), and that the current file is newer and not yet sent for review. Once the
new version is mailed, or the old one was decided on, nothing is said (that is the ordinary course)."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from workspace_kit import SETTINGS, make_workspace

import bulletin.cli
from bulletin.core.ledger import Ledger
from bulletin.delivery.delivery import send_for_review
from bulletin.office import links
from bulletin.office.decide import decide
from bulletin.web import tokens
from bulletin.web.app import create_app

PASSWORD = "Zg-2026-shenhe"
REVIEWED = SETTINGS + """
[review]
reviewers = ["zhang@zgq.example.cn", "li@zgq.example.cn"]

[web]
base_url = "https://shenhe.zgq.example.cn"
"""


class RecordingTransport:
    kind, personal, batch_size, where = "smtp", False, 50, "test"

    def __init__(self):
        self.messages = []

    def open(self) -> None:
        pass

    def send(self, message: bytes, recipients: list[str]) -> dict[str, str]:
        self.messages.append((message, recipients))
        return {}

    def close(self) -> None:
        pass


@pytest.fixture
def forced(tmp_path):
    """Version A mailed to both reviewers, then a forced compile made version B (not mailed)."""
    office = make_workspace(tmp_path / "ws", settings=REVIEWED)
    office.draft("a.docx", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=["正文。"])
    first = office.compile()
    send_for_review(office.ws, office.month, transport=RecordingTransport())
    office.draft("b.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局", paragraphs=["正文。"])
    second = office.compile(force=True)
    assert first.sha256 != second.sha256
    with Ledger(office.ws.ledger_path) as ledger:
        mailed = ledger.deliveries("2026-10", f"review:{first.sha256[:12]}")
    assert sorted(mailed) == ["li@zgq.example.cn", "zhang@zgq.example.cn"]
    when = datetime.fromisoformat(max(r.updated_at for r in mailed.values())).strftime("%Y-%m-%d %H:%M")
    return office, first.sha256, second.sha256, when


def status_text(office) -> str:
    result = CliRunner().invoke(bulletin.cli.app, ["status", "--workspace", str(office.root), "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    return result.output


def older_line(old: str, new: str, when: str) -> str:
    return (f"送审：审核人手中是旧版本（校验码 {old[:12]}，{when} 送审给 li@zgq.example.cn、zhang@zgq.example.cn，"
            f"尚未审核）；当前文件（校验码 {new[:12]}）是之后的新版本，尚未送审，请执行 "
            "bulletin review --month 2026-10 把新版本送审")


def test_status_says_the_reviewers_have_an_older_version(forced):
    office, old, new, when = forced
    output = status_text(office)
    assert f"当前文件校验码：{new[:12]}（审核：" in output
    assert "审核：尚未审核\n" + older_line(old, new, when) + "\n" in output


def test_once_the_new_version_is_mailed_nothing_is_said(forced):
    office, old, new, when = forced
    send_for_review(office.ws, office.month, transport=RecordingTransport())
    output = status_text(office)
    assert "旧版本" not in output and "送审：当前文件已发给 2 位审核人" in output


def test_after_a_decision_on_the_old_version_nothing_is_said(tmp_path):
    office = make_workspace(tmp_path / "ws", settings=REVIEWED)
    office.draft("a.docx", title="区人社局推进农民工就业创业", unit_line="区人社局", paragraphs=["正文。"])
    first = office.compile()
    send_for_review(office.ws, office.month, transport=RecordingTransport())
    decide(office.ws, office.month, approved=False, by="张主任", comment="请补充数据", seen_sha256=first.sha256)
    office.draft("b.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局", paragraphs=["正文。"])
    office.compile()  # rejected: recompiled without --force, the ordinary course
    assert "旧版本" not in status_text(office)


def test_the_office_month_page_says_it(forced, monkeypatch, no_page_images):
    office, old, new, when = forced
    monkeypatch.setenv("BULLETIN_WEB_PASSWORD", PASSWORD)
    monkeypatch.setattr("bulletin.web.app.WRONG_PASSWORD_DELAY", 0)
    client = TestClient(create_app(office.root), base_url="https://testserver")
    login = client.post("/login", data={"password": PASSWORD, "csrf": tokens.csrf_token(office.ws, "login")},
                        follow_redirects=False)
    assert login.status_code == 303
    page = client.get("/m/2026-10")
    assert page.status_code == 200
    assert older_line(old, new, when) in page.text


def test_the_reviewers_old_link_says_it_before_the_reviewer_reads(forced, no_page_images):
    office, old, new, when = forced
    client = TestClient(create_app(office.root), base_url="https://testserver")
    token = links.review_token(office.ws, "2026-10", old, "zhang@zgq.example.cn")
    page = client.get(f"/r/{token}")
    assert page.status_code == 200
    assert "送审邮件发出后，文件已被修改：下面是当前版本，请审核这个版本。" in page.text
    assert (f"您在 {when} 收到的送审版本（校验码 {old[:12]}）已被替换：下面的当前文件（校验码 {new[:12]}）"
            "是之后重新编排或修改的新版本，办公室尚未把它送审。") in page.text
    # the link of the current version says nothing of the kind
    current = client.get(f"/r/{links.review_token(office.ws, '2026-10', new, 'zhang@zgq.example.cn')}")
    assert current.status_code == 200 and "已被替换" not in current.text and "文件已被修改" not in current.text
