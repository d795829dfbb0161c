"""`bulletin search WORDS`: every archived article that contains all the words, best first.

Chinese is written without spaces, so a word tokenizer would have to guess where words end (jieba: a 20 MB
dictionary loaded in about a second per process, and a word it splits differently is not found). Instead:
SQLite's FTS5 trigram tokenizer indexes every run of three characters, so any word of three or more characters
is found as a substring through the index ('"农民工工资"' matches exactly that sequence). Words of one or two
characters (欠薪, 河长) have no trigram: they are found by scanning the text (instr), which over five years of
articles (about 2 M characters) takes a few milliseconds. A query mixing both uses the index to narrow first.

Ranking (what "the exact match first" means here): the words typed, joined without spaces, are the phrase.
Articles whose title contains the phrase come first, then those whose text contains it, then those that contain
every word but not side by side; within each, more occurrences first, then the newer issue.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..core.textio import clean_text
from .store import Archive, ArchivedArticle, article_of

TRIGRAM = 3
SNIPPET_CHARS = 90


@dataclass(frozen=True)
class Hit:
    article: ArchivedArticle
    tier: int  # 0 phrase in title, 1 phrase in text, 2 every word, apart
    count: int  # occurrences of the phrase (tiers 0, 1) or of the words (tier 2)
    sentence: str  # the sentence around the first match

    @property
    def tier_text(self) -> str:
        return ("标题完全匹配", "正文完全匹配", "含全部关键词")[self.tier]


def words_of(query: str | list[str]) -> list[str]:
    text = " ".join(query) if isinstance(query, list) else query
    text = clean_text(unicodedata.normalize("NFKC", text))  # control characters (NUL ends an FTS5 query)
    text = text.replace("“", " ").replace("”", " ").replace('"', " ")
    return [word for word in text.split() if word]


def search(archive: Archive, query: str | list[str], *, year: int | None = None, unit: str | None = None,
           series: str | None = None, limit: int = 20) -> tuple[list[Hit], int]:
    """(the best `limit` hits, how many articles matched)."""
    words = words_of(query)
    if not words:
        return [], 0
    sql = ["SELECT a.* FROM archive_articles a WHERE 1"]
    args: list = []
    long_words = [word for word in words if len(word) >= TRIGRAM]
    if long_words:
        sql.append("AND a.id IN (SELECT rowid FROM archive_fts WHERE archive_fts MATCH ?)")
        args.append(" AND ".join('"' + word.replace('"', '""') + '"' for word in long_words))
    for word in words:
        if len(word) < TRIGRAM:
            sql.append("AND (instr(a.title, ?) > 0 OR instr(a.text, ?) > 0)")
            args += [word, word]
    if year is not None:
        sql.append("AND a.month LIKE ?")
        args.append(f"{year:04d}-%")
    if unit:
        sql.append("AND instr(a.unit, ?) > 0")
        args.append(unit.strip())
    if series is not None:
        sql.append("AND a.series = ?")
        args.append(series)
    phrase = "".join(words)
    # ranked in SQL, so only the rows shown are read back (a common word matches most of the archive)
    tier = "CASE WHEN instr(a.title, ?) > 0 THEN 0 WHEN instr(a.text, ?) > 0 THEN 1 ELSE 2 END"
    occurrences = "((length({col}) - length(replace({col}, ?, ''))) / length(?))"
    phrase_count = " + ".join(occurrences.format(col=col) for col in ("a.title", "a.text"))
    words_count = " + ".join(occurrences.format(col=col) for _ in words for col in ("a.title", "a.text"))
    count = f"CASE WHEN instr(a.title, ?) > 0 OR instr(a.text, ?) > 0 THEN {phrase_count} ELSE {words_count} END"
    ranked = (f"SELECT * FROM (SELECT a.*, {tier} AS tier, {count} AS hits, COUNT(*) OVER () AS total "
              + " ".join(sql)[len("SELECT a.* "):] + ") ORDER BY tier, hits DESC, month DESC, position LIMIT ?")
    rank_args = [phrase, phrase, phrase, phrase, phrase, phrase, phrase, phrase]
    rank_args += [value for word in words for value in (word, word, word, word)]
    rows = archive.conn.execute(ranked, rank_args + args + [limit]).fetchall()
    total = rows[0]["total"] if rows else 0
    hits = [Hit(article_of(row), row["tier"], row["hits"],
                sentence_around(row["text"], phrase if row["tier"] < 2 else words[0]) or row["title"])
            for row in rows]
    return hits, total


def sentence_around(text: str, needle: str) -> str:
    """The sentence holding the first occurrence of `needle`, cut to about SNIPPET_CHARS around it."""
    at = text.find(needle)
    if at < 0:
        return ""
    start = max(text.rfind(end, 0, at) for end in "。！？；!?;\n") + 1
    ends = [i for i in (text.find(end, at + len(needle)) for end in "。！？；!?;\n") if i >= 0]
    stop = min(ends) + 1 if ends else len(text)
    sentence = text[start:stop].strip()
    if len(sentence) <= SNIPPET_CHARS:
        return sentence
    inner = at - start
    left = max(0, inner - SNIPPET_CHARS // 2)
    piece = sentence[left:left + SNIPPET_CHARS]
    return ("…" if left else "") + piece + ("…" if left + SNIPPET_CHARS < len(sentence) else "")
