"""One decide path (issue 21): the command line, the review desk and the Prefect form after a resume reach the
same office.decide, so the same decision taken at each door leaves the same ledger row, the same PDF edition
and the same hand-over to the waiting run (the run id the ledger names, the full sha256, the reviewer's name).

Each door decides on its own copy of one compiled workspace (same file, same sha256). The waiting flow run is
a row in the ledger ("run-42", waiting_for_approval); the resumer the doors are given records what it is asked
(the real Prefect resume is tested in tests/flows: test_flow.py and test_web_browser.py)."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from workspace_kit import SETTINGS, make_workspace

import bulletin.cli
from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace
from bulletin.office import links
from bulletin.office.decide import current_version
from bulletin.web import tokens
from bulletin.web.app import create_app

REVIEWER = "zhuren@zgq.example.cn"
DESK = SETTINGS + f"""
[review]
reviewers = ["{REVIEWER}"]

[web]
base_url = "https://shenhe.zgq.example.cn"
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    office = make_workspace(tmp_path_factory.mktemp("decide") / "ws", settings=DESK)
    office.draft("1.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局", paragraphs=["就业正文。"])
    office.compile()
    return office


def copy_of(office, tmp_path, name: str) -> Workspace:
    root = tmp_path / name
    shutil.copytree(office.root, root)
    ws = Workspace.at(root)
    with Ledger(ws.ledger_path) as ledger:
        ledger.record_flow_run("2026-10", "run-42", "waiting_for_approval")
    return ws


class Recorder:
    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, run_id: str, **decision) -> str:
        self.calls.append({"run_id": run_id, **decision})
        return f"已继续等待审核的流程运行 {run_id}"


def decision_row(ws: Workspace) -> tuple:
    with Ledger(ws.ledger_path) as ledger:
        d = ledger.latest_decision("2026-10")
    datetime.fromisoformat(d.decided_at)  # a full date and time
    return d.approved, d.reviewer, d.comment, d.sha256, ws.shown(d.path)


def by_cli(ws: Workspace, sha: str, monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(bulletin.cli, "resume_with_prefect", recorder)
    result = CliRunner().invoke(bulletin.cli.app, [
        "approve", "--workspace", str(ws.root), "--month", "2026-10", "--by", "张主任", "--comment", "同意印发",
        "--sha256", sha[:12]])
    assert result.exit_code == 0, result.output
    assert "已审核通过" in result.output and "已继续等待审核的流程运行 run-42" in result.output
    return recorder


def by_desk(ws: Workspace, sha: str, monkeypatch) -> Recorder:
    recorder = Recorder()
    client = TestClient(create_app(ws.root, resume=recorder), base_url="https://testserver")
    token = links.review_token(ws, "2026-10", sha, REVIEWER)
    form = {"action": "approve", "comment": "同意印发", "seen": sha, "csrf": tokens.csrf_token(ws, token), "confirm": "1"}
    page = client.post(f"/r/{token}", data=form)
    assert page.status_code == 200 and "已审核通过" in page.text and "run-42" in page.text
    return recorder


def test_cli_and_desk_record_the_same_decision_and_resume_the_run_the_same_way(compiled, tmp_path, monkeypatch):
    sha = sha256_file(current_version(compiled.ws, "2026-10")[0])
    cli_ws, desk_ws = copy_of(compiled, tmp_path, "cli"), copy_of(compiled, tmp_path, "desk")
    cli_calls = by_cli(cli_ws, sha, monkeypatch).calls
    desk_calls = by_desk(desk_ws, sha, monkeypatch).calls
    # The desk's reviewer is the link's (the address); the rest of the row is the same.
    assert decision_row(cli_ws) == (True, "张主任", "同意印发", sha, "outputs/2026-10/工作简报第64期.docx")
    assert decision_row(desk_ws) == (True, REVIEWER, "同意印发", sha, "outputs/2026-10/工作简报第64期.docx")
    # Both hand the run the full sha256 of the version decided (the desk once passed what the form said).
    # ... and the review step decided at (issue 26; a [review] reviewers list is the one step 审核).
    assert cli_calls == [{"run_id": "run-42", "approved": True, "reviewer": "张主任", "comment": "同意印发", "sha256": sha,
                          "step": "审核"}]
    assert desk_calls == [{"run_id": "run-42", "approved": True, "reviewer": REVIEWER, "comment": "同意印发",
                           "sha256": sha, "step": "审核"}]


def test_the_flow_records_through_the_same_function_and_resumes_nothing(compiled, tmp_path):
    from prefect.logging import disable_run_logger

    from flows.common import ReviewAnswer
    from flows.monthly_bulletin import record_decision

    ws = copy_of(compiled, tmp_path, "flow")
    sha = sha256_file(current_version(ws, "2026-10")[0])
    answer = ReviewAnswer(decision="通过", reviewer="张主任", comment="同意印发", sha256=sha)
    with disable_run_logger():
        decision = record_decision.fn(str(ws.root), "2026-10", answer, "2000-01-01T00:00:00+08:00")
    assert decision.approved and decision_row(ws) == (True, "张主任", "同意印发", sha,
                                                      "outputs/2026-10/工作简报第64期.docx")
    with Ledger(ws.ledger_path) as ledger:  # the run is the one that waited: nothing else was resumed
        assert ledger.flow_run("2026-10") == ("run-42", "waiting_for_approval")


def test_a_changed_file_is_refused_at_every_door_and_nothing_is_resumed(compiled, tmp_path, monkeypatch,
                                                                     no_page_images):
    ws = copy_of(compiled, tmp_path, "changed")
    old = sha256_file(current_version(ws, "2026-10")[0])
    path = current_version(ws, "2026-10")[0]
    path.write_bytes(path.read_bytes() + b"\0")  # edited after the reviewer looked
    recorder = Recorder()
    monkeypatch.setattr(bulletin.cli, "resume_with_prefect", recorder)
    result = CliRunner().invoke(bulletin.cli.app, ["approve", "--workspace", str(ws.root), "--month", "2026-10",
                                                   "--by", "张主任", "--sha256", old[:12]])
    assert result.exit_code == 1 and re.search(r"在您审核的版本（校验码 \w{12}）之后被修改过", result.output)
    desk = Recorder()
    client = TestClient(create_app(ws.root, resume=desk), base_url="https://testserver")
    token = links.review_token(ws, "2026-10", old, REVIEWER)
    page = client.post(f"/r/{token}", data={"action": "approve", "seen": old, "confirm": "1",
                                             "csrf": tokens.csrf_token(ws, token)})
    assert page.status_code == 409 and "文件又被修改过" in page.text
    assert recorder.calls == [] and desk.calls == []
    with Ledger(ws.ledger_path) as ledger:
        assert ledger.latest_decision("2026-10") is None


@pytest.mark.slow
@pytest.mark.libreoffice
def test_every_door_makes_the_same_pdf_edition(compiled, tmp_path, monkeypatch):
    """[bulletin] pdf = true: an approval at either door makes the PDF of exactly the approved version, recorded
    in the ledger with both checksums."""
    sha = sha256_file(current_version(compiled.ws, "2026-10")[0])
    made = {}
    for name, door in (("cli", by_cli), ("desk", by_desk)):
        ws = copy_of(compiled, tmp_path, name)
        toml = ws.root / "bulletin.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("first_issue = 64", "first_issue = 64\npdf = true"),
                        encoding="utf-8")
        door(Workspace.at(ws.root), sha, monkeypatch)
        with Ledger(ws.ledger_path) as ledger:
            pdf_path, pdf_sha = ledger.pdf_edition("2026-10", sha)
        assert ws.shown(pdf_path) == "outputs/2026-10/工作简报第64期.pdf" and sha256_file(pdf_path) == pdf_sha
        assert (ws.root / "outputs/2026-10/工作简报第64期.pdf").read_bytes().startswith(b"%PDF")
        made[name] = pdf_path
    assert set(made) == {"cli", "desk"}


