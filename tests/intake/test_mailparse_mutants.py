"""Mutants of bulletin/intake/mailparse.py that the other parser tests let live (docs/TESTING.md, mutation testing),
each killed here by a message a real client writes, with the expected result worked out by hand.

Messages are raw bytes as the clients put them on the wire: Foxmail and 163 (Coremail) label GBK text "gb2312"
or "GB18030" in encoded-words, Outlook folds long subjects over several encoded-words and puts "FW:" before a
forward, Outlook and QQ mail quote the original below "-----原始邮件-----" / "发件人:" blocks. Each test says which
behaviour the mutants broke; no server is needed (the whole file runs in well under a second).
"""

from __future__ import annotations

import base64

import pytest

from bulletin.intake import mailparse
from bulletin.intake.mailparse import parse_message

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# 123 characters, no white space: a real body draft (at least BODY_MIN_CHARS = 100 characters of text)
ARTICLE = ("区人社局今年以来坚持把稳就业作为头等大事，聚焦重点群体、重点行业和重点区域，先后开展春风行动、"
           "民营企业招聘月等专项活动，累计帮助农民工、高校毕业生等群体实现就业一万二千余人，城镇登记失业率"
           "控制在百分之三以内，为全区经济社会平稳运行提供了有力支撑。")
HEAD = b"To: zgqwxzfb@mail.test\r\nDate: Mon, 12 Oct 2026 10:05:00 +0800\r\nMessage-ID: <t1@zgq.gov.test>\r\n"


def b64(text: str, charset: str = "utf-8") -> bytes:
    return base64.b64encode(text.encode(charset))


def word(text: str, charset: str) -> bytes:
    """One RFC 2047 B encoded-word, as Foxmail / 163 write them: GBK text under any GB label."""
    encoding = "gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset
    return b"=?" + charset.encode() + b"?B?" + b64(text, encoding) + b"?="


