"""The workspace ledger (SQLite): issue numbers, compiles, approvals, deliveries.

Every write is one transaction, so a crash leaves either the old or the new state. Several processes may
open the ledger at once (CLI, flow, worker); SQLite's own locking plus a busy timeout serialises them.

File paths are stored relative to the workspace (`outputs/2026-10/工作简报第64期.docx`), so a workspace that
is moved or mounted elsewhere keeps working; records hand them back absolute. Ledgers written before that
(absolute paths) are migrated when opened.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import BulletinError
from .workspace import OFFICE_TZ, STATE_DIR_NAME

_SCHEMA = """
CREATE TABLE IF NOT EXISTS issues (
    month TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    assigned_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS compiles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    month TEXT NOT NULL,
    number INTEGER NOT NULL,
    compiled_at TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    issue_date TEXT NOT NULL,       -- the date printed on the bulletin, YYYY-MM-DD
    drafts TEXT NOT NULL            -- JSON list: file, sha256, unit, title, status, reason
);
CREATE TABLE IF NOT EXISTS approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    month TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    approved INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    step TEXT NOT NULL DEFAULT ''   -- the review step decided at ([[review.step]] name; '' in older ledgers)
);
CREATE TABLE IF NOT EXISTS deliveries (
    month TEXT NOT NULL,
    purpose TEXT NOT NULL,          -- 'bulletin', or 'review' for the draft sent to reviewers
    email TEXT NOT NULL,
    list_name TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,           -- sending | sent | failed
    sha256 TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (month, purpose, email)
);
CREATE TABLE IF NOT EXISTS pdf_editions (  -- [bulletin] pdf: the PDF made from an approved .docx
    month TEXT NOT NULL,
    docx_sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    made_at TEXT NOT NULL,
    PRIMARY KEY (month, docx_sha256)
);
CREATE TABLE IF NOT EXISTS flow_runs (
    month TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    state TEXT NOT NULL,            -- waiting_for_approval | finished
    updated_at TEXT NOT NULL
);
"""


def now() -> str:
    return datetime.now(OFFICE_TZ).isoformat(timespec="seconds")


@dataclass(frozen=True)
class CompileRecord:
    id: int
    month: str
    number: int
    compiled_at: str
    path: str
    sha256: str
    issue_date: str
    drafts: list[dict]

    @property
    def date_text(self) -> str:
        """The printed date, e.g. 2026年10月28日."""
        year, month, day = (int(part) for part in self.issue_date.split("-"))
        return f"{year}年{month}月{day}日"


@dataclass(frozen=True)
class DecisionRecord:
    """One review decision as the ledger keeps it: approved or rejected, on the file with this sha256."""

    month: str
    path: str
    sha256: str
    approved: bool
    reviewer: str
    comment: str
    decided_at: str
    step: str = ""  # the review step ([[review.step]] name); "" for decisions recorded before review chains


@dataclass(frozen=True)
class DeliveryRecord:
    month: str
    purpose: str
    email: str
    list_name: str
    name: str
    status: str
    sha256: str
    attempts: int
    error: str
    updated_at: str


class Ledger:
    """`Ledger(ws.ledger_path)`; `root` is the workspace the stored paths are relative to (by default the
    folder that holds `.bulletin/`, where the ledger lives)."""

    def __init__(self, path: Path, root: Path | None = None):
        self.path = Path(path)
        self.root = Path(root) if root is not None else _default_root(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA busy_timeout = 60000")
        self._conn.executescript(_SCHEMA)
        self._migrate_columns()
        self._migrate_paths()

    # -- paths relative to the workspace -------------------------------------------------------
    def _stored(self, path: Path | str) -> str:
        """What the ledger keeps for `path`: relative to the workspace (POSIX form) when inside it."""
        path = Path(path)
        if not path.is_absolute():
            return path.as_posix()
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def _absolute(self, stored: str) -> str:
        return str(self.root / stored)  # an absolute `stored` stays itself: pathlib joins onto it

    def _migrate_columns(self) -> None:
        """Columns added since a ledger was created (approvals.step, issue 26) are added on open: idempotent;
        older rows get the column's default ('' = the one step of a review without a chain)."""
        for table, column, decl in _ADDED_COLUMNS:
            have = {row["name"] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                with self._tx() as conn:
                    have = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
                    if column not in have:  # another process may have added it meanwhile
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")

    def _migrate_paths(self) -> None:
        """Absolute paths written by older versions become relative: idempotent, one transaction."""
        absolute = "SELECT id, path FROM {} WHERE path LIKE '/%' OR path LIKE '_:%'"
        if not any(self._conn.execute(absolute.format(t)).fetchone() for t in ("compiles", "approvals")):
            return  # the usual case: no write lock taken just to open the ledger
        with self._tx() as conn:
            for table in ("compiles", "approvals"):
                for row in conn.execute(absolute.format(table)).fetchall():
                    relative = self._relocated(row["path"])
                    if relative is not None:
                        conn.execute(f"UPDATE {table} SET path = ? WHERE id = ?", (relative, row["id"]))

    def _relocated(self, old: str) -> str | None:
        """An old absolute path as a workspace-relative one: inside this workspace, or (moved workspace)
        recognised by its tail `outputs/<YYYY-MM>/<file>`. None when neither (kept as it is)."""
        parts = PurePosixPath(old.replace("\\", "/")).parts  # written on Windows or here
        if len(parts) >= 3 and parts[-3] == "outputs" and _MONTH.match(parts[-2]):
            return "/".join(parts[-3:])
        stored = self._stored(old)
        absolute = PurePosixPath(stored).is_absolute() or PureWindowsPath(stored).is_absolute()
        return None if absolute else stored

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _tx(self):
        """An IMMEDIATE transaction: takes the write lock up front, so read-then-write cannot race."""
        return _Transaction(self._conn)

    def transaction(self):
        """`with ledger.transaction():` reads and writes of several calls as one IMMEDIATE transaction
        (the write lock is taken first, so nothing can change between a check and the write)."""
        return _Transaction(self._conn)

    # -- issue numbers -------------------------------------------------------------------------
    def issue_number(
        self, month: str, first_issue: int, override: int | None = None, reserve: bool = True
    ) -> int:
        """The month's number: kept if assigned, else `override`, else the next after the highest.

        With reserve=False nothing is written: the compiler asks first and reserves once the file exists
        (record_compile does, in the same transaction as the compile), so a failed first compile does not
        use up a number.
        """
        with self._tx() as conn:
            number = _choose_number(conn, month, first_issue, override)
            if reserve:
                _reserve(conn, month, number)
            return number

    def assigned_number(self, month: str) -> int | None:
        row = self._conn.execute("SELECT number FROM issues WHERE month = ?", (month,)).fetchone()
        return None if row is None else row["number"]

    # -- compiles ------------------------------------------------------------------------------
    def record_compile(
        self, month: str, number: int, path: Path, sha256: str, drafts: list[dict], issue_date: str = ""
    ) -> int:
        """Record a compile and reserve its issue number for the month, in one transaction: either both
        are in the ledger or neither (a number is never used up by a compile that did not finish)."""
        issue_date = issue_date or now()[:10]
        with self._tx() as conn:
            row = conn.execute("SELECT number FROM issues WHERE month = ?", (month,)).fetchone()
            if row is None or row["number"] != number:
                _check_free(conn, month, number)
                _reserve(conn, month, number)
            cur = conn.execute(
                "INSERT INTO compiles (month, number, compiled_at, path, sha256, issue_date, drafts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (month, number, now(), self._stored(path), sha256, issue_date,
                 json.dumps(drafts, ensure_ascii=False)),
            )
            return int(cur.lastrowid)

    def last_compile(self, month: str) -> CompileRecord | None:
        row = self._conn.execute(
            "SELECT * FROM compiles WHERE month = ? ORDER BY id DESC LIMIT 1", (month,)
        ).fetchone()
        if row is None:
            return None
        return CompileRecord(
            id=row["id"], month=row["month"], number=row["number"], compiled_at=row["compiled_at"],
            path=self._absolute(row["path"]), sha256=row["sha256"], issue_date=row["issue_date"],
            drafts=json.loads(row["drafts"]),
        )

    def compiles(self, month: str) -> list[CompileRecord]:
        """Every compile of the month, oldest first (the statistics count what each one received)."""
        rows = self._conn.execute("SELECT * FROM compiles WHERE month = ? ORDER BY id", (month,)).fetchall()
        return [CompileRecord(
            id=row["id"], month=row["month"], number=row["number"], compiled_at=row["compiled_at"],
            path=self._absolute(row["path"]), sha256=row["sha256"], issue_date=row["issue_date"],
            drafts=json.loads(row["drafts"]),
        ) for row in rows]

    def compiled_months(self) -> list[str]:
        return [row[0] for row in self._conn.execute("SELECT DISTINCT month FROM compiles ORDER BY month")]

    # -- approvals -----------------------------------------------------------------------------
    def record_decision(
        self, month: str, path: Path, sha256: str, approved: bool, reviewer: str, comment: str = "", step: str = ""
    ) -> DecisionRecord:
        with self._tx():
            return self.insert_decision(month, path, sha256, approved, reviewer, comment, step)

    def insert_decision(
        self, month: str, path: Path, sha256: str, approved: bool, reviewer: str, comment: str = "", step: str = ""
    ) -> DecisionRecord:
        """record_decision inside a transaction the caller holds (`with ledger.transaction():`)."""
        decided_at = now()
        self._conn.execute(
            "INSERT INTO approvals (month, path, sha256, approved, reviewer, comment, decided_at, step) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (month, self._stored(path), sha256, int(approved), reviewer, comment, decided_at, step),
        )
        return DecisionRecord(month, self._absolute(self._stored(path)), sha256, approved, reviewer, comment, decided_at,
                              step)

    def decisions(self, month: str, sha256: str | None = None) -> list[DecisionRecord]:
        """The month's decisions, oldest first; with `sha256`, only those on that version (a review chain's
        steps are read from these: delivery/chain.py)."""
        query, args = "SELECT * FROM approvals WHERE month = ?", [month]
        if sha256 is not None:
            query, args = query + " AND sha256 = ?", args + [sha256]
        rows = self._conn.execute(query + " ORDER BY id", args).fetchall()
        return [self._decision(row) for row in rows]

    def _decision(self, row: sqlite3.Row) -> DecisionRecord:
        return DecisionRecord(
            row["month"], self._absolute(row["path"]), row["sha256"], bool(row["approved"]), row["reviewer"],
            row["comment"], row["decided_at"], row["step"],
        )

    def latest_decision(self, month: str) -> DecisionRecord | None:
        row = self._conn.execute(
            "SELECT * FROM approvals WHERE month = ? ORDER BY id DESC LIMIT 1", (month,)
        ).fetchone()
        if row is None:
            return None
        return self._decision(row)

    # -- deliveries ----------------------------------------------------------------------------
    def deliveries(self, month: str, purpose: str = "bulletin") -> dict[str, DeliveryRecord]:
        rows = self._conn.execute(
            "SELECT * FROM deliveries WHERE month = ? AND purpose = ? ORDER BY email", (month, purpose)
        ).fetchall()
        return {row["email"]: DeliveryRecord(**dict(row)) for row in rows}

    def review_deliveries(self, month: str) -> list[DeliveryRecord]:
        """Every mailing of the month to reviewers, of any version, step and transport (`review:<sha12>[:<step>]`,
        with the outbox suffix or not), oldest first: which version the reviewers hold (delivery/status.py)."""
        rows = self._conn.execute(
            "SELECT * FROM deliveries WHERE month = ? AND purpose LIKE 'review:%' ORDER BY updated_at, email",
            (month,),
        ).fetchall()
        return [DeliveryRecord(**dict(row)) for row in rows]

    def mark_deliveries(
        self,
        month: str,
        purpose: str,
        recipients: list[tuple[str, str, str]],
        status: str,
        sha256: str,
        error: str = "",
        count_attempt: bool = False,
    ) -> None:
        """Set the status of (email, list_name, name) recipients in one transaction."""
        stamp = now()
        with self._tx() as conn:
            conn.executemany(
                "INSERT INTO deliveries (month, purpose, email, list_name, name, status, sha256, attempts, error, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(month, purpose, email) DO UPDATE SET list_name = excluded.list_name, "
                "name = excluded.name, status = excluded.status, sha256 = excluded.sha256, "
                "attempts = deliveries.attempts + excluded.attempts, error = excluded.error, "
                "updated_at = excluded.updated_at",
                [
                    (month, purpose, email, list_name, name, status, sha256, int(count_attempt), error, stamp)
                    for email, list_name, name in recipients
                ],
            )

    # -- flow runs waiting for a reviewer ------------------------------------------------------
    def record_flow_run(self, month: str, run_id: str, state: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO flow_runs (month, run_id, state, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(month) DO UPDATE SET run_id = excluded.run_id, state = excluded.state, "
                "updated_at = excluded.updated_at",
                (month, run_id, state, now()),
            )

    def flow_run(self, month: str) -> tuple[str, str] | None:
        row = self._conn.execute("SELECT run_id, state FROM flow_runs WHERE month = ?", (month,)).fetchone()
        return None if row is None else (row["run_id"], row["state"])

    def record_pdf(self, month: str, docx_sha256: str, path: Path, pdf_sha256: str) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR REPLACE INTO pdf_editions (month, docx_sha256, path, pdf_sha256, made_at) "
                         "VALUES (?, ?, ?, ?, ?)", (month, docx_sha256, self._stored(path), pdf_sha256, now()))

    def pdf_edition(self, month: str, docx_sha256: str) -> tuple[str, str] | None:
        """(path, pdf sha256) of the PDF made from that version of the month's .docx."""
        row = self._conn.execute("SELECT path, pdf_sha256 FROM pdf_editions WHERE month = ? AND docx_sha256 = ?",
                                 (month, docx_sha256)).fetchone()
        return None if row is None else (self._absolute(row["path"]), row["pdf_sha256"])

    def flow_run_updated(self, month: str) -> str | None:
        """When the month's flow run last changed state (e.g. since when it waits for the review)."""
        row = self._conn.execute("SELECT updated_at FROM flow_runs WHERE month = ?", (month,)).fetchone()
        return None if row is None else row["updated_at"]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT/ROLLBACK; nested use joins the outer transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.outer = not self.conn.in_transaction
        if self.outer:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.outer:
            self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# (table, column, declaration): columns added to existing tables since the first ledgers were written
