"""The office's CSRF tokens, signed with the workspace's secret (core/secret.py), and the password check; the
office's sessions are kept server-side (sessions.py); reviewers' links are made and read by office/links.py."""

from __future__ import annotations

import hashlib
import hmac

from ..core.secret import secret
from ..core.workspace import Workspace
from .sessions import SESSION_SECONDS, office_password

SESSION_COOKIE = "bulletin_session"
__all__ = ["SESSION_COOKIE", "SESSION_SECONDS", "csrf_ok", "csrf_token", "password_ok"]


def csrf_token(ws: Workspace, subject: str) -> str:
    """Bound to the page's subject (a reviewer link or an office session): a form from elsewhere has none."""
    return hmac.new(secret(ws).encode(), f"csrf:{subject}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(ws: Workspace, subject: str, value: str | None) -> bool:
    # bytes: compare_digest raises TypeError on str with non-ASCII characters (a 500, found by Hypothesis)
    return bool(value) and hmac.compare_digest(csrf_token(ws, subject).encode(), str(value).encode("utf-8", "replace"))


def password_ok(given: str) -> bool:
    """BULLETIN_WEB_PASSWORD, compared in constant time; no password set: no office login at all."""
    expected = office_password()
    digest = lambda text: hashlib.sha256(text.encode()).digest()  # equal lengths: no length leaks
    return bool(expected) and hmac.compare_digest(digest(expected), digest(given))