def plain(text: str, *, subject: bytes = b"s", sender: bytes = b"<rsj@zgq.gov.test>",
          charset: bytes = b"utf-8") -> bytes:
    """A text-only message, base64 UTF-8 body (QQ mail, phone clients)."""
    return (b"From: " + sender + b"\r\nSubject: " + subject + b"\r\n" + HEAD + b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=" + charset + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(text) + b"\r\n")


def mixed(*parts: bytes, subject: bytes = b"s", sender: bytes = b"<rsj@zgq.gov.test>", boundary: bytes = b"=_mix") -> bytes:
    return (b"From: " + sender + b"\r\nSubject: " + subject + b"\r\n" + HEAD + b"MIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
            + b"".join(b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts) + b"--" + boundary + b"--\r\n")


def container(subtype: bytes, boundary: bytes, *parts: bytes) -> bytes:
    return (b"Content-Type: multipart/" + subtype + b'; boundary="' + boundary + b'"\r\n\r\n'
            + b"".join(b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts) + b"--" + boundary + b"--")


def text_part(text: str, subtype: bytes = b"plain") -> bytes:
    return (b"Content-Type: text/" + subtype + b"; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(text))


def docx_part(name: str, data: bytes) -> bytes:
    return (b"Content-Type: " + DOCX.encode() + b'; name="' + word(name, "utf-8") + b'"\r\n'
            b'Content-Disposition: attachment; filename="' + word(name, "utf-8") + b'"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(data))


def files(submission) -> list[tuple]:
    return [(a.name, a.data, a.content_type, a.forwarded_from) for a in submission.attachments]


# -- charsets -----------------------------------------------------------------------------------------------------
def test_a_rare_name_character_is_read_in_the_declared_gbk_family_charset():
    """岑昇: 昇 is a GBK character outside GB2312, and the GBK bytes of 岑昇 (E1 AF 95 4E) happen to be valid UTF-8
    too ("ᯕN"). Foxmail labels such text "gb2312", 163 labels it "GB18030": only reading the label as GB18030 gives
    the name; Python's own gb2312 codec fails on 昇, and falling back to UTF-8 would give "ᯕN"."""
    assert "岑昇".encode("gbk") == bytes.fromhex("e1af954e") and bytes.fromhex("e1af954e").decode() == "ᯕN"
    foxmail = parse_message(plain("稿件见附件。", sender=b"\"" + word("岑昇", "gb2312") + b"\" <cs@zgq.gov.test>",
                                  subject=b"Re: " + word("先进事迹材料", "gb2312")))
    assert (foxmail.sender_name, foxmail.sender, foxmail.subject) == ("岑昇", "cs@zgq.gov.test", "Re: 先进事迹材料")
    netease = parse_message(plain("稿件见附件。", sender=word("岑昇", "GB18030") + b" <cs_zgq@163.com>"))
    assert (netease.sender_name, netease.sender) == ("岑昇", "cs_zgq@163.com")


def test_a_body_under_a_label_python_does_not_know_falls_back_to_utf8():
    # a label Python has no codec for (Outlook's "x-user-defined"): the text is read as UTF-8, then GB18030
    got = parse_message(plain("区人社局稿件见附件，请查收。", charset=b'"x-user-defined"'))
    assert got.body == "区人社局稿件见附件，请查收。"


def test_an_rfc2231_name_in_gbk_is_read_in_gbk():
    """RFC 2231 lets a client name the charset of a file name; an OA system writing GBK a file named after the
    person (先进个人材料): %E1%AF%95N is 岑昇 in GBK, and valid UTF-8 as well ("ᯕN" if the charset were ignored)."""
    part = (b"Content-Type: application/octet-stream\r\n"
            b"Content-Disposition: attachment; filename*=gbk''%E1%AF%95N.docx\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"PK\x03\x04cs"))
    assert files(parse_message(mixed(text_part("见附件"), part))) == [
        ("岑昇.docx", b"PK\x03\x04cs", "application/octet-stream", "")]


# -- headers --------------------------------------------------------------------------------------------------------
def test_a_broken_encoded_word_is_left_as_written_and_the_mail_is_read():
    # a gateway cut the Subject in the middle of an encoded-word (no closing "?="): no word, nothing decoded
    got = parse_message(plain("稿件见附件。", subject=b"=?gb18030?B?x/jIy8nnvtY="))
    assert (got.subject, got.unreadable, got.body) == ("=?gb18030?B?x/jIy8nnvtY=", "", "稿件见附件。")


def test_outlooks_folded_subject_is_one_line():
    # Outlook folds a long subject into encoded-words on continuation lines; the white space between two words
    # is not part of the text (RFC 2047 6.2)
    subject = (word("关于报送2026年10月", "utf-8") + b"\r\n " + word("工作简报稿件的函", "utf-8") + b"\r\n\t"
               + b"(zgq)")
    got = parse_message(plain("稿件见附件。", subject=subject))
    assert got.subject == "关于报送2026年10月工作简报稿件的函 (zgq)"


def test_control_characters_in_an_encoded_display_name_become_spaces():
    # what the display name decodes to is a name only: a tab from an OA system, a CR LF Bcc: from an attacker
    oa = parse_message(plain("见附件", sender=word("区人社局\t张三", "utf-8") + b" <rsj@zgq.gov.test>"))
    evil = parse_message(plain("见附件", sender=word("张三\r\nBcc: boss@zgq.gov.test", "utf-8") + b" <x@evil.test>"))
    assert [(oa.sender_name, oa.sender), (evil.sender_name, evil.sender)] == [
        ("区人社局 张三", "rsj@zgq.gov.test"), ("张三 Bcc: boss@zgq.gov.test", "x@evil.test")]


def test_no_from_header_and_two_addresses_in_one_pair_of_brackets():
    # a notice an OA system writes without any From: read as system mail, not as unreadable
    nameless = parse_message(plain("系统通知：本月简报已发布。").replace(b"From: <rsj@zgq.gov.test>\r\n", b""))
    assert (nameless.sender, nameless.sender_name, nameless.unreadable, nameless.machine, nameless.system) == (
        "", "", "", "退信或系统通知", True)
    # two addresses inside one pair of brackets is no address: a receipt to it would reach both
    double = parse_message(plain("见附件", sender=word("区人社局", "utf-8") + b" <rsj@zgq.gov.test, boss@zgq.gov.test>"))
    assert (double.sender, double.sender_name, double.system) == ("", "区人社局", True)
    # From naming the office's mailbox with a comment and, in brackets, the sender: the name of the other address
    # is not the sender's name
    other = parse_message(plain("见附件", sender=b"bgs@zgq.gov.test (" + word("办公室", "utf-8") + b"), <rsj@zgq.gov.test>"))
    assert (other.sender, other.sender_name) == ("rsj@zgq.gov.test", "")


def test_a_message_without_subject_has_an_empty_title():
    got = parse_message(plain(ARTICLE).replace(b"Subject: s\r\n", b""))
    assert (got.subject, got.title, got.body) == ("", "", ARTICLE)


# -- file parts -------------------------------------------------------------------------------------------------------
def test_a_name_only_in_content_type_and_an_unnamed_document():
    # old OA systems: the name only in Content-Type, a Content-Disposition without filename
    named = (b'Content-Type: application/msword; name="' + word("区财政局稿件.docx", "gb2312") + b'"\r\n'
             b"Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"PKa"))
    # a document with no name and no Content-Disposition at all is still a file; a picture without a name is not
    # (a logo of the HTML body)
    unnamed = (b"Content-Type: " + DOCX.encode() + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               + base64.b64encode(b"PKb"))
    logo = b"Content-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"PNG")
    got = parse_message(mixed(text_part("见附件"), named, unnamed, logo))
    assert files(got) == [("区财政局稿件.docx", b"PKa", "application/msword", ""), ("", b"PKb", DOCX, "")]


def test_an_empty_file_and_an_empty_body_stay_empty():
    # an empty text/plain body when only files are attached (several clients send one); a 0-byte file stays 0 bytes
    empty_file = b'Content-Type: application/octet-stream; name="kong.docx"\r\nContent-Disposition: attachment; filename="kong.docx"\r\n\r\n'
    got = parse_message(mixed(b"Content-Type: text/plain; charset=utf-8\r\n\r\n", empty_file))
    assert (got.body, files(got)) == ("", [("kong.docx", b"", "application/octet-stream", "")])


# -- alternative bodies and forwards --------------------------------------------------------------------------------
def test_an_alternative_with_only_html_and_its_pictures():
    # multipart/alternative holding only multipart/related (HTML + logo): neither a plain nor an HTML part of its own
    related = container(b"related", b"=_rel", text_part("<div>只有网页正文</div>", b"html"),
                        b"Content-Type: image/png\r\nContent-ID: <logo>\r\n\r\nPNG")
    got = parse_message(mixed(container(b"alternative", b"=_alt", related), docx_part("稿件.docx", b"PKx")))
    assert (got.unreadable, got.body, files(got)) == ("", "只有网页正文", [("稿件.docx", b"PKx", DOCX, "")])


def test_a_forwarded_message_inside_the_html_form_of_an_alternative():
    """Apple Mail puts files dropped into a rich text inside the HTML form: alternative[plain, mixed[html, file,
    html]]. A forwarded message there is searched like any other."""
    inner = (b"From: <rsj@zgq.gov.test>\r\nSubject: " + word("区人社局稿件", "utf-8") + b"\r\nMIME-Version: 1.0\r\n"
             + container(b"mixed", b"=_in", text_part("见附件"), docx_part("就业.docx", b"PKin")))
    rich = container(b"mixed", b"=_rich", text_part("<p>请编入</p>", b"html"),
                     b"Content-Type: message/rfc822\r\n\r\n" + inner, text_part("<p>办公室</p>", b"html"))
    got = parse_message(mixed(container(b"alternative", b"=_alt", text_part("请编入\n办公室"), rich)))
    assert (got.unreadable, got.body, files(got)) == ("", "请编入\n办公室", [("就业.docx", b"PKin", DOCX, "区人社局稿件")])


def test_text_in_two_alternative_blocks_around_a_file_is_read_whole():
    """Text, a file, more text: a client writing each run of text as its own alternative block. Both blocks are
    the body, one after the other; the same inside a forwarded message."""
    first, second = ARTICLE[:60], ARTICLE[60:]
    blocks = (container(b"alternative", b"=_a1", text_part(first), text_part(f"<p>{first}</p>", b"html")),
              docx_part("附表.docx", b"PKt"),
              container(b"alternative", b"=_a2", text_part(second), text_part(f"<p>{second}</p>", b"html")))
    assert parse_message(mixed(*blocks)).body == f"{first}\n{second}"
    inner = b"From: <rsj@zgq.gov.test>\r\nSubject: x\r\nMIME-Version: 1.0\r\n" + container(b"mixed", b"=_in", *blocks)
    got = parse_message(mixed(text_part("请编入。"), b"Content-Type: message/rfc822\r\n\r\n" + inner))
    assert (got.body, got.body_subject) == (f"{first}\n{second}", "x")


# -- quoting, signatures and forwards in the body --------------------------------------------------------------------
def outlook_inline_forward(note: str, original: str, subject: str = "FW: 区人社局稿件") -> bytes:
    """Outlook's plain text forward: the note, a rule, the original's header block, the original."""
    return plain(f"{note}\r\n\r\n________________________________\r\n发件人: 张三 <rsj@zgq.gov.test>\r\n"
                 f"发送时间: 2026年10月12日 10:05\r\n收件人: 办公室\r\n主题: 区人社局稿件\r\n\r\n{original}\r\n",
                 subject=subject.encode(), sender=b"<bgs@zgq.gov.test>")


def test_an_outlook_forward_with_a_short_note_gives_the_forwarded_text():
    assert parse_message(outlook_inline_forward("请编入本月简报。", ARTICLE)).body == ARTICLE
    # the same with QQ mail's Chinese prefix; without a forward prefix the note is the body
    assert parse_message(outlook_inline_forward("请编入本月简报。", ARTICLE, "转发：区人社局稿件")).body == ARTICLE
    assert parse_message(outlook_inline_forward("请编入本月简报。", ARTICLE, "区人社局稿件")).body == "请编入本月简报。"


def test_the_note_of_a_forward_is_kept_from_exactly_100_characters():
    note = ARTICLE[:100]
    assert len(note) == 100
    assert parse_message(outlook_inline_forward(note, "原文" * 60)).body == note
    assert parse_message(outlook_inline_forward(note[:99], "原文" * 60)).body == "原文" * 60


def test_a_forwarded_message_of_exactly_100_characters_is_the_body_and_a_note_of_100_stays():
    def forward_as_attachment(note: str, text: str) -> bytes:
        inner = b"From: <rsj@zgq.gov.test>\r\nSubject: inner\r\nMIME-Version: 1.0\r\n" + text_part(text)
        return mixed(text_part(note), b"Content-Type: message/rfc822\r\n\r\n" + inner, subject=b"FW: inner")

    got = parse_message(forward_as_attachment("请编入。", ARTICLE[:100]))
    assert (got.body, got.body_subject) == (ARTICLE[:100], "inner")
    got = parse_message(forward_as_attachment(ARTICLE[:100], ARTICLE))
    assert (got.body, got.body_subject) == (ARTICLE[:100], "")


def test_a_quoted_original_next_to_a_forwarded_file_without_a_forward_prefix():
    # the office answers with the original quoted AND the original attached (.eml), subject edited: the quoted
    # article is the body (the attached message's text is only "见附件")
    inner = b"From: <rsj@zgq.gov.test>\r\nSubject: orig\r\nMIME-Version: 1.0\r\n" + text_part("见附件")
    note = f"请编入。\n\n-----原始邮件-----\n发件人: 张三\n主题: 区人社局稿件\n\n{ARTICLE}"
    got = parse_message(mixed(text_part(note), b"Content-Type: message/rfc822\r\n\r\n" + inner, subject=b"orig"))
    assert (got.body, got.body_subject) == (ARTICLE, "")


def test_a_signature_ends_the_note_and_is_never_the_body():
    # Outlook puts the forwarder's signature above the forwarded original; the original had only a file
    text = "请编入。\r\n-- \r\n王五\r\n区政府办公室\r\n\r\n________________________________\r\n发件人: 张三\r\n主题: 稿件\r\n"
    got = parse_message(plain(text, subject=b"FW: x"))
    assert got.body == "请编入。"


def test_a_forwarded_reply_gives_the_reply_not_what_it_quotes():
    # forwarded: 张三's short reply, which quotes the office's notice below it; the reply is the forwarded text
    text = ("请看。\r\n-----原始邮件-----\r\n发件人: 张三\r\n主题: 回复：通知\r\n\r\n收到，下周报送。\r\n"
            "-----原始邮件-----\r\n发件人: 办公室\r\n主题: 通知\r\n\r\n" + ARTICLE)
    assert parse_message(plain(text, subject=b"FW: x")).body == "收到，下周报送。"


def test_a_quote_header_followed_directly_by_the_quoted_text():
    # a client quoting in a <div> (no '>'): the first line after "…写道：" is already the forwarded text
    text = f"请编入。\r\n在 2026年10月12日 10:05，张三 写道：\r\n{ARTICLE[:60]}\r\n{ARTICLE[60:]}\r\n"
    assert parse_message(plain(text, subject=b"Fwd: x")).body == f"{ARTICLE[:60]}\n{ARTICLE[60:]}"


def test_lines_ending_in_cr_only_and_quotes_without_a_header():
    # bare CR line ends (old Mac-era clients, some OA systems): the rule still ends the note
    assert parse_message(plain("正文第一段\r正文第二段\r-----原始邮件-----\r发件人：张三\r旧的内容")).body == (
        "正文第一段\n正文第二段")
    # quoted lines inline, without a "写道" header, some indented by the client
    text = "> 请各单位于10月20日前报送。\r\n  > 逾期不候。\r\n已报送，见附件。\r\n"
    assert parse_message(plain(text)).body == "已报送，见附件。"


# -- fail closed ----------------------------------------------------------------------------------------------------
def test_an_unreadable_message_has_no_body_and_no_files():
    deep = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(60))
    got = parse_message(b"From: <x@evil.test>\r\nSubject: deep\r\nMIME-Version: 1.0\r\n" + deep + b"hi\r\n")
    assert got.unreadable.startswith("邮件结构嵌套过深（含 60 层")
    assert (got.sender, got.subject, got.body, got.attachments) == ("x@evil.test", "deep", "", [])


def test_an_unforeseen_failure_reading_the_body_keeps_the_head(monkeypatch):
    """Whatever a message makes go wrong (simulated here: the body walk fails as a parser bug would), the
    message comes back unreadable with the exception's name, its head still read, own addresses still known."""
    def broken(msg, submission):
        raise KeyError("x")

    monkeypatch.setattr(mailparse, "_body", broken)
    got = parse_message(plain("见附件", sender=b"<ZGQWXZFB@mail.test>"), {"zgqwxzfb@mail.test"})
    assert (got.unreadable, got.sender, got.subject, got.message_id, got.body) == (
        "邮件格式错误，无法解析（KeyError），未处理", "zgqwxzfb@mail.test", "s", "<t1@zgq.gov.test>", "")
    assert (got.machine, got.system) == ("本邮箱或本办公室自己发出的邮件", True)


def test_an_unforeseen_failure_reading_the_head_gives_an_empty_unreadable_submission(monkeypatch):
    def broken(msg, own):
        raise ValueError("x")

    monkeypatch.setattr(mailparse, "_head", broken)
    got = parse_message(plain("见附件"))
    assert (got.message_id, got.sender, got.sender_name, got.subject, got.date, got.references, got.in_reply_to) == (
        "", "", "", "", None, "", "")
    assert (got.unreadable, got.body, got.attachments) == ("邮件格式错误，无法解析（ValueError），未处理", "", [])


@pytest.mark.parametrize("label", ["gb2312", "GB2312"])
def test_charset_labels_compare_without_case(label):
    # the label as the encoded-word writes it: decode_header lower-cases it, so both read as GB18030
    got = parse_message(plain("见附件", sender=word("岑昇", label) + b" <cs@zgq.gov.test>"))
    assert got.sender_name == "岑昇"


def test_a_lone_raw_byte_at_the_ends_of_the_range_becomes_a_replacement_character():
    """A Western client's raw cp1252 "€" (0x80) or "ÿ" (0xFF) in a header is no GBK or UTF-8 text: it is read as
    U+FFFD, never kept as the parser's surrogate escape (which would fail when the subject is written as UTF-8)."""
    euro = parse_message(b"From: <sales@example.com>\r\nSubject: Invoice 100\x80\r\n\r\nhi\r\n")
    y = parse_message(b"From: <sales@example.com>\r\nSubject: Caf\xff\r\n\r\nhi\r\n")
    assert (euro.subject, y.subject) == ("Invoice 100\ufffd", "Caf\ufffd")
    assert (euro.subject + y.subject).encode("utf-8")
