"""An approved issue read back into its articles: what was printed, in print order.

Where the text comes from — decided: the approved .docx, not the drafts. The office may edit the compiled
bulletin in Word before approving it (a figure corrected, a sentence cut), and the approval binds exactly those
bytes; the drafts in inputs/ may be revised or deleted later. So the archive holds what the reviewer approved.
What the .docx does not say reliably — the unit (a title may open with it, a 供稿 trailer or no unit line at all,
depending on the layout) and the column — comes from the ledger's record of the compile: its drafts in print
order, with title and unit.

How the .docx is cut: the shipped templates give every part of an article its paragraph style (ArticleTitle,
ArticleSubtitle, ArticleUnit, EditorNote, ArticleByline; ColumnHeading between columns; NoticeHeading and Closing
after the last article). An article is its ArticleTitle paragraphs (a title over several lines is several
consecutive ones) and every paragraph and table after them up to the next title, column heading, notice section
or 版记. Titles are matched to the ledger's drafts in order; when the counts differ (an article deleted or added
by hand) each title is matched by its text, and an article without a match keeps its printed title and an
empty unit. A file without ArticleTitle paragraphs (the 督查专报, written without a template) is archived as one
article: its whole text under the issue's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.vocabulary import DraftStatus
from ..core.wordxml import text_of, w
from ..intake.docxfile import screen
from .similar import normalized
from .store import ArchivedArticle

TITLE, SUBTITLE, UNIT, NOTE, BYLINE = "ArticleTitle", "ArticleSubtitle", "ArticleUnit", "EditorNote", "ArticleByline"
COLUMN = "ColumnHeading"
AFTER_ARTICLES = {"NoticeHeading", "NoticeTitle", "Closing"}
_META = {SUBTITLE, UNIT, NOTE, BYLINE}


@dataclass
class _Piece:
    title_lines: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class ReadIssue:
    articles: list[ArchivedArticle]
    problems: list[str] = field(default_factory=list)  # said to the office (Chinese)


def _style(element) -> str:
    found = element.find(f"{w('pPr')}/{w('pStyle')}")
    return found.get(w("val"), "") if found is not None else ""


def _pieces(body) -> tuple[list[_Piece], list[str]]:
    """The articles as printed, and every paragraph of the body (for a file without article styles)."""
    pieces: list[_Piece] = []
    everything: list[str] = []
    current: _Piece | None = None
    previous_style = ""
    for child in body:
        if child.tag == w("p"):
            style, text = _style(child), text_of(child).strip()
        elif child.tag == w("tbl"):
            style = ""
            rows = ["\t".join(text_of(cell).strip() for cell in row.iter(w("tc"))) for row in child.iter(w("tr"))]
            text = "\n".join(r for r in rows if r.strip())
        else:
            continue
        if text:
            everything.append(text)
        if style == TITLE:
            if current is None or previous_style != TITLE or current.paragraphs:
                current = _Piece()
                pieces.append(current)
            if text:
                current.title_lines.append(text)
        elif style == COLUMN or style in AFTER_ARTICLES:
            current = None
        elif style in _META:
            pass
        elif current is not None and text:
            current.paragraphs.append(text)
        previous_style = style
    return pieces, everything


def read_issue(path: Path, drafts: list[dict], *, fallback_title: str, fallback_unit: str) -> ReadIssue:
    """The approved file's articles, units and columns from `drafts` (the ledger's rows of its compile)."""
    with screen(Path(path)) as package:
        document = package.xml(package.main)
    body = document.find(w("body")) if document is not None else None
    if body is None:
        return ReadIssue([], [f"{Path(path).name} 没有正文部分，未能归档"])
    pieces, everything = _pieces(body)
    printed = [d for d in drafts if DraftStatus(d.get("status", "accepted")).printed]
    if not pieces:
        text = "\n".join(everything)
        return ReadIssue([ArchivedArticle(fallback_title, fallback_unit, "", text)] if text else [])
    titles = ["".join(p.title_lines) for p in pieces]
    problems: list[str] = []
    if len(pieces) == len(printed):
        matched = list(printed)
    else:
        problems.append(f"{Path(path).name} 中有 {len(pieces)} 篇文章，编排记录中有 {len(printed)} 篇：按标题对应单位")
        by_title = {}
        for draft in printed:
            by_title.setdefault(normalized(draft.get("title", "")), draft)
        matched = [by_title.get(normalized(title)) for title in titles]
    articles = []
    for title, piece, draft in zip(titles, pieces, matched):
        if draft is None:
            problems.append(f"《{title}》在编排记录中找不到，单位留空")
        articles.append(ArchivedArticle(
            title=title,
            unit=(draft or {}).get("unit", ""),
            column=(draft or {}).get("column", ""),
            text="\n".join(piece.paragraphs),
        ))
    return ReadIssue(articles, problems)
