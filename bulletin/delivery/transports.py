"""The two ways of sending, and what a failure means.

- `SmtpTransport`: yagmail's SMTP client, ONE connection (one login) for all batches of a run; each batch is one
  SMTP transaction with many RCPT TO (recipients only in the envelope, never in a header).
- `OutboxTransport`: no [smtp] configured: one .eml per message and recipient in outputs/<month>/outbox/, named by
  the message's purpose and id (Outlook opens them as ready-to-send drafts thanks to X-Unsent).

A failure is temporary (worth retrying unchanged later: timeouts, 4xx replies, a dropped connection, a
network that is down) or permanent (a mistyped host, nothing listening on the port, a TLS mode that does not
match the port, a certificate that does not verify, a refused login, 5xx): permanent ones are reported at
once in Chinese, naming the setting to check, and never retried.

A login is never sent over an unencrypted connection unless bulletin.toml says `allow_plaintext_login = true`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import socket
import ssl
from pathlib import Path
from typing import Protocol

from ..core.atomic import write_atomic
from ..core.config import Settings, SmtpSettings
from ..core.errors import BulletinError, ConfigError
from .credentials import PASSWORD_ENV, scrub, secret_forms, smtp_password

log = logging.getLogger("bulletin.mail")


class MailError(BulletinError):
    """A send problem; str() is Chinese and never contains the password.

    transient: worth retrying later (4xx, network); connection_lost: the session is gone, stop this run.
    """

    def __init__(self, message: str, *, transient: bool = False, connection_lost: bool = False):
        super().__init__(message)
        self.transient = transient
        self.connection_lost = connection_lost


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def describe(exc: BaseException) -> str:
    """A short reason (server reply or error) for reports; callers scrub it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "；".join(f"{rcpt}: {_reply_text(*reply)}" for rcpt, reply in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected) and str(exc).endswith("timed out"):
        return "连接超时（服务器没有应答）"  # smtplib reports a read timeout as a disconnect
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"服务器断开了连接（{exc}）" if str(exc) else "服务器断开了连接"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "连接超时"
    return f"{type(exc).__name__}: {exc}"


def is_transient(exc: BaseException) -> bool:
    """Worth retrying later unchanged: timeouts, 4xx replies, dropped connections, a network that is down.

    Permanent: 5xx replies, a refused login, a host name that does not resolve, a port where nothing
    listens, TLS problems (certificate, or a TLS mode that does not match the port), configuration.
    """
    if isinstance(exc, MailError):
        return exc.transient
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):
        return False  # SMTPNotSupportedError and other protocol mismatches
    if isinstance(exc, socket.gaierror):
        return exc.errno == socket.EAI_AGAIN  # the resolver itself says "try again"; a wrong name is not
    if isinstance(exc, ConnectionRefusedError):
        return False
    if isinstance(exc, ssl.SSLError):
        return False  # SSLCertVerificationError, WRONG_VERSION_NUMBER (TLS mode vs port), ...
    return isinstance(exc, OSError)  # timeouts, resets, unreachable networks


