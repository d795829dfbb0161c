"""The office's login sessions, kept on the server (issue 22 item 7: a signed cookie alone stayed valid for 12 h
after logout and after the password was changed or removed).

The cookie is a random token (32 bytes); the server keeps only its sha256 in a small table of its own
(.bulletin/web-sessions.sqlite3: id, created, last seen, password fingerprint), so a copy of the table opens no
session. The password fingerprint is an HMAC of BULLETIN_WEB_PASSWORD with the workspace secret, not the
password: when the variable changes or is removed, the fingerprint no longer matches and every older session
is refused and deleted at its next request. A named account's session is bound the same way to the account's
fingerprint (office/accounts.py), and all of them are deleted at once when its password is changed (/password)
or reset (/users, 重设密码). A session also ends at logout (its row deleted), 12 hours after login, and after 2
hours without a request.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from contextlib import closing

from ..core.secret import secret
from ..core.workspace import Workspace
from ..office import accounts

DB_FILE = "web-sessions.sqlite3"
SESSION_SECONDS = 12 * 3600  # from login, whatever happens
IDLE_SECONDS = 2 * 3600  # without a request
TOUCH_SECONDS = 60  # last_seen is written at most once a minute per session

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,      -- sha256 of the cookie's token
    created REAL NOT NULL,    -- unix time of the login
    last_seen REAL NOT NULL,  -- unix time of the last request
    password TEXT NOT NULL,   -- HMAC(secret, BULLETIN_WEB_PASSWORD) at login, or the account's fingerprint
    account TEXT NOT NULL DEFAULT ''  -- the named account (issue 24); '' = the BULLETIN_WEB_PASSWORD login
)
"""


def office_password() -> str:
    return os.environ.get("BULLETIN_WEB_PASSWORD", "")


def password_fingerprint(ws: Workspace, password: str) -> str:
    return hmac.new(secret(ws).encode(), f"office-password:{password}".encode(), hashlib.sha256).hexdigest()


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """The session table of one workspace. Each call opens its own connection (the desk's threads share it)."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.path = ws.state_dir / DB_FILE

    def _db(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        db = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        if new:
            os.chmod(self.path, 0o600)
        db.execute(_SCHEMA)
        if "account" not in {row[1] for row in db.execute("PRAGMA table_info(sessions)")}:  # a table from before
            db.execute("ALTER TABLE sessions ADD COLUMN account TEXT NOT NULL DEFAULT ''")
        return db

    def open(self, account: str = "") -> str | None:
        """A new session for someone who just gave the right password: the cookie's token (None: no password).
        `account`: a named account (issue 24), its session bound to the account's fingerprint (a new password, a
        new role or the account's removal ends it); "" is the BULLETIN_WEB_PASSWORD login."""
        if account:
            fingerprint = accounts.fingerprint(self.ws, account)
        else:
            password = office_password()
            fingerprint = password_fingerprint(self.ws, password) if password else ""
        if not fingerprint:
            return None
        token = secrets.token_urlsafe(32)
        now = time.time()
        with closing(self._db()) as db:
            db.execute("DELETE FROM sessions WHERE created < ? OR last_seen < ?",
                       (now - SESSION_SECONDS, now - IDLE_SECONDS))
            db.execute("INSERT INTO sessions (id, created, last_seen, password, account) VALUES (?, ?, ?, ?, ?)",
                       (_key(token), now, now, fingerprint, account))
        return token

    def check(self, token: str | None) -> str | None:
        """The session's id (the subject of its CSRF tokens) when `token` opens a live session made with the
        current password; None otherwise (and a dead session's row is deleted)."""
        found = self.identify(token)
        return found[0] if found else None

    def identify(self, token: str | None) -> tuple[str, str] | None:
        """(session id, account) of a live session ("" account: the BULLETIN_WEB_PASSWORD login), else None."""
        if not token or len(token) > 200:
            return None
        key = _key(token)
        now = time.time()
        with closing(self._db()) as db:
            row = db.execute("SELECT created, last_seen, password, account FROM sessions WHERE id = ?",
                             (key,)).fetchone()
            if row is None:
                return None
            created, last_seen, fingerprint, account = row
            if account:
                expected = accounts.fingerprint(self.ws, account)
            else:
                password = office_password()
                expected = password_fingerprint(self.ws, password) if password else ""
            alive = (
                bool(expected) and now - created < SESSION_SECONDS and now - last_seen < IDLE_SECONDS
                and hmac.compare_digest(fingerprint, expected)
            )
            if not alive:
                db.execute("DELETE FROM sessions WHERE id = ?", (key,))
                return None
            if now - last_seen > TOUCH_SECONDS:
                db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (now, key))
        return key, account

    def close_account(self, account: str) -> int:
        """Every session of the named account ends now (its password changed or was reset): the number deleted.
        The new fingerprint would refuse them at their next request anyway; deleting them says so at once."""
        if not account:
            return 0
        with closing(self._db()) as db:
            return db.execute("DELETE FROM sessions WHERE account = ?", (account,)).rowcount

    def close(self, token: str | None) -> None:
        """Logout: the session is gone on the server, whatever the browser keeps."""
        if token:
            with closing(self._db()) as db:
                db.execute("DELETE FROM sessions WHERE id = ?", (_key(token),))
