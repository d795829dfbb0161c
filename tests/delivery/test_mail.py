from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from types import SimpleNamespace
from urllib.parse import unquote

import pytest

from bulletin.core.config import Settings, SmtpSettings
from bulletin.core.errors import ConfigError
from bulletin.delivery.mail import (
    MailError,
    SmtpTransport,
    build_message,
    bulletin_subject,
    date_text,
    encoded_words,
    is_transient,
    message_id,
    scrub,
    secret_forms,
    smtp_password,
)

DOCX = b"PK\x03\x04" + bytes(range(256)) * 40  # any bytes: the attachment must come back unchanged
NAME = "工作简报第64期.docx"


def _settings(**smtp) -> Settings:
    data = {
        "bulletin": {
            "title": "章贡区“五型”政府建设 工作简报", "office": "章贡区人民政府办公室", "phone": "0797-8888888",
            "email": "office@zgq.example.cn", "first_issue": 64, "report_to": "区委办", "send_to": "各单位",
        }
    }
    if smtp:
        data["smtp"] = smtp
    return Settings.model_validate(data)


def _message(filename: str = NAME) -> bytes:
    return build_message(
        sender="office@zgq.example.cn", sender_name="章贡区人民政府办公室", to=("章贡区人民政府办公室", "office@zgq.example.cn"),
        subject="章贡区“五型”政府建设工作简报 第64期（2022年4月13日）", body="各位领导：\n\n请查收。\n",
        attachment=DOCX, filename=filename, msgid="<x@zgq.example.cn>",
    )


def _attachment(raw: bytes, pol=policy.default):
    msg = message_from_bytes(raw, policy=pol)
    parts = [p for p in msg.walk() if p.get_content_maintype() == "application"]
    assert len(parts) == 1
    return msg, parts[0]


def test_subject_names_bulletin_issue_and_date():
    settings = _settings()
    assert date_text("2022-04-13T09:30:00+08:00") == "2022年4月13日"
    assert bulletin_subject(settings, 64, "2022年4月13日") == "章贡区“五型”政府建设工作简报 第64期（2022年4月13日）"


def test_message_is_ascii_and_decodes():
    raw = _message()
    raw.decode("ascii")  # every Chinese text is encoded: any server takes it
    msg, part = _attachment(raw)
    assert str(msg["Subject"]) == "章贡区“五型”政府建设工作简报 第64期（2022年4月13日）"
    assert msg["From"].addresses[0].display_name == "章贡区人民政府办公室"
    assert msg["Message-ID"] == "<x@zgq.example.cn>"
    assert "Bcc" not in msg and "Cc" not in msg
    assert msg.get_body(("plain",)).get_content() == "各位领导：\n\n请查收。\n"
    assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert part.get_payload(decode=True) == DOCX


def test_attachment_name_in_rfc2231_and_rfc2047_forms():
    raw = _message()
    _, part = _attachment(raw, policy.compat32)
    disposition = part["Content-Disposition"]
    content_type = part["Content-Type"]
    # RFC 2231: filename*=utf-8''<percent-encoded>; what Thunderbird and the standard read.
    assert "filename*=utf-8''%E5%B7%A5%E4%BD%9C" in disposition.replace("\r\n", "").replace("\n", "")
    # Decoded by hand as a client would: charset'language'percent-encoded-bytes.
    encoded = disposition.replace("\r\n", "").split("filename*=", 1)[1].strip()
    charset, _, value = encoded.split("'", 2)
    assert unquote(value, encoding=charset) == NAME
    # ...and by Python's own RFC 2231 support (modern parser).
    assert _attachment(raw)[1].get_filename() == NAME
    # RFC 2047: name="=?utf-8?b?...?=" on Content-Type (and filename= on Content-Disposition) for old clients.
    legacy_name = part.get_param("name")
    assert legacy_name.startswith("=?utf-8?b?")
    assert str(make_header(decode_header(legacy_name))) == NAME
    legacy_filename = [v for k, v in part.get_params(header="content-disposition") if k == "filename"][0]
    assert str(make_header(decode_header(legacy_filename))) == NAME
    assert 'name="=?utf-8?b?' in content_type
    # Folded by hand: the header starts on its own line (no empty first line), every line short.
    assert b"Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\r\n name=" in raw
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_long_names_split_into_valid_encoded_words():
    name = "章贡区“五型”政府建设工作简报第164期（二〇二六年十月二十八日）增刊.docx"
    words = encoded_words(name)
    assert all(len(w) <= 75 for w in words.split(" "))
    assert len(words.split(" ")) > 1
    assert str(make_header(decode_header(words))) == name
    _, part = _attachment(_message(name), policy.compat32)
    assert str(make_header(decode_header(part.get_param("name")))) == name
    assert _attachment(_message(name))[1].get_filename() == name


