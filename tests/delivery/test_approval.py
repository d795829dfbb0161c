"""A decision names the version the reviewer saw (issue 15, defect 3): an edit made after the reviewer looked
is never approved in the reviewer's name. The same API serves the CLI, the Prefect form and a web page."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.core.errors import BulletinError
from bulletin.core.ledger import Ledger
from bulletin.delivery.approval import FileChanged, current_version, decide, decide_once


def _decisions(mw) -> list[tuple]:
    with sqlite3.connect(mw.ws.ledger_path) as conn:
        return conn.execute("SELECT approved, reviewer, comment, sha256 FROM approvals ORDER BY id").fetchall()


def test_the_version_seen_is_the_version_approved(mail_workspace):
    mw = mail_workspace()
    path, seen = current_version(mw.ws, mw.month)
    assert (path, seen) == (mw.path, mw.sha256)
    decision = decide(mw.ws, mw.month, True, "王主任", "同意印发", seen)
    assert (decision.approved, decision.reviewer, decision.comment, decision.sha256) == (True, "王主任", "同意印发", seen)
    assert _decisions(mw) == [(1, "王主任", "同意印发", mw.sha256)]


def test_an_edit_after_the_reviewer_looked_is_refused_and_nothing_is_recorded(mail_workspace):
    mw = mail_workspace()
    _, seen = current_version(mw.ws, mw.month)
    mw.edit_docx("审核页面打开后，有人又改了一句。")
    with pytest.raises(FileChanged) as info:
        decide(mw.ws, mw.month, True, "王主任", "", seen)
    now = current_version(mw.ws, mw.month)[1]
    assert str(info.value) == (
        f"2026-10 的简报文件 工作简报第64期.docx 在您审核的版本（校验码 {seen[:12]}）之后被修改过，"
        f"现在的校验码是 {now[:12]}：审核结果未记录。请重新打开文件查看后再审核。"
    )
    with pytest.raises(FileChanged):
        decide(mw.ws, mw.month, False, "王主任", "退回", seen)  # a rejection names its version too
    assert _decisions(mw) == []
    assert decide(mw.ws, mw.month, True, "王主任", "", now).sha256 == now


def test_a_prefix_of_the_checksum_is_enough_and_nonsense_is_refused(mail_workspace):
    mw = mail_workspace()
    assert decide(mw.ws, mw.month, True, "王主任", "", mw.sha256[:12].upper()).sha256 == mw.sha256
    for bad in ("", "abc1234", "zzzzzzzzzzzz", mw.sha256 + "0"):
        with pytest.raises(BulletinError, match="文件校验码") as info:
            decide(mw.ws, mw.month, True, "王主任", "", bad)
        assert not isinstance(info.value, FileChanged)
    with pytest.raises(BulletinError, match="--by"):
        decide(mw.ws, mw.month, True, "  ", "", mw.sha256)
    assert len(_decisions(mw)) == 1


def test_decide_once_writes_a_decision_handed_over_twice_once(mail_workspace):
    mw = mail_workspace()
    with Ledger(mw.ws.ledger_path) as ledger:
        since = ledger.path and "2000-01-01T00:00:00+08:00"
    first, written = decide_once(mw.ws, mw.month, True, "王主任", "同意", mw.sha256, since)
    again, written_again = decide_once(mw.ws, mw.month, True, "王主任", "同意", mw.sha256[:12], since)
    assert (written, written_again) == (True, False) and again == first
    assert decide_once(mw.ws, mw.month, True, "王主任", "同意", mw.sha256, "2999-01-01")[1]  # an older one: new
    assert decide_once(mw.ws, mw.month, False, "王主任", "再看看", mw.sha256, since)[1]  # a different decision
    assert len(_decisions(mw)) == 3


_DECIDE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bulletin.core.workspace import Workspace
    from bulletin.delivery.approval import decide_once
    root, start, sha, rounds = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    while not start.exists():
        time.sleep(0.001)
    for n in range(rounds):
        decide_once(Workspace.at(root), "2026-10", True, "王主任", "同意", sha, "2000-01-01")
    """
)


