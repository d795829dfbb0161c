"""`bulletin fetch` against a real IMAP server (Dovecot on 127.0.0.1) and a real SMTP server (aiosmtpd) for the
receipts. Messages are put in with IMAP APPEND, built the way real clients build them (tests/mail_clients.py).
"""

from __future__ import annotations

import os

from pathlib import Path

import pytest
from mail_clients import (
    auto_reply,
    bounce,
    forward,
    netease,
    old_client,
    outlook,
    plain_text,
    when,
    zip_of,
)
from imap_server import mailbox_name
from mailbox_kit import MONTH, OFFICE_SENDER, draft_bytes, files_under, parsed, write_office
from ooxml_audit import assert_valid, dangling_references
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.core.ledger import Ledger
from bulletin.intake.mailledger import MailLedger
from bulletin.intake.drafts import read_draft
from bulletin.intake.roster import Roster

OLE_DOC = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 2000
BODY_TEXT = (
    "区交通局开展道路安全隐患排查整治\n"
    "　　10月以来，区交通局组织专班对全区农村公路、桥梁、临水临崖路段开展拉网式排查，共排查道路236公里、桥梁41座，"
    "发现并整改隐患17处。\n"
    "　　下一步，区交通局将建立隐患台账，实行销号管理，确保群众出行安全。\n"
    "\n"
    "-- \n"
    "区交通局办公室 李明 电话 8123456\n"
)


@pytest.fixture
def password(monkeypatch):
    def set_for(server):
        monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", server.password)

    return set_for


def run_fetch(root: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["fetch", "--workspace", str(root), *extra])
    return result.exit_code, result.output


def receipts_by_rcpt(smtp) -> dict[str, list]:
    out: dict[str, list] = {}
    for message in smtp.messages:
        for rcpt in message.rcpt_tos:
            out.setdefault(rcpt.lower(), []).append(parsed(message.data))
    return out


