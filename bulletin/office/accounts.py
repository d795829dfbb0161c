"""The office's named accounts and the audit table (issue 24): who may do what on the workbench, and who did what.

Accounts (`bulletin users add 张三 --role 编辑`): a name, a role and a password hash, in the workspace's state
folder (.bulletin/workbench.sqlite3, mode 0600, beside the ledger: tidying outputs/ never touches it). Roles:

    编辑  the clerk: uploads, arranges, compiles, sends for review, sends the approved issue, resends, 督查 rounds
    审核  reads everything; decides (审核通过/退回) as a member of the review chain's step, never edits
    管理  everything 编辑 does, and manages accounts

Passwords are hashed with scrypt (hashlib, the standard library: no new dependency; argon2-cffi is not installed
here): N=2^15, r=8, p=1 (32 MiB, about 0.1 s), a 16-byte salt, the parameters stored with the hash so they can
be raised later. An unknown name costs the same hash as a wrong password (no timing tells names apart).
A session (web/sessions.py) keeps a fingerprint of the account's hash: changing the password or removing the
account ends its sessions at their next request.

The audit table: one row per action that changes something (who, role, action, month, details, when), written
by the use cases that take an `actor`, and by the doors for what they do themselves (login, logout). Shown on
the workbench's month page; never edited by the product.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import secrets
import sqlite3
import unicodedata
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

from ..core.errors import BulletinError
from ..core.secret import secret
from ..core.workspace import OFFICE_TZ, Workspace

DB_FILE = "workbench.sqlite3"
EDITOR, REVIEWER, ADMIN = "编辑", "审核", "管理"
ROLES = (EDITOR, REVIEWER, ADMIN)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # scrypt of a megabyte is a denial of service, not a password
MAX_NAME = 32
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
FALLBACK_ACCOUNT = "办公室"  # BULLETIN_WEB_PASSWORD's login (the desk's older door), role 管理

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password TEXT NOT NULL,      -- scrypt$N$r$p$salt$hash (base64)
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,            -- ISO time, Beijing
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    month TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_month ON audit (month, id);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,          -- compile | merge | report ...
    month TEXT NOT NULL,
    state TEXT NOT NULL,         -- queued | running | done | failed
    message TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    finished TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created: str = ""

    def may(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, ())


# What each role may do on the workbench (the doors check; the use cases record).
PERMISSIONS = {
    EDITOR: {"view", "edit", "compile", "review", "send", "tasks", "stats"},
    REVIEWER: {"view", "decide", "stats"},
    ADMIN: {"view", "edit", "compile", "review", "send", "tasks", "stats", "decide", "users"},
}


def connect(ws: Workspace) -> sqlite3.Connection:
    """The workbench's own table file (users, audit, jobs); each call its own connection (threads share none)."""
    path = ws.state_dir / DB_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    db = sqlite3.connect(path, timeout=15, isolation_level=None)
    if new:
        os.chmod(path, 0o600)
    db.executescript(_SCHEMA)
    return db


def now_text() -> str:
    return datetime.now(OFFICE_TZ).isoformat(timespec="seconds")


# -- passwords -------------------------------------------------------------------------------------------------------
def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


def password_matches(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8")[:MAX_PASSWORD * 4], salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), maxmem=256 * 1024 * 1024, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


_DUMMY = hash_password("never a password")  # an unknown name pays the same hash


def check_name(name: str) -> str:
    text = unicodedata.normalize("NFC", name or "").strip()
    if not text:
        raise BulletinError("请填写账号名（如 张三）。")
    if len(text) > MAX_NAME or any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in text):
        raise BulletinError(f"账号名“{text[:MAX_NAME]}”不可用：最多 {MAX_NAME} 个字，不能含控制字符或换行。")
    return text


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BulletinError(f"密码至少 {MIN_PASSWORD} 位。")
    if len(password) > MAX_PASSWORD:
        raise BulletinError(f"密码最多 {MAX_PASSWORD} 位。")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BulletinError(f"角色“{role}”不对：只能是 {'、'.join(ROLES)}。")
    return role


# -- accounts ------------------------------------------------------------------------------------------------------
def add_user(ws: Workspace, name: str, role: str, password: str, *, actor: str | None = None) -> User:
    name, role = check_name(name), check_role(role)
    check_password(password)
    stored = hash_password(password)
    with closing(connect(ws)) as db:
        try:
            db.execute("INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)",
                       (name, role, stored, now_text()))
        except sqlite3.IntegrityError:
            raise BulletinError(f"账号“{name}”已存在：改密码请用“重设密码”（bulletin users passwd），"
                                  "改角色请先删除（bulletin users remove）再添加。") from None
    record(ws, actor or command_actor(), ADMIN if actor is None else role_of(ws, actor), "添加账号", "",
           f"{name}（{role}）")
    return User(name, role)


def remove_user(ws: Workspace, name: str, *, actor: str | None = None) -> None:
    name = check_name(name)
    with closing(connect(ws)) as db:
        if db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
            raise BulletinError(f"没有账号“{name}”。")
    record(ws, actor or command_actor(), ADMIN if actor is None else role_of(ws, actor), "删除账号", "", name)


class WrongPassword(BulletinError):
    """The current password given to change it was not the account's (counted like a failed login)."""


