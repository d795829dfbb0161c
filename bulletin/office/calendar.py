"""What the month's calendar ([calendar], intake/calendar.py) says about the drafts in hand: who has sent, which
commissioned topics (约稿) are met, when each draft was received and whether it was late (迟报).

Used by `bulletin remind` (office/remind.py: whom to remind), by compile (the intake report's 迟报 notes and
the ledger rows the statistics score: `received`, `late`, `topic`) and by `bulletin status`.

Received time: the message's arrival for a draft the mailbox saved; otherwise the first time the product saw
the file (remind's daily run, fetch, compile record it in the ledger, `SeenLedger`). A unit "has sent" when a
draft of the month is known to be its (its unit line or byline by the roster, its registered mailbox, its file
name), even a file that could not be used (issue 23), or a message from its registered mailbox brought a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.workspace import OFFICE_TZ, Workspace
from ..intake import mailrecords
from ..intake.calendar import (
    CallNotice,
    MonthCalendar,
    SeenLedger,
    Topic,
    folder_files,
    fulfilled,
    mail_arrivals,
    mail_units,
    read_call,
    short_date,
)
from ..intake.drafts import split_file_name
from ..intake.intake import Intake, gather
from ..intake.roster import Roster

LATE = "迟报"


def month_calendar(ws: Workspace, month: str) -> MonthCalendar | None:
    """The month's calendar, or None when bulletin.toml has no [calendar]."""
    cal = ws.settings.calendar
    if cal is None:
        return None
    from zoneinfo import ZoneInfo

    return MonthCalendar.of(cal, month, ZoneInfo(ws.settings.schedule.timezone))


def call_notice(ws: Workspace, month: str, roster: Roster) -> CallNotice | None:
    folder = ws.month_inputs(month)
    return read_call(folder, roster)


@dataclass
class Timing:
    """The month's drafts against its calendar: received times, lateness, topics met, units that sent."""

    calendar: MonthCalendar | None
    notice: CallNotice | None
    received: dict[str, str] = field(default_factory=dict)  # file -> ISO time
    file_units: dict[str, str] = field(default_factory=dict)  # file -> unit (known units only)
    topics_met: dict[str, Topic] = field(default_factory=dict)  # file -> the topic it fulfils
    mail_units: dict[str, str] = field(default_factory=dict)  # unit -> first arrival from its registered mailbox
    drafts: set[str] = field(default_factory=set)  # every file intake named (used, refused, duplicate, replaced)

    def late(self, file: str) -> bool:
        return bool(self.calendar) and self.calendar.is_late(self.received.get(file))

    @property
    def units_sent(self) -> set[str]:
        return set(self.file_units.values()) | set(self.mail_units)

    def owing(self) -> dict[str, list[str]]:
        """unit -> its commissioned topics no draft fulfils yet."""
        met = {(t.unit, t.topic) for t in self.topics_met.values()}
        owed: dict[str, list[str]] = {}
        for t in self.notice.topics if self.notice else []:
            if (t.unit, t.topic) not in met:
                owed.setdefault(t.unit, []).append(t.topic)
        return owed

    def received_text(self, file: str) -> str:
        when = self.received.get(file)
        if not when:
            return ""
        t = datetime.fromisoformat(when)
        return f"{short_date(t.date())} {t:%H:%M}"

    def rows(self, rows: list[dict]) -> list[dict]:
        """The compile's ledger rows with `received` (ISO), `late` and `topic` (what the statistics score)."""
        for row in rows:
            file = row.get("file", "")
            if file in self.received:
                row["received"] = self.received[file]
            if self.calendar is not None:
                row["late"] = self.late(file)
            if file in self.topics_met:
                row["topic"] = self.topics_met[file].topic
        return rows

    def report_lines(self) -> list[str]:
        """For the intake report's head: the deadline, the late drafts, the topics still owed."""
        if self.calendar is None:
            return []
        lines = [f"报送截止：{self.calendar.deadline_text}"]
        late = [f for f in self.drafts if self.late(f)]
        if late:
            lines.append(f"{LATE} {len(late)} 份：" + "；".join(
                f"{f}（{self.file_units.get(f, '单位未识别')}，{self.received_text(f)} 收到）" for f in sorted(late)))
        owed = self.owing()
        if owed:
            lines.append("约稿未收到：" + "；".join(f"{u}“{'”“'.join(ts)}”" for u, ts in owed.items()))
        return lines


