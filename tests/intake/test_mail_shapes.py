"""The shapes of real clients' messages, parsed without a server (bulletin/intake/mailparse.py parse_message).

The mailbox tests (tests/intake/test_mailbox_fetch.py) fetch these shapes from a real Dovecot, which makes them
too slow to run for every mutant: mutation testing of mailparse (tools/mutation.sh) ran only the fast parser
tests, and the walk through forwarded messages, alternative bodies, bounces, inline pictures and RFC 2231 /
RFC 2047 / raw GBK names survived it unchecked (docs/TESTING.md). Each message here is built as the client writes
it (tests/kits/mail_clients.py) or by hand, and every field of the result is written out.
"""

from __future__ import annotations

import base64

from mail_clients import bounce, forward, netease, old_client, outlook, when

from bulletin.intake.mailparse import parse_message

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ARTICLE = ("区人社局今年以来坚持把稳就业作为头等大事，聚焦重点群体、重点行业和重点区域，先后开展春风行动、"
           "民营企业招聘月等专项活动，累计帮助农民工、高校毕业生等群体实现就业一万二千余人，城镇登记失业率"
           "控制在百分之三以内，为全区经济社会平稳运行提供了有力支撑。")


def attachments(submission) -> list[tuple]:
    return [(a.name, a.data, a.content_type, a.forwarded_from) for a in submission.attachments]


def test_outlook_alternative_body_and_rfc2231_continued_names():
    raw = outlook(sender="RSJ@zgq.gov.test", name="张三", subject="区人社局稿件",
                  attachments=[("区人社局-就业.docx", b"PK\x03\x04docx"), ("照片 1.jpg", b"\xff\xd8jpg")],
                  when=when(12), msgid="<a1@x>")
    got = parse_message(raw)
    assert (got.message_id, got.sender, got.sender_name, got.subject) == ("<a1@x>", "rsj@zgq.gov.test", "张三", "区人社局稿件")
    # the plain form of multipart/alternative, decoded from gb2312 (written as gb18030), not the HTML one
    assert got.body == "您好：\n\n附件是我单位本月的简报稿件，请查收。\n\n张三"
    assert attachments(got) == [("区人社局-就业.docx", b"PK\x03\x04docx", DOCX, ""),
                                ("照片 1.jpg", b"\xff\xd8jpg", "application/octet-stream", "")]
    assert (got.problems, got.system, got.machine, got.unreadable, got.body_subject) == ([], False, "", "", "")


def test_netease_gbk_words_and_old_clients_raw_gbk_names():
    got = parse_message(netease(sender="CZJ@163.com", name="李四", subject="财政局稿件（修改稿）",
                                attachments=[("财政局.docx", b"PKdocx")], when=when(13), msgid="<n1@163.com>"))
    assert (got.sender, got.sender_name, got.subject, got.body) == (
        "czj@163.com", "李四", "财政局稿件（修改稿）", "附件是本单位稿件，请审阅。")
    assert attachments(got) == [("财政局.docx", b"PKdocx", DOCX, "")]
    old = parse_message(old_client(sender="old@zgq.gov.test", subject="交通局稿件",
                                   attachments=[("交通局稿.docx", b"PKold")], when=when(14), msgid="<o1@x>"))
    assert (old.sender_name, old.subject, old.body) == ("", "交通局稿件", "稿件见附件。")
    assert attachments(old) == [("交通局稿.docx", b"PKold", "application/octet-stream", "")]


def test_a_forwarded_message_gives_its_files_with_its_subject():
    inner = outlook(sender="rsj@zgq.gov.test", name="张三", subject="区人社局稿件",
                    attachments=[("区人社局-就业.docx", b"PKdocx")], when=when(12), msgid="<a1@x>")
    got = parse_message(forward(sender="bgs@zgq.gov.test", name="办公室", inner=inner, subject="Fwd: 区人社局稿件",
                                when=when(15), msgid="<f1@x>"))
    assert (got.sender, got.subject, got.body, got.body_subject) == (
        "bgs@zgq.gov.test", "Fwd: 区人社局稿件", "转发领导审定后的稿件，请编入本月简报。", "")
    assert attachments(got) == [("区人社局-就业.docx", b"PKdocx", DOCX, "区人社局稿件")]


def mixed(parts: list[bytes], subject: str = "转发：稿件", sender: str = "bgs@zgq.gov.test") -> bytes:
    boundary = f"b{len(parts)}x{abs(hash(subject)) % 1000}"
    head = (f"From: <{sender}>\r\nSubject: {subject}\r\nMessage-ID: <m@x>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n").encode()
    return head + b"".join(f"--{boundary}\r\n".encode() + p + b"\r\n" for p in parts) + f"--{boundary}--\r\n".encode()


def text_part(text: str, subtype: str = "plain") -> bytes:
    data = base64.b64encode(text.encode("utf-8")).decode()
    return (f"Content-Type: text/{subtype}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{data}\r\n"
            ).encode()


def file_part(name: str, data: bytes, ctype: str = "application/octet-stream", disposition: str = "attachment") -> bytes:
    params = f'; filename="{name}"' if name else ""
    return (f"Content-Type: {ctype}\r\nContent-Disposition: {disposition}{params}\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{base64.b64encode(data).decode()}\r\n").encode()


def rfc822(inner: bytes) -> bytes:
    return b"Content-Type: message/rfc822\r\n\r\n" + inner


def test_a_forward_without_a_note_takes_the_forwarded_text_and_its_subject():
    inner = mixed([text_part(ARTICLE)], subject="区人社局稳就业", sender="rsj@zgq.gov.test")
    got = parse_message(mixed([rfc822(inner)], subject="转发：区人社局稳就业"))
    assert (got.body, got.body_subject) == (ARTICLE, "区人社局稳就业")
    # a forwarded message without a Subject is named as such
    nameless = b"From: <rsj@zgq.gov.test>\r\nMIME-Version: 1.0\r\n" + mixed(
        [file_part("a.docx", b"PKa")]).split(b"MIME-Version: 1.0\r\n", 1)[1]
    got = parse_message(mixed([text_part("见附件"), rfc822(nameless)]))
    assert attachments(got) == [("a.docx", b"PKa", "application/octet-stream", "（无主题）")]


def test_forwards_are_searched_five_levels_deep_and_no_deeper():
    """Forwarded in forwarded...: messages whose whole body is the next forwarded message (one nesting level each,
    so the parser's own limit of 10 levels is not reached first). The fifth is read, the sixth is not."""
    sixth = mixed([file_part("level6.docx", b"PK6")], subject="第6层")
    message = mixed([file_part("level5.docx", b"PK5"), rfc822(sixth)], subject="第5层")
    for level in range(4, 0, -1):
        message = (f"From: <l{level}@x.test>\r\nSubject: 第{level}层\r\nMIME-Version: 1.0\r\n".encode()
                   + b"Content-Type: message/rfc822\r\n\r\n" + message)
    got = parse_message(mixed([text_part("最外层"), rfc822(message)], subject="最外层"))
    assert got.unreadable == ""
    assert attachments(got) == [("level5.docx", b"PK5", "application/octet-stream", "第5层")]
    assert got.problems == ["转发层次过多，更深层的转发邮件未读取"]
    assert got.body == "最外层"


def test_html_only_alternative_related_pictures_and_inline_logos():
    alt = "alt-1"
    related = (f"Content-Type: multipart/related; boundary=\"rel-1\"\r\n\r\n--rel-1\r\n".encode()
               + text_part("<p>请查收<b>稿件</b></p>", "html") + b"\r\n--rel-1\r\n"
               + b"Content-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               + base64.b64encode(b"\x89PNGlogo") + b"\r\n--rel-1\r\n"
               + file_part("现场照片.png", b"\x89PNGphoto", "image/png", "inline") + b"\r\n--rel-1--\r\n")
    body = (f"Content-Type: multipart/alternative; boundary=\"{alt}\"\r\n\r\n--{alt}\r\n".encode()
            + text_part("<div>只有网页正文</div>", "html") + f"\r\n--{alt}\r\n".encode() + related
            + f"\r\n--{alt}--\r\n".encode())
    got = parse_message(mixed([body, file_part("稿件.docx", b"PKx", DOCX)], subject="稿件"))
    assert got.body == "只有网页正文"
    # a named inline picture is a file; the logo (Content-ID, no name) is part of the HTML, not a submission
    assert attachments(got) == [("现场照片.png", b"\x89PNGphoto", "image/png", ""), ("稿件.docx", b"PKx", DOCX, "")]


