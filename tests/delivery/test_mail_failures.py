"""What a failed connection means (issue 15, defects 5 and 6), against real sockets on 127.0.0.1.

A mistyped host, a port where nothing listens, a TLS mode that does not match the port, a certificate that
does not verify and a refused login are permanent: reported at once in Chinese, never retried. A server that
does not answer in time is temporary. A login is never sent over an unencrypted connection unless
bulletin.toml says allow_plaintext_login = true.
"""

from __future__ import annotations

import socket

import pytest
from mail_workspace import smtp_settings

from bulletin.core.errors import ConfigError
from bulletin.core.ledger import Ledger
from bulletin.delivery import delivery
from bulletin.delivery.approval import approve
from bulletin.delivery.transports import MailError

PASSWORD = "Zg-Secret-2026!"

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _office(mail_workspace, **smtp):
    mw = mail_workspace(smtp={"sender": "office@zgq.example.cn", "timeout": 5, **smtp})
    approve(mw.ws, mw.month, by="王主任")
    return mw


def _nothing_recorded(mw) -> None:
    with Ledger(mw.ws.ledger_path) as ledger:
        assert ledger.deliveries(mw.month) == {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_host_name_that_does_not_resolve_is_permanent(mail_workspace):
    mw = _office(mail_workspace, host="smtp.no-such-office.invalid", port=25)
    with pytest.raises(MailError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value) == "找不到邮件服务器 smtp.no-such-office.invalid（域名无法解析）：请检查 bulletin.toml 中 [smtp] 的 host。"
    assert not info.value.transient
    _nothing_recorded(mw)


def test_a_port_where_nothing_listens_is_permanent(mail_workspace):
    port = _free_port()
    mw = _office(mail_workspace, host="127.0.0.1", port=port)
    with pytest.raises(MailError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert str(info.value).startswith(f"邮件服务器 127.0.0.1:{port} 拒绝连接（该端口上没有邮件服务）")
    assert "port" in str(info.value) and not info.value.transient
    _nothing_recorded(mw)


def test_implicit_tls_against_a_plain_server_is_permanent(smtp_server, mail_workspace):
    """ssl = true on a port that speaks plain SMTP (the usual mix-up of 465 and 25/587)."""
    server = smtp_server()
    mw = _office(mail_workspace, host="127.0.0.1", port=server.port, ssl=True)
    with pytest.raises(MailError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert "建立加密连接失败" in str(info.value) and "smtp.ssl / smtp.starttls 的设置可能与端口不符" in str(info.value)
    assert not info.value.transient
    assert server.messages == []
    _nothing_recorded(mw)


def test_starttls_against_a_server_without_it_is_permanent(smtp_server, mail_workspace):
    server = smtp_server()
    mw = _office(mail_workspace, host="127.0.0.1", port=server.port, starttls=True)
    with pytest.raises(MailError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert "不支持所需功能（STARTTLS 或登录）" in str(info.value) and not info.value.transient
    _nothing_recorded(mw)


def test_a_refused_login_is_permanent(smtp_server, mail_workspace, monkeypatch):
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", "wrong-password")
    server = smtp_server(users={"office": PASSWORD})
    mw = _office(mail_workspace, host="127.0.0.1", port=server.port, user="office", allow_plaintext_login=True)
    with pytest.raises(MailError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    assert "拒绝登录（用户 office）：535" in str(info.value) and not info.value.transient
    _nothing_recorded(mw)


def test_a_server_that_does_not_answer_is_temporary(mail_workspace):
    """Accepts the TCP connection (the kernel does, from the backlog) and never sends its greeting."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        mw = _office(mail_workspace, host="127.0.0.1", port=silent.getsockname()[1], timeout=1)
        with pytest.raises(MailError) as info:
            delivery.send_bulletin(mw.ws, mw.month)
    assert "连接超时" in str(info.value) and info.value.transient
    _nothing_recorded(mw)


def test_a_login_over_an_unencrypted_connection_is_refused_unless_allowed(smtp_server, mail_workspace, monkeypatch):
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", PASSWORD)
    server = smtp_server(users={"office": PASSWORD})
    mw = _office(mail_workspace, host="127.0.0.1", port=server.port, user="office")
    with pytest.raises(ConfigError) as info:
        delivery.send_bulletin(mw.ws, mw.month)
    message = str(info.value)
    assert "登录密码会以明文在网络上传输，已拒绝发送" in message
    assert "starttls = true" in message and "allow_plaintext_login = true" in message
    assert server.handler.connections == 0 and server.handler.logins == 0  # not even a connection
    _nothing_recorded(mw)

    plain = _office(mail_workspace, host="127.0.0.1", port=server.port, user="office", allow_plaintext_login=True)
    assert delivery.send_bulletin(plain.ws, plain.month).complete  # said explicitly: an intranet relay
    assert server.handler.logins == 1


def test_no_login_no_encryption_is_fine(smtp_server, mail_workspace):
    """No user: nothing secret travels, so a plain relay on port 25 needs no setting."""
    server = smtp_server()
    mw = _office(mail_workspace, host="127.0.0.1", port=server.port)
    assert delivery.send_bulletin(mw.ws, mw.month).complete
