"""The workbench's use cases without the web (issue 24): accounts and their passwords (`bulletin users`), the audit
table, uploads through the mailbox's doors (safe names, .zip limits, screening, receipts), the clerk's decisions
written to 编排.toml and honoured by compile, 补发 to one address through the send state machine, background
jobs never twice at once."""

from __future__ import annotations

import io
import sqlite3
import threading
import time
import zipfile

import pytest
from draft_factory import make_draft
from typer.testing import CliRunner
from workspace_kit import make_workspace

from bulletin.cli import app
from bulletin.core.errors import BulletinError
from bulletin.core.ledger import Ledger
from bulletin.office import accounts, arrange, jobs, upload

runner = CliRunner()


def docx_bytes(tmp_path, name, **kwargs) -> bytes:
    return make_draft(tmp_path / "made" / name, **kwargs).read_bytes()


def test_users_through_the_command_line(tmp_path):
    o = make_workspace(tmp_path / "ws")
    add = runner.invoke(app, ["users", "add", "张三", "--role", "编辑", "-w", str(o.root)],
                        input="correct-horse-1\ncorrect-horse-1\n")
    assert add.exit_code == 0, add.output
    assert "已添加账号“张三”（编辑）" in add.output
    mismatch = runner.invoke(app, ["users", "add", "李四", "--role", "审核", "-w", str(o.root)], input="abcdefgh1\nabcdefgh2\n")
    assert mismatch.exit_code == 1 and "两次输入的密码不一致" in mismatch.output
    bad_role = runner.invoke(app, ["users", "add", "李四", "--role", "主任", "-w", str(o.root), "--password-stdin"],
                             input="abcdefgh1\n")
    assert bad_role.exit_code == 1 and "角色“主任”不对：只能是 编辑、审核、管理。" in bad_role.output
    short = runner.invoke(app, ["users", "add", "李四", "--role", "审核", "-w", str(o.root), "--password-stdin"],
                          input="abc\n")
    assert short.exit_code == 1 and "密码至少 8 位" in short.output
    ok = runner.invoke(app, ["users", "add", "李四", "--role", "审核", "-w", str(o.root), "--password-stdin"],
                       input="abcdefgh1\n")
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(app, ["users", "add", "李四", "--role", "管理", "-w", str(o.root), "--password-stdin"],
                          input="abcdefgh1\n")
    assert again.exit_code == 1 and "账号“李四”已存在" in again.output
    listed = runner.invoke(app, ["users", "list", "-w", str(o.root)])
    assert [line.split()[:2] for line in listed.output.splitlines()] == [["张三", "编辑"], ["李四", "审核"]]

    ws = o.ws
    assert accounts.login(ws, "张三", "correct-horse-1") == accounts.User("张三", "编辑", accounts.find_user(ws, "张三").created)
    assert accounts.login(ws, "张三", "correct-horse-2") is None
    assert accounts.login(ws, "王五", "correct-horse-1") is None
    with sqlite3.connect(ws.state_dir / "workbench.sqlite3") as db:
        stored = db.execute("SELECT password FROM users WHERE name = '张三'").fetchone()[0]
    assert stored.startswith("scrypt$32768$8$1$") and "correct-horse" not in stored
    assert (ws.state_dir / "workbench.sqlite3").stat().st_mode & 0o777 == 0o600
    before = accounts.fingerprint(ws, "张三")
    assert runner.invoke(app, ["users", "remove", "张三", "-w", str(o.root)]).exit_code == 0
    assert accounts.fingerprint(ws, "张三") == "" != before and accounts.login(ws, "张三", "correct-horse-1") is None
    actions = [(r.action, r.details) for r in accounts.audit(ws)]
    assert actions == [("删除账号", "张三"), ("添加账号", "李四（审核）"), ("添加账号", "张三（编辑）")]
    assert all(r.actor.startswith("命令行") for r in accounts.audit(ws))


