"""The mail door against an attacker (issue 22 items 1, 4, 10; issue 23.18): hostile messages APPENDed to the real
Dovecot next to good ones, `bulletin fetch` run as the office runs it, receipts caught by a real aiosmtpd.

Every test checks both sides: the hostile message is recorded once, with its reason, and left on the server; the
good messages of the same fetch are saved and answered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mail_clients import netease, outlook, when
from mailbox_kit import MONTH, draft_bytes, files_under, parsed, write_office
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.core.ledger import Ledger
from bulletin.intake.mailledger import MailLedger

pytestmark = [pytest.mark.imap, pytest.mark.smtp, pytest.mark.slow]

ESC = "\x1b"


@pytest.fixture
def password(monkeypatch):
    def set_for(server):
        monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", server.password)

    return set_for


def run_fetch(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["fetch", "--workspace", str(root)])
    return result.exit_code, result.output


def receipts(smtp) -> list[tuple[list[str], object, bytes]]:
    """(envelope recipients, parsed message, raw bytes) of every mail the SMTP server received."""
    return [(sorted(r.lower() for r in m.rcpt_tos), parsed(m.data), m.data) for m in smtp.messages]


def ledger_rows(root: Path) -> list:
    with Ledger(root / ".bulletin" / "ledger.sqlite3") as ledger:
        return MailLedger(ledger).messages()


# -- hostile messages, built by hand ---------------------------------------------------------------------------
def nested(depth: int, sender: str = "nobody@evil.test", subject: str = "nested") -> bytes:
    """`depth` multipart/mixed parts each inside the one before: about 65 bytes per level."""
    head = (f"From: <{sender}>\r\nTo: zgqwxzfb@mail.test\r\nSubject: {subject}\r\nDate: Mon, 12 Oct 2026 10:00:00 +0800\r\n"
            f"Message-ID: <nested.{depth}@evil.test>\r\nMIME-Version: 1.0\r\n").encode()
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(depth))
    closing = b"".join(b"\r\n--b%d--" % i for i in reversed(range(depth)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nhi" + closing + b"\r\n"


def many_parts(count: int, sender: str, subject: str = "parts") -> bytes:
    head = (f"From: <{sender}>\r\nTo: zgqwxzfb@mail.test\r\nSubject: {subject}\r\nDate: Mon, 12 Oct 2026 10:00:00 +0800\r\n"
            f"Message-ID: <many.{count}@evil.test>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="B"\r\n\r\n').encode()
    part = b'--B\r\nContent-Type: application/octet-stream; name="x%d.bin"\r\n\r\nx\r\n'
    return head + b"".join(part % i for i in range(count)) + b"--B--\r\n"


def raw_message(from_header: str, subject_header: str, msgid: str, attachments: list[tuple[str, bytes]],
                extra: str = "") -> bytes:
    """A message whose From and Subject headers are written exactly as given (already encoded)."""
    import base64

    lines = [f"From: {from_header}", "To: zgqwxzfb@mail.test", f"Subject: {subject_header}",
             "Date: Mon, 12 Oct 2026 10:00:00 +0800", f"Message-ID: {msgid}", "MIME-Version: 1.0"]
    if extra:
        lines.append(extra)
    lines.append('Content-Type: multipart/mixed; boundary="ZZ"')
    out = ["\r\n".join(lines), "", "--ZZ", "Content-Type: text/plain; charset=utf-8", "", "稿件见附件。", ""]
    for name, data in attachments:
        out += ["--ZZ", f"Content-Type: application/octet-stream; name=\"{name}\"",
                f"Content-Disposition: attachment; filename=\"{name}\"", "Content-Transfer-Encoding: base64", "",
                base64.encodebytes(data).decode().replace("\n", "\r\n")]
    out.append("--ZZ--")
    return "\r\n".join(out).encode("utf-8") + b"\r\n"


# -- item 1: depth and part count -------------------------------------------------------------------------------
def test_a_deeply_nested_or_many_part_message_is_recorded_once_and_the_others_are_saved_and_answered(
        tmp_path, imap_server, smtp_server, password):
    imap, smtp = imap_server(), smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    rsj, czj = draft_bytes("就业服务工作", "区人社局"), draft_bytes("预算执行情况", "区财政局")
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="人社局稿件", when=when(12),
                        msgid="<good.1@zgq.gov.test>", attachments=[("区人社局-就业.docx", rsj)]), when=when(12))
    deep = nested(1000)
    assert 60_000 < len(deep) < 70_000  # the 65 KB message of the report
    imap.append(deep, when=when(13))
    imap.append(many_parts(20_000, "victim@third.test", "两万个附件"), when=when(14))
    imap.append(netease(sender="czj_zgq@163.com", name="李四", subject="财政局稿件", when=when(15),
                        msgid="<good.2@163.com>", attachments=[("区财政局-预算.docx", czj)]), when=when(15))

    code, output = run_fetch(root)
    assert code == 0, output
    assert files_under(root / "inputs" / MONTH) == ["区人社局-就业.docx", "区财政局-预算.docx"]
    assert "收取新邮件 4 封：保存稿件 2 篇" in output
    assert "无法解析 2 封（已留在邮箱中，未发回执）" in output
    assert "nobody@evil.test《nested》：邮件结构嵌套过深" in output
    assert "victim@third.test《两万个附件》：邮件分段过多" in output
    # Receipts to the two good senders only; none to the hostile messages' (forged) senders.
    assert sorted(rcpts for rcpts, _m, _raw in receipts(smtp)) == [["czj_zgq@163.com"], ["rsj@zgq.gov.test"]]

    rows = {r.sender: r for r in ledger_rows(root)}
    assert rows["nobody@evil.test"].receipt == "none" and "嵌套过深" in rows["nobody@evil.test"].note
    assert rows["victim@third.test"].receipt == "none" and "分段过多" in rows["victim@third.test"].note
    assert imap.count() == 4  # left on the server

    # The next fetch reads nothing again: recorded once, no second receipt, no new error.
    code, output = run_fetch(root)
    assert code == 0, output
    assert "收取新邮件 0 封" in output
    assert len(ledger_rows(root)) == 4
    assert len(smtp.messages) == 2


def test_move_to_leaves_a_hostile_message_in_the_inbox(tmp_path, imap_server, smtp_server, password):
    imap, smtp = imap_server(), smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp, move_to="已收稿")
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<g.1@x>",
                        attachments=[("区人社局-稿件.docx", draft_bytes("就业", "区人社局"))]), when=when(12))
    imap.append(nested(40), when=when(13))
    code, output = run_fetch(root)
    assert code == 0, output
    assert imap.count("INBOX") == 1 and imap.count("已收稿") == 1  # the good one moved, the hostile one left
    assert "无法解析 1 封" in output


# -- item 4: addresses from the raw header ------------------------------------------------------------------------
def test_an_encoded_display_name_never_becomes_the_address(tmp_path, imap_server, smtp_server, password):
    imap, smtp = imap_server(), smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    forged = draft_bytes("冒名稿件", "区人社局")
    imap.append(raw_message("=?utf-8?Q?rsj=40zgq.gov.test?= <attacker@evil.test>", "冒名", "<f.1@evil.test>",
                            [("区人社局-冒名.docx", forged)]), when=when(12))
    imap.append(raw_message("=?utf-8?Q?x=0D=0ABcc=3A_third=40evil.test?= <attacker2@evil.test>", "注入",
                            "<f.2@evil.test>", [("注入.docx", draft_bytes("注入稿件"))]), when=when(13))
    imap.append(raw_message('"=?utf-8?B?' + "cnNqQHpncS5nb3YudGVzdA==" + '?=" <attacker3@evil.test>', "引号",
                            "<f.3@evil.test>", [("引号.docx", draft_bytes("引号稿件"))]), when=when(14))
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="真稿件", when=when(15), msgid="<g.1@x>",
                        attachments=[("区人社局-真稿件.docx", draft_bytes("真稿件", "区人社局"))]), when=when(15))

    code, output = run_fetch(root)
    assert code == 0, output
    assert files_under(root / "inputs" / MONTH) == [
        "区人社局-真稿件.docx", "待核实/区人社局-冒名.docx", "待核实/引号.docx", "待核实/注入.docx"]
    units = {r.sender: r.unit for r in ledger_rows(root)}
    assert units == {"attacker@evil.test": "", "attacker2@evil.test": "", "attacker3@evil.test": "",
                     "rsj@zgq.gov.test": "区人社局"}
    got = receipts(smtp)
    assert sorted(rcpts for rcpts, _m, _raw in got) == [
        ["attacker2@evil.test"], ["attacker3@evil.test"], ["attacker@evil.test"], ["rsj@zgq.gov.test"]]
    for rcpts, message, raw in got:
        assert message["Bcc"] is None and message["Cc"] is None, raw[:600]
        assert [a.addr_spec.lower() for a in message["To"].addresses] == rcpts
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert b"third@evil.test" not in head and b"\r\nBcc" not in head


# -- item 10 and 23.18: short receipts, the arrival time, the unit greeted ----------------------------------------
def test_receipts_are_short_and_say_the_arrival_time_and_the_unit(tmp_path, imap_server, smtp_server, password):
    imap, smtp = imap_server(), smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    long_subject = "长" * 400_000  # 1.2 MB of UTF-8 (the report's 400 KB Subject, in characters)
    import base64

    words = " ".join(f"=?utf-8?B?{base64.b64encode(long_subject[i:i + 15].encode()).decode()}?="
                     for i in range(0, 20_000, 15))  # 20,000 characters as encoded words: ~65 KB of header
    imap.append(raw_message("<rsj@zgq.gov.test>", words, "<long.1@x>",
                            [("区人社局-" + "很长的名字" * 40 + ".docx", draft_bytes("长名字稿件", "区人社局"))]),
                when=when(12, hour=9))
    pdfs = [(f"附件材料第{n:02d}号.pdf", b"%PDF-1.4 x") for n in range(60)]
    imap.append(raw_message("<czj_zgq@163.com>", "六十个附件", "<sixty.1@x>", pdfs), when=when(13, hour=8))
    imap.append(raw_message("李四 <czj_zgq@163.com>", "=?utf-8?B?" + base64.b64encode(
        f"稿件{ESC}[2J{ESC}]0;pwned\x07\u202etxt.exe".encode()).decode() + "?=", "<esc.1@x>",
        [(f"区财政局{ESC}[31m红色\u202e.docx", draft_bytes("财政稿件", "区财政局"))]), when=when(14, hour=16))

    code, output = run_fetch(root)
    assert code == 0, output
    assert ESC not in output and "\u202e" not in output and "\x07" not in output
    assert max(len(line) for line in output.splitlines()) < 400  # no 20,000-character subject on the terminal

    got = {rcpts[0]: [] for rcpts, _m, _r in receipts(smtp)}
    for rcpts, message, raw in receipts(smtp):
        got[rcpts[0]].append((message, raw))
    assert sorted((k, len(v)) for k, v in got.items()) == [("czj_zgq@163.com", 2), ("rsj@zgq.gov.test", 1)]

    (long_receipt, long_raw), = got["rsj@zgq.gov.test"]
    assert len(long_raw) < 8_000
    assert long_receipt["Subject"] == "回执：" + "长" * 60 + "……"
    text = long_receipt.get_content()
    assert text.startswith("区人社局：\n")  # the unit of the registered address, not the address
    assert "于 2026年10月12日 09:05 收到您的邮件" in text  # INTERNALDATE, not the time of the fetch
    assert "1. 区人社局-" + "很长的名字" * 9 + "……：已收稿" in text

    sixty = [m for m, _raw in got["czj_zgq@163.com"] if "六十" in str(m["Subject"])][0].get_content()
    assert sixty.startswith("区财政局：\n")
    assert "于 2026年10月13日 08:05 收到您的邮件" in sixty
    listed = [line for line in sixty.splitlines() if line[:1].isdigit()]
    assert len(listed) == 20
    # gather_items lists the files over max_attachments (20) first, then the 20 it read (PDFs, refused).
    assert listed[0] == "1. 附件材料第20号.pdf：未收取——一封邮件最多收取 20 个文件，此文件未收取：请分几封邮件发送"
    assert "……等 60 项" in sixty
    assert len(sixty.splitlines()) < 40

    esc = [m for m, _raw in got["czj_zgq@163.com"] if "六十" not in str(m["Subject"])][0]
    assert ESC not in esc["Subject"] and "\u202e" not in esc["Subject"] and "\x07" not in esc["Subject"]
    assert ESC not in esc.get_content() and "\u202e" not in esc.get_content()
    assert sorted(files_under(root / "inputs" / MONTH)) == sorted(["区人社局-" + "很长的名字" * 15 + ".docx",
                                                                   "区财政局[31m红色.docx"])


# -- item 10: memory, ten 40 MB header-only messages ---------------------------------------------------------------
RUNNER = """
import sys, time
from bulletin.cli import app
start = time.monotonic()
try:
    app(["fetch", "--workspace", sys.argv[1]], standalone_mode=False)
