"""One mail message (raw bytes from the submission mailbox) -> a Submission: who sent it, its attachments with
their real file names, the text of its body, and whether it was written by a machine (RFC 3834).

Mail from Chinese offices comes from every kind of client, and file names arrive in every form:
- RFC 2231 (`filename*=utf-8''%E5%8C%BA…`, continued over `filename*0*`, `filename*1*`): Outlook, Thunderbird;
- RFC 2047 encoded-words in any charset (`=?GB18030?B?…?=`, `=?gb2312?…`, `=?utf-8?…`): 163/QQ webmail, Foxmail;
- raw GBK (or UTF-8) bytes in the header, no encoding at all: old Outlook Express, Foxmail 6, some OA systems.
Everything is decoded here, with GB2312/GBK labels read as GB18030 (their superset: clients label GBK text
"gb2312" all the time). Nothing in a message is ever executed or rendered: HTML is only stripped to text.

A forwarded message (a message/rfc822 part) is searched like the message itself.

Messages come from anyone, so reading one must never fail or exhaust the fetch (issue 22):
- the structure is bounded before the standard parser sees it (the parser recurses once per nested part: 1,000
  nested multipart/mixed parts in 65 KB end in RecursionError): a cheap scan of the raw bytes counts container
  declarations and part delimiters; after parsing, the exact depth (MAX_NESTING) and part count (MAX_PARTS) are
  checked with an explicit stack, and only then is the message walked;
- `parse_message` never raises: whatever goes wrong gives a Submission whose `unreadable` says why (Chinese),
  which the fetch records, leaves on the server and never answers;
- the From address is parsed from the header as written, before any RFC 2047 decoding: an encoded display name
  (`=?utf-8?Q?rsj=40unit?= <attacker@…>`, or one hiding CR LF Bcc:) never becomes the address; the display name
  is decoded afterwards and cleaned of control characters.
"""

from __future__ import annotations

import email
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from ..core.textio import printable

