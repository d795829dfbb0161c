"""Mail messages built the way real clients build them, byte for byte where it matters (headers, encodings, file
names), for the submission-mailbox tests. Each builder returns the raw message as bytes, ready for IMAP APPEND.

- outlook():      Outlook 2016+ : multipart/mixed > multipart/alternative (text + HTML, GB2312 labelled), the
                  attachment named `name="=?utf-8?B?…?="` in Content-Type and RFC 2231 `filename*0*=utf-8''…;
                  filename*1*=…` (continued) in Content-Disposition, with size= and creation-date=.
- netease():      163 webmail (Coremail): text/plain + text/html in GBK, attachments named by RFC 2047 encoded-words
                  in GB18030 in both name= and filename=, X-Mailer Coremail, a Message-ID of 163's shape.
- old_client():   Foxmail 6 / Outlook Express era: the file name as raw GBK bytes in quotes, no encoding at all.
- forward():      a message forwarded "as attachment" (message/rfc822), as Thunderbird and Outlook do.
- auto_reply():   an out-of-office answer (Auto-Submitted: auto-replied, X-Autoreply), as 163 and Exchange send.
- bounce():       a delivery status notification (multipart/report) carrying the returned message.
"""

from __future__ import annotations

import base64
import io
import zipfile
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

CST = timezone(timedelta(hours=8))
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _b64_lines(data: bytes) -> bytes:
    text = base64.b64encode(data)
    return b"\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def _words(text: str, charset: str) -> str:
    """RFC 2047 B encoded-words, at most 45 bytes of text each (split between characters, as clients do)."""
    words, chunk = [], ""
    for ch in text:
        if len((chunk + ch).encode(charset)) > 45:
            words.append(chunk)
            chunk = ""
        chunk += ch
    words.append(chunk)
    return " ".join(f"=?{charset.upper()}?B?{base64.b64encode(w.encode(charset)).decode()}?=" for w in words)


def _date(when: datetime) -> str:
    return format_datetime(when)


def _headers(lines: list[str]) -> bytes:
    return "\r\n".join(lines).encode("ascii") + b"\r\n"