def test_message_id_is_deterministic_per_batch():
    a = message_id("2026-10", "bulletin", "ab" * 32, ["b@x.cn", "a@x.cn"], "zgq.example.cn")
    assert a == message_id("2026-10", "bulletin", "ab" * 32, ["a@x.cn", "b@x.cn"], "zgq.example.cn")
    assert a != message_id("2026-10", "bulletin", "ab" * 32, ["a@x.cn"], "zgq.example.cn")
    assert a != message_id("2026-10", "review:abab", "ab" * 32, ["a@x.cn", "b@x.cn"], "zgq.example.cn")
    assert a.startswith("<") and a.endswith("@zgq.example.cn>")


def test_password_only_from_environment(monkeypatch):
    smtp = SmtpSettings(host="mail.example.cn", sender="office@zgq.example.cn", user="office")
    monkeypatch.delenv("BULLETIN_SMTP_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="BULLETIN_SMTP_PASSWORD"):
        smtp_password(smtp)
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", "s3cret")
    assert smtp_password(smtp) == "s3cret"
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", "s3cret！")  # full-width "!" from a Chinese input method
    with pytest.raises(ConfigError, match="全角") as info:
        smtp_password(smtp)
    assert "s3cret" not in str(info.value)
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", "s3cret")
    assert smtp_password(SmtpSettings(host="h", sender="office@zgq.example.cn")) == "s3cret"
    transport = SmtpTransport(smtp.model_copy(update={"starttls": True}), "s3cret")
    assert "s3cret" not in repr(transport) and "s3cret" not in str(vars(transport).get("smtp"))


def test_scrub_removes_every_form_of_the_password():
    password = "密码Pa55!"
    forms = secret_forms(password, "office")
    text = " ".join([
        password,
        base64.b64encode(password.encode()).decode(),
        base64.b64encode(f"\0office\0{password}".encode()).decode(),
        repr(password.encode()),
    ])
    cleaned = scrub(text, forms)
    assert password not in cleaned
    assert base64.b64encode(password.encode()).decode() not in cleaned
    assert repr(password.encode())[2:-1] not in cleaned


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPResponseException(451, b"4.3.0 try later"), True),
        (smtplib.SMTPResponseException(554, b"5.7.1 rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@x.cn": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.cn": (550, b"unknown"), "b@x.cn": (450, b"busy")}), False),
        (smtplib.SMTPAuthenticationError(535, b"bad"), False),
        (ConnectionRefusedError(), False),  # nothing listens on that port: a wrong port, not bad luck
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), False),  # a mistyped host
        (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), True),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), False),  # TLS mode vs port
        (socket.timeout(), True),
        (TimeoutError(), True),
        (ConnectionResetError(), True),
        (OSError(101, "Network is unreachable"), True),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), False),
        (ssl.SSLCertVerificationError("bad cert"), False),
        (MailError("x", transient=True), True),
        (MailError("x"), False),
        (ValueError("bug"), False),
    ],
)
def test_is_transient(exc, transient):
    assert is_transient(exc) is transient


def test_421_part_way_through_rcpt_fails_the_whole_batch():
    # smtplib raises SMTPRecipientsRefused listing only the recipients tried before the 421: none got the mail.
    transport = SmtpTransport(SmtpSettings(host="h", sender="office@zgq.example.cn"), "")
    closed = []

    def sendmail(sender, recipients, message):
        raise smtplib.SMTPRecipientsRefused({recipients[0]: (421, b"4.7.0 too many connections")})

    transport._yag = SimpleNamespace(smtp=SimpleNamespace(sendmail=sendmail, close=lambda: closed.append(1)),
                                     is_closed=False)
    with pytest.raises(MailError) as info:
        transport.send(b"x", ["a@x.cn", "b@x.cn"])
    assert info.value.connection_lost and info.value.transient and closed
