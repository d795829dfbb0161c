"""The year's 汇编 (`bulletin compendium --year 2026`): outputs/汇编/2026年<title>汇编.docx.

Cover; 目录 by issue (第N期 — its date — its articles, each with its page); every archived issue of the year in
month order, each from a new page under its heading (第64期（2026年10月28日）), its articles in print order with
their column headings; an index by unit (unit → 期号 and titles, with pages) and one by column. Months of the
year that were compiled but are not approved are named on the contents page and left out. Built with
python-docx from the archive's text (never through a template engine); pictures and the look of the drafts'
tables are not carried over (a table's rows are printed as lines of text).

Page numbers as plain text that is right on open: Word computes pages only when it lays the document out, and a
PAGEREF field shows its cached value until the reader updates fields. So the numbers are found by laying the
file out once in LibreOffice: the first pass prints "000" where each number goes (as wide as any real one,
so the lines break the same way), the PDF's text tells on which page each article's title stands (pages are
split at form feeds by pdftotext), and the second pass writes those numbers. Every number is the footer's
number of that page (the cover is page 1). Without LibreOffice the 汇编 is made without page numbers, and
the command says so.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Mm, Pt, RGBColor

from ..core.textio import clean_text
from ..layout.plaindoc import BODY_FONT, HEADING_FONT, TITLE_FONT, add_paragraph, page_numbers, set_font
from ..layout.plaindoc import KAI_FONT as UNIT_FONT
from ..core.wordxml import drop_stale_parts, set_core_properties
from .store import ArchivedArticle, ArchivedIssue

RED = RGBColor(0xE0, 0x00, 0x00)
PLACEHOLDER = "000"
TEXT_WIDTH_MM = 156


@dataclass
class Bound:
    """One issue as the 汇编 prints it."""

    issue: ArchivedIssue
    articles: list[ArchivedArticle]

    @property
    def heading(self) -> str:
        return f"第{self.issue.number}期（{self.issue.date_text}）"


@dataclass
class Volume:
    title: str  # 章贡区“五型”政府建设工作简报
    office: str
    year: int
    issues: list[Bound]
    left_out: list[str] = field(default_factory=list)  # "2026年9月（第65期）：未审核通过"

    def units(self) -> dict[str, list[tuple[Bound, ArchivedArticle]]]:
        """unit -> its articles, units in order of first appearance in the year."""
        found: dict[str, list[tuple[Bound, ArchivedArticle]]] = {}
        for bound in self.issues:
            for article in bound.articles:
                found.setdefault(article.unit or "（单位未识别）", []).append((bound, article))
        return found

    def columns(self) -> dict[str, list[tuple[Bound, ArchivedArticle]]]:
        found: dict[str, list[tuple[Bound, ArchivedArticle]]] = {}
        for bound in self.issues:
            for article in bound.articles:
                if article.column:
                    found.setdefault(article.column, []).append((bound, article))
        return found






def _entry(doc, text: str, page: str, size: float = 14, left_mm: float = 0):
    """A contents or index line: text, a dotted leader, the page number at the right margin."""
    paragraph = add_paragraph(doc, size=size)
    paragraph.paragraph_format.line_spacing = Pt(24)
    if left_mm:
        paragraph.paragraph_format.left_indent = Mm(left_mm)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    set_font(paragraph.add_run(clean_text(text)), BODY_FONT, size)
    if page:
        set_font(paragraph.add_run("\t" + page), BODY_FONT, size)
    return paragraph




def key(bound: Bound, article: ArchivedArticle) -> tuple[str, str, int]:
    return (bound.issue.series, bound.issue.month, article.position)


def compendium_bytes(volume: Volume, pages: dict | None) -> bytes:
    """The .docx; `pages`: key(bound, article) -> page number, or None for PLACEHOLDER ("" : no numbers)."""

    def page_of(bound: Bound, article: ArchivedArticle) -> str:
        if pages is None:
            return PLACEHOLDER
        number = pages.get(key(bound, article))
        return str(number) if number else ""

    doc = Document()
    drop_stale_parts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    page_numbers(section)

    # -- cover -------------------------------------------------------------------------------------
    add_paragraph(doc, volume.title, TITLE_FONT, 36, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, before=120, after=24)
    add_paragraph(doc, f"{volume.year}年汇编", TITLE_FONT, 28, align=WD_ALIGN_PARAGRAPH.CENTER, after=160)
    add_paragraph(doc, volume.office, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
    numbers = [b.issue.number for b in volume.issues]
    if not numbers:
        span = "本年度没有已审核通过的期次"
    elif len(numbers) == 1:
        span = f"第{numbers[0]}期，共1期"
    else:
        span = f"第{min(numbers)}期至第{max(numbers)}期，共{len(numbers)}期"
    add_paragraph(doc, span, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER)

    # -- contents by issue -------------------------------------------------------------------------
    add_paragraph(doc, "目  录", HEADING_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, after=12, page_break=True)
    for bound in volume.issues:
        add_paragraph(doc, f"第{bound.issue.number}期　{bound.issue.date_text}", HEADING_FONT, 14, before=6, keep=True)
        for article in bound.articles:
            unit = f"{article.unit}：" if article.unit and not article.title.startswith(article.unit) else ""
            _entry(doc, f"{unit}{article.title}", page_of(bound, article), left_mm=8)
    if volume.left_out:
        add_paragraph(doc, "未收入本汇编（未审核通过）：" + "；".join(volume.left_out), BODY_FONT, 14, before=12)
    if pages == {}:
        add_paragraph(doc, "（本汇编未标页码：生成时未找到 LibreOffice。）", BODY_FONT, 12, before=6)

    # -- the issues --------------------------------------------------------------------------------
    for bound in volume.issues:
        add_paragraph(doc, bound.heading, HEADING_FONT, 18, align=WD_ALIGN_PARAGRAPH.CENTER, after=12, page_break=True,
              keep=True)
        column = None
        for article in bound.articles:
            if article.column != column:
                column = article.column
                if column:
                    add_paragraph(doc, f"【{column}】", HEADING_FONT, 16, before=12, keep=True)
            add_paragraph(doc, article.title, TITLE_FONT, 20, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=6, keep=True)
            if article.unit and not article.title.startswith(article.unit):
                add_paragraph(doc, article.unit, UNIT_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, after=6, keep=True)
            for line in article.text.split("\n"):
                if line.strip():
                    add_paragraph(doc, line.replace("\t", "　"), indent=True)

    # -- indexes -----------------------------------------------------------------------------------
    add_paragraph(doc, "单位索引", HEADING_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, after=12, page_break=True)
    for unit, entries in volume.units().items():
        add_paragraph(doc, unit, HEADING_FONT, 14, before=6, keep=True)
        for bound, article in entries:
            _entry(doc, f"第{bound.issue.number}期　{article.title}", page_of(bound, article), left_mm=8)
    columns = volume.columns()
    if columns:
        add_paragraph(doc, "栏目索引", HEADING_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, after=12, page_break=True)
        for column, entries in columns.items():
            add_paragraph(doc, f"【{column}】", HEADING_FONT, 14, before=6, keep=True)
            for bound, article in entries:
                _entry(doc, f"第{bound.issue.number}期　{article.title}", page_of(bound, article), left_mm=8)

    when = datetime.now(timezone.utc).replace(microsecond=0)
    set_core_properties(doc.part.package.core_properties._element, title=f"{volume.year}年{volume.title}汇编",
                        creator=volume.office, lastModifiedBy=volume.office, when=when)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _squeezed(text: str) -> str:
    return "".join(text.split())


def find_pages(volume: Volume, page_texts: list[str]) -> dict:
    """key -> page number (1 = the cover), from the laid-out text of each page. Articles are looked for in
    print order from the page of their issue's heading on (the contents and index hold the same titles)."""
    squeezed = [_squeezed(t) for t in page_texts]
    pages: dict = {}
    at = 0
    for bound in volume.issues:
        heading = _squeezed(bound.heading)
        at = next((i for i in range(at, len(squeezed)) if heading in squeezed[i]), at)
        for article in bound.articles:
            title = _squeezed(article.title)
            found = next((i for i in range(at, len(squeezed)) if title in squeezed[i]), None)
            if found is None:
                # a title broken by the layout across two pages: look for its start
                found = next((i for i in range(at, len(squeezed)) if title[:12] in squeezed[i]), None)
            if found is not None:
                pages[key(bound, article)] = found + 1
                at = found
    return pages


def pdf_page_texts(pdf: Path) -> list[str]:
    """The text of every page (pdftotext splits pages with form feeds)."""
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or "pdftotext failed")
    texts = done.stdout.split("\f")
    return texts[:-1] if texts and not texts[-1].strip() else texts


def laid_out(volume: Volume, to_pdf) -> tuple[bytes, bytes | None]:
    """(the .docx with page numbers, its PDF) using `to_pdf(docx_path) -> bytes` (LibreOffice); without
    pdftotext or when LibreOffice fails, (.docx without numbers, None)."""
    if shutil.which("pdftotext") is None:
        return compendium_bytes(volume, {}), None
    with tempfile.TemporaryDirectory() as work:
        first = Path(work) / "pass1.docx"
        first.write_bytes(compendium_bytes(volume, None))
        pdf = Path(work) / "pass1.pdf"
        pdf.write_bytes(to_pdf(first))
        pages = find_pages(volume, pdf_page_texts(pdf))
        data = compendium_bytes(volume, pages)
        second = Path(work) / "pass2.docx"
        second.write_bytes(data)
        return data, to_pdf(second)