def outlook(*, sender: str, name: str, subject: str, attachments: list[tuple[str, bytes]], text: str = "",
            when: datetime, msgid: str, to: str = "zgqwxzfb@mail.test") -> bytes:
    boundary, alt = "_004_HK0PR03MB4", "_000_HK0PR03MB4"
    body = text or "您好：\r\n\r\n附件是我单位本月的简报稿件，请查收。\r\n\r\n" + name
    parts = [
        _headers([
            f"From: {_words(name, 'utf-8')} <{sender}>",
            f"To: \"zgqwxzfb@mail.test\" <{to}>",
            f"Subject: {_words(subject, 'utf-8')}",
            "Thread-Topic: " + _words(subject, "utf-8"),
            f"Date: {_date(when)}",
            f"Message-ID: {msgid}",
            "Accept-Language: zh-CN, en-US",
            "Content-Language: zh-CN",
            "X-MS-Has-Attach: yes",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/mixed;\r\n\tboundary="{boundary}"',
        ]),
        b"\r\n",
        f"--{boundary}\r\nContent-Type: multipart/alternative;\r\n\tboundary=\"{alt}\"\r\n\r\n".encode(),
        f"--{alt}\r\nContent-Type: text/plain; charset=\"gb2312\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode(),
        _b64_lines(body.encode("gb18030")) + b"\r\n\r\n",
        f"--{alt}\r\nContent-Type: text/html; charset=\"gb2312\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode(),
        _b64_lines(("<html><body><p>" + body.replace("\r\n", "<br>") + "</p></body></html>").encode("gb18030"))
        + b"\r\n\r\n",
        f"--{alt}--\r\n\r\n".encode(),
    ]
    for filename, data in attachments:
        encoded = quote(filename, safe="")
        half = len(encoded) // 2
        while encoded[half - 1] == "%" or encoded[half - 2] == "%":  # never split inside a %XX
            half += 1
        stamp = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
        parts += [
            f"--{boundary}\r\n".encode(),
            _headers([
                f"Content-Type: {DOCX_TYPE if filename.endswith('.docx') else 'application/octet-stream'};",
                f"\tname=\"{_words(filename, 'utf-8')}\"",
                f"Content-Description: {_words(filename, 'utf-8')}",
                "Content-Disposition: attachment;",
                f"\tfilename*0*=utf-8''{encoded[:half]};",
                f"\tfilename*1*={encoded[half:]}; size={len(data)};",
                f"\tcreation-date=\"{stamp}\";",
                f"\tmodification-date=\"{stamp}\"",
                "Content-Transfer-Encoding: base64",
            ]),
            b"\r\n",
            _b64_lines(data) + b"\r\n\r\n",
        ]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def netease(*, sender: str, name: str, subject: str, attachments: list[tuple[str, bytes]], text: str = "",
            when: datetime, msgid: str, to: str = "zgqwxzfb@mail.test", extra_headers: list[str] = ()) -> bytes:
    boundary, alt = "----=_Part_123456_1427394530.1761000000000", "----=_Part_123457_99876.1761000000001"
    body = text or "附件是本单位稿件，请审阅。"
    html = "<div style=\"line-height:1.7;color:#000000;font-size:14px;font-family:Arial\">" + "".join(
        f"<div>{line}</div>" for line in body.split("\n")) + "</div>"
    out = [
        _headers([
            "Received: from ww-mail.163.com (unknown [10.1.2.3]) by ajax-webmail-wmsvr1 (Coremail) ;",
            f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0800 (CST)')}",
            f"From: {_words(name, 'gbk')} <{sender}>",
            f"To: {to}",
            f"Message-ID: {msgid}",
            f"Subject: {_words(subject, 'gbk')}",
            "MIME-Version: 1.0",
            *(extra_headers or []),
            f"Content-Type: multipart/mixed; \r\n\tboundary=\"{boundary}\"",
            "X-Originating-IP: [223.84.1.2]",
            "X-Priority: 3",
            "X-Mailer: Coremail Webmail Server Version XT5.0.14 build 20230109(dcb5de15)",
            "X-NTES-SC: AL_Qu2YBfifuEsj5CWabOkZnk4QheY5W8K3v/gn2oRQN5FwjDPp+QYEWEAjnG7X6s0S",
        ]),
        b"\r\n",
        f"--{boundary}\r\nContent-Type: multipart/alternative; \r\n\tboundary=\"{alt}\"\r\n\r\n".encode(),
        f"--{alt}\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode(),
        _b64_lines(body.replace("\n", "\r\n").encode("gbk")) + b"\r\n",
        f"--{alt}\r\nContent-Type: text/html; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode(),
        _b64_lines(html.encode("gbk")) + b"\r\n",
        f"--{alt}--\r\n".encode(),
    ]
    for filename, data in attachments:
        words = _words(filename, "gb18030")
        ctype = DOCX_TYPE if filename.endswith(".docx") else "application/octet-stream"
        out += [
            f"\r\n--{boundary}\r\n".encode(),
            _headers([
                f"Content-Type: {ctype}; name=\"{words}\"",
                "Content-Transfer-Encoding: base64",
                f"Content-Disposition: attachment; filename=\"{words}\"",
            ]),
            b"\r\n",
            _b64_lines(data) + b"\r\n",
        ]
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def old_client(*, sender: str, subject: str, attachments: list[tuple[str, bytes]], when: datetime,
               msgid: str, to: str = "zgqwxzfb@mail.test") -> bytes:
    """Foxmail 6-style: Subject and file names as raw GBK bytes, nothing encoded."""
    boundary = "=====003_Dragon237618836458_====="
    out = [
        f"From: <{sender}>\r\nTo: {to}\r\n".encode("ascii"),
        b"Subject: " + subject.encode("gbk") + b"\r\n",
        f"Date: {_date(when)}\r\nMessage-ID: {msgid}\r\nX-mailer: Foxmail 6, 15, 201, 26 [cn]\r\n"
        f"Mime-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"{boundary}\"\r\n\r\n"
        "This is a multi-part message in MIME format.\r\n\r\n".encode("ascii"),
        f"--{boundary}\r\nContent-Type: text/plain;\r\n\tcharset=\"GB2312\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        .encode("ascii"),
        "稿件见附件。\r\n\r\n".encode("gbk"),
    ]
    for filename, data in attachments:
        raw = filename.encode("gbk")
        out += [
            f"--{boundary}\r\nContent-Type: application/octet-stream;\r\n\tname=\"".encode("ascii") + raw + b"\"\r\n",
            b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n\tfilename=\"" + raw + b"\"\r\n\r\n",
            _b64_lines(data) + b"\r\n\r\n",
        ]
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out)


def forward(*, sender: str, name: str, inner: bytes, subject: str, when: datetime, msgid: str,
            to: str = "zgqwxzfb@mail.test") -> bytes:
    """Forwarded as an attachment (message/rfc822), Thunderbird's "Forward As Attachment"."""
    boundary = "------------0PNa7Ff1KnXFdl8G3d0Ua2Nn"
    return b"".join([
        _headers([
            f"Message-ID: {msgid}",
            f"Date: {_date(when)}",
            "MIME-Version: 1.0",
            "User-Agent: Mozilla Thunderbird",
            f"From: {_words(name, 'utf-8')} <{sender}>",
            f"To: {to}",
            f"Subject: {_words(subject, 'utf-8')}",
            f"Content-Type: multipart/mixed; boundary=\"{boundary}\"",
        ]),
        b"\r\nThis is a multi-part message in MIME format.\r\n",
        f"--{boundary}\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n".encode(),
        "转发领导审定后的稿件，请编入本月简报。\r\n\r\n".encode("utf-8"),
        f"--{boundary}\r\nContent-Type: message/rfc822; name=\"fwd.eml\"\r\n"
        "Content-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n".encode(),
        inner,
        f"\r\n--{boundary}--\r\n".encode(),
    ])