def test_uploads_go_through_the_mailbox_doors_and_get_a_receipt(tmp_path):
    o = make_workspace(tmp_path / "ws")
    o.month_dir()
    ws = o.ws
    good = docx_bytes(tmp_path, "a.docx", title="稳就业", unit_line="区人社局", paragraphs=["正文。"])
    other = docx_bytes(tmp_path, "b.docx", title="财政", unit_line="区财政局", paragraphs=["财政正文。"])
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr("稿件/财政.docx", other)
        z.writestr("../../evil.docx", good)
        z.writestr("inner.zip", b"PK\x03\x04")
        z.writestr("说明.txt", "请查收")
    files = [("../../etc/稳就业.docx", good), ("图.png", b"\x89PNG...."), ("坏.docx", b"PK\x03\x04broken"),
             ("旧.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 64), ("稿件.zip", packed.getvalue()),
             ("again.docx", good)]
    receipt = upload.upload_drafts(ws, "2026-10", files, actor="张三")
    assert receipt.saved == [("../../etc/稳就业.docx", "稳就业.docx"), ("财政.docx（压缩包《稿件.zip》中）", "财政.docx")]
    assert receipt.same == [("again.docx", "稳就业.docx")]
    refused = dict(receipt.refused)
    assert refused["图.png"] == "图片不能单独编入简报，请把图片插入 Word 稿件后重新上传"
    assert refused["旧.doc"] == "这是旧版 Word 格式（.doc），请在 Word 中“另存为” .docx 后重新上传"
    assert "evil.docx（压缩包《稿件.zip》中）" in refused and "不安全" in refused["evil.docx（压缩包《稿件.zip》中）"]
    assert refused["inner.zip（压缩包《稿件.zip》中）"] == "压缩包中的压缩包不予解压，请直接上传 .docx"
    assert "坏.docx" in refused and "说明.txt（压缩包《稿件.zip》中）" in refused
    assert sorted(p.name for p in (o.root / "inputs" / "2026-10").iterdir()) == ["稳就业.docx", "财政.docx"]
    assert not (tmp_path / "etc").exists() and not (o.root / "evil.docx").exists()
    (row,) = accounts.audit(ws, "2026-10")
    assert (row.actor, row.action) == ("张三", "上传稿件") and "保存《稳就业.docx》" in row.details


@pytest.mark.slow
def test_decisions_and_resend_and_one_job_at_a_time(tmp_path, smtp_server, no_page_images):
    from mail_workspace import smtp_settings, write_recipients, write_settings

    server = smtp_server()
    root = tmp_path / "ws"
    (root / "inputs" / "2026-10").mkdir(parents=True)
    write_settings(root, smtp_settings(server), ["zhuren@zgq.example.cn"])
    write_recipients(root / "inputs" / "recipients.csv",
                     [("发", "区人社局", "a@zgq.example.cn"), ("发", "区财政局", "b@zgq.example.cn")])
    from workspace_kit import ROSTER

    from bulletin.core.workspace import Workspace

    (root / "inputs" / "units.csv").write_text(ROSTER, encoding="utf-8")
    ws = Workspace.at(root)
    folder = root / "inputs" / "2026-10"
    make_draft(folder / "1.docx", title="甲文", unit_line="区人社局", paragraphs=["甲正文。"])
    make_draft(folder / "2.docx", title="乙文", paragraphs=["乙正文，没有单位。"])
    job = jobs.start_compile(ws, "2026-10", "张三", wait=True)
    assert job.state == "done", job.message
    assert "编入 2 篇，需核对 1 篇" in job.message
    with pytest.raises(BulletinError, match="不在单位名册"):
        arrange.set_unit(ws, "2026-10", "2.docx", "区外星局", actor="张三")
    with pytest.raises(BulletinError, match="本月没有稿件“../x.docx”"):
        arrange.set_title(ws, "2026-10", "../x.docx", "x", actor="张三")
    arrange.set_unit(ws, "2026-10", "2.docx", "区财政局", actor="张三")
    assert arrange.move(ws, "2026-10", "2.docx", "lead", actor="张三") == ["2.docx", "1.docx"]
    assert (folder / "编排.toml").read_text(encoding="utf-8").splitlines()[4:] == [
        'order = ["2.docx", "1.docx"]', "", '[draft."2.docx"]', 'unit = "区财政局"']
    assert jobs.start_compile(ws, "2026-10", "张三", wait=True).state == "done"
    with Ledger(ws.ledger_path) as ledger:
        rows = ledger.last_compile("2026-10").drafts
    assert [(r["file"], r["unit"], r["status"]) for r in rows] == [("2.docx", "区财政局", "accepted"),
                                                                  ("1.docx", "区人社局", "accepted")]

    # one job at a time: a second start while the first runs is refused in Chinese
    gate = threading.Event()
    first = jobs.start(ws, "compile", "2026-10", "张三", lambda progress: gate.wait(10) and "好")
    with pytest.raises(jobs.Busy, match="尚未完成"):
        jobs.start_compile(ws, "2026-10", "李四")
    gate.set()
    for _ in range(100):
        if not jobs.get(ws, first.id).active:
            break
        time.sleep(0.05)
    assert jobs.get(ws, first.id).state == "done"

    # 补发: b@ is refused once by the server, then resent alone
    from bulletin.office.decide import decide
    from bulletin.office.send import resend, send

    with Ledger(ws.ledger_path) as ledger:
        sha = ledger.last_compile("2026-10").sha256
    decide(ws, "2026-10", approved=True, by="zhuren@zgq.example.cn", seen_sha256=sha)
    server.handler.reject.add("b@zgq.example.cn")
    report = send(ws, "2026-10", actor="张三")
    assert [r.email for r in report.sent] == ["a@zgq.example.cn"] and len(report.failed) == 1
    server.handler.reject.clear()
    with pytest.raises(BulletinError, match="不在分发名单"):
        resend(ws, "2026-10", "x@zgq.example.cn", actor="张三")
    again = resend(ws, "2026-10", "b@zgq.example.cn", actor="张三")
    assert [r.email for r in again.sent] == ["b@zgq.example.cn"] and not again.failed
    mailed = [sorted(m.rcpt_tos) for m in server.messages if "审核" not in m.message["Subject"]]
    assert mailed == [["a@zgq.example.cn"], ["b@zgq.example.cn"]]
    assert resend(ws, "2026-10", "a@zgq.example.cn", actor="张三").sent == []  # has it: not mailed twice
    actions = [r.action for r in accounts.audit(ws, "2026-10")][::-1]
    assert actions == ["开始编排", "编排完成", "设置供稿单位", "设为头条", "开始编排", "编排完成", "开始编排", "编排完成",
                       "发送简报", "补发", "补发"]
