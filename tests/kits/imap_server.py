"""A real IMAP server for tests: Dovecot from Debian (`tools/setup.sh --test`), started on 127.0.0.1 with a
private configuration in a temporary folder, plain and with implicit TLS / STARTTLS on a self-signed
certificate. Messages are put in with IMAP APPEND, as a mail server's delivery would leave them.

The recipe (and its two traps: the folder must be mode 755 for Dovecot's auth process, and mail users must not
be uid 0) is in shared/pitfalls.md. `imap_id_log = *` makes Dovecot log every client's ID command, so a test can
prove the ID command NetEase requires was sent.
"""

from __future__ import annotations

import imaplib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from smtp_server import free_port, make_certificate

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"


def require_dovecot() -> None:
    """CI must have Dovecot (tools/setup.sh --test installs it); elsewhere its tests are skipped without it."""
    import pytest

    if Path(DOVECOT).is_file() and os.geteuid() == 0:
        return
    if os.environ.get("CI"):
        pytest.fail("Dovecot is not installed or not running as root: CI must install it (tools/setup.sh --test)")
    pytest.skip("Dovecot not installed (bash tools/setup.sh --test installs it) or not root")


class ImapServer:
    """Dovecot with one user; `tls=True` adds implicit TLS (imaps) and STARTTLS on the plain port."""

    def __init__(self, user: str = "zgqwxzfb@mail.test", password: str = "Sq3\"x\\\\y-9", *, tls: bool = False):
        self.user, self.password, self.tls = user, password, tls
        self.dir = Path(tempfile.mkdtemp(prefix="bulletin-dovecot-"))
        self.dir.chmod(0o755)  # the auth process runs as user dovecot and must reach the users file
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        self.cafile: Path | None = None
        self.conf = self.dir / "dovecot.conf"
        self.log = self.dir / "dovecot.log"

    # -- life cycle ------------------------------------------------------------------------------------
    def start(self) -> "ImapServer":
        d = self.dir
        for sub in ("run", "state", "mail"):
            (d / sub).mkdir()
        (d / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n", encoding="utf-8")
        (d / "users").chmod(0o644)
        ssl_lines = "ssl = no\n"
        listeners = f"  inet_listener imap {{\n    port = {self.port}\n  }}\n"
        if self.tls:
            cert, key = make_certificate(d)
            self.cafile = cert
            key.chmod(0o600)
            ssl_lines = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n"
            listeners += f"  inet_listener imaps {{\n    port = {self.tls_port}\n    ssl = yes\n  }}\n"
        self.conf.write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {self.log}
info_log_path = {self.log}
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = plain login
imap_id_log = *
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_max_userip_connections = 50
service imap-login {{
{listeners}}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={d}/mail/%u
}}
""",
            encoding="utf-8",
        )
        shutil.chown(d / "mail", "mail", "mail")
        # Dovecot daemonizes; its children inherit stdout/stderr, so no pipes (run() would wait for them).
        with open(d / "start.log", "wb") as out:
            subprocess.run([DOVECOT, "-c", str(self.conf)], check=True, stdout=out, stderr=out,
                           stdin=subprocess.DEVNULL, timeout=30)
        try:
            self._wait_listening(self.port)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_listening(self, port: int) -> None:
        """Until the plain port greets (Dovecot opens all its listeners together)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    if conn.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise RuntimeError(f"dovecot did not start: {log}")

    def stop(self) -> None:
        """SIGTERM to the master (its children follow); `doveadm stop` would take 3 s."""
        pid_file = self.dir / "run" / "master.pid"
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            subprocess.run([DOVEADM, "-c", str(self.conf), "stop"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=30)
        else:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _running(pid):
                time.sleep(0.02)
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- what tests do -----------------------------------------------------------------------------------
    def client(self) -> imaplib.IMAP4:
        """A plain imaplib session logged in as the user (the tests' own mail client)."""
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=60)
        conn.login(self.user, self.password)
        return conn

    def append(self, message: bytes, folder: str = "INBOX", when: datetime | None = None,
               flags: str = "") -> None:
        """APPEND a message with its INTERNALDATE (the time the mailbox received it)."""
        conn = self.client()
        folder = mailbox_name(folder)
        try:
            if folder != "INBOX":
                conn.create(folder)  # "already exists" is a NO answer, not an error
            stamp = imaplib.Time2Internaldate(when.timestamp()) if when else None
            typ, data = conn.append(folder, flags or None, stamp, message)
            assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, folder: str = "INBOX") -> list[bytes]:
        """Each message's flags, in UID order (to prove that fetching marks nothing as read)."""
        conn = self.client()
        try:
            conn.select(mailbox_name(folder), readonly=True)
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            return [item for item in data if item]
        finally:
            conn.logout()

    def count(self, folder: str = "INBOX") -> int:
        conn = self.client()
        try:
            typ, data = conn.select(mailbox_name(folder), readonly=True)
            assert typ == "OK", data
            return int(data[0])
        finally:
            conn.logout()

    def id_log(self) -> list[str]:
        """The ID lines Dovecot logged (imap_id_log = *)."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if "ID sent:" in line]

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cafile))


def mailbox_name(folder: str) -> str:
    """A folder name as imaplib must send it: modified UTF-7 (RFC 3501) for Chinese names, quoted."""
    if folder.isascii():
        return folder
    from imapclient.imap_utf7 import encode

    return '"' + encode(folder).decode("ascii") + '"'


def _running(pid: int) -> bool:
    """Alive and not a zombie (a daemon's parent may never reap it in a container)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _self_test() -> None:  # pragma: no cover - `python tests/imap_server.py` to try the recipe by hand
    server = ImapServer(tls=True).start()
    try:
        server.append(b"From: a@b.c\r\nSubject: hi\r\n\r\nhello\r\n")
        print("messages:", server.count(), "log:", server.log)
    finally:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    tempfile.tempdir = None
    _self_test()