def timing(ws: Workspace, month: str, intake: Intake, roster: Roster, now: datetime | None = None,
           sender_units: dict[str, str] | None = None, record: bool = True) -> Timing:
    """Record the first sight of the month folder's files (at `now`; record=False: a dry run writes nothing) and
    read the drafts against the calendar."""
    now = now or datetime.now(OFFICE_TZ)
    cal = month_calendar(ws, month)
    try:
        notice = call_notice(ws, month, roster)
    except BulletinError as exc:
        notice = CallNotice(problems=[str(exc)])
    senders = sender_units if sender_units is not None else mailrecords.sender_units(ws, month, roster)
    folder = ws.month_inputs(month)
    with Ledger(ws.ledger_path) as ledger:
        seen = SeenLedger(ledger)
        files = folder_files(folder)
        if record:
            seen.record(month, files, now)
        first = {f: now.isoformat(timespec="seconds") for f in files} | seen.first_seen(month)
        arrivals = mail_arrivals(ledger, month)
        by_mail = mail_units(ledger, month, roster)
    t = Timing(cal, notice, mail_units=by_mail)
    names = [d.name for d in intake.accepted] + [r.file for r in intake.refused]
    names += [d.file for d in intake.duplicates] + [r.file for r in intake.replaced]
    t.drafts = set(names)
    for name in names:
        when = arrivals.get(name) or arrivals.get(name.rpartition("/")[2]) or first.get(name)
        if when:
            t.received[name] = when
    for draft in intake.accepted:
        unit = roster.resolve(draft.unit) if draft.unit else None
        if unit:
            t.file_units[draft.name] = unit
            for topic in notice.topics_of(unit) if notice else []:
                if fulfilled(topic, unit, draft.name, draft.title, draft.body_texts):
                    t.topics_met[draft.name] = topic
                    break
    for refusal in intake.refused:
        found, _ = split_file_name(Path(refusal.file), roster)
        named = senders.get(refusal.file) or senders.get(refusal.file.rpartition("/")[2]) or (found and found[0])
        unit = roster.resolve(named) if named else None
        if unit:
            t.file_units[refusal.file] = unit
    return t


def annotate_intake(ws: Workspace, month: str, intake: Intake, roster: Roster,
                    sender_units: dict[str, str] | None = None) -> Timing:
    """At compile: record first sights, flag each late draft in the report (a note: 迟报, when it was received)."""
    t = timing(ws, month, intake, roster, sender_units=sender_units)
    if t.calendar is None:
        return t
    for draft in intake.accepted:
        if t.late(draft.name):
            draft.notes.append(f"{LATE}：{t.received_text(draft.name)} 收到，晚于截止时间 {t.calendar.deadline_text}")
        if draft.name in t.topics_met:
            draft.notes.append(f"约稿：{t.topics_met[draft.name].topic}")
    if t.notice is not None:
        intake.notes.extend(t.notice.problems)
    return t


def read_month(ws: Workspace, month: str, now: datetime | None = None, record: bool = True) -> tuple[Timing, Roster]:
    """The month folder read as compile reads it (without composing), against the calendar: for remind."""
    roster = Roster.load(ws.roster_path)
    senders = mailrecords.sender_units(ws, month, roster)
    folder = ws.month_inputs(month)
    intake = gather(folder, month, roster, sender_units=senders) if folder.is_dir() else Intake(month, folder)
    return timing(ws, month, intake, roster, now, senders, record), roster
