"""The submission mailbox over IMAP (imapclient): connect with verified TLS, log in, say who we are (RFC 2971
ID: NetEase refuses SELECT as "Unsafe Login" without it), and read messages without changing anything.

- The folder is opened read-only (EXAMINE) and messages are read with BODY.PEEK: nothing is marked read, nothing
  moved or deleted, unless the office configured `move_to`.
- Messages are known by UIDVALIDITY + UID (sequence numbers shift when anything is expunged).
- The password (or 授权码) comes only from $BULLETIN_IMAP_PASSWORD and never appears in a message or log.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..core.config import MailboxSettings
from ..core.errors import BulletinError, ConfigError

log = logging.getLogger("bulletin.mailbox")

PASSWORD_ENV = "BULLETIN_IMAP_PASSWORD"
# What Thunderbird-like clients send; NetEase (163/126/yeah.net) checks that an ID came, not what it says.
CLIENT_ID = {"name": "bulletin", "version": __version__, "vendor": "bulletin", "support-url": "bulletin"}
_FETCH_CHUNK = 20  # UIDs per FETCH of sizes and headers: with MAX_HEADER_BYTES, at most 1.3 MB per answer
# What is read of a header before the size check: enough for every real header (Received chains, DKIM), and a
# 40 MB "header" costs 64 KB. The whole message is downloaded only after its RFC822.SIZE passed the limit.
MAX_HEADER_BYTES = 64 * 1024


class MailboxError(BulletinError):
    """Connection, TLS, login or folder trouble; str() is Chinese and names nothing secret."""


@dataclass(frozen=True)
class Envelope:
    uid: int
    size: int  # RFC822.SIZE
    arrived: datetime | None  # INTERNALDATE: when the mailbox received it (timezone-aware)
    header: bytes  # the header block only (BODY.PEEK[HEADER]), its first MAX_HEADER_BYTES


def imap_password(mailbox: MailboxSettings) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise ConfigError(
            f"bulletin.toml 配置了投稿邮箱 {mailbox.user}，但没有设置环境变量 {PASSWORD_ENV}（邮箱密码或授权码）。"
        )
    if not password.isascii():
        raise ConfigError(
            f"环境变量 {PASSWORD_ENV} 中含有中文或全角字符：邮箱登录只支持英文字母、数字和半角符号，请检查后重新设置。"
        )
    return password


def tls_context(mailbox: MailboxSettings, root: Path) -> ssl.SSLContext:
    """Certificates are always verified; `cafile` (relative to the workspace) adds an internal CA."""
    if not mailbox.cafile:
        return ssl.create_default_context()
    path = (root / mailbox.cafile).resolve()
    if not path.is_file():
        raise ConfigError(f"配置项 mailbox.cafile 指向的证书文件 {mailbox.cafile} 不存在。")
    try:
        return ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError):
        raise ConfigError(f"配置项 mailbox.cafile 指向的 {mailbox.cafile} 不是有效的证书文件（PEM 格式）。") from None


class MailboxSession:
    """One IMAP session on the configured folder. Use as a context manager."""

    def __init__(self, mailbox: MailboxSettings, password: str, context: ssl.SSLContext):
        self.mailbox = mailbox
        self._password = password
        self._context = context
        self._client = None
        self.uidvalidity: int = 0
        self.writable = bool(mailbox.move_to)

    def __repr__(self) -> str:  # never the password, even in a traceback
        return f"MailboxSession({self.where}, user={self.mailbox.user!r})"

    @property
    def where(self) -> str:
        return f"{self.mailbox.host}:{self.mailbox.effective_port}"

    def _scrub(self, text: str) -> str:
        return text.replace(self._password, "******") if self._password else text

    # -- connecting ------------------------------------------------------------------------------------------
    def __enter__(self) -> "MailboxSession":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> None:
        from imapclient import IMAPClient
        from imapclient.exceptions import LoginError

        m = self.mailbox
        if not m.encrypted and not m.allow_plaintext_login:
            raise ConfigError(
                f"投稿邮箱 {self.where} 未启用加密（ssl 和 starttls 都是 false）：登录时密码将以明文传输。"
                "请使用 ssl = true（端口 993）或 starttls = true；内网邮件服务器确需明文登录时，"
                "请在 [mailbox] 中写明 allow_plaintext_login = true。"
            )
        try:
            self._client = IMAPClient(
                m.host, port=m.effective_port, ssl=m.ssl, ssl_context=self._context if m.ssl else None,
                timeout=m.timeout,
            )
            self._client.normalise_times = False  # INTERNALDATE with its own offset, not the machine's local time
            if m.starttls:
                self._client.starttls(self._context)
        except BaseException as exc:  # noqa: BLE001 - re-raised as MailboxError
            self._drop()
            raise self._connect_error(exc) from None
        try:
            self._client.login(m.user, self._password)
        except LoginError as exc:
            self._drop()
            reason = self._scrub(_text(exc))
            raise MailboxError(
                f"登录失败：请检查用户名和授权码（投稿邮箱 {m.user}，服务器 {self.where}；密码或授权码取自环境变量"
                f" {PASSWORD_ENV}；163/126/QQ 邮箱须在网页版设置中开启 IMAP 服务并使用授权码）。服务器答复：{reason}"
            ) from None
        except BaseException as exc:  # noqa: BLE001
            self._drop()
            raise self._connect_error(exc) from None
        self._send_id()
        self._select()

    def _send_id(self) -> None:
        """RFC 2971 ID, always (NetEase refuses SELECT without it; QQ mail and others ignore it)."""
        from imapclient.exceptions import CapabilityError, IMAPClientError

        try:
            try:
                self._client.id_(CLIENT_ID)
            except CapabilityError:  # not advertised: send it anyway, an error answer is harmless
                from imapclient.imapclient import _quote, seq_to_parenstr

                args = seq_to_parenstr(_quote(v) for pair in CLIENT_ID.items() for v in pair)
                self._client._imap._simple_command("ID", args)
        except (IMAPClientError, OSError) as exc:
            log.info("ID command not accepted by %s: %s", self.where, self._scrub(_text(exc)))

    def _select(self) -> None:
        from imapclient.exceptions import IMAPClientError

        folder = self.mailbox.folder
        try:
            info = self._client.select_folder(folder, readonly=not self.writable)
        except IMAPClientError as exc:
            reason = self._scrub(_text(exc))
            self._drop()
            if "unsafe login" in reason.lower():
                raise MailboxError(
                    f"投稿邮箱服务器 {self.where} 拒绝读取邮件（{reason}）：请在网页版邮箱的设置中开启 IMAP 服务，"
                    "并使用授权码登录。"
                ) from None
            raise MailboxError(f"投稿邮箱中无法打开文件夹“{folder}”：{reason}。请检查 mailbox.folder。") from None
        except BaseException as exc:  # noqa: BLE001
            self._drop()
            raise self._connect_error(exc) from None
        self.uidvalidity = int(info.get(b"UIDVALIDITY") or 0)
        log.info("opened %s on %s (uidvalidity %s, %s messages)", folder, self.where, self.uidvalidity,
                 info.get(b"EXISTS"))

    def _connect_error(self, exc: BaseException) -> BaseException:
        if not isinstance(exc, Exception):
            return exc
        where = f"投稿邮箱服务器 {self.where}"
        reason = self._scrub(_text(exc))
        if isinstance(exc, ssl.SSLCertVerificationError):
            return MailboxError(
                f"{where} 的证书校验失败（{exc.verify_message or reason}）：如使用单位内部证书，请用 mailbox.cafile"
                " 指定其 CA 证书。"
            )
        if isinstance(exc, ssl.SSLError):
            return MailboxError(f"{where} 的加密连接（TLS）失败（{reason}）：请检查端口与 ssl / starttls 设置是否匹配"
                                "（ssl = true 一般用 993 端口，starttls = true 用 143 端口）。")
        if isinstance(exc, socket.gaierror):
            return MailboxError(f"无法连接{where}：找不到该服务器，请检查 mailbox.host 和网络。")
        if isinstance(exc, ConnectionRefusedError):
            return MailboxError(f"无法连接{where}：连接被拒绝，请检查 mailbox.port 和 ssl 设置。")
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return MailboxError(f"连接{where}超时，请检查网络后重试。")
        return MailboxError(f"无法连接{where}：{reason}")

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.shutdown()
            except Exception:  # noqa: BLE001
                pass
        self._client = None

    def close(self) -> None:
        if self._client is None:
            return
        try:
            self._client.logout()
        except Exception:  # noqa: BLE001 - the session is over either way
            self._drop()
        self._client = None

    # -- reading -----------------------------------------------------------------------------------------------
    def uids(self) -> list[int]:
        return sorted(int(u) for u in self._guarded(lambda: self._client.search("ALL")))

    def envelopes(self, uids: list[int]) -> dict[int, Envelope]:
        """Size, arrival time and header (its first MAX_HEADER_BYTES: a partial fetch, so a huge header is never
        downloaded) of each message, without its body and without marking it read. Callers pass small batches
        (`batches`): what is held at once stays bounded whatever the mailbox holds."""
        found: dict[int, Envelope] = {}
        partial = f"BODY.PEEK[HEADER]<0.{MAX_HEADER_BYTES}>"
        for start in range(0, len(uids), _FETCH_CHUNK):
            chunk = uids[start:start + _FETCH_CHUNK]
            data = self._guarded(lambda: self._client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE", partial]))
            for uid, item in data.items():
                header = item.get(b"BODY[HEADER]<0>") or item.get(b"BODY[HEADER]") or b""
                found[int(uid)] = Envelope(
                    int(uid), int(item.get(b"RFC822.SIZE") or 0), item.get(b"INTERNALDATE"), bytes(header),
                )
        return found

    @staticmethod
    def batches(uids: list[int]) -> list[list[int]]:
        return [uids[start:start + _FETCH_CHUNK] for start in range(0, len(uids), _FETCH_CHUNK)]

    def message(self, uid: int) -> bytes | None:
        """The whole message (BODY.PEEK[]), or None when it is gone (deleted by someone meanwhile)."""
        data = self._guarded(lambda: self._client.fetch([uid], ["BODY.PEEK[]"]))
        item = data.get(uid)
        return None if item is None else bytes(item.get(b"BODY[]") or b"")

    def move(self, uids: list[int], folder: str) -> None:
        """Only when the office asked for it (move_to): MOVE, or COPY + \\Deleted + EXPUNGE of these UIDs."""
        if not uids:
            return
        client = self._client
        if folder not in [name for _flags, _sep, name in client.list_folders()]:
            client.create_folder(folder)
        if client.has_capability("MOVE"):
            client.move(uids, folder)
        else:
            client.copy(uids, folder)
            client.delete_messages(uids)
            client.uid_expunge(uids) if client.has_capability("UIDPLUS") else client.expunge()

    def _guarded(self, call):
        from imapclient.exceptions import IMAPClientError

        try:
            return call()
        except (IMAPClientError, OSError, ssl.SSLError) as exc:
            self._drop()
            raise MailboxError(f"读取投稿邮箱时连接中断（{self._scrub(_text(exc))}），请稍后重试；已收取的邮件不会重复处理。") from None


def _text(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc.args[0] if exc.args else None, bytes):
        text = exc.args[0].decode("utf-8", "replace")
    return text.strip() or type(exc).__name__
