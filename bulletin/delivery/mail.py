"""Mail messages and the two ways of sending them.

- `SmtpTransport`: yagmail's SMTP client, ONE connection (one login) for all batches of a run; each batch is one
  SMTP transaction with many RCPT TO (recipients only in the envelope, never in a header).
- `OutboxTransport`: no [smtp] configured: one .eml per recipient in outputs/<month>/outbox/ (Outlook opens
  them as ready-to-send drafts thanks to X-Unsent).

The SMTP password comes only from $BULLETIN_SMTP_PASSWORD and is scrubbed from every text this module lets
out (exceptions, refusal reasons): smtplib echoes server replies, and a server may echo the AUTH line.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import smtplib
import socket
import ssl
from datetime import datetime
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from ..core.atomic import write_atomic
from ..core.config import Settings, SmtpSettings
from ..core.errors import BulletinError, ConfigError

log = logging.getLogger("bulletin.mail")

PASSWORD_ENV = "BULLETIN_SMTP_PASSWORD"
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
# compat32 keeps the attachment headers exactly as written; CRLF is what SMTP and .eml files use.
_POLICY = compat32.clone(linesep="\r\n")


class MailError(BulletinError):
    """A send problem; str() is Chinese and never contains the password.

    transient: worth retrying later (4xx, network); connection_lost: the session is gone, stop this run.
    """

    def __init__(self, message: str, *, transient: bool = False, connection_lost: bool = False):
        super().__init__(message)
        self.transient = transient
        self.connection_lost = connection_lost


# -- texts ------------------------------------------------------------------------------------------------
def date_text(iso_or_dt: str | datetime) -> str:
    """'2026-10-28T10:00:00+08:00' -> '2026年10月28日' (no leading zeros, as printed on bulletins)."""
    moment = datetime.fromisoformat(iso_or_dt) if isinstance(iso_or_dt, str) else iso_or_dt
    return f"{moment.year}年{moment.month}月{moment.day}日"


def bulletin_subject(settings: Settings, number: int, date_text: str) -> str:
    """The one place the subject is built, e.g. 章贡区“五型”政府建设工作简报 第64期（2022年4月13日）."""
    return f"{settings.bulletin.short_title} 第{number}期（{date_text}）"


def bulletin_body(settings: Settings, number: int, date_text: str, filename: str) -> str:
    b = settings.bulletin
    return (
        "各位领导、各有关单位：\n\n"
        f"现将《{b.short_title}》第{number}期（{date_text}）发送给你们，请查收附件“{filename}”。\n\n"
        f"如有疑问，请联系{b.office}（电话：{b.phone}，邮箱：{b.email}）。\n\n"
        f"{b.office}\n"
    )


def review_subject(settings: Settings, number: int, date_text: str) -> str:
    return f"【送审】{bulletin_subject(settings, number, date_text)}"


def review_body(settings: Settings, month: str, number: int, filename: str, sha256: str) -> str:
    return (
        "您好：\n\n"
        f"附件是{month}《{settings.bulletin.short_title}》第{number}期（送审稿）“{filename}”，请审核。\n\n"
        f"审核通过后，请在工作目录执行：bulletin approve --month {month} --by 您的姓名\n"
        f"需要修改时，可直接用 Word 修改 outputs/{month}/{filename}，保存后再审核通过；"
        "发出的将是审核通过时的文件。\n\n"
        f"文件校验码（SHA-256 前12位）：{sha256[:12]}\n\n"
        f"{settings.bulletin.office}\n"
    )


# -- message ----------------------------------------------------------------------------------------------
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
    msg.attach(attachment_part(attachment, filename))
    return msg.as_bytes(policy=_POLICY)


def normalise_domain(address: str) -> str:
    return address.rpartition("@")[2].lower() or "localhost"


def address_header(name: str, email: str) -> str:
    return formataddr((name, email), charset="utf-8") if name else email


# -- secrets and errors -------------------------------------------------------------------------------------
def smtp_password(smtp: SmtpSettings) -> str:
    """The password from the environment; required only when smtp.user is set (no user = no login)."""
    password = os.environ.get(PASSWORD_ENV)
    if smtp.user and not password:
        raise ConfigError(
            f"bulletin.toml 配置了 smtp.user = {smtp.user}，但没有设置环境变量 {PASSWORD_ENV}（邮箱密码或授权码）。"
        )
    if smtp.user and not password.isascii():
        # smtplib encodes AUTH as ASCII; typically a full-width character typed with a Chinese input method.
        raise ConfigError(
            f"环境变量 {PASSWORD_ENV} 中含有中文或全角字符：邮件服务器登录只支持英文字母、数字和半角符号，请检查后重新设置。"
        )
    return password or ""


def secret_forms(password: str, user: str = "") -> list[str]:
    """The ways a password can show up in SMTP text: plain, base64 (AUTH LOGIN, AUTH PLAIN), bytes repr."""
    if not password:
        return []
    raw = password.encode("utf-8")
    forms = {
        password,
        repr(raw)[2:-1],
        base64.b64encode(raw).decode("ascii"),
        base64.b64encode(f"\0{user}\0{password}".encode("utf-8")).decode("ascii"),
        base64.b64encode(f"{user}\0{user}\0{password}".encode("utf-8")).decode("ascii"),
    }
    return sorted(forms, key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "******")
    return text


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def describe(exc: BaseException) -> str:
    """A short reason (server reply or error) for reports; callers scrub it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "；".join(f"{rcpt}: {_reply_text(*reply)}" for rcpt, reply in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"服务器断开了连接（{exc}）" if str(exc) else "服务器断开了连接"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "连接超时"
    return f"{type(exc).__name__}: {exc}"


def is_transient(exc: BaseException) -> bool:
    """Worth retrying later unchanged: 4xx replies, dropped connections, network trouble.

    5xx replies, bad credentials, certificate and configuration problems are permanent.
    """
    if isinstance(exc, MailError):
        return exc.transient
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, (ssl.SSLCertVerificationError, smtplib.SMTPNotSupportedError)):
        return False
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, (ConnectionError, TimeoutError, socket.timeout, socket.gaierror, OSError))


