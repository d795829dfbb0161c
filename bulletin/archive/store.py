"""The archive's tables, kept in the office ledger's SQLite file (`Workspace(root).ledger_path`).

    archive_issues    one row per archived issue: (series, month) -> number, printed date, file, sha256, source
    archive_articles  the issue's articles in print order: title, unit, column, text, MinHash signature
    archive_fts       FTS5 over title and text with the trigram tokenizer (external content: archive_articles)

Archiving an issue replaces whatever the archive held for that (series, month), in one transaction with its
index rows, so the archive always holds one version of a month: the one approved last. Written when an issue is
approved (office/archive.py, called by office/decide.py) and by `bulletin archive rebuild` for the months
before. Nothing here reads .docx files or the compile's ledger: the reader and the use case do.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..core.ledger import now
from .similar import NUM_PERM, SIGNATURE_VERSION, Text, signature_bytes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS archive_issues (
    series TEXT NOT NULL,           -- '' for the monthly bulletin, else the [series.<name>]
    month TEXT NOT NULL,            -- YYYY-MM
    number INTEGER NOT NULL,        -- 期号
    issue_date TEXT NOT NULL,       -- the printed date, YYYY-MM-DD
    title TEXT NOT NULL,            -- the publication (工作简报, 督查专报)
    path TEXT NOT NULL,             -- the approved .docx (relative to the workspace)
    sha256 TEXT NOT NULL,           -- of the approved .docx
    source TEXT NOT NULL,           -- approval | rebuild
    archived_at TEXT NOT NULL,
    PRIMARY KEY (series, month)
);
CREATE TABLE IF NOT EXISTS archive_articles (
    id INTEGER PRIMARY KEY,
    series TEXT NOT NULL,
    month TEXT NOT NULL,
    number INTEGER NOT NULL,
    issue_date TEXT NOT NULL,
    position INTEGER NOT NULL,      -- 1, 2, ... in print order
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    column_name TEXT NOT NULL,      -- 栏目, '' for none
    text TEXT NOT NULL,             -- paragraphs joined by newlines
    signature BLOB NOT NULL,        -- MinHash, NUM_PERM uint32 (similar.py)
    signature_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS archive_articles_issue ON archive_articles (series, month, position);
CREATE VIRTUAL TABLE IF NOT EXISTS archive_fts USING fts5(
    title, text, content='archive_articles', content_rowid='id', tokenize='trigram'
);
"""


@dataclass(frozen=True)
class ArchivedIssue:
    series: str
    month: str
    number: int
    issue_date: str
    title: str
    path: str
    sha256: str
    source: str = "approval"
    archived_at: str = ""

    @property
    def date_text(self) -> str:
        year, month, day = (int(x) for x in self.issue_date.split("-"))
        return f"{year}年{month}月{day}日"


@dataclass(frozen=True)
class ArchivedArticle:
    title: str
    unit: str
    column: str
    text: str
    position: int = 0
    series: str = ""
    month: str = ""
    number: int = 0
    issue_date: str = ""
    id: int = 0

    @property
    def date_text(self) -> str:
        year, month, day = (int(x) for x in self.issue_date.split("-"))
        return f"{year}年{month}月{day}日"