# Labels clients put on GBK text; GB18030 decodes all of them (and is what 163 webmail says itself).
_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "gb_2312-80": "gb18030", "csgb2312": "gb18030", "x-euc-cn": "gb18030", "ms936": "gb18030",
    "unicode-1-1-utf-7": "utf-7", "utf8": "utf-8", "ascii": "utf-8", "us-ascii": "utf-8",
}
MAX_DEPTH = 5  # forwarded inside forwarded inside …: deeper parts are not searched
MAX_NESTING = 10  # multipart / message parts inside each other: real clients use 3-4 (mixed > alternative > related)
MAX_PARTS = 200  # parts of one message, forwarded ones included (max_attachments is 20 by default)
MAX_CONTAINERS = 50  # multipart/message declarations seen by the raw scan: the parser is safe far beyond that
MAX_SUBJECT_CHARS = 500  # what is kept of a Subject (the receipt and the report cut it shorter)
_CONTAINER = re.compile(rb"^content-type[ \t]*:\s*\"?(?:multipart|message)/", re.IGNORECASE | re.MULTILINE)
_DELIMITER = re.compile(rb"^--[^\s-]", re.MULTILINE)
_ADDR_SPEC = re.compile(r"[^\s@<>()\[\]\\,;:\"]+@[^\s@<>()\[\]\\,;:\"]+")
_ANGLE = re.compile(r"<([^<>]*)>")
# Real content of a body draft: characters that are not white space, after quoting and signatures are gone.
BODY_MIN_CHARS = 100
_PREFIX = re.compile(
    r"^\s*(?:(?:转发|回复|答复|自动回复|fwd?|fw|re|aw|wg|tr)\s*[:：]\s*|\[(?:外部邮件|external)\]\s*|【(?:外部邮件)】\s*)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Attachment:
    """A file part of the message: its decoded name ('' when the client gave none), its bytes, and where in the
    message it was found ('' = the message itself, else the forwarded message's subject)."""

    name: str
    data: bytes
    content_type: str
    forwarded_from: str = ""


@dataclass
class Submission:
    message_id: str  # '' when the message has none
    sender: str  # the From address, lower case: what is matched against the roster (never the display name)
    sender_name: str
    subject: str
    date: datetime | None  # the Date header (the arrival time is the server's INTERNALDATE, see mailbox.py)
    references: str  # References of the message, for the receipt's own References header
    in_reply_to: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    body: str = ""  # plain text of the message, quoting and signatures removed
    body_subject: str = ""  # the subject that belongs to `body` (a forwarded message's own, when taken from it)
    machine: str = ""  # why this is machine-written mail (RFC 3834), '' for a person's message
    system: bool = False  # bounce or auto-reply: nothing is taken from it at all
    problems: list[str] = field(default_factory=list)
    unreadable: str = ""  # why the message could not be read safely (too deep, too many parts, broken): Chinese

    @property
    def title(self) -> str:
        """The subject without 转发/Fwd/回复 prefixes: the title of a body-only draft."""
        return clean_subject(self.body_subject or self.subject)

    @property
    def answers_a_receipt(self) -> bool:
        """A reply to one of our receipts (their Message-IDs start with '<receipt.'): answering it would loop."""
        return "<receipt." in f"{self.in_reply_to} {self.references}"

    @property
    def body_chars(self) -> int:
        return len("".join(self.body.split()))


# -- decoding ------------------------------------------------------------------------------------------------
def charset_name(label: str | None) -> str:
    label = (label or "").strip().strip('"').lower()
    return _CHARSET_ALIASES.get(label, label or "utf-8")


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Text in its declared charset; undeclared or wrong: UTF-8, then GB18030; never fails."""
    tried = []
    for charset in (charset_name(label) if label else None, "utf-8", "gb18030"):
        if charset and charset not in tried:
            tried.append(charset)
            try:
                return data.decode(charset)
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode("gb18030", errors="replace")


def _unescape_raw(value: str) -> str:
    """Header bytes that were not ASCII reach us surrogate-escaped (the parser's way of keeping them):
    raw GBK or UTF-8 from an old client. Give them back as text."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("ascii", "surrogateescape"))


def decode_words(value: str) -> str:
    """RFC 2047 encoded-words (any charset) and raw bytes -> text; plain text stays as it is."""
    value = _unescape_raw(value)
    if "=?" not in value:
        return value
    try:
        pieces = decode_header(value)
    except Exception:  # noqa: BLE001 - a malformed encoded-word is left as written
        return value
    out = []
    for chunk, charset in pieces:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return "".join(out)


def header_text(msg: Message, name: str) -> str:
    """A header as text (first occurrence), folding removed, encoded-words and raw bytes decoded."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            text = decode_words(re.sub(r"\r?\n[ \t]", " ", str(value)))
            return " ".join(text.split())
    return ""


def _raw_header(msg: Message, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return _unescape_raw(str(value))
    return None


def _param(msg: Message, header: str, key: str) -> str | None:
    """A parameter of a header, RFC 2231 (with continuations and its charset) or plain/2047."""
    raw = _raw_header(msg, header)
    if raw is None:
        return None
    scratch = Message()
    scratch[header] = raw  # compat32: parameters parsed from the text as written, raw bytes already decoded
    value = scratch.get_param(key, header=header)
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, percent-decoded bytes as latin-1)
        charset, _language, text = value
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:  # already text (no percent-encoding was used)
            return text
        return decode_bytes(data, charset or None)
    return decode_words(email.utils.unquote(value))


def attachment_name(part: Message) -> str:
    """The file name a client gave a part: Content-Disposition filename, else Content-Type name."""
    for header, key in (("content-disposition", "filename"), ("content-type", "name")):
        name = _param(part, header, key)
        if name and name.strip():
            return name.strip()
    return ""


def address_of(value: str) -> tuple[str, str]:
    """(display name, address lower case) of a From-like header AS WRITTEN (encoded-words not decoded: decoding
    first lets `=?utf-8?Q?rsj=40unit?= <attacker@x>` read as rsj@unit). The address is the one in angle brackets
    when there is exactly one, else the first; it must be a plain addr-spec (no spaces, controls, brackets) or it
    is ''. The display name is decoded afterwards and is only ever a name."""
    value = re.sub(r"\r?\n[ \t]", " ", value or "")
    pairs = getaddresses([value]) if value else []
    angled = _ANGLE.findall(value)
    chosen = ""
    if len(angled) == 1 and "@" in angled[0]:
        chosen = angled[0]
    else:
        chosen = next((addr for _name, addr in pairs if "@" in addr), "")
    chosen = chosen.strip().lower()
    if not _ADDR_SPEC.fullmatch(chosen) or printable(chosen) != chosen:
        chosen = ""
    name = next((n for n, addr in pairs if addr.strip().lower() == chosen and n), "") if chosen else ""
    if not name and pairs and not chosen:
        name = pairs[0][0]
    return _display_name(name), chosen


def _display_name(raw: str) -> str:
    """A display name decoded (RFC 2047, raw bytes) and made harmless: no control characters (a CR LF in it must
    never reach a header), white space folded, at most 100 characters."""
    text = printable(decode_words(raw.strip())).replace("\n", " ").replace("\t", " ")
    return " ".join(text.split())[:100]


def clean_subject(subject: str) -> str:
    text = " ".join((subject or "").split())
    while True:
        stripped = _PREFIX.sub("", text)
        if stripped == text:
            return text.strip()
        text = stripped


# -- machine-written mail (RFC 3834) --------------------------------------------------------------------------
_SYSTEM_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
_NOREPLY = re.compile(r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|bounce[s]?)([-+_.].*)?$")


def machine_reason(msg: Message, sender: str, own_addresses: set[str]) -> tuple[str, bool]:
    """(reason, system): why no receipt may be sent to this message ('' = a person wrote it), and whether it is
    a bounce or an auto-reply, from which nothing is taken (a bounce of a mailed bulletin carries the .docx)."""
    auto = header_text(msg, "Auto-Submitted").lower()
    content_type = msg.get_content_type()
    local = sender.partition("@")[0]
    if content_type == "multipart/report" or local in _SYSTEM_SENDERS or not sender:
        return "退信或系统通知", True
    if sender in own_addresses:
        return "本邮箱或本办公室自己发出的邮件", True
    if auto.startswith("auto-replied") or any(
        header_text(msg, name) for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Reply")
    ):
        return "自动回复", True
    if auto and not auto.startswith("no"):
        return f"自动发出的邮件（Auto-Submitted: {auto.split(';')[0]}）", False
    precedence = header_text(msg, "Precedence").lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"群发或自动邮件（Precedence: {precedence}）", precedence == "auto_reply"
    if header_text(msg, "List-Id") or header_text(msg, "List-Unsubscribe"):
        return "邮件列表", False
    if _NOREPLY.match(local):
        return "不接收回复的系统地址", False
    return "", False


# -- bodies ---------------------------------------------------------------------------------------------------
class _TextOfHtml(HTMLParser):
    """HTML -> plain text: block elements become line breaks; scripts, styles and quoted replies are dropped."""

    _BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article"}
    _SKIP = {"script", "style", "head", "title", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _TextOfHtml()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001 - broken markup: keep what was read
        pass
    text = "".join(parser.parts).replace("\xa0", " ")
    return html.unescape(text) if "&" in text else text


_QUOTE_START = re.compile(
    r"^\s*(?:[-—–_=]{2,}\s*(?:原始邮件|原邮件|original message|转发邮件|转发的邮件|forwarded message|邮件原文)\s*[-—–_=]*"
    r"|_{8,}|-{8,}"
    r"|(?:在|于).{0,80}(?:写道|wrote)\s*[：:]"
    r"|on .{0,120}wrote\s*:"
    r"|(?:发件人|from)\s*[：:].*)\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(?:--\s*|—{2,}\s*)$")
_SENT_FROM = re.compile(r"^\s*(?:发自|来自|sent from|get outlook for)\s*(?:我的)?\s*\S{0,24}\s*$", re.IGNORECASE)
_FORWARD_HEADER = re.compile(
    r"^\s*(?:发件人|发送时间|时间|日期|收件人|抄送|主题|from|sent|date|to|cc|subject)\s*[：:]", re.IGNORECASE
)


def clean_body(text: str, forwarded: bool = False) -> str:
    """The text a person wrote: quoted replies ('>' lines, '-----原始邮件-----', 'XX 写道：' and what follows),
    signatures ('-- ', 发自我的iPhone) removed. For a forward whose own note is short, the forwarded text is
    kept instead (without its 发件人/主题 header lines): that is the submission."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    own: list[str] = []
    rest: list[str] = []
    for index, line in enumerate(lines):
        if _QUOTE_START.match(line) or _SIGNATURE.match(line):
            rest = lines[index + 1:] if not _SIGNATURE.match(line) else []
            break
        own.append(line)
    own = [line for line in own if not line.lstrip().startswith(">") and not _SENT_FROM.match(line)]
    kept = "\n".join(own).strip()
    if forwarded and len("".join(kept.split())) < BODY_MIN_CHARS and rest:
        body = [line for line in rest if not _FORWARD_HEADER.match(line)]
        return clean_body("\n".join(body), forwarded=False)
    return kept


def _part_text(part: Message) -> str:
    data = part.get_payload(decode=True) or b""
    text = decode_bytes(data, part.get_content_charset())
    if part.get_content_type() == "text/html":
        return html_text(text)
    if (part.get_param("format") or "").lower() == "flowed":
        text = re.sub(r" \r?\n(?!\r?\n)", " ", text)  # soft line breaks (RFC 3676)
    return text


# -- the message -------------------------------------------------------------------------------------------
def _is_attachment(part: Message) -> bool:
    disposition = (_raw_header(part, "Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() in ("text", "multipart", "message"):
        return False
    # Inline pictures of an HTML body (logos, signatures) carry a Content-ID and no name: not submissions.
    return bool(attachment_name(part)) or part.get_content_maintype() == "application"


def _walk(msg: Message, submission: Submission, forwarded_from: str, depth: int, texts: list, forwards: list):
    """Collect file parts and the first text body of `msg` (texts); forwarded messages are searched too."""
    content_type = msg.get_content_type()
    if content_type == "message/rfc822":  # before is_multipart(): compat32 keeps the inner message in a list
        inner = msg.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(inner, Message):
            if depth >= MAX_DEPTH:
                submission.problems.append("转发层次过多，更深层的转发邮件未读取")
                return
            subject = header_text(inner, "Subject") or "（无主题）"
            inner_texts: list[str] = []
            _walk(inner, submission, subject, depth + 1, inner_texts, forwards)
            forwards.append((subject, "\n".join(inner_texts)))
        return
    if msg.is_multipart():
        parts = msg.get_payload()
        if msg.get_content_subtype() == "alternative":
            # One body in several forms: plain text is taken when there is one.
            chosen = next((p for p in parts if p.get_content_type() == "text/plain"), None) or next(
                (p for p in parts if p.get_content_type() == "text/html"), None
            )
            for part in parts:
                if part is chosen:
                    texts.append(_part_text(part))
                elif part.is_multipart():  # multipart/related inside alternative: HTML with its pictures
                    _walk(part, submission, forwarded_from, depth, texts, forwards)
            return
        if msg.get_content_subtype() == "report":  # a bounce: its returned message is not a submission
            return
        for part in parts:
            _walk(part, submission, forwarded_from, depth, texts, forwards)
        return
    if _is_attachment(msg):
        data = msg.get_payload(decode=True) or b""
        submission.attachments.append(Attachment(attachment_name(msg), data, content_type, forwarded_from))
        return
    if content_type in ("text/plain", "text/html") and not texts:
        texts.append(_part_text(msg))


def structure_problem(raw: bytes) -> str:
    """Why the raw message must not be handed to the parser ('' when it may): counted on the bytes, no parsing.
    Both counts are upper bounds of what the parser would build (every nested level declares a container type;
    every part starts with a delimiter line)."""
    containers = len(_CONTAINER.findall(raw))
    if containers > MAX_CONTAINERS:
        return f"邮件结构嵌套过深（含 {containers} 层/个多部分结构，上限 {MAX_NESTING} 层），无法安全读取，未处理"
    delimiters = len(_DELIMITER.findall(raw))
    if delimiters > MAX_PARTS * 2:
        return f"邮件分段过多（约 {delimiters} 段，上限 {MAX_PARTS} 段），未处理"
    return ""


def shape_problem(msg: Message) -> str:
    """The exact depth and part count of a parsed message, with an explicit stack (no recursion)."""
    stack = [(msg, 1)]
    parts = deepest = 0
    while stack:
        part, depth = stack.pop()
        parts += 1
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            return f"邮件结构嵌套过深（超过 {MAX_NESTING} 层），无法安全读取，未处理"
        if parts > MAX_PARTS:
            return f"邮件分段过多（超过 {MAX_PARTS} 段），未处理"
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
    return ""


def parse_message(raw: bytes, own_addresses: set[str] = frozenset()) -> Submission:
    """Parse one message; `own_addresses` (the mailbox, the office's sender) are never answered. Never raises:
    a message that cannot be read safely comes back with `unreadable` set (its header read when possible)."""
    problem = ""
    try:
        problem = structure_problem(raw)
        if problem:
            msg = BytesHeaderParser(policy=compat32).parsebytes(raw)  # the header only: no nesting
            return _unreadable(_head(msg, own_addresses), problem)
        msg = email.message_from_bytes(raw, policy=compat32)
        problem = shape_problem(msg)
        submission = _head(msg, own_addresses)
        if problem:
            return _unreadable(submission, problem)
        _body(msg, submission)
        return submission
    except Exception as exc:  # noqa: BLE001 - any failure is this message's alone (RecursionError included)
        reason = problem or f"邮件格式错误，无法解析（{type(exc).__name__}），未处理"
        try:
            head = _head(BytesHeaderParser(policy=compat32).parsebytes(raw), own_addresses)
        except Exception:  # noqa: BLE001
            head = Submission("", "", "", "", None, "")
        return _unreadable(head, reason)


def _unreadable(submission: Submission, reason: str) -> Submission:
    submission.unreadable = reason
    submission.attachments, submission.body = [], ""
    return submission


def _head(msg: Message, own_addresses) -> Submission:
    raw_from = _raw_header(msg, "From") or ""
    sender_name, sender = address_of(raw_from)
    subject = printable(header_text(msg, "Subject"))[:MAX_SUBJECT_CHARS]
    try:
        date = parsedate_to_datetime(header_text(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        date = None
    submission = Submission(
        message_id=header_text(msg, "Message-ID").strip(),
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        date=date,
        references=header_text(msg, "References"),
        in_reply_to=header_text(msg, "In-Reply-To"),
    )
    submission.machine, submission.system = machine_reason(msg, sender, {a.lower() for a in own_addresses})
    return submission


def _body(msg: Message, submission: Submission) -> None:
    subject = submission.subject
    texts: list[str] = []
    forwards: list[tuple[str, str]] = []
    _walk(msg, submission, "", 0, texts, forwards)
    forwarded = bool(forwards) or bool(re.match(r"^\s*(?:转发|fwd?|fw)\s*[:：]", subject, re.IGNORECASE))
    submission.body = clean_body("\n".join(texts), forwarded=forwarded)
    if submission.body_chars < BODY_MIN_CHARS:
        for forward_subject, forward_text in forwards:  # forwarded as an attachment: its text is the draft
            text = clean_body(forward_text)
            if len("".join(text.split())) >= BODY_MIN_CHARS:
                submission.body, submission.body_subject = text, forward_subject
                break
