"""approve / send / status against a real SMTP server on 127.0.0.1 (aiosmtpd, started by the tests)."""

from __future__ import annotations

import base64
import logging
import ssl
from email import message_from_bytes, policy
from email.header import decode_header, make_header

import pytest

from bulletin.delivery import delivery, mail
from bulletin.delivery.status import month_status
from bulletin.delivery.approval import approve, approved_file, reject
from bulletin.core.errors import BulletinError, ConfigError, NotApproved
from bulletin.core.ledger import Ledger
from bulletin.delivery.mail import MailError, SmtpTransport
from bulletin.core.workspace import Workspace
from mail_workspace import numbered_recipients, smtp_settings, write_recipients, write_settings
from smtp_server import USER_UNKNOWN, make_certificate

PASSWORD = "Zg-Secret-2026!"

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _attachment(received):
    parts = [p for p in received.message.walk() if p.get_content_maintype() == "application"]
    assert len(parts) == 1
    return parts[0]


def _reload(mw) -> Workspace:
    """A fresh Workspace (settings are cached per instance) after rewriting bulletin.toml."""
    mw.ws = Workspace.at(mw.ws.root)
    return mw.ws


def _statuses(mw, purpose="bulletin") -> dict[str, str]:
    with Ledger(mw.ws.ledger_path) as ledger:
        return {email: r.status for email, r in ledger.deliveries(mw.month, purpose).items()}


