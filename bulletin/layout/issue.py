"""Issue: everything one bulletin says, built from settings, the intake and the notice sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..core.config import BulletinSettings, LayoutSettings
from ..core.resources import TEMPLATES
from ..intake.docxfile import DraftContent
from ..intake.intake import Intake
from ..intake.notices import NoticeRow, NoticeSheet


# Every name a month's bulletin may have (one per shipped layout; "工作简报第65期（专刊）.docx" too): a compile
# removes the others, so a month folder holds one bulletin even after the office changed its layout.
BULLETIN_FILE_GLOBS = tuple(f"{name}第*期*.docx" for name in TEMPLATES)


@dataclass(frozen=True)
class Article:
    title: str  # the title lines joined (TOC)
    unit: str
    source: Path  # where the draft was read from (named in progress and errors; never opened again)
    content: DraftContent | None = field(default=None, compare=False, repr=False)  # what intake read
    title_lines: tuple[str, ...] = ()
    subtitle: str = ""
    editor_note: str = ""
    unit_in_title: bool = False  # the title opens with the unit: it is not printed a second time
    column: str = ""  # the column (栏目) it is printed under, "" for none

    @property
    def lines(self) -> tuple[str, ...]:
        return self.title_lines or (self.title,)

    @property
    def shown_unit(self) -> str:
        """The unit line printed under the title, and the unit named in the TOC: once, not twice."""
        return "" if self.unit_in_title else self.unit


@dataclass
class Issue:
    masthead_top: str
    masthead: str
    number: int
    office: str
    issue_date: date
    articles: list[Article]
    notice_heading: str
    notices: list[NoticeRow] = field(default_factory=list)
    report_to: str = ""
    send_to: str = ""
    phone: str = ""
    email: str = ""
    layout: LayoutSettings = field(default_factory=LayoutSettings)
    issue_note: list[str] = field(default_factory=list)  # 编者按.txt: the office's note on the whole issue
    signer: str = ""  # [layout] signer: the 签发人 printed on the issue-number line ("" prints none)

    @property
    def date_text(self) -> str:
        return chinese_date(self.issue_date)

    @property
    def special(self) -> str:
        """"专刊" / "增刊" / "" (a regular issue)."""
        return self.layout.special

    @property
    def file_name(self) -> str:
        """"政务信息第65期（专刊）.docx": the layout's name (its title, as the masthead prints it), so an office
        using the 政务信息 layout never mails a file called 工作简报. Nothing looks a bulletin up by this name:
        status, review, approval and send use the path the ledger recorded at compile time."""
        return f"{self.layout.name}第{self.number}期{f'（{self.special}）' if self.special else ''}.docx"

    def toc(self) -> list[TocEntry]:
        """The contents list, in the layout's form: "numbered" ("N. 单位：标题", then the notice section),
        "bullets" ("●标题"), or "none" (no list). When articles are in columns, each column's entries follow a
        "【栏目】" line, in print order."""
        if self.layout.toc == "none":
            return []
        entries: list[TocEntry] = []
        column = None
        for n, article in enumerate(self.articles, start=1):
            if article.column != column:
                column = article.column
                if column:
                    entries.append(TocEntry(column=f"【{column}】"))
            unit = article.shown_unit if self.layout.unit_in_toc else ""
            text = f"{unit}：{article.title}" if unit else article.title
            entries.append(TocEntry(number=n, mark="●" if self.layout.toc == "bullets" else f"{n}.", text=text))
        if self.notices:
            number = len(self.articles) + 1
            if self.layout.toc == "bullets":
                entries.append(TocEntry(column="【情况通报】"))
                entries.append(TocEntry(number=number, mark="●", text=self.notice_heading))
            else:
                entries.append(TocEntry(number=number, mark=f"{number}.", text=self.notice_heading))
        return entries

    def column_headings(self) -> list[str]:
        """Per article: the heading printed before it when it opens a column ("◆学习园地◆"), else ""."""
        headings, column = [], None
        for article in self.articles:
            opens = article.column != column and bool(article.column)
            column = article.column
            headings.append(self.layout.heading_for(article.column) if opens else "")
        return headings

    def byline(self, article: Article) -> str:
        """The trailer printed under the article in the "trailer" layout: "（区人社局供稿）"."""
        if self.layout.byline != "trailer" or not article.unit:
            return ""
        return f"（{article.unit}供稿）"

    def unit_line(self, article: Article) -> str:
        """The unit printed under the title: not in the trailer layout (the trailer names it), and not when
        the title already opens with it."""
        return "" if self.layout.byline == "trailer" else article.shown_unit


@dataclass(frozen=True)
class TocEntry:
    """One line of the contents list: a column line ("【工作进展】") or an entry (mark + text)."""

    number: int = 0
    mark: str = ""  # "3." (numbered) or "●" (bullets)
    text: str = ""
    column: str = ""  # "【工作进展】" on a column line, "" on an entry


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_heading(month: str, subject: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月份{subject}工作通报"


def build_issue(
    settings: BulletinSettings, intake: Intake, sheet: NoticeSheet, number: int, issue_date: date,
    layout: LayoutSettings | None = None, issue_note: list[str] | None = None, signer: str = "",
) -> Issue:
    top, main = settings.masthead_parts
    return Issue(
        masthead_top=top,
        masthead=main,
        number=number,
        office=settings.office,
        issue_date=issue_date,
        articles=[
            Article(d.title, d.unit, d.path, d.content, d.title_lines, d.subtitle, d.editor_note, d.unit_in_title,
                    d.column)
            for d in intake.accepted
        ],
        notice_heading=notice_heading(intake.month, settings.notice_heading_subject),
        notices=list(sheet.rows),
        report_to=settings.report_to,
        send_to=settings.send_to,
        phone=settings.phone,
        email=str(settings.email),
        layout=layout or LayoutSettings(),
        issue_note=list(issue_note or []),
        signer=signer if (layout or LayoutSettings()).signer else "",
    )
