"""delivery.py checked where mutation testing (`bash tools/mutation.sh delivery`, docs/TESTING.md) found a change no
test noticed: the review mail of each step of a chain (its purpose, list name, words, personal link, attachment),
what is said instead of a review mail once the chain is signed or stopped, the attachment size limit at its exact
bound, which files the lists get per [mail] attach, and the state machine's details (the To of a batch, a resent
batch of a crashed run, the log of each batch).

Every mail goes through a real SMTP server on 127.0.0.1 (aiosmtpd, tests/kits/smtp_server.py) or the outbox; every
expected value is written out by hand."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from contextlib import closing
from email.header import decode_header, make_header

import pytest
from filelock import Timeout
from mail_workspace import numbered_recipients, smtp_settings

from bulletin.core.errors import BulletinError
from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace
from bulletin.delivery import delivery
from bulletin.delivery.approval import approve, reject

pytestmark = [pytest.mark.smtp]

CHAIN = """
[review]
steps = ["初审", "签发"]

[[review.step]]
name = "初审"
reviewers = [{name = "李科长", email = "li@zgq.example.cn"}]

[[review.step]]
name = "签发"
reviewers = [{name = "王主任", email = "wang@zgq.example.cn"}]
"""
NAME = "工作简报第64期.docx"


def _append(mw, text: str) -> Workspace:
    with open(mw.ws.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write(text)
    mw.ws = Workspace.at(mw.ws.root)  # settings are cached per instance
    return mw.ws


def _body(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def _subject(received) -> str:
    return str(make_header(decode_header(received.message["Subject"])))


def _files(received) -> list[tuple[str, bytes]]:
    return [(p.get_filename(), p.get_payload(decode=True)) for p in received.message.iter_attachments()]


def _purposes(mw) -> dict[str, list[str]]:
    with closing(sqlite3.connect(mw.ws.ledger_path)) as db:
        rows = db.execute(
            "SELECT purpose, email FROM deliveries WHERE month = ? ORDER BY purpose, email", (mw.month,)).fetchall()
    out: dict[str, list[str]] = {}
    for purpose, email in rows:
        out.setdefault(purpose, []).append(email)
    return out


@pytest.fixture
def chained(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    _append(mw, CHAIN)
    return server, mw


# -- the review mail ------------------------------------------------------------------------------------------
def test_the_review_mail_of_a_one_step_office_carries_the_file(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server), reviewers=["zhuren@zgq.example.cn"])
    report = delivery.send_for_review(mw.ws, mw.month)
    assert report.purpose == f"review:{mw.sha256[:12]}"
    assert [(r.list_name, r.email) for r in report.sent] == [("审核人", "zhuren@zgq.example.cn")]
    (received,) = server.messages
    assert _files(received) == [(NAME, mw.path.read_bytes())]  # the file to review is attached
    assert _purposes(mw) == {f"review:{mw.sha256[:12]}": ["zhuren@zgq.example.cn"]}


def test_each_step_gets_its_own_review_mail_words_list_name_and_purpose(chained):
    server, mw = chained
    sha12 = mw.sha256[:12]
    first = delivery.send_for_review(mw.ws, mw.month)
    assert first.purpose == f"review:{sha12}:初审"
    assert [(r.list_name, r.name, r.email) for r in first.sent] == [("审核人（初审）", "李科长", "li@zgq.example.cn")]
    (received,) = server.messages
    assert received.rcpt_tos == ["li@zgq.example.cn"]
    assert _subject(received).startswith("【初审】")
    body = _body(received)
    assert f"第64期（送审稿）“{NAME}”，请初审。" in body
    assert f"bulletin approve --month 2026-10 --step 初审 --by 您的姓名 --sha256 {sha12}" in body
    assert _files(received) == [(NAME, mw.path.read_bytes())]

    approve(mw.ws, mw.month, "李科长")
    second = delivery.send_for_review(mw.ws, mw.month)
    assert second.purpose == f"review:{sha12}:签发"
    assert [(r.list_name, r.email) for r in second.sent] == [("审核人（签发）", "wang@zgq.example.cn")]
    assert server.messages[-1].rcpt_tos == ["wang@zgq.example.cn"] and "请签发。" in _body(server.messages[-1])
    assert _purposes(mw) == {f"review:{sha12}:初审": ["li@zgq.example.cn"], f"review:{sha12}:签发": ["wang@zgq.example.cn"]}


def test_a_chain_stopped_by_a_rejection_is_not_sent_for_review_again(chained):
    server, mw = chained
    reject(mw.ws, mw.month, "李科长", comment="第二篇数据要核实")
    report = delivery.send_for_review(mw.ws, mw.month)
    assert report.notes == ["当前文件已被“初审”退回（李科长：第二篇数据要核实），修改后才会重新送审。"]
    assert report.sent == [] and server.messages == [] and _purposes(mw) == {}
    assert report.purpose == f"review:{mw.sha256[:12]}:初审"


def test_a_signed_version_is_not_sent_for_review_again(chained):
    server, mw = chained
    approve(mw.ws, mw.month, "李科长")
    approve(mw.ws, mw.month, "王主任")
    report = delivery.send_for_review(mw.ws, mw.month)
    assert report.notes == ["当前文件已签发（审核链各步均已通过），无需再送审。"]
    assert report.sent == [] and server.messages == [] and _purposes(mw) == {}
    assert report.purpose == f"review:{mw.sha256[:12]}"  # no step open: the purpose names none


def test_a_one_step_office_mails_its_reviewers_whatever_was_decided_as_before_chains(smtp_server, mail_workspace):
    """The one-step form ([review] reviewers) keeps the review mail of before issue 26: once per version, whatever
    the command line decided already (the office may change its mind on a version there)."""
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server), reviewers=["zhuren@zgq.example.cn"])
    reject(mw.ws, mw.month, "王主任", comment="再看看")
    report = delivery.send_for_review(mw.ws, mw.month)
    assert [r.email for r in report.sent] == ["zhuren@zgq.example.cn"] and report.notes == []
    assert [m.rcpt_tos for m in server.messages] == [["zhuren@zgq.example.cn"]]


def test_the_personal_link_names_the_open_step(chained):
    server, mw = chained
    _append(mw, '\n[web]\nbase_url = "https://shenhe.zgq.example.cn"\n')
    asked = []

    def link_for(sha256, email, step):
        asked.append((sha256, email, step))
        return f"审核链接（{step}）：https://shenhe.zgq.example.cn/r/{email}\n\n"

    report = delivery.send_for_review(mw.ws, mw.month, link_for=link_for)
    assert asked == [(mw.sha256, "li@zgq.example.cn", "初审")]
    assert [r.email for r in report.sent] == ["li@zgq.example.cn"]
    body = _body(server.messages[0])
    assert body.startswith("审核链接（初审）：https://shenhe.zgq.example.cn/r/li@zgq.example.cn\n\n您好：\n\n")
    assert _files(server.messages[0]) == [(NAME, mw.path.read_bytes())]


# -- the attachment size limit --------------------------------------------------------------------------------
MIB = 1024 * 1024
TOO_LARGE = ("简报文件 工作简报第64期.docx 有 {size} MB，超过邮件附件上限 {limit} MB（bulletin.toml [mail] max_attachment_mb），"
             "未发送任何邮件：请压缩稿件中的图片后重新编排、审核，或在确认对方邮箱能接收后调高上限。")


def _sized(mw, size: int) -> bytes:
    """The month's file made exactly `size` bytes (delivery mails bytes: it never opens the .docx)."""
    data = mw.path.read_bytes()
    data = (data + b"\0" * size)[:size]
    mw.path.write_bytes(data)
    return data