def test_check_and_write_are_one_transaction(mail_workspace, tmp_path):
    """Four processes hand the same decision over at once, six times each (the CLI and the flow both do): it
    is written once. Checked and written in separate transactions, two of them would both find nothing."""
    mw = mail_workspace()
    start = tmp_path / "start"
    workers = [subprocess.Popen([sys.executable, "-c", _DECIDE, str(mw.ws.root), str(start), mw.sha256, "6"],
                                stderr=subprocess.PIPE, text=True) for _ in range(4)]
    time.sleep(1.0)
    start.touch()
    errors = [w.communicate(timeout=120)[1] for w in workers]
    assert [w.returncode for w in workers] == [0] * 4, errors
    assert _decisions(mw) == [(1, "王主任", "同意", mw.sha256)]


def test_cli_names_the_version(mail_workspace):
    mw = mail_workspace()
    cli = CliRunner()
    old = mw.sha256[:12]
    mw.edit_docx()
    refused = cli.invoke(app, ["approve", "--by", "王主任", "-w", str(mw.ws.root), "-m", mw.month, "--sha256", old])
    assert refused.exit_code == 1
    assert f"在您审核的版本（校验码 {old}）之后被修改过" in refused.output
    assert _decisions(mw) == []

    now = current_version(mw.ws, mw.month)[1]
    done = cli.invoke(app, ["approve", "--by", "王主任", "-w", str(mw.ws.root), "-m", mw.month, "--sha256", now[:12]])
    assert done.exit_code == 0, done.output
    assert f"文件校验码 {now[:12]}" in done.output

    shown = cli.invoke(app, ["reject", "--by", "李科长", "--comment", "再核实", "-w", str(mw.ws.root), "-m", mw.month])
    assert shown.exit_code == 0, shown.output
    assert f"审核的文件：{mw.path}（校验码 {now[:12]}）" in shown.output  # without --sha256: shown, then bound
    assert _decisions(mw) == [(1, "王主任", "", now), (0, "李科长", "再核实", now)]

    status = cli.invoke(app, ["status", "-w", str(mw.ws.root), "-m", mw.month])
    assert f"当前文件校验码：{now[:12]}" in status.output and f"--sha256 {now[:12]}" in status.output


def test_decision_summaries_word_for_word():
    from bulletin.delivery.approval import Decision

    path = "/srv/office/outputs/2026-10/工作简报第64期.docx"
    approved = Decision("2026-10", path, "3f2a9c81d0e4" + "0" * 52, True, "张主任", "同意", "2026-10-28T09:30:15+08:00")
    assert approved.summary() == ("2026-10 简报“工作简报第64期.docx”已审核通过（审核人：张主任，2026-10-28 09:30，"
                                  "文件校验码 3f2a9c81d0e4）。可执行 bulletin send --month 2026-10 发送。")
    rejected = Decision("2026-10", path, "0" * 64, False, "李科长", "数据需核实", "2026-10-28T16:05:59+08:00")
    assert rejected.summary() == ("2026-10 简报“工作简报第64期.docx”未通过审核（审核人：李科长，2026-10-28 16:05，"
                                  "意见：数据需核实）。修改后请重新编排或审核。")
    silent = Decision("2026-10", path, "0" * 64, False, "李科长", "", "2026-10-28T16:05:59+08:00")
    assert silent.summary() == "2026-10 简报“工作简报第64期.docx”未通过审核（审核人：李科长，2026-10-28 16:05）。修改后请重新编排或审核。"