class Archive:
    """`with Archive(ws.root_ledger_path) as archive:`; every write is one IMMEDIATE transaction."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA busy_timeout = 60000")
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------
    def replace_issue(self, issue: ArchivedIssue, articles: list[ArchivedArticle]) -> None:
        """The issue and its articles replace what the archive held for (series, month), index included."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._delete(issue.series, issue.month)
            conn.execute(
                "INSERT INTO archive_issues (series, month, number, issue_date, title, path, sha256, source, "
                "archived_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (issue.series, issue.month, issue.number, issue.issue_date, issue.title, issue.path, issue.sha256,
                 issue.source, now()),
            )
            for position, article in enumerate(articles, start=1):
                cur = conn.execute(
                    "INSERT INTO archive_articles (series, month, number, issue_date, position, title, unit, "
                    "column_name, text, signature, signature_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (issue.series, issue.month, issue.number, issue.issue_date, position, article.title,
                     article.unit, article.column, article.text, signature_bytes(article.text), SIGNATURE_VERSION),
                )
                conn.execute("INSERT INTO archive_fts (rowid, title, text) VALUES (?, ?, ?)",
                             (cur.lastrowid, article.title, article.text))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _delete(self, series: str, month: str) -> None:
        rows = self.conn.execute("SELECT id, title, text FROM archive_articles WHERE series = ? AND month = ?",
                                 (series, month)).fetchall()
        self.conn.executemany("INSERT INTO archive_fts (archive_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)",
                              [(r["id"], r["title"], r["text"]) for r in rows])
        self.conn.execute("DELETE FROM archive_articles WHERE series = ? AND month = ?", (series, month))
        self.conn.execute("DELETE FROM archive_issues WHERE series = ? AND month = ?", (series, month))

    # -- reading -------------------------------------------------------------------------------
    def issue(self, series: str, month: str) -> ArchivedIssue | None:
        row = self.conn.execute("SELECT * FROM archive_issues WHERE series = ? AND month = ?",
                                (series, month)).fetchone()
        return None if row is None else ArchivedIssue(**dict(row))

    def issues(self, series: str | None = None, year: int | None = None) -> list[ArchivedIssue]:
        """Archived issues in month order (one series, or all when None; one year, or all)."""
        sql, args = "SELECT * FROM archive_issues WHERE 1", []
        if series is not None:
            sql, args = sql + " AND series = ?", args + [series]
        if year is not None:
            sql, args = sql + " AND month LIKE ?", args + [f"{year:04d}-%"]
        rows = self.conn.execute(sql + " ORDER BY series, month", args).fetchall()
        return [ArchivedIssue(**dict(r)) for r in rows]

    def articles(self, series: str, month: str) -> list[ArchivedArticle]:
        rows = self.conn.execute(
            "SELECT * FROM archive_articles WHERE series = ? AND month = ? ORDER BY position", (series, month)
        ).fetchall()
        return [article_of(r) for r in rows]

    def text(self, article_id: int) -> str:
        row = self.conn.execute("SELECT text FROM archive_articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else ""

    def comparables(self, *, except_series: str, except_month: str):
        """The ids of every archived article but those of one (series, month) — the month being compiled — and
        their signatures as a (n, NUM_PERM) numpy matrix (None when there is none: numpy is then never
        imported), for the near-duplicate check (`comparable(id)` reads one)."""
        rows = self.conn.execute(
            "SELECT id, signature, signature_version FROM archive_articles WHERE NOT (series = ? AND month = ?) "
            "ORDER BY id", (except_series, except_month),
        ).fetchall()
        ids = [r[0] for r in rows]
        sigs = [r[1] if r[2] == SIGNATURE_VERSION and len(r[1]) == NUM_PERM * 4
                else signature_bytes(self.text(r[0]))  # written by an older version: measured again
                for r in rows]
        if not sigs:
            return ids, None
        import numpy as np  # only with an archive to compare against

        return ids, np.frombuffer(b"".join(sigs), dtype=np.uint32).reshape(len(sigs), NUM_PERM)

    def comparable(self, article_id: int) -> Text:
        """One archived article as the check names it: 第64期（2026年9月25日）, its unit, title and text."""
        r = self.conn.execute("SELECT * FROM archive_articles WHERE id = ?", (article_id,)).fetchone()
        article = article_of(r)
        where = f"{article.series}第{article.number}期（{article.date_text}）"
        return Text(article.id, article.unit, article.title, article.text, where)


def article_of(row: sqlite3.Row) -> ArchivedArticle:
    return ArchivedArticle(row["title"], row["unit"], row["column_name"], row["text"], row["position"],
                           row["series"], row["month"], row["number"], row["issue_date"], row["id"])