# -- approval ---------------------------------------------------------------------------------------------
def test_send_refused_before_approval_and_after_edit(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    with pytest.raises(NotApproved, match="尚未审核通过"):
        delivery.send_bulletin(mw.ws, mw.month)
    reject(mw.ws, mw.month, by="李主任", comment="第二篇数据要核实")
    with pytest.raises(NotApproved, match="未通过.*第二篇数据要核实"):
        delivery.send_bulletin(mw.ws, mw.month)
    approval = approve(mw.ws, mw.month, by="王主任")
    assert approval.sha256 == mw.sha256 and "已审核通过" in approval.summary() and "王主任" in approval.summary()
    mw.edit_docx()
    with pytest.raises(NotApproved, match="文件在审核通过后被修改过，请重新审核：bulletin approve"):
        delivery.send_bulletin(mw.ws, mw.month)
    dry = delivery.send_bulletin(mw.ws, mw.month, dry_run=True)  # a dry run shows who would get it (issue 9)
    assert "试运行" in dry.summary() and "注意：文件在审核通过后被修改过" in dry.summary()
    assert server.messages == []
    assert _statuses(mw) == {}


def test_approval_needs_a_compiled_file_and_a_name(mail_workspace):
    mw = mail_workspace()
    with pytest.raises(BulletinError, match="--by"):
        approve(mw.ws, mw.month, by="  ")
    with pytest.raises(NotApproved, match="尚未编排"):
        approve(mw.ws, "2026-11", by="王主任")
    mw.path.unlink()
    with pytest.raises(NotApproved, match="找不到"):
        approved_file(mw.ws, mw.month)


def test_word_edits_before_approval_are_what_is_sent(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    mw.edit_docx("办公室在 Word 中改过的一句。")
    approve(mw.ws, mw.month, by="王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert report.complete
    edited = mw.path.read_bytes()
    assert edited != b"" and report.sha256 != mw.sha256
    assert all(_attachment(m).get_payload(decode=True) == edited for m in server.messages)


# -- sending ----------------------------------------------------------------------------------------------
def test_every_recipient_gets_exactly_one_copy_of_the_approved_file(smtp_server, mail_workspace, caplog):
    caplog.set_level(logging.DEBUG)
    server = smtp_server()
    rows = [
        ("报", "区委办", "qwb@zgq.example.cn"),
        ("发", "区财政局", "czj@zgq.example.cn"),
        ("发", "坏地址", "czj-at-zgq.example.cn"),
        ("送", "区财政局（重复）", "CZJ@zgq.example.cn"),
        ("送", "区人大办", "rd@zgq.example.cn"),
    ]
    mw = mail_workspace(smtp=smtp_settings(server), recipients=rows)
    approve(mw.ws, mw.month, by="王主任")

    report = delivery.send_bulletin(mw.ws, mw.month)

    assert report.complete
    assert [r.email for r in report.sent] == ["qwb@zgq.example.cn", "czj@zgq.example.cn", "rd@zgq.example.cn"]
    assert len(report.skipped) == 2 and "第4行" in report.skipped[0] and "重复" in report.skipped[1]
    assert server.handler.copies() == {"qwb@zgq.example.cn": 1, "czj@zgq.example.cn": 1, "rd@zgq.example.cn": 1}
    approved = mw.path.read_bytes()
    for received in server.messages:
        msg = received.message
        # The date printed on the bulletin (the issue date), not the day it was compiled or sent.
        assert str(msg["Subject"]) == "章贡区“五型”政府建设工作简报 第64期（2026年10月28日）"
        assert received.mail_from == "office@zgq.example.cn"
        # recipients are in the envelope only: no header names any of them
        headers = "".join(f"{k}: {v}\n" for k, v in msg.items())
        assert "qwb@" not in headers and "rd@" not in headers and "czj@" not in headers
        part = _attachment(received)
        assert part.get_payload(decode=True) == approved
        assert part.get_filename() == "工作简报第64期.docx"  # RFC 2231 form
        legacy = message_from_bytes(received.data, policy=policy.compat32)
        name = [p for p in legacy.walk() if p.get_content_maintype() == "application"][0].get_param("name")
        assert str(make_header(decode_header(name))) == "工作简报第64期.docx"  # RFC 2047 form
        assert "查收附件“工作简报第64期.docx”" in msg.get_body(("plain",)).get_content()
    summary = report.summary()
    assert "本次发送 3 位" in summary and "跳过" in summary

    again = delivery.send_bulletin(mw.ws, mw.month)
    assert again.sent == [] and len(again.already) == 3 and again.complete
    assert "此前已发送 3 位" in again.summary()
    assert len(server.messages) == 1  # three recipients fit one batch: one message, nothing new
    assert server.handler.connections == 1  # nothing to send: no connection either


def test_recipients_who_got_an_earlier_approved_version_are_not_mailed_again(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server), recipients=numbered_recipients(2))
    approve(mw.ws, mw.month, by="王主任")
    delivery.send_bulletin(mw.ws, mw.month)
    mw.edit_docx("更正：数据有误。")
    approve(mw.ws, mw.month, by="王主任", comment="更正后")
    write_recipients(mw.ws.recipients_path, numbered_recipients(3))

    report = delivery.send_bulletin(mw.ws, mw.month)

    assert [r.email for r in report.sent] == ["unit002@zgq.example.cn"]
    assert _attachment(server.messages[-1]).get_payload(decode=True) == mw.path.read_bytes()
    assert len(report.earlier_version) == 2 and "更早审核通过的版本" in report.summary()
    assert set(server.handler.copies().values()) == {1}


def test_300_recipients_one_connection_one_login(smtp_server, mail_workspace, monkeypatch):
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", PASSWORD)
    server = smtp_server(users={"office": PASSWORD})
    mw = mail_workspace(smtp=smtp_settings(server, user="office", batch_size=50, allow_plaintext_login=True),
                        recipients=numbered_recipients(300))
    approve(mw.ws, mw.month, by="王主任")

    report = delivery.send_bulletin(mw.ws, mw.month)

    assert len(report.sent) == 300 and report.complete
    assert server.handler.connections == 1
    assert server.handler.logins == 1
    assert len(server.messages) == 6
    assert all(len(m.rcpt_tos) == 50 for m in server.messages)
    assert set(server.handler.copies().values()) == {1} and len(server.handler.copies()) == 300
    assert len({m.message["Message-ID"] for m in server.messages}) == 6


def test_rejected_recipient_is_retried_alone_on_next_send(smtp_server, mail_workspace):
    server = smtp_server(reject={"unit001@zgq.example.cn"})
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=2), recipients=numbered_recipients(5))
    approve(mw.ws, mw.month, by="王主任")

    first = delivery.send_bulletin(mw.ws, mw.month)

    assert not first.complete and not first.transient  # 550: retrying by itself would not help
    assert [(r.email, reason) for r, reason in first.failed] == [("unit001@zgq.example.cn", USER_UNKNOWN)]
    assert len(first.sent) == 4
    assert "✗ [发] 单位001 <unit001@zgq.example.cn>：550 5.1.1 User unknown" in first.summary()
    assert _statuses(mw)["unit001@zgq.example.cn"] == "failed"
    status = month_status(mw.ws, mw.month).summary()
    assert "已发送 4，失败 1" in status and "550 5.1.1 User unknown（已尝试 1 次）" in status

    server.handler.reject.clear()  # the mailbox was fixed
    before = len(server.messages)
    second = delivery.send_bulletin(mw.ws, mw.month)

    assert [r.email for r in second.sent] == ["unit001@zgq.example.cn"] and second.complete
    assert len(server.messages) == before + 1
    assert server.messages[-1].rcpt_tos == ["unit001@zgq.example.cn"]
    assert server.handler.copies() == {f"unit{i:03d}@zgq.example.cn": 1 for i in range(5)}
    with Ledger(mw.ws.ledger_path) as ledger:
        assert ledger.deliveries(mw.month)["unit001@zgq.example.cn"].attempts == 2