def test_checksum_length_limits_and_the_message(mail_workspace):
    mw = mail_workspace()
    assert decide(mw.ws, mw.month, True, "王主任", "", mw.sha256[:8]).sha256 == mw.sha256  # 8: the shortest
    with pytest.raises(BulletinError) as info:
        decide(mw.ws, mw.month, True, "王主任", "", mw.sha256[:7])
    assert str(info.value) == (f"文件校验码“{mw.sha256[:7]}”不对：请填写审核时看到的校验码（SHA-256，至少前 8 位，"
                               "见送审邮件或 bulletin status）。")
    with pytest.raises(BulletinError) as info:
        decide(mw.ws, mw.month, True, None, "", mw.sha256)
    assert str(info.value) == "请用 --by 写明审核人姓名。"
    assert len(_decisions(mw)) == 1


def test_approve_and_reject_pass_everything_on(mail_workspace):
    from bulletin.delivery.approval import approve, reject

    mw = mail_workspace()
    seen = mw.sha256
    mw.edit_docx()
    with pytest.raises(FileChanged):
        approve(mw.ws, mw.month, "王主任", "同意", seen)
    with pytest.raises(FileChanged):
        reject(mw.ws, mw.month, "王主任", "退回", seen)
    now = current_version(mw.ws, mw.month)[1]
    assert approve(mw.ws, mw.month, "王主任", "同意", now).comment == "同意"
    assert reject(mw.ws, mw.month, "李科长", "退回", now[:12]).reviewer == "李科长"
    assert decide(mw.ws, mw.month, True, "王主任").comment == ""  # no comment, no checksum: the file as it is
    assert [(a, c) for a, _, c, _ in _decisions(mw)] == [(1, "同意"), (0, "退回"), (1, "")]


def test_the_same_decision_handed_over_at_the_same_second_is_not_written_again(mail_workspace):
    mw = mail_workspace()
    first, _ = decide_once(mw.ws, mw.month, True, "王主任", "", mw.sha256)
    again, written = decide_once(mw.ws, mw.month, True, "王主任", "", mw.sha256, since=first.decided_at)
    assert not written and again == first
    assert decide_once(mw.ws, mw.month, True, "王主任", "", mw.sha256)[1]  # no `since`: always a new record


def test_approved_file_messages(mail_workspace):
    from bulletin.core.errors import NotApproved
    from bulletin.delivery.approval import approved_file, reject

    mw = mail_workspace()
    with pytest.raises(NotApproved) as info:
        approved_file(mw.ws, mw.month)
    assert str(info.value) == ("2026-10 的简报尚未审核通过，不能发送：审核后请执行 "
                               "bulletin approve --month 2026-10 --by 审核人姓名。")
    reject(mw.ws, mw.month, "李科长")
    with pytest.raises(NotApproved) as info:
        approved_file(mw.ws, mw.month)
    assert str(info.value) == ("2026-10 的简报最近一次审核未通过（李科长），不能发送：修改后请重新审核 "
                               "bulletin approve --month 2026-10 --by 审核人姓名。")
    reject(mw.ws, mw.month, "李科长", "数据需核实")
    with pytest.raises(NotApproved) as info:
        approved_file(mw.ws, mw.month)
    assert "未通过（李科长（意见：数据需核实））" in str(info.value)


def test_decide_once_defaults(mail_workspace):
    mw = mail_workspace()
    decision, written = decide_once(mw.ws, mw.month, True, "王主任")
    assert written and (decision.comment, decision.sha256) == ("", mw.sha256)


def test_approve_and_reject_default_to_no_comment(mail_workspace):
    from bulletin.delivery.approval import approve, reject

    mw = mail_workspace()
    assert approve(mw.ws, mw.month, "王主任").comment == ""
    assert reject(mw.ws, mw.month, "王主任").comment == ""


# ===== issue 21: the moved modules' mutants (review chain, once_per_version, series, messages) ===============
CHAIN = """
[review]
steps = ["初审", "复审", "签发"]

[[review.step]]
name = "初审"
reviewers = [{name = "李科长", email = "li@zgq.example.cn"}]

[[review.step]]
name = "复审"
reviewers = [{name = "孙处长", email = "sun@zgq.example.cn"}]

[[review.step]]
name = "签发"
reviewers = [{name = "王主任", email = "wang@zgq.example.cn"}, {name = "赵副主任", email = "zhao@zgq.example.cn"}]
"""
SERIES = '\n[series."督查专报"]\ntitle = "督查专报"\nfirst_issue = 1\nreport_to = "区长"\nsend_to = "各部门"\n'