# -- the whole scenario: every kind of client, plain IMAP ------------------------------------------------------
def test_fetch_saves_every_clients_drafts_and_answers_each_message_once(tmp_path, imap_server, smtp_server, password):
    imap = imap_server()
    smtp = smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    d = {key: draft_bytes(title, unit) for key, title, unit in [
        ("rsj", "做好高校毕业生就业服务工作", "区人社局"),
        ("czj", "刘䶮同志扎根基层服务群众", "区财政局"),
        ("jtj", "农村公路建设提速", "区交通局"),
        ("zjj", "城市更新项目全面铺开", "区住建局"),
        ("zip1", "稿件一：技能培训惠及万人", "区人社局"),
        ("zip2", "稿件二：劳动维权暖人心", "区人社局"),
        ("stranger", "某单位工作动态", None),
    ]}
    m1 = outlook(sender="rsj@zgq.gov.test", name="张三", subject="区人社局10月份简报稿件", when=when(12),
                 msgid="<HK0PR03MB4.1@zgq.gov.test>",
                 attachments=[("区人社局-关于做好2026年高校毕业生就业服务工作的信息（终稿）.docx", d["rsj"])])
    imap.append(m1, when=when(12))
    imap.append(netease(sender="czj_zgq@163.com", name="区财政局 李四", subject="回复：报送10月简报稿件",
                        when=when(13), msgid="<6a1b2c3d.4e5f.19a0b1c2d3e.Coremail.czj_zgq@163.com>",
                        attachments=[("区财政局：刘䶮同志事迹.docx", d["czj"]), ("财政收支表.doc", OLE_DOC)]),
                when=when(13))
    imap.append(old_client(sender="jtj@zgq.gov.test", subject="交通局10月稿件", when=when(14),
                           msgid="<200610140001.jtj@zgq.gov.test>",
                           attachments=[("区交通局-农村公路建设.docx", d["jtj"])]), when=when(14))
    inner = outlook(sender="wangwu@zgq.gov.test", name="王五", subject="城市更新稿件（请审定）", when=when(10),
                    msgid="<inner.1@zgq.gov.test>", attachments=[("区住建局-城市更新.docx", d["zjj"])])
    imap.append(forward(sender="zjj@zgq.gov.test", name="区住建局", inner=inner, subject="Fwd: 城市更新稿件（请审定）",
                        when=when(15), msgid="<fwd.1@zgq.gov.test>"), when=when(15))
    archive = zip_of([("区人社局-稿件一.docx", d["zip1"]), ("稿件/区人社局-稿件二.docx", d["zip2"])])
    imap.append(netease(sender="rsj_zgq@163.com", name="区人社局", subject="两篇稿件（压缩包）", when=when(16),
                        msgid="<zip.1@163.com>", attachments=[("区人社局两篇稿件.zip", archive)]), when=when(16))
    imap.append(plain_text(sender="jtj@zgq.gov.test", name="李明", subject="转发：区交通局开展道路安全隐患排查整治",
                           text=BODY_TEXT, when=when(17), msgid="<body.1@zgq.gov.test>"), when=when(17))
    imap.append(outlook(sender="stranger@qq.test", name="某人", subject="投稿", when=when(18), msgid="<s.1@qq.test>",
                        attachments=[("某单位稿件.docx", d["stranger"])]), when=when(18))
    imap.append(auto_reply(sender="zhaoliu@zgq.gov.test", subject="回执：稿件", when=when(19), msgid="<ar.1@zgq.gov.test>"),
                when=when(19))
    imap.append(bounce(returned=m1, when=when(19), msgid="<bounce.1@mx.mail.test>"), when=when(19))
    imap.append(m1, when=when(20))  # the same message twice (a client that sent it again)
    big = b"PK\x03\x04" + os.urandom(50 * 1024 * 1024)
    imap.append(outlook(sender="czj_zgq@163.com", name="李四", subject="附件材料（大）", when=when(21),
                        msgid="<big.1@163.com>", attachments=[("区财政局-附件材料.docx", big)]), when=when(21))
    del big

    code, output = run_fetch(root)
    assert code == 0, output
    assert "收取新邮件 11 封：保存稿件 7 篇，待核实 1 篇，未收取 1 份，重复 1 份，超过大小上限 1 封，系统邮件 2 封。" in output
    assert "回执：发出 8 份，失败 0 份（下次收稿时重试）。" in output

    folder = root / "inputs" / MONTH
    assert files_under(folder) == sorted([
        "区人社局-关于做好2026年高校毕业生就业服务工作的信息（终稿）.docx",
        "区财政局：刘䶮同志事迹.docx",
        "区交通局-农村公路建设.docx",
        "区住建局-城市更新.docx",
        "区人社局-稿件一.docx",
        "区人社局-稿件二.docx",
        "区交通局开展道路安全隐患排查整治（邮件正文）.docx",
        "待核实/某单位稿件.docx",
    ])
    assert (folder / "区人社局-关于做好2026年高校毕业生就业服务工作的信息（终稿）.docx").read_bytes() == d["rsj"]
    assert (folder / "区财政局：刘䶮同志事迹.docx").read_bytes() == d["czj"]
    assert (folder / "区交通局-农村公路建设.docx").read_bytes() == d["jtj"]
    assert (folder / "区住建局-城市更新.docx").read_bytes() == d["zjj"]
    assert (folder / "区人社局-稿件一.docx").read_bytes() == d["zip1"]
    assert (folder / "区人社局-稿件二.docx").read_bytes() == d["zip2"]
    assert (folder / "待核实" / "某单位稿件.docx").read_bytes() == d["stranger"]
    assert files_under(root / ".bulletin" / "mail-staging") == []  # nothing left behind

    # The body-only submission is a real draft: valid Word, title from the subject, unit from the roster.
    body = folder / "区交通局开展道路安全隐患排查整治（邮件正文）.docx"
    assert_valid(body)
    assert dangling_references(body) == []
    roster = Roster.load(root / "inputs" / "units.csv")
    draft = read_draft(body, roster)
    assert draft.title == "区交通局开展道路安全隐患排查整治"
    assert draft.unit == "区交通局"
    texts = "\n".join(p.text for p in __import__("docx").Document(body).paragraphs)
    assert "拉网式排查，共排查道路236公里" in texts and "确保群众出行安全" in texts
    assert "李明 电话" not in texts  # the signature is not part of the article

    # Which file came from which sender.
    with Ledger(root / ".bulletin" / "ledger.sqlite3") as ledger:
        senders = {f.file: f.sender for f in MailLedger(ledger).files(MONTH)}
    assert senders["区人社局-稿件二.docx"] == "rsj_zgq@163.com"
    assert senders["区住建局-城市更新.docx"] == "zjj@zgq.gov.test"
    assert senders["待核实/某单位稿件.docx"] == "stranger@qq.test"

    # One receipt per message from a person; none to the auto-reply, the bounce or the second copy.
    got = receipts_by_rcpt(smtp)
    assert sorted((rcpt, len(msgs)) for rcpt, msgs in got.items()) == [
        ("czj_zgq@163.com", 2), ("jtj@zgq.gov.test", 2), ("rsj@zgq.gov.test", 1), ("rsj_zgq@163.com", 1),
        ("stranger@qq.test", 1), ("zjj@zgq.gov.test", 1),
    ]
    (r1,) = got["rsj@zgq.gov.test"]
    assert r1["Subject"] == "回执：区人社局10月份简报稿件"
    assert r1["In-Reply-To"] == "<HK0PR03MB4.1@zgq.gov.test>"
    assert r1["References"] == "<HK0PR03MB4.1@zgq.gov.test>"
    assert r1["Auto-Submitted"] == "auto-replied"
    assert r1["From"].addresses[0].addr_spec == OFFICE_SENDER
    text = r1.get_content()
    assert "1. 区人社局-关于做好2026年高校毕业生就业服务工作的信息（终稿）.docx：已收稿，将编入2026年10月简报的稿件" in text
    czj = {m["Subject"]: m.get_content() for m in got["czj_zgq@163.com"]}
    assert "1. 区财政局：刘䶮同志事迹.docx：已收稿" in czj["回执：回复：报送10月简报稿件"]
    assert ("2. 财政收支表.doc：未收取——这是旧版 Word 格式（.doc），请在 Word 中“另存为” .docx 后重新发送"
            in czj["回执：回复：报送10月简报稿件"])
    assert "超过 30 MB 的上限，未接收" in czj["回执：附件材料（大）"]
    assert "待办公室核实发件单位" in got["stranger@qq.test"][0].get_content()
    zjj = got["zjj@zgq.gov.test"][0].get_content()
    assert "区住建局-城市更新.docx（转发邮件《城市更新稿件（请审定）》中）：已收稿" in zjj
    rsj2 = got["rsj_zgq@163.com"][0].get_content()
    assert "区人社局-稿件一.docx（压缩包《区人社局两篇稿件.zip》中）：已收稿" in rsj2
    assert "区人社局-稿件二.docx（压缩包《区人社局两篇稿件.zip》中）：已收稿" in rsj2
    body_receipt = [m for m in got["jtj@zgq.gov.test"] if "隐患" in m["Subject"]][0].get_content()
    assert "1. 邮件正文：已收稿（由邮件正文生成，标题《区交通局开展道路安全隐患排查整治》），将编入2026年10月简报的稿件" in body_receipt

    # Nothing was marked read, moved or deleted; the ID command was sent (Dovecot logs it).
    flags = imap.flags()
    assert len(flags) == 11 and not any(b"\\Seen" in f for f in flags), flags
    # "imap(user)": logged by the authenticated session, i.e. sent after LOGIN and before SELECT, as NetEase wants it.
    (id_line,) = imap.id_log()
    assert "imap(zgqwxzfb@mail.test)" in id_line, id_line
    assert id_line.endswith("ID sent: name=bulletin, version=0.1.0, vendor=bulletin, support-url=bulletin"), id_line

    # Fetch again: nothing new saved, no second receipt.
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    code, output = run_fetch(root)
    assert code == 0, output
    assert "收取新邮件 0 封" in output
    assert "回执：发出 0 份" in output
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
    assert len(smtp.messages) == 8