def test_a_bounce_is_system_mail_and_its_returned_files_are_not_taken():
    returned = outlook(sender="zgqwxzfb@mail.test", name="办公室", subject="回执", attachments=[("x.docx", b"PK")],
                       when=when(12), msgid="<r@x>")
    got = parse_message(bounce(returned=returned, when=when(16), msgid="<b1@x>"))
    assert (got.system, got.machine, got.attachments, got.body) == (True, "退信或系统通知", [], "")
    assert (got.sender, got.sender_name) == ("mailer-daemon@mx.mail.test", "Mail Delivery System")


# -- machine-written mail: the cases tests/intake/test_mailbox_parts.py leaves out (surviving mutants) ---------------
def with_headers(*headers: str, sender: str = "rsj@zgq.example.cn") -> bytes:
    from mail_clients import plain_text

    return plain_text(sender=sender, name="x", subject="s", text="t", when=when(1), msgid="<m@x>",
                      extra_headers=list(headers))


def test_every_machine_header_is_recognised():
    cases = {
        "Precedence: list": ("群发或自动邮件（Precedence: list）", False),
        "Precedence: junk": ("群发或自动邮件（Precedence: junk）", False),
        "Precedence: auto_reply": ("群发或自动邮件（Precedence: auto_reply）", True),
        "Precedence: BULK": ("群发或自动邮件（Precedence: bulk）", False),
        "X-Autorespond: yes": ("自动回复", True),
        "X-Auto-Response-Suppress-Reply: yes": ("自动回复", True),
        "List-Unsubscribe: <mailto:u@list.x.cn>": ("邮件列表", False),
        "Auto-Submitted: auto-generated; type=report": ("自动发出的邮件（Auto-Submitted: auto-generated）", False),
    }
    got = {header: (s.machine, s.system) for header, s in
           ((h, parse_message(with_headers(h))) for h in cases)}
    assert got == cases


def test_a_delivery_report_from_an_ordinary_address_is_system_mail():
    raw = bounce(returned=b"From: <a@x.cn>\r\n\r\nx\r\n", when=when(16), msgid="<b2@x>").replace(
        b"From: MAILER-DAEMON@mx.mail.test (Mail Delivery System)", b"From: notice@mx.mail.test")
    got = parse_message(raw)
    assert (got.sender, got.machine, got.system) == ("notice@mx.mail.test", "退信或系统通知", True)


def test_the_from_address_when_a_header_names_several():
    from bulletin.intake.mailparse import address_of

    assert [address_of(v) for v in [
        'a@x.cn, "李四" <b@y.cn>',  # one in angle brackets: that one, with its name
        "a@x.cn, b@y.cn",  # none in brackets: the first
        'b@y.cn, "甲" <a@x.cn>, "乙" <c@z.cn>',  # two in brackets: the first of all, not the first bracketed
        "Undisclosed <not an address>",  # no address: a name only
        '"张\r\n\t三" <z@x.cn>',  # a folded header
        "=?utf-8?b?5byg5LiJ?= <Z@X.cn>",
        '"' + "名" * 150 + '" <a@b.cn>',
    ]] == [("李四", "b@y.cn"), ("", "a@x.cn"), ("", "b@y.cn"), ("Undisclosed", ""), ("张 三", "z@x.cn"),
           ("张三", "z@x.cn"), ("名" * 100, "a@b.cn")]


# -- bodies: charsets, format=flowed, HTML (surviving mutants of charset_name, _part_text, html_text) --------------
def single(content_type: str, body: bytes) -> bytes:
    return (f"From: <a@x.cn>\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n").encode() + body


def test_a_utf7_body_named_by_its_old_label_and_a_flowed_body():
    # Python knows no codec "unicode-1-1-utf-7" (old Outlook's name): only the alias reads it; read as UTF-8 it
    # would be "+eO9O9l..." letters
    assert parse_message(single('text/plain; charset="UNICODE-1-1-UTF-7"',
                                "稿件见附件".encode("utf-7") + b"\r\n")).body == "稿件见附件"
    # format=flowed (RFC 3676): a line ending in a space continues on the next one; an empty line stays a break
    assert parse_message(single("text/plain; charset=utf-8; format=Flowed",
                                "第一行接着 \r\n第二行\r\n\r\n新段落\r\n".encode())).body == "第一行接着 第二行\n\n新段落"
    assert parse_message(single("text/plain; charset=utf-8", "第一行接着 \r\n第二行\r\n".encode())).body == (
        "第一行接着 \n第二行")  # not flowed: the line break is kept