def test_a_file_of_exactly_the_limit_is_sent_one_byte_more_is_refused(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server), reviewers=["zhuren@zgq.example.cn"])
    _append(mw, "\n[mail]\nmax_attachment_mb = 1\n")
    data = _sized(mw, MIB)  # 1 MB exactly: mail systems with a 1 MB limit take it
    assert [r.email for r in delivery.send_for_review(mw.ws, mw.month).sent] == ["zhuren@zgq.example.cn"]
    assert _files(server.messages[0]) == [(NAME, data)]
    approve(mw.ws, mw.month, "王主任")
    assert len(delivery.send_bulletin(mw.ws, mw.month).sent) == 3

    _sized(mw, MIB + 1)
    with pytest.raises(BulletinError) as info:
        delivery.send_for_review(mw.ws, mw.month)
    assert str(info.value) == TOO_LARGE.format(size="1.0", limit="1")
    approve(mw.ws, mw.month, "王主任")
    with pytest.raises(BulletinError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value) == TOO_LARGE.format(size="1.0", limit="1")
    _sized(mw, 1101006)  # 1.05 MiB is 1101004.8 bytes: 1.0500011 MB, said as 1.1 (MB of 1024 × 1024 bytes)
    approve(mw.ws, mw.month, "王主任")
    with pytest.raises(BulletinError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value) == TOO_LARGE.format(size="1.1", limit="1")
    assert len(server.messages) == 2  # the review mail and the one batch of the 1 MB version, nothing more