# -- TLS ---------------------------------------------------------------------------------------------------------
def test_tls_with_the_test_ca_works_and_without_it_the_certificate_is_refused(tmp_path, imap_server, password):
    imap = imap_server(tls=True)
    password(imap)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<t.1@x>",
                        attachments=[("区人社局-稿件.docx", draft_bytes("就业工作", "区人社局"))]), when=when(12))
    strict = write_office(tmp_path / "strict", imap)
    code, output = run_fetch(strict)
    assert code == 1
    assert "证书校验失败" in output and "mailbox.cafile" in output
    assert imap.password not in output

    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "ca.pem").write_bytes(imap.cafile.read_bytes())
    trusted = write_office(tmp_path / "ok", imap, cafile="ca.pem", receipts=False)
    code, output = run_fetch(trusted)
    assert code == 0, output
    assert files_under(trusted / "inputs" / MONTH) == ["区人社局-稿件.docx"]

    starttls = write_office(tmp_path / "starttls", imap, cafile=str(imap.cafile), port=imap.port, ssl=False,
                            starttls=True, receipts=False)
    code, output = run_fetch(starttls)
    assert code == 0, output
    assert files_under(starttls / "inputs" / MONTH) == ["区人社局-稿件.docx"]
    assert "secured" in imap.log.read_text()  # Dovecot's note that the session was under TLS