def plain_text(*, sender: str, name: str, subject: str, text: str, when: datetime, msgid: str,
               to: str = "zgqwxzfb@mail.test", extra_headers: list[str] = ()) -> bytes:
    """A text-only message (QQ mail / phone clients), UTF-8 base64."""
    return b"".join([
        _headers([
            f"From: {_words(name, 'utf-8')} <{sender}>",
            f"To: {to}",
            f"Subject: {_words(subject, 'utf-8')}",
            f"Date: {_date(when)}",
            f"Message-ID: {msgid}",
            *(extra_headers or []),
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=\"utf-8\"",
            "Content-Transfer-Encoding: base64",
        ]),
        b"\r\n",
        _b64_lines(text.replace("\n", "\r\n").encode("utf-8")) + b"\r\n",
    ])


def auto_reply(*, sender: str, subject: str, when: datetime, msgid: str, to: str = "zgqwxzfb@mail.test") -> bytes:
    text = ("您好，我已收到您的来信。本人休假中，将于下周一返回，期间如有急事请联系办公室。" * 3)
    return plain_text(sender=sender, name="自动回复", subject=f"自动回复：{subject}", text=text, when=when, msgid=msgid,
                      to=to, extra_headers=["Auto-Submitted: auto-replied", "X-Autoreply: yes",
                                            "Precedence: auto_reply"])


def bounce(*, returned: bytes, when: datetime, msgid: str, to: str = "zgqwxzfb@mail.test") -> bytes:
    boundary = "B6A2D1C0.1761000000/mx.mail.test"
    return b"".join([
        _headers([
            "From: MAILER-DAEMON@mx.mail.test (Mail Delivery System)",
            "Subject: Undelivered Mail Returned to Sender",
            f"To: {to}",
            "Auto-Submitted: auto-replied",
            f"Date: {_date(when)}",
            f"Message-ID: {msgid}",
            "MIME-Version: 1.0",
            f"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"",
        ]),
        f"\r\n--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nI'm sorry to have to inform you "
        f"that your message could not be delivered.\r\n\r\n--{boundary}\r\nContent-Type: message/delivery-status"
        f"\r\n\r\nReporting-MTA: dns; mx.mail.test\r\n\r\nFinal-Recipient: rfc822; nobody@x.test\r\nAction: failed"
        f"\r\nStatus: 5.1.1\r\n\r\n--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n".encode(),
        returned,
        f"\r\n--{boundary}--\r\n".encode(),
    ])


def zip_of(files: list[tuple[str, bytes]], *, gbk_names: bool = True) -> bytes:
    """A .zip as Windows' "send to compressed folder" writes it: GBK names without the UTF-8 flag."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, (2026, 10, 12, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = out.getvalue()
    if not gbk_names:
        return data
    # zipfile writes non-ASCII names as UTF-8 with flag 0x800; rewrite them as GBK without the flag.
    return _regbk(data, [name for name, _ in files])


def _regbk(data: bytes, names: list[str]) -> bytes:
    """Rebuild the archive byte for byte with GBK names and no UTF-8 flag (what Windows Explorer writes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    entries = []
    for info in src.infolist():
        raw = info.filename.encode("gbk")
        compressed = data[info.header_offset:]
        # local header: 30 bytes fixed + name + extra
        name_len = int.from_bytes(compressed[26:28], "little")
        extra_len = int.from_bytes(compressed[28:30], "little")
        body = compressed[30 + name_len + extra_len: 30 + name_len + extra_len + info.compress_size]
        flags = info.flag_bits & ~0x800
        offset = out.tell()
        header = bytearray(compressed[:30])
        header[6:8] = flags.to_bytes(2, "little")
        header[26:28] = len(raw).to_bytes(2, "little")
        header[28:30] = (0).to_bytes(2, "little")
        out.write(bytes(header) + raw + body)
        entries.append((info, raw, flags, offset))
    central_start = out.tell()
    for info, raw, flags, offset in entries:
        dos_time = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
        dos_date = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
        central = b"".join([
            b"PK\x01\x02", (20).to_bytes(2, "little"), (20).to_bytes(2, "little"), flags.to_bytes(2, "little"),
            info.compress_type.to_bytes(2, "little"), dos_time.to_bytes(2, "little"), dos_date.to_bytes(2, "little"),
            info.CRC.to_bytes(4, "little"), info.compress_size.to_bytes(4, "little"),
            info.file_size.to_bytes(4, "little"), len(raw).to_bytes(2, "little"), b"\0\0", b"\0\0", b"\0\0",
            b"\0\0", b"\0\0\0\0", offset.to_bytes(4, "little"), raw,
        ])
        out.write(central)
    central_size = out.tell() - central_start
    out.write(b"".join([
        b"PK\x05\x06", b"\0\0", b"\0\0", len(entries).to_bytes(2, "little"), len(entries).to_bytes(2, "little"),
        central_size.to_bytes(4, "little"), central_start.to_bytes(4, "little"), b"\0\0",
    ]))
    return out.getvalue()


def when(day: int, hour: int = 10, month: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 5, 0, tzinfo=CST)
