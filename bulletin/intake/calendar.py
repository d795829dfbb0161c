"""The month's calendar of drafts (约稿 and 催报, issue 25): when the call goes out, when drafts are due, on which
days silent units are reminded; the call itself (inputs/<month>/约稿.txt) and when each draft was received.

Why it is here, in intake: everything in it is about what comes in and when. The reminder texts and their
mailing are delivery's (delivery/reminders.py); the use cases are office/remind.py and office/calendar.py.

- Dates are the office's (Asia/Shanghai, [schedule] timezone): a month's drafts are due on its `deadline` day at
  `deadline_time`; a day past the month's end means its last day (31 is November's 30th). Reminder days count
  back from the deadline's day (`remind_days_before = [3, 1, 0]`: the 22nd, 24th and 25th).
- 约稿.txt is office text: each line is a 报送要点, except a line "单位：题目" whose head names roster units
  (several with 、 or ，): a commissioned topic for each of them. A head that looks like a unit but is not in the
  roster is a problem named with its line (the line stays a 报送要点): a topic for nobody must not pass in silence.
- A draft fulfils a unit's topic when it is that unit's and its title and text contain most (60 %) of the
  topic's two-character pieces: "根治欠薪专项行动进展" is met by a title "我区扎实推进根治欠薪冬季专项行动" and its
  text, not by an unrelated item of the same unit. A file named with 约稿 counts for the unit's topics too.
- Received time: a mailbox draft's is its message's arrival (intake/mailledger.py); a folder draft's is when
  the product first saw it (`SeenLedger`: `bulletin remind` every day and every compile record what they find),
  so a draft copied into the folder after the deadline is 迟报 even if the clerk compiles later.
"""

from __future__ import annotations

import calendar as _calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from ..core.config import CalendarSettings
from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.textio import clean_text, read_office_text
from .intake import CALL_FILE
from .roster import Roster, looks_like_unit, normalize

COVERAGE = 0.6  # share of a topic's two-character pieces a draft must contain to fulfil it
MAX_CALL_BYTES = 256 * 1024  # a call is a page of text; anything larger is not one


def day_in(month: str, day: int) -> date:
    """`day` of the month "YYYY-MM", or its last day when the month is shorter."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, min(day, _calendar.monthrange(year, number)[1]))


def short_date(day: date) -> str:
    return f"{day.month}月{day.day}日"


@dataclass(frozen=True)
class MonthCalendar:
    """One month's call day, deadline and reminder days (days before the deadline -> date)."""

    month: str
    call_day: date
    deadline: datetime  # aware, in the office's time zone
    reminders: tuple[tuple[int, date], ...]  # (days before the deadline, day), earliest first
    remind_at: time

    @classmethod
    def of(cls, settings: CalendarSettings, month: str, tz: tzinfo) -> "MonthCalendar":
        due = day_in(month, settings.deadline)
        hour, minute = settings.deadline_clock
        reminders = tuple((n, due - timedelta(days=n)) for n in settings.remind_days_before)
        return cls(month, day_in(month, settings.call_day), datetime.combine(due, time(hour, minute), tz),
                   reminders, time(*settings.remind_clock))

    def stage_on(self, day: date) -> int | None:
        """The reminder due on `day` (its days-before number), or None."""
        return next((n for n, d in self.reminders if d == day), None)

    def is_late(self, received: datetime | str | None) -> bool:
        if not received:
            return False
        when = datetime.fromisoformat(received) if isinstance(received, str) else received
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.deadline.tzinfo)
        return when > self.deadline

    @property
    def deadline_text(self) -> str:
        """2026年10月25日 18:00"""
        d = self.deadline
        return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"

    def lines(self) -> list[str]:
        days = "、".join(f"{short_date(d)}（{'截止当天' if n == 0 else f'提前{n}天'}）" for n, d in self.reminders)
        return [f"约稿：{short_date(self.call_day)}发出约稿通知；报送截止：{self.deadline_text}；",
                f"催报：{days or '不催报'}，每天 {self.remind_at:%H:%M} 起"]


# -- 约稿.txt ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Topic:
    unit: str  # canonical roster name
    topic: str
    line: int


@dataclass
class CallNotice:
    """The month's call: 报送要点 (lines of text) and the commissioned topics, with the problems found."""

    points: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def topics_of(self, unit: str) -> list[Topic]:
        return [t for t in self.topics if t.unit == unit]

    @property
    def units(self) -> list[str]:
        return list(dict.fromkeys(t.unit for t in self.topics))


_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．)）]|[-*•·●◆■□—]+)\s*")
_TOPIC_EDGES = " 。.;；:：,，、"
_HEAD_SPLIT = re.compile(r"[、，,;；/]")  # never 和: 区人力资源和社会保障局 is one unit


def parse_call(text: str, roster: Roster) -> CallNotice:
    """约稿.txt -> CallNotice. Never raises: a line it cannot place is a 报送要点, and a problem when it seems to
    commission a unit the roster does not know."""
    notice = CallNotice()
    seen: set[tuple[str, str]] = set()
    text = text.removeprefix("\ufeff")  # a BOM that a decoder left (Notepad's UTF-8)
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = clean_text(raw)
        if not line:
            continue
        body = _MARKER.sub("", line, count=1).strip()
        head, colon, rest = _split_colon(body)
        if colon:
            parts = [p for p in (x.strip() for x in _HEAD_SPLIT.split(head)) if p]
            units = [roster.resolve(p) for p in parts]
            topic = rest.strip(_TOPIC_EDGES)
            if parts and all(units):
                if not any(c.isalnum() for c in topic):
                    notice.problems.append(f"{CALL_FILE} 第{number}行：“{head}”后没有约稿题目，已忽略。")
                    continue
                new = [u for u in dict.fromkeys(units) if (u, topic) not in seen]
                if not new:
                    notice.problems.append(f"{CALL_FILE} 第{number}行：与前面的约稿相同，已合并。")
                for unit in new:
                    seen.add((unit, topic))
                    notice.topics.append(Topic(unit, topic, number))
                continue
            strangers = [p for p, u in zip(parts, units) if not u and looks_like_unit(p)]
            if strangers and topic:
                notice.problems.append(
                    f"{CALL_FILE} 第{number}行：“{'、'.join(strangers)}”不在单位名册（inputs/units.csv）中，"
                    "这一行未作为约稿，按报送要点处理。")
        notice.points.append(line)
    return notice


