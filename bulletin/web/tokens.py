"""Signed reviewer links, the office's session, and CSRF tokens, all from one secret kept in the workspace.

A reviewer's link carries month + sha256 of the version mailed + reviewer, signed (itsdangerous) and valid for
[review] timeout_days. The secret is created once, readable by the owner only, and never printed or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..core.workspace import Workspace

SECRET_FILE = "web-secret"
SESSION_COOKIE = "bulletin_session"
SESSION_SECONDS = 12 * 3600
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SHA = re.compile(r"[0-9a-f]{64}")


def secret(ws: Workspace) -> str:
    path = ws.state_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


@dataclass(frozen=True)
class ReviewLink:
    month: str
    sha256: str
    reviewer: str


class LinkProblem(Exception):
    """Why a link cannot be used, in Chinese."""


def _links(ws: Workspace) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret(ws), salt="bulletin-review-link")


def review_token(ws: Workspace, month: str, sha256: str, reviewer: str) -> str:
    return _links(ws).dumps({"m": month, "s": sha256, "r": reviewer})


def read_review_token(ws: Workspace, token: str) -> ReviewLink:
    max_age = int(ws.settings.review.timeout_days * 86400)
    try:
        data = _links(ws).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkProblem(f"审核链接已过期（有效期 {ws.settings.review.timeout_days:g} 天）：请向办公室索取新的送审邮件。") from None
    except BadSignature:
        raise LinkProblem("审核链接无效：请使用送审邮件中的完整链接。") from None
    if not (isinstance(data, dict) and _MONTH.fullmatch(str(data.get("m", "")))
            and _SHA.fullmatch(str(data.get("s", ""))) and str(data.get("r", "")).strip()):
        raise LinkProblem("审核链接无效：请使用送审邮件中的完整链接。")
    return ReviewLink(data["m"], data["s"], str(data["r"]))


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
