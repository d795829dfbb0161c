"""The review chain (issue 26): 初审 then 签发, through the real commands and a real SMTP server (aiosmtpd).

The story the issue asks for: 初审 approves, 签发 rejects, the file is edited, 初审 and 签发 approve the new
version, and only then do the lists get their copy, exactly one each. Along the way: decisions by a step's
non-member or at a step not yet open are refused in Chinese and leave the ledger untouched; review mails go to
the open step's reviewers only, once per version and step; status shows the chain.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from email.header import decode_header, make_header

import pytest
from typer.testing import CliRunner

import bulletin.cli
from bulletin.core.config import ReviewSettings
from bulletin.core.errors import ConfigError
from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace
from mail_workspace import smtp_settings
from repo_paths import DATA

pytestmark = [pytest.mark.smtp]

CHAIN = """
[review]
steps = ["初审", "签发"]

[[review.step]]
name = "初审"
reviewers = [{name = "李科长", email = "li@zgq.example.cn"}]

[[review.step]]
name = "签发"
reviewers = [{name = "王主任", email = "wang@zgq.example.cn"}, {name = "赵副主任", email = "zhao@zgq.example.cn"}]
"""
LISTS = {"unit000@zgq.example.cn", "unit001@zgq.example.cn", "unit002@zgq.example.cn"}


def run(ws: Workspace, *args: str):
    return CliRunner().invoke(bulletin.cli.app, [*args, "--workspace", str(ws.root), "--month", "2026-10"])


def subjects_to(server, address: str) -> list[str]:
    return [str(make_header(decode_header(m.message["Subject"]))) for m in server.messages if address in m.rcpt_tos]


def decisions(ws: Workspace) -> list[tuple]:
    with Ledger(ws.ledger_path) as ledger:
        return [(d.step, d.reviewer, d.approved, d.comment, d.sha256[:12]) for d in ledger.decisions("2026-10")]


@pytest.fixture
def chained(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    with open(mw.ws.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write(CHAIN)
    mw.ws = Workspace.at(mw.ws.root)
    return server, mw


def test_two_step_chain_rejected_at_signing_edited_then_signed_sends_exactly_once(chained):
    server, mw = chained
    ws, first = mw.ws, mw.sha256[:12]

    # 初审 opens first: only 李科长 gets the review mail, once.
    assert run(ws, "review").exit_code == 0
    assert run(ws, "review").exit_code == 0
    [subject] = subjects_to(server, "li@zgq.example.cn")
    assert subject.startswith("【初审】") and "第64期" in subject
    assert subjects_to(server, "wang@zgq.example.cn") == []

    # 签发 before 初审: refused, nothing recorded.
    early = run(ws, "approve", "--by", "王主任")
    assert early.exit_code == 1 and "“签发”尚未开始：须先由“初审”（李科长）审核通过这一版本" in early.output
    # Not a member of any step / of the step named: refused in Chinese, nothing recorded.
    stranger = run(ws, "approve", "--by", "张三")
    assert stranger.exit_code == 1 and "张三 不是任何审核步骤的审核人（初审：李科长；签发：王主任、赵副主任）" in stranger.output
    wrong_step = run(ws, "approve", "--step", "初审", "--by", "王主任")
    assert wrong_step.exit_code == 1 and "王主任 不是“初审”这一步的审核人（初审：李科长）" in wrong_step.output
    assert decisions(ws) == []

    # 初审 approves (step inferred from the name): not yet sendable; the 签发 reviewers get it now, once.
    passed = run(ws, "approve", "--by", "李科长", "--comment", "同意，请王主任签发")
    assert passed.exit_code == 0, passed.output
    assert "初审通过（李科长" in passed.output and "下一步：签发（王主任、赵副主任）审核，签发后才能发送" in passed.output
    unsigned = run(ws, "send")
    assert unsigned.exit_code == 1 and "尚未签发" in unsigned.output and "待“签发”（王主任、赵副主任）" in unsigned.output
    assert run(ws, "review").exit_code == 0 and run(ws, "review").exit_code == 0
    assert len(subjects_to(server, "wang@zgq.example.cn")) == 1 and "【签发】" in subjects_to(server, "wang@zgq.example.cn")[0]
    assert len(subjects_to(server, "zhao@zgq.example.cn")) == 1
    assert len(subjects_to(server, "li@zgq.example.cn")) == 1  # 初审 is not asked again

    # 签发 rejects with its reason: the month stops there.
    rejected = run(ws, "reject", "--by", "王主任", "--comment", "第二篇数据需核实")
    assert rejected.exit_code == 0, rejected.output
    stopped = run(ws, "send")
    assert stopped.exit_code == 1 and "最近一次审核未通过（王主任（意见：第二篇数据需核实））" in stopped.output
    status = run(ws, "status").output
    assert "审核：被“签发”退回（王主任，意见：第二篇数据需核实），未发送" in status
    assert f"1. 初审（李科长）：同意（李科长，" in status and f"意见：同意，请王主任签发，校验码 {first}）" in status

    # The file is edited: a new version, the chain starts again at 初审.
    mw.edit_docx("按签发意见核实了第二篇的数据。")
    status = run(ws, "status").output
    assert "审核：待“初审”（李科长）" in status and "2. 签发（王主任、赵副主任）：未开始" in status
    assert "--step 初审 --by 姓名" in status
    assert run(ws, "approve", "--by", "王主任").exit_code == 1  # 签发 is closed again for the new version
    assert run(ws, "review").exit_code == 0
    assert len(subjects_to(server, "li@zgq.example.cn")) == 2 and len(subjects_to(server, "wang@zgq.example.cn")) == 1
    assert run(ws, "approve", "--by", "李科长").exit_code == 0
    assert run(ws, "review").exit_code == 0
    assert len(subjects_to(server, "wang@zgq.example.cn")) == 2
    assert all(subjects_to(server, a) == [] for a in LISTS)  # the lists have nothing yet

    signed = run(ws, "approve", "--step", "签发", "--by", "赵副主任", "--comment", "同意印发")
    assert signed.exit_code == 0 and "已审核通过（审核人：赵副主任" in signed.output
    assert "审核：已签发（赵副主任，" in run(ws, "status").output
    assert run(ws, "send").exit_code == 0
    assert run(ws, "send").exit_code == 0  # again: nobody gets a second copy
    assert {a: len(subjects_to(server, a)) for a in LISTS} == dict.fromkeys(LISTS, 1)
    assert run(ws, "review").exit_code == 0  # signed: nobody is asked again
    assert len(subjects_to(server, "li@zgq.example.cn")) == 2 and len(subjects_to(server, "wang@zgq.example.cn")) == 2

    # Every decision: step, name, opinion, version; a full date and time (§22).
    with Ledger(ws.ledger_path) as ledger:
        second = ledger.last_compile("2026-10")  # the compile is unchanged: the edit is a new version on disk
        rows = ledger.decisions("2026-10")
    new = rows[-1].sha256[:12]
    assert new != first and second.sha256[:12] == first
    assert decisions(ws) == [
        ("初审", "李科长", True, "同意，请王主任签发", first),
        ("签发", "王主任", False, "第二篇数据需核实", first),
        ("初审", "李科长", True, "", new),
        ("签发", "赵副主任", True, "同意印发", new),
    ]
    for d in rows:
        stamp = datetime.fromisoformat(d.decided_at)
        assert stamp.tzinfo is not None and len(d.decided_at) >= 19  # YYYY-MM-DDTHH:MM:SS+08:00


def test_step_named_but_unknown_and_one_step_form_keeps_todays_behaviour(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server), reviewers=["zhuren@zgq.example.cn"])
    unknown = run(mw.ws, "approve", "--step", "签发", "--by", "王主任")
    assert unknown.exit_code == 1 and "没有名为“签发”的审核步骤（本单位的审核步骤：审核）" in unknown.output
    assert run(mw.ws, "review").exit_code == 0
    assert [m.message["Subject"] for m in server.messages if "zhuren@zgq.example.cn" in m.rcpt_tos][0].startswith("【送审】")
    assert run(mw.ws, "approve", "--by", "任何人").exit_code == 0  # the one-step form names no reviewer: as before
    assert run(mw.ws, "send").exit_code == 0
    assert decisions(mw.ws) == [("审核", "任何人", True, "", mw.sha256[:12])]


def test_chain_settings_read_well_and_mistakes_are_named_in_chinese():
    settings = ReviewSettings.model_validate({
        "steps": ["初审", "签发"],
        "step": [{"name": "签发", "reviewers": [{"name": "王主任", "email": "wang@zg.gov.cn"}]},
                 {"name": "初审", "reviewers": ["li@zg.gov.cn"]}],
    })
    assert [s.name for s in settings.chain] == ["初审", "签发"]  # `steps` gives the order
    assert settings.chain[0].reviewers[0].email == "li@zg.gov.cn" and not settings.chain[0].named
    with pytest.raises(ValueError, match="缺少步骤 签发 的"):
        ReviewSettings.model_validate({"steps": ["初审", "签发"], "step": [{"name": "初审", "reviewers": ["a@b.cn"]}]})
    with pytest.raises(ValueError, match="请删去 \\[review\\] 下的 reviewers"):
        ReviewSettings.model_validate({"reviewers": ["a@b.cn"], "step": [{"name": "初审", "reviewers": ["a@b.cn"]}]})


def test_old_ledger_gets_the_step_column_and_its_decisions_count_for_the_one_step(tmp_path):
    """tests/data/ledger-main-5fd84fd.sqlite3 was written before review chains: opening it adds approvals.step
    ('' for the old rows), once; its decisions read as the one step of a [review] reviewers office."""
    old = DATA / "ledger-main-5fd84fd.sqlite3"
    state = tmp_path / ".bulletin"
    state.mkdir()
    shutil.copy(old, state / "ledger.sqlite3")
    before = {r[1] for r in sqlite3.connect(state / "ledger.sqlite3").execute("PRAGMA table_info(approvals)")}
    assert "step" not in before
    with Ledger(state / "ledger.sqlite3") as ledger:
        rows = [d for m in ledger.compiled_months() for d in ledger.decisions(m)]
    with Ledger(state / "ledger.sqlite3"):  # a second open changes nothing
        pass
    after = [r[1] for r in sqlite3.connect(state / "ledger.sqlite3").execute("PRAGMA table_info(approvals)")]
    assert after.count("step") == 1
    assert rows and all(d.step == "" for d in rows)
    from bulletin.delivery.chain import chain_state

    chain = ReviewSettings(reviewers=["a@b.cn"]).chain
    d = rows[-1]
    assert chain_state(chain, [d], d.sha256).steps[0].decision == d
    two = ReviewSettings.model_validate({"step": [{"name": "初审", "reviewers": ["a@b.cn"]},
                                                  {"name": "签发", "reviewers": ["c@d.cn"]}]}).chain
    assert not chain_state(two, [d], d.sha256).complete  # a chain introduced later: old approvals never sign


def test_a_decision_through_a_review_link_is_signed_with_the_reviewers_name(chained):
    """党政机关公文处理工作条例 §22: the signer records name, opinion and full date. A review link carries the
    reviewer's address; the decision is recorded under the name bulletin.toml gives that address (issue 23 item
    17: the desk used to record the address)."""
    from fastapi.testclient import TestClient

    from bulletin.office import links
    from bulletin.web import tokens
    from bulletin.web.app import create_app

    _, mw = chained
    ws, sha = mw.ws, mw.sha256
    with open(ws.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[web]\nbase_url = "https://shenhe.zgq.example.cn"\n')
    ws = Workspace.at(ws.root)
    client = TestClient(create_app(ws.root), base_url="https://testserver")
    token = links.review_token(ws, "2026-10", sha, "LI@zgq.example.cn", step="初审")
    page = client.post(f"/r/{token}", data={"action": "approve", "comment": "同意", "seen": sha, "confirm": "1",
                                             "csrf": tokens.csrf_token(ws, token)})
    assert page.status_code == 200, page.text
    assert decisions(ws) == [("初审", "李科长", True, "同意", sha[:12])]