def test_html_blocks_quotes_scripts_and_entities():
    from bulletin.intake.mailparse import html_text

    markup = ("<div>甲</div><div>乙&nbsp;丙</div><blockquote>引1<blockquote>引2</blockquote>仍是引文</blockquote>"
              "正文<style>x{}</style><p>A&amp;lt;B</p>")
    # blocks become line breaks, a no-break space a space, nested quotes are dropped to their end, and text
    # escaped twice (some webmail) is unescaped twice
    assert html_text(markup) == "\n甲\n\n乙 丙\n正文\nA<B\n"


# -- the structure limits, at their exact bounds (surviving mutants of structure_problem, shape_problem) -------------
def test_the_raw_scan_and_the_parsed_shape_at_their_bounds():
    from email.message import Message

    from bulletin.intake.mailparse import MAX_CONTAINERS, MAX_NESTING, MAX_PARTS, shape_problem, structure_problem

    assert (MAX_CONTAINERS, MAX_NESTING, MAX_PARTS) == (50, 10, 200)
    declared = b"Content-Type: multipart/mixed\r\n"
    assert structure_problem(declared * 50) == ""
    assert structure_problem(declared * 51) == "邮件结构嵌套过深（含 51 层/个多部分结构，上限 10 层），无法安全读取，未处理"
    assert structure_problem(b"--a\r\n" * 400) == ""
    assert structure_problem(b"--a\r\n" * 401) == "邮件分段过多（约 401 段，上限 200 段），未处理"

    def leaf() -> Message:
        part = Message()
        part.set_payload("x")
        return part

    def nested(levels: int) -> Message:
        message = leaf()
        for _ in range(levels - 1):
            outer = Message()
            outer["Content-Type"] = "multipart/mixed"
            outer.set_payload([message])
            message = outer
        return message

    def flat(parts: int) -> Message:
        root = Message()
        root["Content-Type"] = "multipart/mixed"
        root.set_payload([leaf() for _ in range(parts - 1)])
        return root

    assert shape_problem(nested(10)) == ""
    assert shape_problem(nested(11)) == "邮件结构嵌套过深（超过 10 层），无法安全读取，未处理"
    assert shape_problem(flat(200)) == ""
    assert shape_problem(flat(201)) == "邮件分段过多（超过 200 段），未处理"


def test_bytes_no_charset_reads_are_decoded_as_gb18030_with_replacement():
    """Neither the declared charset, UTF-8 nor GB18030 reads them: GB18030 with U+FFFD for what is broken (a GBK
    text cut in the middle of a character), never an exception."""
    from bulletin.intake.mailparse import decode_bytes

    broken = "稿件".encode("gb18030") + b"\xff"
    assert [decode_bytes(broken), decode_bytes(broken, "big5"), decode_bytes(b"\x80abc", "x-unknown")] == [
        "稿件\ufffd", "稿件\ufffd", "\ufffdabc"]


def test_the_head_date_references_and_reply_to_and_a_plain_part_chosen_over_different_html():
    from datetime import datetime, timedelta, timezone

    raw = (b"From: =?utf-8?b?5byg5LiJ?= <RSJ@zgq.gov.test>\r\nSubject: Re: s\r\nDate: Mon, 12 Oct 2026 10:05:00 +0800\r\n"
           b"Message-ID: <m2@x>\r\nIn-Reply-To: <r1@zgq>\r\nReferences: <r0@zgq> <r1@zgq>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\n"
           b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>HTML form</p>\r\n--a\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nplain form\r\n--a--\r\n")
    got = parse_message(raw)
    assert (got.message_id, got.in_reply_to, got.references, got.sender_name, got.body) == (
        "<m2@x>", "<r1@zgq>", "<r0@zgq> <r1@zgq>", "张三", "plain form")
    assert got.date == datetime(2026, 10, 12, 10, 5, tzinfo=timezone(timedelta(hours=8)))
    assert parse_message(raw.replace(b"Date: Mon, 12 Oct 2026 10:05:00 +0800\r\n", b"Date: not a date\r\n")).date is None
