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

import re
import unicodedata
from dataclasses import dataclass

from .store import Archive, ArchivedArticle, article_of

TRIGRAM = 3
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")
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
    text = unicodedata.normalize("NFKC", text).replace("“", " ").replace("”", " ").replace('"', " ")
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
    rows = archive.conn.execute(" ".join(sql), args).fetchall()
    phrase = "".join(words)
    hits = [_hit(article_of(row), words, phrase) for row in rows]
    hits.sort(key=lambda h: (h.tier, -h.count, _newest(h.article)))
    return hits[:limit], len(hits)


def _newest(article: ArchivedArticle) -> tuple:
    return tuple(-ord(c) for c in article.month) + (article.position,)


def _hit(article: ArchivedArticle, words: list[str], phrase: str) -> Hit:
    if phrase in article.title:
        tier, count = 0, article.title.count(phrase) + article.text.count(phrase)
    elif phrase in article.text:
        tier, count = 1, article.text.count(phrase)
    else:
        tier, count = 2, sum(article.title.count(w) + article.text.count(w) for w in words)
    return Hit(article, tier, count, sentence_around(article.text, phrase if tier < 2 else words[0])
               or article.title)


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