def test_plain_login_is_refused_unless_written_explicitly(tmp_path, imap_server, password):
    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, allow_plaintext_login=False)
    code, output = run_fetch(root)
    assert code == 1
    assert "allow_plaintext_login = true" in output


def test_wrong_password_says_so_in_chinese_and_names_nothing_secret(tmp_path, imap_server, monkeypatch):
    imap = imap_server()
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", "wrong-Secret-77")
    root = write_office(tmp_path / "office", imap)
    code, output = run_fetch(root)
    assert code == 1
    assert "登录失败：请检查用户名和授权码" in output
    assert "wrong-Secret-77" not in output

    monkeypatch.delenv("BULLETIN_IMAP_PASSWORD")
    code, output = run_fetch(root)
    assert code == 1 and "BULLETIN_IMAP_PASSWORD" in output


def test_unreachable_server_exits_1(tmp_path, imap_server, password):
    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, port=1)  # nothing listens there
    code, output = run_fetch(root)
    assert code == 1
    assert "连接被拒绝" in output


# -- months --------------------------------------------------------------------------------------------------------
def test_month_of_arrival_in_shanghai_next_month_once_approved_and_override(tmp_path, imap_server, password):
    from datetime import datetime, timezone

    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, receipts=False)
    late = datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc)  # 00:30 on 1 November in Beijing
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="a", when=late, msgid="<m.1@x>",
                        attachments=[("十一月稿件.docx", draft_bytes("十一月稿件", "区人社局"))]), when=late)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="b", when=when(20), msgid="<m.2@x>",
                        attachments=[("十月稿件.docx", draft_bytes("十月稿件", "区人社局"))]), when=when(20))
    assert run_fetch(root)[0] == 0
    assert files_under(root / "inputs") == ["2026-10/十月稿件.docx", "2026-11/十一月稿件.docx", "units.csv"]

    with Ledger(root / ".bulletin" / "ledger.sqlite3") as ledger:  # October's bulletin is approved
        ledger.record_decision("2026-10", root / "x.docx", "0" * 64, True, "张三")
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="c", when=when(25), msgid="<m.3@x>",
                        attachments=[("迟到的十月稿件.docx", draft_bytes("迟到的十月稿件", "区人社局"))]), when=when(25))
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="d", when=when(26), msgid="<m.4@x>",
                        attachments=[("指定月份.docx", draft_bytes("指定月份", "区人社局"))]), when=when(26))
    assert run_fetch(root)[0] == 0
    assert "2026-11/迟到的十月稿件.docx" in files_under(root / "inputs")
    # --month puts everything fetched into that month (here: the 4th message, appended after the fetch)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="e", when=when(27), msgid="<m.5@x>",
                        attachments=[("放入十二月.docx", draft_bytes("放入十二月", "区人社局"))]), when=when(27))
    assert run_fetch(root, "--month", "2026-12")[0] == 0
    assert files_under(root / "inputs" / "2026-12") == ["放入十二月.docx"]