# -- transports ---------------------------------------------------------------------------------------------
class Transport(Protocol):
    kind: str  # "smtp" | "outbox"
    personal: bool  # one message per recipient with To: that recipient
    batch_size: int
    where: str

    def open(self) -> None: ...
    def send(self, message: bytes, recipients: list[str]) -> dict[str, str]: ...
    def close(self) -> None: ...


class SmtpTransport:
    """yagmail's client used for connection and login only; messages go through its smtplib session so one
    login serves every batch (yagmail.send() would reconnect per call and never QUIT the old session)."""

    kind = "smtp"
    personal = False  # one message per batch, recipients in the envelope only

    def __init__(self, smtp: SmtpSettings, password: str, ssl_context: ssl.SSLContext | None = None):
        self.smtp = smtp
        self.batch_size = smtp.batch_size
        self._password = password
        self._secrets = secret_forms(password, smtp.user or "")
        self._ssl_context = ssl_context
        self._yag = None

    def __repr__(self) -> str:  # never show the password, even in a debugger or a rich traceback
        return f"SmtpTransport({self.smtp.host}:{self.smtp.port}, user={self.smtp.user!r})"

    @property
    def where(self) -> str:
        return f"{self.smtp.host}:{self.smtp.port}"

    def scrub(self, text: str) -> str:
        return scrub(text, self._secrets)

    def open(self) -> None:
        import yagmail  # imported here: building messages and outboxes never needs it

        s = self.smtp
        context = self._ssl_context or ssl.create_default_context()
        extra: dict = {"timeout": s.timeout}
        if s.ssl:
            extra["context"] = context
        # Always a str password: None would make yagmail ask keyring or prompt on stdin.
        # user as {login: login}: a plain string without "@" would get "@gmail.com" appended by yagmail.
        login = s.user or s.sender
        self._yag = yagmail.SMTP(
            user={login: login},
            password=self._password,
            host=s.host,
            port=s.port,
            smtp_ssl=s.ssl,
            smtp_starttls={"context": context} if s.starttls else False,
            smtp_skip_login=not s.user,
            soft_email_validation=False,
            smtp_set_debuglevel=0,  # debug output would print the AUTH line
            **extra,
        )
        self._yag.set_logging(None)
        try:
            self._yag.login()
        except BaseException as exc:  # noqa: BLE001 - re-raised as MailError without the original
            self._drop()
            raise self._login_error(exc) from None
        log.info("connected to %s (ssl=%s, starttls=%s, login=%s)", self.where, s.ssl, s.starttls, bool(s.user))

    def _login_error(self, exc: BaseException) -> BaseException:
        if not isinstance(exc, Exception):
            return exc
        reason = self.scrub(describe(exc)).rstrip("。.")
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return MailError(
                f"邮件服务器 {self.where} 拒绝登录（用户 {self.smtp.user}）：{reason}。"
                f"请检查 smtp.user 和环境变量 {PASSWORD_ENV}（很多邮箱要求使用“授权码”）。",
                transient=is_transient(exc),  # 454 is a temporary failure, 535 is not
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return MailError(f"邮件服务器 {self.where} 的证书校验失败：{reason}。")
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return MailError(f"邮件服务器 {self.where} 不支持所需功能（STARTTLS 或登录）：{reason}。请检查 [smtp] 的 ssl/starttls/user。")
        return MailError(f"无法连接邮件服务器 {self.where}：{reason}。", transient=is_transient(exc))

    def send(self, message: bytes, recipients: list[str]) -> dict[str, str]:
        """One SMTP transaction; returns {email: reply} of refused recipients.

        Raises MailError when the whole batch failed (connection_lost set if the session is gone).
        """
        assert self._yag is not None, "open() first"
        try:
            refused = self._yag.smtp.sendmail(self.smtp.sender, recipients, message)
        except smtplib.SMTPRecipientsRefused as exc:
            # Normally every recipient refused (session still fine). smtplib also raises it on a 421 part way
            # through RCPT, listing only the recipients tried so far: then nothing was sent.
            refused = exc.recipients
            if set(refused) != set(recipients) or any(code == 421 for code, _ in refused.values()):
                self._drop()
                raise MailError(self.scrub(describe(exc)), transient=True, connection_lost=True) from None
        except smtplib.SMTPResponseException as exc:
            lost = exc.smtp_code == 421  # "service closing transmission channel"
            if lost:
                self._drop()
            raise MailError(self.scrub(describe(exc)), transient=is_transient(exc), connection_lost=lost) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise MailError(self.scrub(describe(exc)), transient=is_transient(exc), connection_lost=True) from None
        return {rcpt: self.scrub(_reply_text(*reply)) for rcpt, reply in refused.items()}

    def _drop(self) -> None:
        try:
            if self._yag is not None and self._yag.smtp is not None:
                self._yag.smtp.close()
        except OSError:
            pass
        if self._yag is not None:
            self._yag.is_closed = True

    def close(self) -> None:
        if self._yag is not None and not self._yag.is_closed:
            self._yag.close()  # QUIT
        self._yag = None


class OutboxTransport:
    """Writes one .eml per recipient (To: that recipient), atomically; a rewrite of the same recipient
    replaces its file, so a retried run never leaves two copies."""

    kind = "outbox"
    personal = True
    batch_size = 1

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.written: list[Path] = []

    @property
    def where(self) -> str:
        return str(self.folder)

    def scrub(self, text: str) -> str:
        return text

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def path_for(self, email: str) -> Path:
        return self.folder / (re.sub(r'[\\/:*?"<>|\s]', "_", email) + ".eml")

    def send(self, message: bytes, recipients: list[str]) -> dict[str, str]:
        for email in recipients:
            path = self.path_for(email)
            try:
                write_atomic(path, message)
            except OSError as exc:
                raise MailError(f"无法写入 {path}：{exc}", connection_lost=True) from None
            self.written.append(path)
        return {}

    def close(self) -> None:
        pass


def transport_for(settings: Settings, outbox: Path, ssl_context: ssl.SSLContext | None = None) -> Transport:
    """SMTP when [smtp] is configured, else the .eml outbox."""
    if settings.smtp is None:
        return OutboxTransport(outbox)
    return SmtpTransport(settings.smtp, smtp_password(settings.smtp), ssl_context)