def test_all_recipients_of_a_batch_refused(smtp_server, mail_workspace):
    server = smtp_server(reject={"unit000@zgq.example.cn", "unit001@zgq.example.cn"})
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=2), recipients=numbered_recipients(3))
    approve(mw.ws, mw.month, by="王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert {r.email for r, _ in report.failed} == {"unit000@zgq.example.cn", "unit001@zgq.example.cn"}
    assert [r.email for r in report.sent] == ["unit002@zgq.example.cn"]  # the next batch still went out
    assert server.handler.copies() == {"unit002@zgq.example.cn": 1}


def test_connection_dropped_mid_send_is_recovered_by_next_send(smtp_server, mail_workspace):
    server = smtp_server(drop_after=2)
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=2), recipients=numbered_recipients(7))
    approve(mw.ws, mw.month, by="王主任")

    first = delivery.send_bulletin(mw.ws, mw.month)

    assert len(first.sent) == 4
    assert [r.email for r, _ in first.failed] == ["unit004@zgq.example.cn", "unit005@zgq.example.cn"]
    assert [r.email for r in first.not_attempted] == ["unit006@zgq.example.cn"]
    assert "因连接中断" in first.summary() and not first.complete and first.transient
    assert mail.is_transient(MailError("x", transient=True))
    assert len(server.messages) == 2

    server.handler.drop_after = None  # the server is back
    second = delivery.send_bulletin(mw.ws, mw.month)

    assert second.complete
    assert sorted(r.email for r in second.sent) == [f"unit{i:03d}@zgq.example.cn" for i in (4, 5, 6)]
    assert server.handler.copies() == {f"unit{i:03d}@zgq.example.cn": 1 for i in range(7)}


class Crash(BaseException):
    """A kill -9 stand-in: not an Exception, so nothing in the code under test handles it."""


def test_crash_between_batches_loses_and_duplicates_nothing(smtp_server, mail_workspace, monkeypatch):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=2), recipients=numbered_recipients(5))
    approve(mw.ws, mw.month, by="王主任")
    real_build, calls = delivery.build_message, []

    def build_then_crash(**kw):
        calls.append(1)
        if len(calls) == 2:  # batch 1 is sent and recorded; batch 2 not yet marked
            raise Crash()
        return real_build(**kw)

    monkeypatch.setattr(delivery, "build_message", build_then_crash)
    with pytest.raises(Crash):
        delivery.send_bulletin(mw.ws, mw.month)
    monkeypatch.setattr(delivery, "build_message", real_build)
    assert _statuses(mw) == {"unit000@zgq.example.cn": "sent", "unit001@zgq.example.cn": "sent"}

    report = delivery.send_bulletin(mw.ws, mw.month)

    assert len(report.sent) == 3 and len(report.already) == 2 and not report.resent_interrupted
    assert server.handler.copies() == {f"unit{i:03d}@zgq.example.cn": 1 for i in range(5)}