# -- names -----------------------------------------------------------------------------------------------------------
def test_same_name_gets_a_number_and_same_bytes_are_not_saved_again(tmp_path, imap_server, smtp_server, password):
    imap = imap_server()
    smtp = smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    first, revised = draft_bytes("就业服务", "区人社局"), draft_bytes("就业服务（修改稿）", "区人社局")
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<n.1@x>",
                        attachments=[("区人社局稿件.docx", first)]), when=when(12))
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件（修改）", when=when(13), msgid="<n.2@x>",
                        attachments=[("区人社局稿件.docx", revised)]), when=when(13))
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="再发一次", when=when(14), msgid="<n.3@x>",
                        attachments=[("再发一次.docx", first), ("../../../etc/cron.d/x.docx", revised)]), when=when(14))
    assert run_fetch(root)[0] == 0
    folder = root / "inputs" / MONTH
    assert files_under(folder) == ["区人社局稿件.docx", "区人社局稿件（2）.docx"]
    assert (folder / "区人社局稿件（2）.docx").read_bytes() == revised
    third = [m for m in receipts_by_rcpt(smtp)["rsj@zgq.gov.test"] if m["Subject"] == "回执：再发一次"][0]
    assert "再发一次.docx：已收到（与此前收到的文件相同，未重复保存）" in third.get_content()


# -- receipts ----------------------------------------------------------------------------------------------------------
def test_failed_receipt_is_retried_by_the_next_fetch_and_sent_once(tmp_path, imap_server, smtp_server, password):
    imap = imap_server()
    smtp = smtp_server(reject={"rsj@zgq.gov.test"})
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<r.1@x>",
                        attachments=[("区人社局稿件.docx", draft_bytes("就业服务", "区人社局"))]), when=when(12))
    code, output = run_fetch(root)
    assert code == 0
    assert "回执：发出 0 份，失败 1 份" in output
    assert "550 5.1.1 User unknown" in output
    smtp.handler.reject.clear()  # the department's mailbox works again
    code, output = run_fetch(root)
    assert "收取新邮件 0 封" in output and "回执：发出 1 份" in output
    code, output = run_fetch(root)
    assert "回执：发出 0 份" in output
    assert receipts_by_rcpt(smtp)["rsj@zgq.gov.test"][0]["Subject"] == "回执：稿件"
    assert len(smtp.messages) == 1


def test_without_smtp_receipts_wait_and_go_out_once_smtp_is_configured(tmp_path, imap_server, smtp_server, password):
    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<w.1@x>",
                        attachments=[("区人社局稿件.docx", draft_bytes("就业服务", "区人社局"))]), when=when(12))
    code, output = run_fetch(root)
    assert code == 0 and "1 份未发（未配置 [smtp]" in output
    smtp = smtp_server()
    write_office(root, imap, smtp)
    code, output = run_fetch(root)
    assert "回执：发出 1 份" in output
    assert [m.rcpt_tos for m in smtp.messages] == [["rsj@zgq.gov.test"]]


# -- UIDVALIDITY, folders, move_to -------------------------------------------------------------------------------
def test_new_uidvalidity_is_recognised_by_message_id(tmp_path, imap_server, smtp_server, password):
    """A mailbox rebuilt by its server (new UIDVALIDITY, same messages): nothing saved twice, no second receipt."""
    imap = imap_server()
    smtp = smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp, folder="投稿")
    message = outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<u.1@x>",
                      attachments=[("区人社局稿件.docx", draft_bytes("就业服务", "区人社局"))])
    imap.append(message, folder="投稿", when=when(12))
    assert run_fetch(root)[0] == 0
    conn = imap.client()
    conn.delete(mailbox_name("投稿"))
    conn.logout()
    imap.append(message, folder="投稿", when=when(12))
    code, output = run_fetch(root)
    assert code == 0
    assert "收取新邮件 1 封" in output and "重复 1 份" in output
    assert files_under(root / "inputs" / MONTH) == ["区人社局稿件.docx"]
    assert len(smtp.messages) == 1


