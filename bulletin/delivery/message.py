"""The MIME message: ASCII-only headers, the .docx attached byte for byte with its Chinese name in both
RFC 2231 and RFC 2047 forms, and a Message-ID that is the same when a batch is sent again."""

from __future__ import annotations

import base64
import hashlib
import re
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate
from urllib.parse import quote

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
# compat32 keeps the attachment headers exactly as written; CRLF is what SMTP and .eml files use.
_POLICY = compat32.clone(linesep="\r\n")


def encoded_words(text: str, limit: int = 75) -> str:
    """RFC 2047 base64 encoded-words, each at most `limit` chars, split between characters."""
    words, chunk = [], ""
    for char in text:
        trial = chunk + char
        if chunk and 12 + len(base64.b64encode(trial.encode("utf-8"))) > limit:
            words.append(chunk)
            trial = char
        chunk = trial
    if chunk or not words:
        words.append(chunk)
    return " ".join(f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words)


class _Folded:
    """A header value written exactly as folded here. compat32 would otherwise fold the long .docx MIME type
    onto a line of its own after an empty first line, which some old clients misread."""

    def __init__(self, *lines: str):
        self.lines = lines

    def encode(self, linesep: str = "\n", **_ignored) -> str:
        return (linesep + " ").join(self.lines)

    def __str__(self) -> str:  # what Message.get_param() and friends parse
        return " ".join(self.lines)


def attachment_part(data: bytes, filename: str) -> MIMEBase:
    """The .docx, byte for byte (base64), named in both RFC 2231 and RFC 2047 forms.

    RFC 2231 (`filename*=utf-8''…`) is what the standard and Thunderbird/modern clients read; older Outlook,
    Lotus Notes and some Chinese webmail only read the RFC 2047 encoded-word in `name=`/`filename=` and would
    otherwise show `ATT00001.bin`.
    """
    part = MIMEBase(*DOCX_TYPE)
    part.set_payload(data)
    encoders.encode_base64(part)
    legacy = encoded_words(filename)
    del part["Content-Type"]
    part["Content-Type"] = _Folded(f"{'/'.join(DOCX_TYPE)};", f'name="{legacy}"')
    part["Content-Disposition"] = _Folded(
        "attachment;", f'filename="{legacy}";', f"filename*=utf-8''{quote(filename, safe='')}"
    )
    return part


def message_id(month: str, purpose: str, sha256: str, emails: list[str], domain: str) -> str:
    """Deterministic per (month, purpose, file, batch): a batch retried after a crash carries the same
    Message-ID, so mail systems that de-duplicate by Message-ID drop the second copy."""
    key = "\n".join([month, purpose, sha256, *sorted(emails)])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    tag = re.sub(r"[^A-Za-z0-9.-]", "-", purpose)
    return f"<bulletin.{month}.{tag}.{digest}@{domain}>"


def build_message(
    *,
    sender: str,
    sender_name: str,
    to: tuple[str, str],
    subject: str,
    body: str,
    attachment: bytes,
    filename: str,
    msgid: str,
    unsent: bool = False,
    more: tuple[tuple[bytes, str], ...] = (),
) -> bytes:
    """An ASCII-only MIME message (every non-ASCII text encoded): safe for any SMTP server."""
    msg = MIMEMultipart("mixed")
    msg["From"] = formataddr((sender_name, sender), charset="utf-8")
    msg["To"] = address_header(*to)
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = msgid
    if unsent:
        msg["X-Unsent"] = "1"  # Outlook opens the .eml as a draft with a Send button
    msg.attach(MIMEText(body, "plain", "utf-8"))
    if filename:  # a notice or reminder (delivery/reminders.py) is text only
        msg.attach(attachment_part(attachment, filename))
    for data, name in more:  # the PDF edition next to the Word file
        msg.attach(attachment_part(data, name))
    return msg.as_bytes(policy=_POLICY)


def normalise_domain(address: str) -> str:
    return address.rpartition("@")[2].lower() or "localhost"


def address_header(name: str, email: str) -> str:
    return formataddr((name, email), charset="utf-8") if name else email
