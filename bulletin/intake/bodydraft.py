"""A draft written in the body of a mail (no usable attachment) -> a .docx the compiler reads like any other.

Some departments paste the article into the message instead of attaching it. The subject (without 转发/Fwd/
回复) is the title, the registered unit (when the sender is known) the unit line under it, the body's
paragraphs the text. The file says where it came from (properties: description "由邮件正文生成", the sender),
so the office can tell it from a department's own document; the text is plain: no HTML is ever rendered.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from ..core.textio import clean_text
from ..core.wordxml import drop_stale_parts
from ..core.wordxml import set_core_properties

FLAG = "由邮件正文生成"
_INDENT = re.compile(r"^[\s\u3000]+")


def body_paragraphs(text: str, title: str) -> list[str]:
    """One paragraph per non-empty line (mail clients send a paragraph as a line); a first line that repeats
    the title is dropped (people paste the title into the body too)."""
    paragraphs = [clean_text(_INDENT.sub("", line)) for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and "".join(paragraphs[0].split()) == "".join(title.split()):
        paragraphs = paragraphs[1:]
    return paragraphs


def _font(run, east_asian: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold or None
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def body_draft(title: str, unit: str | None, text: str, *, sender: str, received: datetime) -> bytes:
    """The .docx bytes of a body-only submission."""
    doc = Document()
    drop_stale_parts(doc)

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(clean_text(title)), "方正小标宋简体", 22)
    paragraphs = body_paragraphs(text, title)
    if unit and not (paragraphs and unit in paragraphs[0] and len(paragraphs[0]) <= len(unit) + 8):
        line = doc.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(line.add_run(unit), "楷体_GB2312", 16)
    for body in paragraphs:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _font(paragraph.add_run(body), "仿宋_GB2312", 16)

    set_core_properties(
        doc.part.package.core_properties._element,
        title=clean_text(title),
        creator=unit or "",
        lastModifiedBy=unit or "",
        description=f"{FLAG}（发件人 {sender}）",
        keywords=FLAG,
        when=received.astimezone(timezone.utc).replace(microsecond=0),
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