def test_move_to_moves_imported_messages_only_when_configured(tmp_path, imap_server, password):
    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, move_to="已收稿", receipts=False)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<mv.1@x>",
                        attachments=[("区人社局稿件.docx", draft_bytes("就业服务", "区人社局"))]), when=when(12))
    assert run_fetch(root)[0] == 0
    assert imap.count("INBOX") == 0
    assert imap.count("已收稿") == 1
    assert files_under(root / "inputs" / MONTH) == ["区人社局稿件.docx"]




def test_message_count_limit_leaves_the_rest_for_the_next_fetch(tmp_path, imap_server, password):
    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, max_messages=2, receipts=False)
    for n in range(3):
        imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject=f"稿件{n}", when=when(12), msgid=f"<c.{n}@x>",
                            attachments=[(f"稿件{n}.docx", draft_bytes(f"稿件{n}", "区人社局"))]), when=when(12))
    code, output = run_fetch(root)
    assert "还有 1 封邮件超过本次数量上限" in output
    assert files_under(root / "inputs" / MONTH) == ["稿件0.docx", "稿件1.docx"]
    run_fetch(root)
    assert files_under(root / "inputs" / MONTH) == ["稿件0.docx", "稿件1.docx", "稿件2.docx"]


def test_no_mailbox_section_is_explained(tmp_path):
    root = tmp_path / "office"
    root.mkdir()
    from workspace_kit import SETTINGS

    (root / "bulletin.toml").write_text(SETTINGS, encoding="utf-8")
    code, output = run_fetch(root)
    assert code == 1
    assert "没有 [mailbox]" in output





def test_machine_forwarded_drafts_are_taken_without_a_receipt_and_short_notes_are_not_drafts(
        tmp_path, imap_server, smtp_server, password):
    imap = imap_server()
    smtp = smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    imap.append(netease(sender="oa-robot@zgq.gov.test", name="OA系统", subject="【自动转发】区教体局稿件", when=when(12),
                        msgid="<auto.1@x>", extra_headers=["Auto-Submitted: auto-forwarded"],
                        attachments=[("区教体局-教师培训.docx", draft_bytes("教师培训", "区教体局"))]), when=when(12))
    imap.append(plain_text(sender="rsj@zgq.gov.test", name="张三", subject="稿件", text="稿件稍后发送，谢谢。",
                           when=when(13), msgid="<short.1@x>"), when=when(13))
    imap.append(plain_text(sender="nobody@qq.test", name="路人", subject="关于某街道开展志愿服务活动的信息",
                           text="某街道组织志愿者深入社区开展环境整治、义诊和政策宣讲活动，" * 5, when=when(14),
                           msgid="<stranger.body@x>"), when=when(14))
    code, output = run_fetch(root)
    assert code == 0, output
    assert files_under(root / "inputs" / MONTH) == sorted([  # neither sender is in the roster
        "待核实/区教体局-教师培训.docx", "待核实/关于某街道开展志愿服务活动的信息（邮件正文）.docx"])
    got = receipts_by_rcpt(smtp)
    assert "oa-robot@zgq.gov.test" not in got  # RFC 3834: never answer machine-written mail
    assert "邮件中没有可用的稿件附件（.docx），正文也不足以成为稿件" in got["rsj@zgq.gov.test"][0].get_content()
    assert "待办公室核实发件单位" in got["nobody@qq.test"][0].get_content()