def _split_colon(text: str) -> tuple[str, str, str]:
    for i, c in enumerate(text):
        if c in "：:":
            return text[:i], c, text[i + 1:]
    return text, "", ""


def read_call(folder: Path, roster: Roster) -> CallNotice | None:
    """The month folder's 约稿.txt, or None when there is none. An unreadable file is a BulletinError."""
    path = folder / CALL_FILE
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_CALL_BYTES:
        raise BulletinError(f"{path.name} 超过 {MAX_CALL_BYTES // 1024} KB，不像约稿通知：请检查该文件。")
    try:
        text = read_office_text(path)
    except BulletinError:
        raise BulletinError(f"{path.name} 的编码无法识别：请用记事本另存为 UTF-8 编码后重试。") from None
    return parse_call(text, roster)


# -- fulfilling a topic ----------------------------------------------------------------------------------------
def _letters(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalnum()).lower()


def covers(topic: str, text: str) -> bool:
    """Does `text` (a draft's title and body) treat `topic`? Most of the topic's two-character pieces occur."""
    wanted, found = _letters(topic), _letters(text)
    if not wanted:
        return False
    if len(wanted) < 3:
        return wanted in found
    pieces = {wanted[i:i + 2] for i in range(len(wanted) - 1)}
    return sum(1 for p in pieces if p in found) >= COVERAGE * len(pieces)


def fulfilled(topic: Topic, unit: str, file: str, title: str, texts: list[str] | tuple[str, ...] = ()) -> bool:
    if normalize(unit) != normalize(topic.unit):
        return False
    return "约稿" in file or covers(topic.topic, " ".join([title, *texts]))


# -- when each file was first seen ---------------------------------------------------------------------------
_SEEN_SCHEMA = """
CREATE TABLE IF NOT EXISTS draft_seen (
    month TEXT NOT NULL,
    file TEXT NOT NULL,             -- relative to inputs/<month>/ ("x.docx", "栏目/x.docx")
    first_seen TEXT NOT NULL,       -- ISO time, office time zone: the first fetch/remind/compile that found it
    PRIMARY KEY (month, file)
);
"""


class SeenLedger:
    """The ledger's record of when each file of a month folder was first seen (its own table, same file)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self._conn = ledger._conn
        self._conn.executescript(_SEEN_SCHEMA)

    def record(self, month: str, files: list[str], when: datetime) -> None:
        """Files not seen before are seen `when`; a file seen earlier keeps its time."""
        stamp = when.isoformat(timespec="seconds")
        with self.ledger.transaction() as conn:
            conn.executemany("INSERT OR IGNORE INTO draft_seen (month, file, first_seen) VALUES (?, ?, ?)",
                             [(month, f, stamp) for f in files])

    def first_seen(self, month: str) -> dict[str, str]:
        rows = self._conn.execute("SELECT file, first_seen FROM draft_seen WHERE month = ?", (month,)).fetchall()
        return {row["file"]: row["first_seen"] for row in rows}


def folder_files(folder: Path) -> list[str]:
    """Names of the files a month folder holds for intake (its root and column folders), as intake names them."""
    from .intake import candidate_files, is_column

    if not folder.is_dir():
        return []
    names = []
    for path in candidate_files(folder):
        if is_column(path):
            names += [f"{path.name}/{p.name}" for p in candidate_files(path) if p.is_file()]
        elif path.is_file():
            names.append(path.name)
    return sorted(names)


def mail_arrivals(ledger: Ledger, month: str) -> dict[str, str]:
    """{file in inputs/<month>/: arrival time of the message it came in} for the files the mailbox saved (a file
    the office moved up from 待核实/ keeps its message's time, found by its name)."""
    from .mailledger import MailLedger

    mail = MailLedger(ledger)
    arrived = {m.id: m.received_at for m in mail.messages(month)}
    times: dict[str, str] = {}
    for f in sorted(mail.files(month), key=lambda f: f.file.count("/")):
        when = arrived.get(f.message)
        name = f.file.rpartition("/")[2]
        if when:
            times.setdefault(f.file, when)
            times.setdefault(name, when)
    return times


def mail_units(ledger: Ledger, month: str, roster: Roster) -> dict[str, str]:
    """{unit: first arrival} of the month's messages from a registered mailbox that brought a file (saved,
    refused or held: the unit did send, issue 23)."""
    from .mailledger import MailLedger

    units: dict[str, str] = {}
    for m in MailLedger(ledger).messages(month):
        unit = roster.unit_for_email(m.sender) or (roster.resolve(m.unit) if m.unit else None)
        drafts = [i for i in m.items if i.get("outcome") != "returned"]  # a 督查 sheet sent back is no draft
        if unit and drafts and m.state != "duplicate":
            units.setdefault(unit, m.received_at)
    return units