def test_the_size_is_said_in_megabytes_and_a_dry_run_names_the_problem(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    _append(mw, "\n[mail]\nmax_attachment_mb = 1.5\n")
    _sized(mw, 3 * MIB)
    approve(mw.ws, mw.month, "王主任")
    with pytest.raises(BulletinError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value) == TOO_LARGE.format(size="3.0", limit="1.5")
    dry = delivery.send_bulletin(mw.ws, mw.month, dry_run=True)
    assert dry.notes == ["注意：" + TOO_LARGE.format(size="3.0", limit="1.5")]
    assert len(dry.not_attempted) == 3 and server.messages == []


# -- which files the lists get ([mail] attach, the PDF edition) --------------------------------------------------
PDF = b"%PDF-1.7\n% the PDF edition made when the issue was approved\n%%EOF\n"


def _with_pdf(mw, attach: str, pdf_setting: bool = False) -> bytes:
    """An approved month whose PDF edition exists and is recorded (as an approval through the office makes it with
    LibreOffice: delivery only mails what is recorded)."""
    text = (mw.ws.root / "bulletin.toml").read_text(encoding="utf-8")
    if pdf_setting:
        text = text.replace("[bulletin]\n", "[bulletin]\npdf = true\n", 1)
    (mw.ws.root / "bulletin.toml").write_text(text + f"\n[mail]\nattach = {attach}\n", encoding="utf-8")
    mw.ws = Workspace.at(mw.ws.root)
    approve(mw.ws, mw.month, "王主任")
    pdf_path = mw.path.with_suffix(".pdf")
    pdf_path.write_bytes(PDF)
    with Ledger(mw.ws.ledger_path) as ledger:
        ledger.record_pdf(mw.month, mw.sha256, pdf_path, hashlib.sha256(PDF).hexdigest())
    return mw.path.read_bytes()


def test_the_lists_get_the_pdf_alone(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    _with_pdf(mw, '["pdf"]')
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert report.notes == ["附件：工作简报第64期.pdf"] and len(report.sent) == 3
    (received,) = server.messages
    assert _files(received) == [("工作简报第64期.pdf", PDF)]


def test_the_lists_get_the_word_file_and_the_pdf(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    docx = _with_pdf(mw, '["docx", "pdf"]')
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert report.notes == ["附件：工作简报第64期.docx、工作简报第64期.pdf"]
    (received,) = server.messages
    assert _files(received) == [(NAME, docx), ("工作简报第64期.pdf", PDF)]


def test_a_pdf_edition_made_but_not_attached(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    docx = _with_pdf(mw, '["docx"]', pdf_setting=True)
    report = delivery.send_bulletin(mw.ws, mw.month)
    assert report.notes == []
    assert _files(server.messages[0]) == [(NAME, docx)]


def test_a_pdf_changed_after_its_check_is_not_mailed(smtp_server, mail_workspace, monkeypatch):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    _with_pdf(mw, '["docx", "pdf"]')
    real = delivery.pdf_edition

    def checked_then_edited(*args):
        found = real(*args)  # the recorded PDF, unchanged: found in the ledger
        found[0].write_bytes(PDF + b"% edited by hand\n")
        return found

    monkeypatch.setattr(delivery, "pdf_edition", checked_then_edited)
    with pytest.raises(BulletinError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value) == "工作简报第64期.pdf 与生成时记录的不一致（被改动过），未发送：请删除该文件后重新发送。"
    assert server.messages == [] and _purposes(mw) == {}


def test_a_dry_run_before_approval_names_the_pdf_it_will_attach(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    _append(mw, '\n[mail]\nattach = ["docx", "pdf"]\n')
    report = delivery.send_bulletin(mw.ws, mw.month, dry_run=True)  # no PDF yet: LibreOffice is not asked
    assert report.notes == [
        ("注意：2026-10 的简报尚未审核通过，不能发送：审核后请执行 bulletin approve --month 2026-10 --by 审核人姓名。"
         "（以上是审核通过后将发送的对象）"),
        "附件：工作简报第64期.docx、工作简报第64期.pdf",
    ]
    assert (report.file, report.sha256) == (mw.path, mw.sha256)
    assert not mw.path.with_suffix(".pdf").exists() and server.messages == []


# -- the purposes status counts ---------------------------------------------------------------------------------
def test_review_purposes_one_per_step_of_a_chain_one_for_the_one_step_form():
    from bulletin.core.config import ReviewSettings

    sha = "3f2a9c81d0e4" + "0" * 52
    one = ReviewSettings.model_validate({"reviewers": ["zhuren@zgq.example.cn"]}).chain
    assert delivery.review_purposes(sha, one) == ["review:3f2a9c81d0e4"]
    two = ReviewSettings.model_validate({"step": [
        {"name": "初审", "reviewers": ["li@zgq.example.cn"]}, {"name": "签发", "reviewers": ["wang@zgq.example.cn"]}]}).chain
    assert delivery.review_purposes(sha, two) == ["review:3f2a9c81d0e4:初审", "review:3f2a9c81d0e4:签发"]


# -- send_bulletin ------------------------------------------------------------------------------------------------
def test_only_one_address_of_the_lists_written_as_the_office_types_it(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    approve(mw.ws, mw.month, "王主任")
    report = delivery.send_bulletin(mw.ws, mw.month, only=" UNIT001@ZGQ.example.cn ")
    assert [(r.list_name, r.name, r.email) for r in report.sent] == [("发", "单位001", "unit001@zgq.example.cn")]
    assert [m.rcpt_tos for m in server.messages] == [["unit001@zgq.example.cn"]]
    assert delivery.send_bulletin(mw.ws, mw.month, only="unit001@zgq.example.cn").sent == []  # has it: not again
    with pytest.raises(BulletinError) as info:
        delivery.send_bulletin(mw.ws, mw.month, only="nobody@zgq.example.cn")
    assert str(info.value) == "nobody@zgq.example.cn 不在分发名单（recipients.csv）中。"
    assert len(server.messages) == 1


def test_a_second_sender_of_the_month_is_told_at_once(smtp_server, mail_workspace):
    server = smtp_server()
    mw = mail_workspace(smtp=smtp_settings(server))
    approve(mw.ws, mw.month, "王主任")
    with delivery.send_lock(mw.ws, mw.month), pytest.raises(BulletinError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value) == "2026-10 的简报正在由另一个程序发送，请稍后再试。"
    assert server.messages == [] and _purposes(mw) == {}
    with delivery.send_lock(mw.ws, mw.month):
        started = time.monotonic()
        with pytest.raises(Timeout):
            delivery.send_lock(mw.ws, mw.month).acquire()
        assert time.monotonic() - started < 0.5  # at once: the second sender does not wait for the first


def test_each_batch_is_logged_with_its_number_and_outcome(smtp_server, mail_workspace, caplog):
    caplog.set_level(logging.INFO, logger="bulletin.delivery")
    server = smtp_server()
    original = server.handler.handle_DATA
    calls = []

    async def refuse_first(*args):
        calls.append(1)
        return "554 5.6.0 Message content rejected" if len(calls) == 1 else await original(*args)

    server.handler.handle_DATA = refuse_first
    mw = mail_workspace(smtp=smtp_settings(server, batch_size=2), recipients=numbered_recipients(3))
    approve(mw.ws, mw.month, "王主任")
    delivery.send_bulletin(mw.ws, mw.month)
    assert [r.getMessage() for r in caplog.records if r.name == "bulletin.delivery"] == [
        "batch 1/2 failed (2 recipients): 554 5.6.0 Message content rejected",
        "batch 2/2: 1 accepted, 0 refused",
    ]