def test_crash_inside_a_batch_resends_it_with_the_same_message_id(smtp_server, mail_workspace, monkeypatch):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=2), recipients=numbered_recipients(4))
    approve(mw.ws, mw.month, by="王主任")
    real_send = SmtpTransport.send

    def send_then_crash(self, message, recipients):
        real_send(self, message, recipients)  # the server has it...
        raise Crash()  # ...and the process dies before the ledger says 'sent'

    monkeypatch.setattr(SmtpTransport, "send", send_then_crash)
    with pytest.raises(Crash):
        delivery.send_bulletin(mw.ws, mw.month)
    monkeypatch.setattr(SmtpTransport, "send", real_send)
    assert set(_statuses(mw).values()) == {"sending"}
    assert "发送中断" in month_status(mw.ws, mw.month).summary()

    report = delivery.send_bulletin(mw.ws, mw.month)

    assert [r.email for r in report.resent_interrupted] == ["unit000@zgq.example.cn", "unit001@zgq.example.cn"]
    assert "相同邮件编号" in report.summary() or "同一邮件编号" in report.summary()
    first, retry = server.messages[0], server.messages[1]
    assert first.rcpt_tos == retry.rcpt_tos
    assert first.message["Message-ID"] == retry.message["Message-ID"]  # receivers can drop the duplicate
    assert set(_statuses(mw).values()) == {"sent"}
    assert server.handler.copies()["unit002@zgq.example.cn"] == 1


