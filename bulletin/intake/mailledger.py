"""The submission mailbox's part of the ledger (bulletin fetch): every message read, the files it brought, its
receipt. Same file and transactions as the office's ledger (core/ledger.py), tables of its own; kept here,
next to the mailbox code that is its only writer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..core.ledger import Ledger, now

_MAIL_SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,          -- user@host/folder
    uidvalidity INTEGER NOT NULL,   -- UIDs mean something only together with the folder's UIDVALIDITY
    uid INTEGER NOT NULL,
    message_key TEXT NOT NULL,      -- the Message-ID, else a hash of the header: the second key
    message_id TEXT NOT NULL DEFAULT '',
    references_ TEXT NOT NULL DEFAULT '',
    month TEXT NOT NULL,
    received_at TEXT NOT NULL,      -- the server's arrival time, Asia/Shanghai
    sender TEXT NOT NULL DEFAULT '',
    sender_name TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,            -- saving (files staged, not all in place yet) | done | duplicate
    note TEXT NOT NULL DEFAULT '',  -- what happened to the message as a whole (too large, auto-reply, ...)
    items TEXT NOT NULL DEFAULT '[]',  -- JSON list: name (as sent), outcome, file, reason
    receipt TEXT NOT NULL,          -- pending | sending | sent | failed | none
    receipt_error TEXT NOT NULL DEFAULT '',
    receipt_attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    UNIQUE (account, uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS mail_messages_key ON mail_messages (message_key);
CREATE INDEX IF NOT EXISTS mail_messages_month ON mail_messages (month);
CREATE TABLE IF NOT EXISTS mail_files (
    month TEXT NOT NULL,
    file TEXT NOT NULL,             -- relative to inputs/<month>/: 'x.docx' or '待核实/x.docx'
    message INTEGER NOT NULL REFERENCES mail_messages (id),
    sender TEXT NOT NULL,           -- the From address of the message the file came in
    sha256 TEXT NOT NULL,
    origin TEXT NOT NULL,           -- attachment | zip | forwarded | body
    original TEXT NOT NULL DEFAULT '',  -- the name as sent
    staged TEXT NOT NULL DEFAULT '',    -- the staged copy (state 'saving'), '' once the file is in place
    PRIMARY KEY (month, file)
);
"""


@dataclass(frozen=True)
class MailMessage:
    id: int
    account: str
    uidvalidity: int
    uid: int
    message_key: str
    message_id: str
    references: str
    month: str
    received_at: str
    sender: str
    sender_name: str
    unit: str
    subject: str
    state: str
    note: str
    items: list[dict]
    receipt: str
    receipt_error: str
    receipt_attempts: int


@dataclass(frozen=True)
class MailFile:
    month: str
    file: str
    message: int
    sender: str
    sha256: str
    origin: str
    original: str
    staged: str


