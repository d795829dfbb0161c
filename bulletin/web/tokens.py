"""The office's session and CSRF tokens, signed with the workspace's secret (core/secret.py); reviewers' links
are made and read by office/links.py."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..core.secret import secret
from ..core.workspace import Workspace

SESSION_COOKIE = "bulletin_session"
SESSION_SECONDS = 12 * 3600


def _sessions(ws: Workspace) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret(ws), salt="bulletin-office-session")


def new_session(ws: Workspace) -> str:
    return _sessions(ws).dumps({"office": secrets.token_hex(8)})


def session_id(ws: Workspace, cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        data = _sessions(ws).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    return str(data.get("office")) if isinstance(data, dict) and data.get("office") else None


def csrf_token(ws: Workspace, subject: str) -> str:
    """Bound to the page's subject (a reviewer link or an office session): a form from elsewhere has none."""
    return hmac.new(secret(ws).encode(), f"csrf:{subject}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(ws: Workspace, subject: str, value: str | None) -> bool:
    return bool(value) and hmac.compare_digest(csrf_token(ws, subject), str(value))


def password_ok(given: str) -> bool:
    """BULLETIN_WEB_PASSWORD, compared in constant time; no password set: no office login at all."""
    expected = os.environ.get("BULLETIN_WEB_PASSWORD", "")
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())
