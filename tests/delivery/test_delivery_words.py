"""The mails' words and the reports' fields, written out in full (outbox mode: the .eml files are the mails)."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from mail_workspace import write_recipients

from bulletin.core.errors import BulletinError, NotApproved
from bulletin.delivery import delivery
from bulletin.delivery.approval import approve

REVIEWERS = ["zhuren@zgq.example.cn"]


def _eml(path):
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    return message, message.get_body(("plain",)).get_content()


def test_the_bulletin_mail_word_for_word(mail_workspace):
    mw = mail_workspace(smtp=None)
    approve(mw.ws, mw.month, "王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    outbox = mw.ws.month_outputs(mw.month) / "outbox"
    assert (report.transport, report.where, report.file, report.sha256) == ("outbox", str(outbox), mw.path, mw.sha256)
    message, body = _eml(next(outbox.glob("bulletin-*-unit000@zgq.example.cn.eml")))
    assert str(message["Subject"]) == "章贡区“五型”政府建设工作简报 第64期（2026年10月28日）"
    assert body == (
        "各位领导、各有关单位：\n\n"
        "现将《章贡区“五型”政府建设工作简报》第64期（2026年10月28日）发送给你们，请查收附件“工作简报第64期.docx”。\n\n"
        "如有疑问，请联系章贡区人民政府办公室（电话：0797-8888888，邮箱：office@zgq.example.cn）。\n\n"
        "章贡区人民政府办公室\n"
    )


def test_the_review_mail_word_for_word(mail_workspace):
    mw = mail_workspace(smtp=None, reviewers=REVIEWERS)
    report = delivery.send_for_review(mw.ws, mw.month)
    folder = mw.ws.month_outputs(mw.month) / "outbox" / f"送审-{mw.sha256[:12]}"
    assert (report.transport, report.where, report.file, report.sha256) == ("outbox", str(folder), mw.path, mw.sha256)
    assert report.purpose == f"review:{mw.sha256[:12]}@outbox" and report.subject.startswith("【送审】")
    assert [(r.list_name, r.name, r.email) for r in report.sent] == [("审核人", "", "zhuren@zgq.example.cn")]
    message, body = _eml(next(folder.glob("review-*-zhuren@zgq.example.cn.eml")))
    assert str(message["Subject"]) == "【送审】章贡区“五型”政府建设工作简报 第64期（2026年10月28日）"
    assert body == (
        "您好：\n\n"
        "附件是2026-10《章贡区“五型”政府建设工作简报》第64期（送审稿）“工作简报第64期.docx”，请审核。\n\n"
        f"审核通过后，请在工作目录执行：bulletin approve --month 2026-10 --by 您的姓名 --sha256 {mw.sha256[:12]}\n"
        "需要修改时，可直接用 Word 修改 outputs/2026-10/工作简报第64期.docx，保存后执行 bulletin status --month 2026-10 "
        "查看新的校验码，再用它审核通过；发出的将是审核通过的那个版本。\n\n"
        f"文件校验码（SHA-256 前12位）：{mw.sha256[:12]}\n\n"
        "章贡区人民政府办公室\n"
    )


def test_review_without_reviewers_says_so(mail_workspace):
    report = delivery.send_for_review(mail_workspace(smtp=None).ws, "2026-10")
    assert report.notes == ["bulletin.toml 的 [review] reviewers 没有配置审核人，未发送送审邮件。"] and report.sent == []


def test_refusals_word_for_word(mail_workspace):
    mw = mail_workspace(smtp=None, reviewers=REVIEWERS)
    approve(mw.ws, mw.month, "王主任")
    write_recipients(mw.ws.recipients_path, [("发", "坏地址", "not-an-address")])
    with pytest.raises(BulletinError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value) == f"收件人名单 {mw.ws.recipients_path} 中没有有效的邮箱地址。"
    with delivery.send_lock(mw.ws, mw.month):
        with pytest.raises(BulletinError) as info:
            delivery.send_for_review(mw.ws, mw.month)
    assert str(info.value) == "2026-10 的简报正在由另一个程序发送，请稍后再试。"
    mw.path.unlink()
    with pytest.raises(BulletinError) as info:
        delivery.send_for_review(mw.ws, mw.month)
    assert str(info.value) == f"找不到 2026-10 的简报文件 {mw.path}：请重新执行 bulletin compile --month 2026-10。"
    with pytest.raises(NotApproved) as info:
        delivery.send_bulletin(mw.ws, "2026-11")
    assert str(info.value) == "2026-11 的简报尚未编排：请先执行 bulletin compile --month 2026-11。"


def test_a_file_changed_between_the_check_and_the_read_is_not_sent(mail_workspace, monkeypatch):
    mw = mail_workspace(smtp=None)
    approve(mw.ws, mw.month, "王主任")
    real = delivery.approved_file

    def approved_then_edited(ws, month):
        checked = real(ws, month)
        mw.edit_docx("检查之后、读取之前改的一句。")
        return checked

    monkeypatch.setattr(delivery, "approved_file", approved_then_edited)
    with pytest.raises(NotApproved) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value) == "文件在审核通过后被修改过，请重新审核：bulletin approve --month 2026-10 --by 审核人姓名。"
    assert not (mw.ws.month_outputs(mw.month) / "outbox").exists()


def test_who_the_mail_is_from_and_its_message_id(mail_workspace, smtp_server):
    from mail_workspace import smtp_settings

    server = smtp_server()
    mw = mail_workspace(smtp={**smtp_settings(server), "sender": "jianbao@mail.zgq.example.cn"})
    approve(mw.ws, mw.month, "王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    (received,) = server.messages
    assert received.mail_from == "jianbao@mail.zgq.example.cn"  # [smtp] sender, not [bulletin] email
    message = received.message
    assert message["From"].addresses[0].display_name == "章贡区人民政府办公室"
    assert message["From"].addresses[0].addr_spec == "jianbao@mail.zgq.example.cn"
    assert message["Message-ID"].strip().startswith("<bulletin.2026-10.bulletin.") and message["Message-ID"].endswith(
        "@mail.zgq.example.cn>")
    again = delivery.send_bulletin(mw.ws, mw.month)
    assert [r.email for r in again.already] == [r.email for r in report.sent] and again.sent == []


def test_a_batch_refused_as_a_whole_is_recorded_and_the_next_batch_still_goes(mail_workspace, smtp_server):
    """554 at DATA for the first batch: a permanent failure of that batch, not of the connection."""
    from mail_workspace import numbered_recipients, smtp_settings

    from bulletin.core.ledger import Ledger

    server = smtp_server()
    original = server.handler.handle_DATA
    calls = []

    async def refuse_first(*args):
        calls.append(1)
        if len(calls) == 1:
            return "554 5.6.0 Message content rejected"
        return await original(*args)

    server.handler.handle_DATA = refuse_first
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=2), recipients=numbered_recipients(4))
    approve(mw.ws, mw.month, "王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert [(r.email, reason) for r, reason in report.failed] == [
        ("unit000@zgq.example.cn", "554 5.6.0 Message content rejected"),
        ("unit001@zgq.example.cn", "554 5.6.0 Message content rejected")]
    assert [r.email for r in report.sent] == ["unit002@zgq.example.cn", "unit003@zgq.example.cn"]
    assert not report.transient and report.not_attempted == []
    with Ledger(mw.ws.ledger_path) as ledger:
        records = ledger.deliveries(mw.month)
    assert (records["unit000@zgq.example.cn"].status, records["unit000@zgq.example.cn"].error) == (
        "failed", "554 5.6.0 Message content rejected")
    assert records["unit003@zgq.example.cn"].status == "sent"


def test_the_send_lock_is_per_month_in_the_state_folder(mail_workspace):
    mw = mail_workspace(smtp=None)
    assert delivery.send_lock(mw.ws, "2026-10").lock_file == str(mw.ws.state_dir / "send-2026-10.lock")


def test_every_failed_batch_is_reported_and_a_temporary_one_makes_the_run_temporary(mail_workspace, smtp_server):
    from mail_workspace import numbered_recipients, smtp_settings

    server = smtp_server()
    original = server.handler.handle_DATA
    replies = iter(["554 5.6.0 Message content rejected", "451 4.3.0 Try again later"])

    async def two_refusals(*args):
        reply = next(replies, None)
        return reply if reply is not None else await original(*args)

    server.handler.handle_DATA = two_refusals
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=1), recipients=numbered_recipients(4))
    approve(mw.ws, mw.month, "王主任")
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert [(r.email, reason) for r, reason in report.failed] == [
        ("unit000@zgq.example.cn", "554 5.6.0 Message content rejected"),
        ("unit001@zgq.example.cn", "451 4.3.0 Try again later")]
    assert [r.email for r in report.sent] == ["unit002@zgq.example.cn", "unit003@zgq.example.cn"]
    assert report.transient  # the 451: the flow retries, and only the failed ones are sent again


def test_review_of_a_month_not_compiled(mail_workspace):
    mw = mail_workspace(smtp=None, reviewers=REVIEWERS)
    with pytest.raises(NotApproved) as info:
        delivery.send_for_review(mw.ws, "2026-11")
    assert str(info.value) == "2026-11 的简报尚未编排：请先执行 bulletin compile --month 2026-11。"
