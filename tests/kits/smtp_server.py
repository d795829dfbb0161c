"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd in a thread), with the faults delivery must survive.

`SmtpServer(...)` options:
- reject: addresses answered with "550 5.1.1 User unknown" at RCPT (mutable: clear it to "fix" the mailbox);
- drop_after: after that many accepted messages, close the connection at the next MAIL FROM (no reply);
- users: {login: password} -> AUTH required (auth_require_tls=False unless tls);
- tls: (certfile, keyfile) -> STARTTLS offered and required; implicit_tls: SMTPS on connect instead;
- echo_auth: a failed AUTH answers with the credentials in the reply text (to prove the client scrubs them).
Counts connections (not the controller's own start-up probe) and successful logins.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

GREYLISTED = "451 4.7.1 Greylisted, try again later"
USER_UNKNOWN = "550 5.1.1 User unknown"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: tuple
    tls: bool  # the message travelled over TLS (STARTTLS or implicit)

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Handler:
    reject: set[str] = field(default_factory=set)
    greylist: set[str] = field(default_factory=set)  # answered "451 4.7.1" (try again later)
    drop_after: int | None = None
    messages: list[Received] = field(default_factory=list)
    connections: int = 0
    logins: int = 0
    failed_logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            server.transport.close()  # the connection just goes away, as when a server crashes
            return "421 4.3.0 closing"  # pushed into a closed transport: the client never sees it
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return USER_UNKNOWN
        if address.lower() in self.greylist:
            return GREYLISTED
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                Received(
                    envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content), session.peer,
                    tls=server.transport.get_extra_info("ssl_object") is not None,
                )
            )
        return "250 OK: queued"

    # -- what the tests ask ----------------------------------------------------------------------------
    def copies(self) -> dict[str, int]:
        """Envelope recipient -> number of messages received."""
        counts: dict[str, int] = {}
        for m in self.messages:
            for rcpt in m.rcpt_tos:
                counts[rcpt.lower()] = counts.get(rcpt.lower(), 0) + 1
        return counts


class _CountingSMTP(SMTP):
    def connection_made(self, transport):
        if self._original_transport is None:  # the TLS re-entry after STARTTLS is the same connection
            self.event_handler.connections += 1
        super().connection_made(transport)


class _Controller(Controller):
    def factory(self):
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost (cert, key) made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


class SmtpServer:
    def __init__(
        self,
        *,
        reject: set[str] | None = None,
        drop_after: int | None = None,
        users: dict[str, str] | None = None,
        tls: tuple[Path, Path] | None = None,
        implicit_tls: bool = False,
        echo_auth: bool = False,
    ):
        self.handler = Handler(reject={a.lower() for a in (reject or ())}, drop_after=drop_after)
        self.users = users
        self.echo_auth = echo_auth
        self.port = free_port()
        kwargs: dict = {"server_hostname": "localhost"}
        if users is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=bool(tls) and not implicit_tls)
        if tls and implicit_tls:
            kwargs["ssl_context"] = server_context(*tls)
        elif tls:
            kwargs.update(tls_context=server_context(*tls), require_starttls=True)
        self.controller = _Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        if self.users.get(login) == password:
            self.handler.logins += 1
            return AuthResult(success=True)
        self.handler.failed_logins += 1
        if self.echo_auth:  # a careless server repeating what it got
            return AuthResult(success=False, handled=False, message=f"535 5.7.8 bad credentials {login}:{password}")
        return AuthResult(success=False, handled=False)

    def start(self) -> "SmtpServer":
        self.controller.start()
        self.handler.connections = 0  # forget the controller's start-up probe
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages
