"""Issue: everything one bulletin says, built from settings, the intake and the notice sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..core.config import BulletinSettings
from ..intake.docxfile import DraftContent
from ..intake.intake import Intake
from ..intake.notices import NoticeRow, NoticeSheet


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

    @property
    def date_text(self) -> str:
        return chinese_date(self.issue_date)

    @property
    def file_name(self) -> str:
        return f"工作简报第{self.number}期.docx"

    def toc(self) -> list[tuple[int, str]]:
        """Contents lines: "N. 单位：标题" per article, then the notice section when there is one."""
        lines = [(n, f"{a.shown_unit}：{a.title}" if a.shown_unit else a.title)
                 for n, a in enumerate(self.articles, start=1)]
        if self.notices:
            lines.append((len(lines) + 1, self.notice_heading))
        return lines


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_heading(month: str, subject: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月份{subject}工作通报"


def build_issue(
    settings: BulletinSettings, intake: Intake, sheet: NoticeSheet, number: int, issue_date: date
) -> Issue:
    top, main = settings.masthead_parts
    return Issue(
        masthead_top=top,
        masthead=main,
        number=number,
        office=settings.office,
        issue_date=issue_date,
        articles=[
            Article(d.title, d.unit, d.path, d.content, d.title_lines, d.subtitle, d.editor_note, d.unit_in_title)
            for d in intake.accepted
        ],
        notice_heading=notice_heading(intake.month, settings.notice_heading_subject),
        notices=list(sheet.rows),
        report_to=settings.report_to,
        send_to=settings.send_to,
        phone=settings.phone,
        email=str(settings.email),
    )