finally:
    # VmHWM, not ru_maxrss: Linux carries the parent's RSS at fork into ru_maxrss across exec.
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) // 1024
    print(f"PEAK_MB={peak} SECONDS={time.monotonic() - start:.1f}", file=sys.stderr)
"""


def header_only(size: int, n: int) -> bytes:
    """A message that is nothing but a `size` bytes header (folded lines of X-Pad)."""
    line = b"\tx" + b"a" * 74 + b"\r\n"
    pad = b"X-Pad: start\r\n" + line * (size // len(line))
    return (f"From: <big{n}@evil.test>\r\nTo: zgqwxzfb@mail.test\r\nSubject: big {n}\r\n"
            f"Message-ID: <big.{n}@evil.test>\r\n").encode() + pad + b"\r\nbody\r\n"


def test_ten_40_mb_header_only_messages_stay_under_300_mb(tmp_path, imap_server, smtp_server, password):
    imap, smtp = imap_server(), smtp_server()
    password(imap)
    root = write_office(tmp_path / "office", imap, smtp)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(12), msgid="<g.1@x>",
                        attachments=[("区人社局-稿件.docx", draft_bytes("就业", "区人社局"))]), when=when(12))
    for n in range(10):
        imap.append(header_only(40 * 1024 * 1024, n), when=when(13))
    env = {**os.environ, "BULLETIN_IMAP_PASSWORD": imap.password}
    done = subprocess.run([sys.executable, "-c", RUNNER, str(root)], capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    measured = dict(kv.split("=") for kv in done.stderr.strip().splitlines()[-1].split())
    print("ten 40 MB header-only messages:", measured)
    assert int(measured["PEAK_MB"]) < 300, measured
    assert files_under(root / "inputs" / MONTH) == ["区人社局-稿件.docx"]
    assert "超过大小上限 10 封" in done.stdout
    assert [sorted(m.rcpt_tos) for m in smtp.messages].count(["rsj@zgq.gov.test"]) == 1