def test_compile_side_body_drafts_are_flagged_quarantined_files_noted_and_senders_give_units(
        tmp_path, imap_server, password):
    from bulletin.core.workspace import Workspace
    from bulletin.intake.mailrecords import annotate_intake, sender_units
    from bulletin.intake.intake import gather

    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, receipts=False)
    imap.append(plain_text(sender="jtj@zgq.gov.test", name="李明", subject="区交通局开展道路安全隐患排查整治",
                           text=BODY_TEXT, when=when(17), msgid="<b.2@x>"), when=when(17))
    imap.append(outlook(sender="RSJ_zgq@163.com", name="张三", subject="稿件", when=when(18), msgid="<b.3@x>",
                        attachments=[("就业信息.docx", draft_bytes("就业信息"))]), when=when(18))
    imap.append(outlook(sender="stranger@qq.test", name="某人", subject="投稿", when=when(18), msgid="<b.4@x>",
                        attachments=[("某单位稿件.docx", draft_bytes("某单位工作动态"))]), when=when(18))
    assert run_fetch(root)[0] == 0
    ws = Workspace.at(root)
    # For reading drafts: the unit registered for each saved file's sender (the draft itself names no unit).
    assert sender_units(ws, MONTH) == {"区交通局开展道路安全隐患排查整治（邮件正文）.docx": "区交通局", "就业信息.docx": "区人社局"}
    intake = gather(ws.month_inputs(MONTH), MONTH, Roster.load(ws.roster_path))
    annotate_intake(ws, MONTH, intake)
    body = [d for d in intake.accepted if d.name.endswith("（邮件正文）.docx")][0]
    assert "由邮件正文生成：请核对标题和正文" in body.warnings
    assert ("待核实/某单位稿件.docx：发件人 stranger@qq.test 未在单位名册（inputs/units.csv 的“邮箱”列）中登记，未编入；"
            "核实后请把文件移到 inputs/2026-10/ 并重新编排。") in intake.notes
    # compile does the same by itself: units from the senders, the body draft flagged, 待核实 listed, not compiled.
    from bulletin.office.compile import compile_month

    result = compile_month(ws, MONTH)
    units = {d.name: d.unit for d in result.intake.accepted}
    assert units == {"区交通局开展道路安全隐患排查整治（邮件正文）.docx": "区交通局", "就业信息.docx": "区人社局"}
    report = result.report_path.read_text(encoding="utf-8-sig")
    assert "由邮件正文生成：请核对标题和正文" in report
    assert "待核实/某单位稿件.docx：发件人 stranger@qq.test" in report


def test_a_reply_to_a_receipt_gets_no_receipt_no_ping_pong(tmp_path, imap_server, smtp_server, password):
    imap = imap_server()
    smtp = smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<p.1@x>",
                        attachments=[("区人社局稿件.docx", draft_bytes("就业服务", "区人社局"))]), when=when(12))
    run_fetch(root)
    (receipt,) = [parsed(m.data) for m in smtp.messages]
    thanks = plain_text(sender="rsj@zgq.gov.test", name="张三", subject="答复: 回执：稿件", text="收到，谢谢！",
                        when=when(13), msgid="<p.2@x>",
                        extra_headers=[f"In-Reply-To: {receipt['Message-ID']}", f"References: <p.1@x> {receipt['Message-ID']}"])
    imap.append(thanks, when=when(13))
    code, output = run_fetch(root)
    assert "收取新邮件 1 封" in output and "回执：发出 0 份" in output
    assert len(smtp.messages) == 1


def test_nothing_secret_in_the_logs_even_at_debug_level(tmp_path, imap_server, password, caplog):
    import logging

    from bulletin.core.workspace import Workspace
    from bulletin.office.fetch import fetch

    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, receipts=False)
    caplog.set_level(logging.DEBUG)
    fetch(Workspace.at(root))
    assert "LOGIN" in caplog.text and "REDACTED" in caplog.text  # imapclient's own log of the exchange
    assert imap.password not in caplog.text


def test_a_draft_waiting_in_quarantine_does_not_hide_the_same_draft_from_a_known_unit(
        tmp_path, imap_server, password):
    imap = imap_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, receipts=False)
    data = draft_bytes("城市更新", "区住建局")
    for n, sender in enumerate(["private@qq.test", "zjj@zgq.gov.test", "zjj_b@zgq.gov.test"]):
        imap.append(outlook(sender=sender, name="王五", subject="稿件", when=when(12 + n), msgid=f"<q.{n}@x>",
                            attachments=[("区住建局-城市更新.docx", data)]), when=when(12 + n))
    assert run_fetch(root)[0] == 0
    assert files_under(root / "inputs" / MONTH) == ["区住建局-城市更新.docx", "待核实/区住建局-城市更新.docx"]