def _add_settings(mw, text: str):
    from bulletin.core.workspace import Workspace

    with open(mw.ws.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write(text)
    mw.ws = Workspace.at(mw.ws.root)
    return mw


def _rows(mw) -> list[tuple]:
    with sqlite3.connect(mw.ws.ledger_path) as conn:
        return conn.execute("SELECT step, reviewer, approved, comment, sha256 FROM approvals ORDER BY id").fetchall()


def _when(decision) -> str:
    return decision.decided_at.replace("T", " ")[:16]


def test_each_step_records_its_name_and_the_summary_names_the_next_step(mail_workspace):
    mw = _add_settings(mail_workspace(), CHAIN)
    sha, name = mw.sha256, "工作简报第64期.docx"
    first, _ = decide_once(mw.ws, mw.month, True, "李科长", "请复审", sha)
    assert (first.step, first.next_step) == ("初审", "复审（孙处长）")
    assert first.summary() == (f"2026-10 简报“{name}”初审通过（李科长，{_when(first)}，意见：请复审，文件校验码 {sha[:12]}）。"
                               "下一步：复审（孙处长）审核，签发后才能发送。")
    second, _ = decide_once(mw.ws, mw.month, True, "孙处长", "", sha)
    assert (second.step, second.next_step) == ("复审", "签发（王主任、赵副主任）")
    assert second.summary() == (f"2026-10 简报“{name}”复审通过（孙处长，{_when(second)}，文件校验码 {sha[:12]}）。"
                                "下一步：签发（王主任、赵副主任）审核，签发后才能发送。")
    signed, _ = decide_once(mw.ws, mw.month, True, "赵副主任", "同意印发", sha)
    assert (signed.step, signed.next_step, signed.send_command) == ("签发", "", "bulletin send --month 2026-10")
    assert signed.summary() == (f"2026-10 简报“{name}”已审核通过（审核人：赵副主任，{_when(signed)}，文件校验码 {sha[:12]}）。"
                                "可执行 bulletin send --month 2026-10 发送。")
    assert _rows(mw) == [("初审", "李科长", 1, "请复审", sha), ("复审", "孙处长", 1, "", sha),
                         ("签发", "赵副主任", 1, "同意印发", sha)]


def test_a_rejection_at_a_step_names_no_next_step(mail_workspace):
    mw = _add_settings(mail_workspace(), CHAIN)
    rejected, _ = decide_once(mw.ws, mw.month, False, "李科长", "数据需核实", mw.sha256)
    assert (rejected.step, rejected.next_step) == ("初审", "")
    assert rejected.summary() == (f"2026-10 简报“工作简报第64期.docx”未通过审核（审核人：李科长，{_when(rejected)}，"
                                  "意见：数据需核实）。修改后请重新编排或审核。")


def test_the_step_named_is_the_step_decided_at_and_outsiders_are_refused(mail_workspace):
    from bulletin.delivery.chain import NotAMember, StepNotOpen

    mw = _add_settings(mail_workspace(), CHAIN)
    with pytest.raises(NotAMember) as info:  # a member of 初审, naming 签发: refused, not recorded at 初审
        decide_once(mw.ws, mw.month, True, "李科长", "", mw.sha256, step="签发")
    assert str(info.value) == "李科长 不是“签发”这一步的审核人（签发：王主任、赵副主任），审核结果未记录。"
    with pytest.raises(NotAMember) as info:
        decide_once(mw.ws, mw.month, True, "张三", "", mw.sha256)
    assert str(info.value) == ("张三 不是任何审核步骤的审核人（初审：李科长；复审：孙处长；签发：王主任、赵副主任）：审核结果未记录。"
                               "请以 bulletin.toml [[review.step]] 中的姓名审核，或用 --step 指明步骤。")
    with pytest.raises(StepNotOpen) as info:
        decide_once(mw.ws, mw.month, True, "王主任", "", mw.sha256, step="签发")
    assert str(info.value) == f"“签发”尚未开始：须先由“初审”（李科长）审核通过这一版本（校验码 {mw.sha256[:12]}）。审核结果未记录。"
    assert _rows(mw) == []
    assert decide_once(mw.ws, mw.month, True, "li@zgq.example.cn", "", mw.sha256, step=" 初审 ")[0].step == "初审"
    assert _rows(mw) == [("初审", "li@zgq.example.cn", 1, "", mw.sha256)]


def test_the_one_step_is_recorded_by_name(mail_workspace):
    mw = mail_workspace(reviewers=["zhuren@zgq.example.cn"])
    decide_once(mw.ws, mw.month, True, "王主任", "同意", mw.sha256)
    assert _rows(mw) == [("审核", "王主任", 1, "同意", mw.sha256)]


def test_once_per_version_the_second_decision_is_refused_word_for_word(mail_workspace):
    from bulletin.delivery.approval import AlreadyDecided

    mw = mail_workspace()
    first, written = decide_once(mw.ws, mw.month, True, "王主任", "同意", mw.sha256, once_per_version=True)
    assert written
    for approved, by in ((True, "王主任"), (False, "李科长")):
        with pytest.raises(AlreadyDecided) as info:
            decide_once(mw.ws, mw.month, approved, by, "", mw.sha256, once_per_version=True)
        assert str(info.value) == (f"2026-10 的简报（校验码 {mw.sha256[:12]}）已有审核结果：王主任 审核通过"
                                   f"（{_when(first)}）。本次审核未记录。")
    assert _rows(mw) == [("审核", "王主任", 1, "同意", mw.sha256)]
    # The command line (once_per_version=False) may change its mind; then the desk names the rejection.
    rejected, _ = decide_once(mw.ws, mw.month, False, "李科长", "再核实", mw.sha256)
    with pytest.raises(AlreadyDecided) as info:
        decide_once(mw.ws, mw.month, True, "王主任", "", mw.sha256, once_per_version=True)
    assert str(info.value) == (f"2026-10 的简报（校验码 {mw.sha256[:12]}）已有审核结果：李科长 退回"
                               f"（{_when(rejected)}）。本次审核未记录。")
    # A new version is decided once again.
    mw.edit_docx()
    now = current_version(mw.ws, mw.month)[1]
    assert decide_once(mw.ws, mw.month, True, "王主任", "", now, once_per_version=True)[1]
    assert len(_rows(mw)) == 3


def test_once_per_version_counts_per_step(mail_workspace):
    from bulletin.delivery.approval import AlreadyDecided

    mw = _add_settings(mail_workspace(), CHAIN)
    assert decide_once(mw.ws, mw.month, True, "李科长", "", mw.sha256, once_per_version=True)[1]
    assert decide_once(mw.ws, mw.month, True, "孙处长", "", mw.sha256, once_per_version=True)[1]  # another step
    with pytest.raises(AlreadyDecided, match="已有审核结果：孙处长 审核通过"):
        decide_once(mw.ws, mw.month, False, "孙处长", "", mw.sha256, once_per_version=True)
    assert [r[0] for r in _rows(mw)] == ["初审", "复审"]


def _series_of(mw, compiled: bool = True):
    """The 督查专报 series of the mail workspace, with the same file compiled into its own ledger."""
    import shutil

    from bulletin.core.workspace import Workspace

    _add_settings(mw, SERIES)
    ws = Workspace.at(mw.ws.root).for_series("督查专报")
    if compiled:
        path = ws.month_outputs(mw.month) / "督查专报第1期.docx"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(mw.path, path)
        with Ledger(ws.ledger_path) as ledger:
            ledger.issue_number(mw.month, 1)
            ledger.record_compile(mw.month, 1, path, mw.sha256, drafts=[], issue_date="2026-10-28")
    return ws


def test_a_series_decision_names_the_series_send_command(mail_workspace):
    mw = mail_workspace()
    ws = _series_of(mw)
    decision, _ = decide_once(ws, mw.month, True, "王主任", "", mw.sha256)
    assert decision.send_command == "bulletin send --series 督查专报 --month 2026-10"
    assert decision.summary() == (f"2026-10 简报“督查专报第1期.docx”已审核通过（审核人：王主任，{_when(decision)}，"
                                  f"文件校验码 {mw.sha256[:12]}）。可执行 bulletin send --series 督查专报 --month 2026-10 发送。")


def test_no_compile_and_a_missing_file_name_the_command_to_run(mail_workspace):
    from bulletin.core.errors import NotApproved
    from bulletin.delivery.approval import compiled_file

    mw = mail_workspace()
    with Ledger(mw.ws.ledger_path) as ledger:
        with pytest.raises(NotApproved) as info:
            compiled_file(mw.ws, ledger, "2026-11")
        assert str(info.value) == "2026-11 的简报尚未编排：请先执行 bulletin compile --month 2026-11。"
        mw.path.unlink()
        with pytest.raises(NotApproved) as info:
            compiled_file(mw.ws, ledger, mw.month)
        assert str(info.value) == f"找不到 2026-10 的简报文件 {mw.path}：请重新执行 bulletin compile --month 2026-10。"
    series = _series_of(mail_workspace(), compiled=False)
    with Ledger(series.ledger_path) as ledger, pytest.raises(NotApproved) as info:
        compiled_file(series, ledger, "2026-10")
    assert str(info.value) == "2026-10 的简报尚未编排：请先执行 督查专报的生成命令（bulletin tasks report）。"


def test_send_waits_for_the_sign_off_and_says_who_passed_and_who_is_next(mail_workspace):
    from bulletin.core.errors import NotApproved
    from bulletin.delivery.approval import approved_file

    mw = _add_settings(mail_workspace(), CHAIN)
    decide_once(mw.ws, mw.month, True, "李科长", "", mw.sha256)
    with pytest.raises(NotApproved) as info:
        approved_file(mw.ws, mw.month)
    assert str(info.value) == ("2026-10 的简报尚未签发，不能发送：初审（李科长）已通过，待“复审”（孙处长）审核通过："
                               "bulletin approve --month 2026-10 --step 复审 --by 审核人姓名。")
    decide_once(mw.ws, mw.month, True, "孙处长", "", mw.sha256)
    with pytest.raises(NotApproved) as info:
        approved_file(mw.ws, mw.month)
    assert str(info.value) == ("2026-10 的简报尚未签发，不能发送：初审（李科长）、复审（孙处长）已通过，"
                               "待“签发”（王主任、赵副主任）审核通过：bulletin approve --month 2026-10 --step 签发 --by 审核人姓名。")
    decide_once(mw.ws, mw.month, True, "王主任", "", mw.sha256)
    assert approved_file(mw.ws, mw.month) == (mw.path, mw.sha256)


def test_an_approval_from_before_the_chain_does_not_sign_and_no_step_is_named_as_passed(mail_workspace):
    from bulletin.core.errors import NotApproved
    from bulletin.delivery.approval import approved_file

    mw = mail_workspace()
    decide_once(mw.ws, mw.month, True, "王主任", "", mw.sha256)  # the one step 审核, before the office's chain
    _add_settings(mw, CHAIN)
    with pytest.raises(NotApproved) as info:
        approved_file(mw.ws, mw.month)
    assert str(info.value) == ("2026-10 的简报尚未签发，不能发送：待“初审”（李科长）审核通过："
                               "bulletin approve --month 2026-10 --step 初审 --by 审核人姓名。")