# ===== issue 21: what office.decide hands back, door by door (mutation testing of office/decide.py) ==========
CHAIN = """
[review]
[[review.step]]
name = "初审"
reviewers = [{name = "李科长", email = "li@zgq.example.cn"}]

[[review.step]]
name = "签发"
reviewers = [{name = "王主任", email = "wang@zgq.example.cn"}]
"""


def _rows(ws: Workspace) -> list[tuple]:
    with Ledger(ws.ledger_path) as ledger:
        return [(d.step, d.reviewer, d.approved, d.comment, d.sha256) for d in ledger.decisions("2026-10")]


def _with(mw, text: str) -> Workspace:
    with open(mw.ws.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write(text)
    return Workspace.at(mw.ws.root)


class FakePdf:
    """layout/pdfedition.pdf_edition without LibreOffice: records what it is asked to make."""

    def __init__(self, fail: str = ""):
        self.calls: list[tuple] = []
        self.fail = fail

    def __call__(self, ws, month, docx, sha256):
        from bulletin.core.errors import BulletinError

        self.calls.append((str(month), docx, sha256))
        if self.fail:
            raise BulletinError(self.fail)
        return docx.with_suffix(".pdf"), "9c0ffee1234567" + "0" * 50


def test_what_decide_hands_back_when_written_again_and_rejected(mail_workspace):
    from bulletin.office.decide import Decided, decide

    mw = mail_workspace()
    first = decide(mw.ws, "2026-10", approved=True, by="王主任", seen_sha256=mw.sha256, since="2000-01-01T00:00:00+08:00")
    assert isinstance(first, Decided) and first.written is True
    assert (first.pdf_line, first.resumed) == ("", "")
    assert first.archived == "已归档：工作简报 2026-10 共 1 篇文章，可用 bulletin search 检索。"
    assert first.lines() == [first.decision.summary(), first.archived]
    assert first.decision.summary().endswith("可执行 bulletin send --month 2026-10 发送。")
    # The flow hands the same decision over after the command line resumed it: not written, not archived again.
    again = decide(mw.ws, "2026-10", approved=True, by="王主任", seen_sha256=mw.sha256, since="2000-01-01T00:00:00+08:00")
    assert again.written is False and again.decision == first.decision
    assert (again.pdf_line, again.archived, again.resumed) == ("", "", "")
    rejected = decide(mw.ws, "2026-10", approved=False, by="李科长", comment="再核实")
    assert rejected.written is True and (rejected.pdf_line, rejected.archived, rejected.resumed) == ("", "", "")
    assert rejected.lines() == [rejected.decision.summary()]
    assert _rows(mw.ws) == [("审核", "王主任", True, "", mw.sha256), ("审核", "李科长", False, "再核实", mw.sha256)]


def test_decide_passes_once_per_version_and_the_step_on(mail_workspace):
    from bulletin.delivery.approval import AlreadyDecided
    from bulletin.delivery.chain import NotAMember
    from bulletin.office.decide import decide

    mw = mail_workspace()
    ws = _with(mw, CHAIN)
    with pytest.raises(NotAMember) as info:
        decide(ws, "2026-10", approved=True, by="李科长", step="签发", once_per_version=True)
    assert str(info.value) == "李科长 不是“签发”这一步的审核人（签发：王主任），审核结果未记录。"
    first = decide(ws, "2026-10", approved=True, by="李科长", comment="请签发", once_per_version=True)
    assert (first.decision.step, first.decision.next_step, first.archived) == ("初审", "签发（王主任）", "")
    with pytest.raises(AlreadyDecided, match="已有审核结果：李科长 审核通过"):
        decide(ws, "2026-10", approved=False, by="李科长", once_per_version=True)
    signed = decide(ws, "2026-10", approved=True, by="王主任", step="签发", once_per_version=True)
    assert signed.decision.step == "签发" and signed.archived.startswith("已归档：工作简报 2026-10 共 1 篇")
    assert _rows(ws) == [("初审", "李科长", True, "请签发", mw.sha256), ("签发", "王主任", True, "", mw.sha256)]


def test_the_pdf_edition_line_of_an_approval_written_now(mail_workspace, monkeypatch):
    import bulletin.office.decide as office_decide

    mw = mail_workspace()
    toml = mw.ws.root / "bulletin.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("first_issue = 64", "first_issue = 64\npdf = true"),
                    encoding="utf-8")
    ws = Workspace.at(mw.ws.root)
    fake = FakePdf()
    monkeypatch.setattr(office_decide, "pdf_edition", fake)
    since = "2000-01-01T00:00:00+08:00"
    made = office_decide.decide(ws, "2026-10", approved=True, by="王主任", seen_sha256=mw.sha256[:12], since=since)
    assert made.pdf_line == f"PDF 版：{mw.path.with_suffix('.pdf')}（校验码 9c0ffee12345）"
    assert fake.calls == [("2026-10", mw.path, mw.sha256)]
    assert made.lines()[1] == made.pdf_line
    again = office_decide.decide(ws, "2026-10", approved=True, by="王主任", seen_sha256=mw.sha256, since=since)
    assert again.written is False and again.pdf_line == "" and len(fake.calls) == 1
    assert office_decide.decide(ws, "2026-10", approved=False, by="王主任").pdf_line == ""  # a rejection: no PDF
    assert len(fake.calls) == 1
    monkeypatch.setattr(office_decide, "pdf_edition", FakePdf(fail="LibreOffice 转换失败"))
    failed = office_decide.decide(ws, "2026-10", approved=True, by="王主任")
    assert failed.written and failed.pdf_line == "注意：未能生成 PDF 版（LibreOffice 转换失败）；发送时会再试。"
    assert _rows(ws)[-1] == ("审核", "王主任", True, "", mw.sha256)  # the approval stands


def test_the_resumer_gets_the_waiting_run_and_nothing_when_none_waits(mail_workspace):
    from bulletin.office.decide import decide, is_approved, waiting_run

    mw = mail_workspace()
    recorder = Recorder()
    assert not is_approved(mw.ws, "2026-10")
    alone = decide(mw.ws, "2026-10", approved=False, by="李科长", comment="再核实", resume=recorder)
    assert alone.resumed == "" and recorder.calls == []  # no run waits
    with Ledger(mw.ws.ledger_path) as ledger:
        ledger.record_flow_run("2026-10", "run-7", "waiting_for_approval")
    assert waiting_run(mw.ws, "2026-10") == "run-7"
    done = decide(mw.ws, "2026-10", approved=True, by="王主任", comment="同意印发", resume=recorder)
    assert done.resumed == "已继续等待审核的流程运行 run-7" and done.lines()[-1] == done.resumed
    assert recorder.calls == [{"run_id": "run-7", "approved": True, "reviewer": "王主任", "comment": "同意印发",
                               "sha256": mw.sha256, "step": "审核"}]
    assert is_approved(mw.ws, "2026-10")
    mw.edit_docx()
    assert not is_approved(mw.ws, "2026-10")