def test_dry_run_sends_and_records_nothing(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    approve(mw.ws, mw.month, by="王主任")
    report = delivery.send_bulletin(mw.ws, mw.month, dry_run=True)
    assert len(report.not_attempted) == 3 and report.complete
    assert "试运行" in report.summary() and "将发送 3 位" in report.summary()
    assert server.messages == [] and server.handler.connections == 0 and _statuses(mw) == {}


def test_concurrent_send_is_refused(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    approve(mw.ws, mw.month, by="王主任")
    with delivery.send_lock(mw.ws, mw.month):
        with pytest.raises(BulletinError, match="另一个程序"):
            delivery.send_bulletin(mw.ws, mw.month)
    assert server.messages == []


# -- TLS and AUTH -----------------------------------------------------------------------------------------
def _starttls_office(smtp_server, mail_workspace, tmp_path, monkeypatch):
    """An approved month whose server wants STARTTLS (self-signed certificate) and AUTH."""
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", PASSWORD)
    cert, key = make_certificate(tmp_path)
    server = smtp_server(users={"office": PASSWORD}, tls=(cert, key))
    mw = mail_workspace(smtp=smtp_settings(server, user="office", starttls=True))
    approve(mw.ws, mw.month, by="王主任")
    return cert, server, mw


def test_starttls_and_auth_with_a_trusted_certificate(smtp_server, mail_workspace, tmp_path, monkeypatch):
    cert, server, mw = _starttls_office(smtp_server, mail_workspace, tmp_path, monkeypatch)

    # The certificate is verified for real: the client trusts exactly this self-signed certificate.
    client = ssl.create_default_context(cafile=str(cert))
    transport = SmtpTransport(mw.ws.settings.smtp, PASSWORD, ssl_context=client)
    report = delivery.send_bulletin(mw.ws, mw.month, transport=transport)

    assert report.complete and len(report.sent) == 3
    assert server.handler.logins == 1 and server.handler.connections == 1
    assert all(m.tls for m in server.messages)  # and the server refuses MAIL/AUTH before STARTTLS anyway


def test_starttls_uses_the_system_trust_store_by_default(smtp_server, mail_workspace, tmp_path, monkeypatch):
    cert, server, mw = _starttls_office(smtp_server, mail_workspace, tmp_path, monkeypatch)

    with pytest.raises(MailError, match="证书校验失败") as info:
        delivery.send_bulletin(mw.ws, mw.month)  # self-signed, not trusted: refused, nothing recorded
    assert not mail.is_transient(info.value)
    assert _statuses(mw) == {} and server.messages == []

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # how an office trusts its own CA without code changes
    assert delivery.send_bulletin(mw.ws, mw.month).complete
    assert len(server.handler.copies()) == 3


def test_implicit_tls_smtps(smtp_server, mail_workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", PASSWORD)
    cert, key = make_certificate(tmp_path)
    server = smtp_server(users={"office": PASSWORD}, tls=(cert, key), implicit_tls=True)
    mw = mail_workspace(smtp=smtp_settings(server, user="office", ssl=True))
    approve(mw.ws, mw.month, by="王主任")
    transport = SmtpTransport(mw.ws.settings.smtp, PASSWORD, ssl_context=ssl.create_default_context(cafile=str(cert)))
    assert delivery.send_bulletin(mw.ws, mw.month, transport=transport).complete
    assert server.handler.logins == 1 and len(server.handler.copies()) == 3
    assert all(m.tls for m in server.messages)


def test_auth_required_but_not_configured(smtp_server, mail_workspace):
    server = smtp_server(users={"office": PASSWORD})
    mw = mail_workspace(smtp=smtp_settings(server))  # no user: no login
    approve(mw.ws, mw.month, by="王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert len(report.failed) == 3 and "530" in report.failed[0][1]
    assert server.messages == []


def test_password_never_appears_in_any_output(smtp_server, mail_workspace, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    forms = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(),
             base64.b64encode(f"\0office\0{PASSWORD}".encode()).decode()]
    server = smtp_server(users={"office": "the-right-one"}, echo_auth=True)
    mw = mail_workspace(smtp=smtp_settings(server, user="office", allow_plaintext_login=True))
    approve(mw.ws, mw.month, by="王主任")

    monkeypatch.delenv("BULLETIN_SMTP_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="BULLETIN_SMTP_PASSWORD"):
        delivery.send_bulletin(mw.ws, mw.month)

    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", PASSWORD)  # wrong; the server echoes what it got
    with pytest.raises(MailError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert "拒绝登录" in str(info.value) and "******" in str(info.value)
    assert server.handler.failed_logins >= 1
    assert info.value.__cause__ is None and info.value.__suppress_context__

    server.users["office"] = PASSWORD  # now right: a full send
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert report.complete
    status = month_status(mw.ws, mw.month)

    out = capsys.readouterr()
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))  # not aiosmtpd's
    assert "batch 1/1" in ours
    texts = [str(info.value), repr(info.value), report.summary(), status.summary(), out.out, out.err, ours,
             mw.ws.ledger_path.read_bytes().decode("utf-8", "replace")]
    texts += [m.data.decode("ascii", "replace") for m in server.messages]
    for text in texts:
        for form in forms:
            assert form not in text


# -- outbox (no [smtp]) -----------------------------------------------------------------------------------
def test_without_smtp_messages_go_to_the_outbox_once(mail_workspace, smtp_server):
    mw = mail_workspace(smtp=None)
    approve(mw.ws, mw.month, by="王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    outbox = mw.ws.month_outputs(mw.month) / "outbox"
    files = sorted(outbox.glob("*.eml"))
    # <purpose>-<id>-<address>.eml (issue 23: never one file per address)
    assert sorted(f.name.rsplit("-", 1)[-1] for f in files) == [f"unit{i:03d}@zgq.example.cn.eml" for i in range(3)]
    assert all(f.name.startswith("bulletin-") for f in files)
    assert report.transport == "outbox" and "未实际发出" in report.summary()
    for path in files:
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert msg["To"].addresses[0].addr_spec == path.name.rsplit("-", 1)[-1].removesuffix(".eml")
        assert msg["X-Unsent"] == "1"
        part = [p for p in msg.walk() if p.get_content_maintype() == "application"][0]
        assert part.get_payload(decode=True) == mw.path.read_bytes()
        assert part.get_filename() == "工作简报第64期.docx"
    stamps = [f.stat().st_mtime_ns for f in files]

    again = delivery.send_bulletin(mw.ws, mw.month)
    assert again.sent == [] and len(again.already) == 3
    assert [f.stat().st_mtime_ns for f in sorted(outbox.glob("*.eml"))] == stamps
    assert "outbox" in month_status(mw.ws, mw.month).summary() or \
        "发件箱" in month_status(mw.ws, mw.month).summary()

    # Writing .eml files was not delivery: once [smtp] is configured, everyone is mailed (once).
    server = smtp_server()
    write_settings(mw.ws.root, smtp_settings(server), [])
    _reload(mw)
    assert len(delivery.send_bulletin(mw.ws, mw.month).sent) == 3
    assert server.handler.copies() == {f"unit{i:03d}@zgq.example.cn": 1 for i in range(3)}


# -- review -----------------------------------------------------------------------------------------------
def test_review_mail_once_per_file_version(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server), reviewers=["zhuren@zgq.example.cn", "mishu@zgq.example.cn"])
    report = delivery.send_for_review(mw.ws, mw.month)  # before approval: that is the point
    assert len(report.sent) == 2
    msg = server.messages[0].message
    assert str(msg["Subject"]).startswith("【送审】")
    assert "bulletin approve --month 2026-10" in msg.get_body(("plain",)).get_content()
    assert delivery.send_for_review(mw.ws, mw.month).sent == []
    assert "送审：当前文件已发给 2 位审核人" in month_status(mw.ws, mw.month).summary()

    mw.edit_docx()
    assert len(delivery.send_for_review(mw.ws, mw.month).sent) == 2  # a changed file is reviewed again
    assert len(server.messages) == 2
    assert _statuses(mw) == {}  # review mail is not the bulletin delivery


def test_review_without_reviewers_is_a_note(mail_workspace):
    mw = mail_workspace()
    report = delivery.send_for_review(mw.ws, mw.month)
    assert report.sent == [] and "没有配置审核人" in report.summary()


# -- status -----------------------------------------------------------------------------------------------
def test_month_status_lines(smtp_server, mail_workspace):
    server = smtp_server(reject={"unit002@zgq.example.cn"})
    mw = mail_workspace(smtp=smtp_settings(server))
    assert "审核：尚未审核" in month_status(mw.ws, mw.month).summary()
    approve(mw.ws, mw.month, by="王主任")
    delivery.send_bulletin(mw.ws, mw.month)
    write_recipients(mw.ws.recipients_path, numbered_recipients(4))

    status = month_status(mw.ws, mw.month)
    text = status.summary()

    assert status.approved and status.number == 64
    assert text.splitlines()[0] == "2026-10 工作简报 第64期"
    assert "稿件：编入 2 篇（其中需核对 1 篇），未采用 1 份" in text
    assert "未采用 旧稿.doc：不是 .docx 文件" in text
    assert "需核对 " in text and "未注明报送单位" in text
    assert "收录" not in text and "退回" not in text and "需注意" not in text  # one vocabulary (issue 9)
    assert "审核：已通过（王主任" in text
    assert "当前文件校验码" in text and "bulletin approve" not in text  # approved: no approve hint (issue 23.17)
    assert "已发送 2，失败 1，中断 0，待发送 1" in text
    assert "待发送 [发] 单位003 <unit003@zgq.example.cn>" in text
    assert "发送失败 [发] 单位002 <unit002@zgq.example.cn>：550 5.1.1 User unknown" in text

    mw.edit_docx()
    assert "之后被修改过，需重新审核" in month_status(mw.ws, mw.month).summary()
    assert month_status(mw.ws, "2026-12").summary() == "2026-12：尚未编排"


def test_greylisted_recipient_makes_the_report_transient(smtp_server, mail_workspace):
    server = smtp_server()
    server.handler.greylist.add("unit001@zgq.example.cn")
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=2), recipients=numbered_recipients(3))
    approve(mw.ws, mw.month, by="王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert report.transient and [r.email for r, _ in report.failed] == ["unit001@zgq.example.cn"]
    server.handler.greylist.clear()
    again = delivery.send_bulletin(mw.ws, mw.month)
    assert again.complete and not again.transient
    assert server.handler.copies() == {f"unit{i:03d}@zgq.example.cn": 1 for i in range(3)}