def check_login_is_encrypted(smtp: SmtpSettings) -> None:
    """Refuse to send a login in clear text unless the office said it must (some intranet relays)."""
    if smtp.user and not (smtp.ssl or smtp.starttls) and not smtp.allow_plaintext_login:
        raise ConfigError(
            f"bulletin.toml 的 [smtp] 设置了登录用户 user = {smtp.user}，但连接没有加密（ssl 和 starttls 都未开启）："
            "登录密码会以明文在网络上传输，已拒绝发送。请设置 starttls = true（通常端口 587）或 ssl = true"
            "（通常端口 465）；如果内网邮件服务器只支持不加密的登录，请在 [smtp] 中明确写上 allow_plaintext_login = true。"
        )


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
        check_login_is_encrypted(smtp)
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
        """What went wrong while connecting, in Chinese, naming the setting to check."""
        if not isinstance(exc, Exception):
            return exc
        reason = self.scrub(describe(exc)).rstrip("。.")
        s, where = self.smtp, self.where
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return MailError(
                f"邮件服务器 {where} 拒绝登录（用户 {s.user}）：{reason}。"
                f"请检查 smtp.user 和环境变量 {PASSWORD_ENV}（很多邮箱要求使用“授权码”）。",
                transient=is_transient(exc),  # 454 is a temporary failure, 535 is not
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return MailError(f"邮件服务器 {where} 的证书校验失败：{reason}。")
        if isinstance(exc, ssl.SSLError):
            return MailError(
                f"与邮件服务器 {where} 建立加密连接失败（{reason}）：smtp.ssl / smtp.starttls 的设置可能与端口不符"
                "（465 端口通常 ssl = true，587 端口通常 starttls = true，25 端口通常两者都不开），请检查 [smtp]。"
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return MailError(f"邮件服务器 {where} 不支持所需功能（STARTTLS 或登录）：{reason}。请检查 [smtp] 的 ssl/starttls/user。")
        if isinstance(exc, socket.gaierror) and not is_transient(exc):
            return MailError(f"找不到邮件服务器 {s.host}（域名无法解析）：请检查 bulletin.toml 中 [smtp] 的 host。")
        if isinstance(exc, ConnectionRefusedError):
            return MailError(
                f"邮件服务器 {where} 拒绝连接（该端口上没有邮件服务）：请检查 [smtp] 的 host 和 port"
                "（常用 25、465、587），以及 ssl/starttls 是否与端口相符。"
            )
        return MailError(f"无法连接邮件服务器 {where}：{reason}。", transient=is_transient(exc))

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
    """Writes one .eml per message and recipient (To: that recipient), atomically, named
    `<purpose>-<id>-<address>.eml` from the message's Message-ID (message.message_id: deterministic per month,
    purpose, file and recipient). Never one file per address (issue 23): a unit's task sheet and the 督查专报 sent
    to the same address are two files, as the ledger records two deliveries. A retried run rewrites the same
    message's file, so it never leaves two copies of one message."""

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

    def path_for(self, email: str, message: bytes = b"") -> Path:
        return self.folder / _UNSAFE_NAME.sub("_", f"{_message_name(message)}-{email}.eml")

    def send(self, message: bytes, recipients: list[str]) -> dict[str, str]:
        for email in recipients:
            path = self.path_for(email, message)
            try:
                write_atomic(path, message)
            except OSError as exc:
                raise MailError(f"无法写入 {path}：{exc}", connection_lost=True) from None
            self.written.append(path)
        return {}

    def close(self) -> None:
        pass


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s]')
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*<bulletin\.\d{4}-\d{2}\.([A-Za-z0-9.-]*?)\.([0-9a-f]{12})[0-9a-f]*@",
                         re.IGNORECASE | re.MULTILINE)


def _message_name(message: bytes) -> str:
    """`<purpose>-<id>` of a message built by message.build_message: the purpose as message_id wrote it (ASCII,
    without the outbox suffix) and the first 12 hex digits of its digest; any other message: `mail-<sha256[:12]>`."""
    head = message.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _MESSAGE_ID.search(head)
    if found is None:
        return "mail-" + hashlib.sha256(message).hexdigest()[:12]
    purpose = re.sub(r"-+", "-", found.group(1).decode("ascii").removesuffix("-outbox")).strip("-") or "mail"
    return f"{purpose}-{found.group(2).decode('ascii')}"


def transport_for(settings: Settings, outbox: Path, ssl_context: ssl.SSLContext | None = None) -> Transport:
    """SMTP when [smtp] is configured, else the .eml outbox."""
    if settings.smtp is None:
        return OutboxTransport(outbox)
    check_login_is_encrypted(settings.smtp)
    return SmtpTransport(settings.smtp, smtp_password(settings.smtp), ssl_context)
