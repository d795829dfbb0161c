"""Reading a produced .docx in tests: text from w:t (python-docx's .text skips runs inside w:ins)."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from bulletin.core.wordxml import text_of


def paragraph_text(paragraph) -> str:
    """w:t text with tabs, including runs inside w:ins."""
    return text_of(paragraph._p)


def body_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of every top-level body paragraph, in order."""
    document = Document(str(path))
    return [(p.style.name, paragraph_text(p)) for p in document.paragraphs]


def all_text(path: Path) -> str:
    """Every w:t of the body, tables included."""
    document = Document(str(path))
    return "\n".join(t.text or "" for t in document.element.body.iter(qn("w:t")))


def table_rows(path: Path, index: int) -> list[list[str]]:
    document = Document(str(path))
    table = document.tables[index]
    return [["".join(paragraph_text(p) for p in cell.paragraphs) for cell in row.cells] for row in table.rows]