_ADDED_COLUMNS = (("approvals", "step", "TEXT NOT NULL DEFAULT ''"),)


def _default_root(ledger_path: Path) -> Path:
    folder = ledger_path.parent
    return folder.parent if folder.name == STATE_DIR_NAME else folder


def _choose_number(conn: sqlite3.Connection, month: str, first_issue: int, override: int | None) -> int:
    row = conn.execute("SELECT number FROM issues WHERE month = ?", (month,)).fetchone()
    if override is None and row is not None:
        return row["number"]
    if override is not None:
        _check_free(conn, month, override)
        return override
    top = conn.execute("SELECT MAX(number) AS n FROM issues").fetchone()["n"]
    return first_issue if top is None else top + 1


def _check_free(conn: sqlite3.Connection, month: str, number: int) -> None:
    """A number belongs to one month: refuse it for `month` when another month has it."""
    clash = conn.execute("SELECT month FROM issues WHERE number = ? AND month != ?", (number, month)).fetchone()
    if clash is not None:
        raise BulletinError(f"期号第{number}期已用于 {clash['month']} 的简报，不能再用于 {month}。")


def _reserve(conn: sqlite3.Connection, month: str, number: int) -> None:
    conn.execute(
        "INSERT INTO issues (month, number, assigned_at) VALUES (?, ?, ?) "
        "ON CONFLICT(month) DO UPDATE SET number = excluded.number, assigned_at = excluded.assigned_at",
        (month, number, now()),
    )



# ===== the submission mailbox (bulletin fetch): messages read, files saved, receipts (owner: mailbox intake) ====