class MailLedger:
    """The mailbox's part of the ledger, over a Ledger's connection (same file, same transactions).

    A message is written once, in one transaction, together with the names of the files it brings (state
    'saving' while they are staged), and marked 'done' when every file is in place: a fetch killed at any point
    leaves either nothing (the message is read again) or a row whose staged files the next fetch puts in place.
    """

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self._conn = ledger._conn
        self._conn.executescript(_MAIL_SCHEMA)

    @staticmethod
    def _message(row) -> MailMessage:
        data = dict(row)
        data["references"] = data.pop("references_")
        data.pop("updated_at")
        data["items"] = json.loads(data["items"])
        return MailMessage(**data)

    def known_uids(self, account: str, uidvalidity: int) -> set[int]:
        rows = self._conn.execute(
            "SELECT uid FROM mail_messages WHERE account = ? AND uidvalidity = ?", (account, uidvalidity)
        ).fetchall()
        return {row["uid"] for row in rows}

    def by_key(self, message_key: str) -> MailMessage | None:
        """The first copy of a message (any folder, any UIDVALIDITY) with this Message-ID."""
        row = self._conn.execute(
            "SELECT * FROM mail_messages WHERE message_key = ? AND state != 'duplicate' ORDER BY id LIMIT 1",
            (message_key,),
        ).fetchone()
        return None if row is None else self._message(row)

    def taken_names(self, month: str) -> set[str]:
        """Every file name the mailbox has given in this month (in place or still staged)."""
        rows = self._conn.execute("SELECT file FROM mail_files WHERE month = ?", (month,)).fetchall()
        return {row["file"] for row in rows}

    def record_message(self, message: dict, files: list[dict]) -> int:
        """Insert a message and its files in one transaction; returns the message's row id.

        message: account, uidvalidity, uid, message_key, message_id, references, month, received_at, sender,
        sender_name, unit, subject, state, note, items (list), receipt. files: file, sha256, origin, original, staged.
        """
        stamp = now()
        with self.ledger._tx() as conn:
            cur = conn.execute(
                "INSERT INTO mail_messages (account, uidvalidity, uid, message_key, message_id, references_, month, "
                "received_at, sender, sender_name, unit, subject, state, note, items, receipt, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message["account"], message["uidvalidity"], message["uid"], message["message_key"],
                    message.get("message_id", ""), message.get("references", ""), message["month"],
                    message["received_at"], message.get("sender", ""), message.get("sender_name", ""),
                    message.get("unit", ""), message.get("subject", ""), message["state"], message.get("note", ""),
                    json.dumps(message.get("items", []), ensure_ascii=False), message["receipt"], stamp,
                ),
            )
            row_id = int(cur.lastrowid)
            conn.executemany(
                "INSERT INTO mail_files (month, file, message, sender, sha256, origin, original, staged) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (message["month"], f["file"], row_id, message.get("sender", ""), f["sha256"], f["origin"],
                     f.get("original", ""), f.get("staged", ""))
                    for f in files
                ],
            )
            return row_id

    def unfinished(self) -> list[tuple[MailMessage, list[MailFile]]]:
        """Messages whose files were staged but not all put in place (a fetch stopped part way)."""
        rows = self._conn.execute("SELECT * FROM mail_messages WHERE state = 'saving' ORDER BY id").fetchall()
        return [(self._message(row), self.files_of(row["id"])) for row in rows]

    def files_of(self, message: int) -> list[MailFile]:
        rows = self._conn.execute("SELECT * FROM mail_files WHERE message = ? ORDER BY rowid", (message,)).fetchall()
        return [MailFile(**dict(row)) for row in rows]

    def file_placed(self, month: str, file: str, new_name: str | None = None) -> None:
        """A staged file is in place (under `new_name` when its reserved name had been taken meanwhile)."""
        with self.ledger._tx() as conn:
            conn.execute(
                "UPDATE mail_files SET staged = '', file = ? WHERE month = ? AND file = ?",
                (new_name or file, month, file),
            )

    def finish(self, message: int, placed: bool = False) -> None:
        """The message is done; placed: every staged file of it is in place now (one transaction for all)."""
        with self.ledger._tx() as conn:
            if placed:
                conn.execute("UPDATE mail_files SET staged = '' WHERE message = ?", (message,))
            conn.execute("UPDATE mail_messages SET state = 'done', updated_at = ? WHERE id = ?", (now(), message))

    def receipts_due(self, max_attempts: int) -> list[MailMessage]:
        rows = self._conn.execute(
            "SELECT * FROM mail_messages WHERE receipt IN ('pending', 'sending', 'failed') AND state = 'done' "
            "AND receipt_attempts < ? ORDER BY id",
            (max_attempts,),
        ).fetchall()
        return [self._message(row) for row in rows]

    def mark_receipts_sending(self, messages: list[int]) -> None:
        """Before a batch is sent, in one transaction: a fetch killed during it resends what is still 'sending'
        (with the same Message-ID), and never loses a receipt."""
        with self.ledger._tx() as conn:
            conn.executemany("UPDATE mail_messages SET receipt = 'sending', updated_at = ? WHERE id = ?",
                             [(now(), m) for m in messages])

    def mark_receipt(self, message: int, status: str, error: str = "", count_attempt: bool = False) -> None:
        with self.ledger._tx() as conn:
            conn.execute(
                "UPDATE mail_messages SET receipt = ?, receipt_error = ?, "
                "receipt_attempts = receipt_attempts + ?, updated_at = ? WHERE id = ?",
                (status, error, int(count_attempt), now(), message),
            )

    def messages(self, month: str | None = None) -> list[MailMessage]:
        if month is None:
            rows = self._conn.execute("SELECT * FROM mail_messages ORDER BY id").fetchall()
        else:
            rows = self._conn.execute("SELECT * FROM mail_messages WHERE month = ? ORDER BY id", (month,)).fetchall()
        return [self._message(row) for row in rows]

    def files(self, month: str) -> list[MailFile]:
        """Files the mailbox saved for a month (which file came from which sender)."""
        rows = self._conn.execute("SELECT * FROM mail_files WHERE month = ? ORDER BY rowid", (month,)).fetchall()
        return [MailFile(**dict(row)) for row in rows]
# ===== end of the submission mailbox ===========================================================================