def change_password(ws: Workspace, name: str, old: str, new: str) -> User:
    """An account changes its own password: `old` checked with the login's scrypt (an unknown name pays the same
    hash), then `new` against the rules and against `old`. A wrong `old` is recorded (修改密码未成功) and raises
    WrongPassword; a rule broken raises BulletinError; nothing is changed then. The new hash changes the account's
    fingerprint, so every session bound to the old one is refused from its next request (web/sessions.py);
    the web door also deletes them at once. The audit row never holds a password."""
    name = unicodedata.normalize("NFC", name or "").strip()
    with closing(connect(ws)) as db:
        row = db.execute("SELECT role, password FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        password_matches(old[:MAX_PASSWORD], _DUMMY)
        raise BulletinError(f"没有账号“{name}”。")
    role, stored = row
    if len(old) > MAX_PASSWORD or not password_matches(old, stored):
        record(ws, name, role, "修改密码未成功", "", "当前密码不对")
        raise WrongPassword("当前密码不对，密码未修改。")
    check_password(new)
    if new == old:
        raise BulletinError("新密码不能与当前密码相同。")
    with closing(connect(ws)) as db:  # only over the hash just checked: two changes at once, one wins
        if db.execute("UPDATE users SET password = ? WHERE name = ? AND password = ?",
                      (hash_password(new), name, stored)).rowcount == 0:
            raise BulletinError("密码刚被修改过，请重新登录后再试。")
    record(ws, name, role, "修改密码")
    return User(name, role)


def reset_password(ws: Workspace, name: str, new: str, *, actor: str | None = None) -> User:
    """A 管理 (`actor`) or the command line (`actor` None) sets another account's password without knowing the old
    one (重设密码): the role is kept, the account's sessions end as with a change. Audited with the account's name."""
    name = check_name(name)
    check_password(new)
    with closing(connect(ws)) as db:
        row = db.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        if row is None or db.execute("UPDATE users SET password = ? WHERE name = ?",
                                     (hash_password(new), name)).rowcount == 0:
            raise BulletinError(f"没有账号“{name}”。")
    record(ws, actor or command_actor(), ADMIN if actor is None else role_of(ws, actor), "重设密码", "", name)
    return User(name, row[0])


def users(ws: Workspace) -> list[User]:
    with closing(connect(ws)) as db:
        return [User(*row) for row in db.execute("SELECT name, role, created FROM users ORDER BY created, name")]


def find_user(ws: Workspace, name: str) -> User | None:
    with closing(connect(ws)) as db:
        row = db.execute("SELECT name, role, created FROM users WHERE name = ?", (name,)).fetchone()
    return User(*row) if row else None


def role_of(ws: Workspace, name: str) -> str:
    found = find_user(ws, name)
    return found.role if found else (ADMIN if name == FALLBACK_ACCOUNT else "")


def login(ws: Workspace, name: str, password: str) -> User | None:
    """The account when `password` is its password; None otherwise (an unknown name costs the same)."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or len(name) > MAX_NAME or len(password) > MAX_PASSWORD:
        password_matches(password[:MAX_PASSWORD], _DUMMY)
        return None
    with closing(connect(ws)) as db:
        row = db.execute("SELECT name, role, created, password FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        password_matches(password, _DUMMY)
        return None
    return User(row[0], row[1], row[2]) if password_matches(password, row[3]) else None


def fingerprint(ws: Workspace, name: str) -> str:
    """What a session keeps of its account: an HMAC of the stored hash and role ("" when the account is gone);
    a new password, a new role or a removed account changes it."""
    with closing(connect(ws)) as db:
        row = db.execute("SELECT role, password FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        return ""
    return hmac.new(secret(ws).encode(), f"account:{name}:{row[0]}:{row[1]}".encode(), hashlib.sha256).hexdigest()


def command_actor() -> str:
    """Who acted at the command line: the system user (the audit table says 命令行)."""
    try:
        return f"命令行（{getpass.getuser()}）"
    except (KeyError, OSError):
        return "命令行"


# -- the audit table -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    role: str
    action: str
    month: str
    details: str

    @property
    def when(self) -> str:
        try:
            return datetime.fromisoformat(self.at).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return self.at


def record(ws: Workspace, actor: str, role: str, action: str, month: str = "", details: str = "") -> None:
    with closing(connect(ws)) as db:
        db.execute("INSERT INTO audit (at, actor, role, action, month, details) VALUES (?, ?, ?, ?, ?, ?)",
                   (now_text(), actor, role, action, str(month or ""), details[:2000]))


def audit(ws: Workspace, month: str | None = None, limit: int = 200) -> list[AuditRow]:
    """Newest first; a month's rows and the rows of no month (logins, accounts) when a month is given."""
    with closing(connect(ws)) as db:
        if month is None:
            rows = db.execute("SELECT at, actor, role, action, month, details FROM audit ORDER BY id DESC LIMIT ?",
                              (limit,))
        else:
            rows = db.execute("SELECT at, actor, role, action, month, details FROM audit WHERE month IN (?, '') "
                              "ORDER BY id DESC LIMIT ?", (str(month), limit))
        return [AuditRow(*row) for row in rows]


__all__ = ["ADMIN", "EDITOR", "REVIEWER", "ROLES", "AuditRow", "User", "WrongPassword", "add_user", "audit",
           "change_password", "connect", "find_user", "fingerprint", "login", "record", "remove_user",
           "reset_password", "role_of", "users"]
