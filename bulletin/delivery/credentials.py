"""The SMTP password: only from the environment, and scrubbed from every text that leaves the mail code
(smtplib echoes server replies, and a server may echo the AUTH line)."""

from __future__ import annotations

import base64
import os

from ..core.config import SmtpSettings
from ..core.errors import ConfigError

PASSWORD_ENV = "BULLETIN_SMTP_PASSWORD"


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
