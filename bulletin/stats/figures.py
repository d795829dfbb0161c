"""The figures: every item a unit submitted in a month, whether it was printed, points and ranking.

Definitions (README "信息报送统计"):
- 报送: every draft of the month attributed to a unit, over all the month's compiles, counted once per unit and
  title (a duplicate, or an earlier version a revision replaced, is the same item). A file that could not be
  used (.doc, .wps, damaged...) whose unit is known (the ledger row, the registered mailbox it came from, or its
  file name) is 报送 too: the unit did send, so it is not 未报送 and never draws 通报批评 (issue 23).
  `[scoring] count_refused` decides only whether such a file earns the 报送 points.
- 采用: the items printed in the version that was approved (the compile whose sha256 the approval names; the
  month's last compile before the approval when the approved file was edited by hand). A month without an
  approval is pending (None), never zero; a unit whose every item waits for a decision shows 待审, not 0.
- 上级采用 from inputs/上级采用.xlsx, counted in the period of its date (the year of the statistics, whether or
  not a bulletin was compiled that month: a provincial publication takes an item up weeks later); points from
  [scoring]; ties share a rank (1, 2, 2, 4).

Words: the draft states are the product's (core/vocabulary.py: 未采用, 需核对, 重复, 被替换); 采用 is what the
approved issue printed and 待审 what waits for a decision, the same word in every sheet and on the screen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from datetime import date

from ..core.config import ScoringSettings
from ..core.vocabulary import DraftStatus
from ..core.ledger import CompileRecord, Ledger
from ..intake.drafts import split_file_name
from ..intake.roster import Roster, normalize
from .instructions import InstructionFigures, deductions
from .upper import UpperAdoption

PRINTED = (DraftStatus.ACCEPTED, DraftStatus.FLAGGED)
UNKNOWN_UNIT = "（单位未识别）"
ADOPTED = "采用"  # printed in the approved issue
PENDING = "待审"  # waits for the review's decision (the month is not approved)
NOT_IN_APPROVED = "未编入审核通过的那一版"  # the 说明 of an item compiled once and taken out before approval
_NOT_ITEMS = (DraftStatus.REFUSED, DraftStatus.DUPLICATE, DraftStatus.REPLACED)


@dataclass
class Item:
    """One submitted item (the newest file of it) and what became of it."""

    month: str
    number: int | None
    file: str
    unit: str  # canonical name, or UNKNOWN_UNIT
    title: str
    status: str  # 采用 / 未采用 / 需核对 / 待审 / 重复 / 被替换
    sha256: str
    counted: bool = True  # counts as 报送 (a unit is known, and it is not a duplicate/replaced copy)
    lead: bool = False  # the first article of the approved issue (头条)
    code: str = DraftStatus.ACCEPTED  # the ledger's draft state of the file
    scored: bool = True  # earns the 报送 points (a refused file only with [scoring] count_refused)
    reason: str = ""  # 说明: why a file was not used, or that it was taken out before approval
    received: str = ""  # ISO time it was received (mailbox arrival, or first seen), [calendar] only
    late: bool = False  # 迟报: received after the month's deadline ([calendar] deadline)
    topic: str = ""  # the commissioned topic (约稿) it fulfils


@dataclass
class MonthFigures:
    month: str
    number: int | None
    approved: bool  # False: pending (no approval yet, or the last decision was a rejection)
    items: list[Item] = field(default_factory=list)
    commissioned: dict[str, list[str]] = field(default_factory=dict)  # unit -> its 约稿 topics (约稿.txt)
    closed: bool = False  # the deadline passed: a topic not received by now is missed

    def late(self, unit: str) -> int:
        return sum(1 for i in self.items if i.counted and i.late and i.unit == unit)

    def topics_done(self, unit: str) -> int:
        met = {i.topic for i in self.items if i.counted and i.unit == unit and i.topic}
        return sum(1 for t in self.commissioned.get(unit, []) if t in met)

    def topics_missed(self, unit: str) -> int:
        """Commissioned topics not received by the deadline (0 while the deadline has not passed)."""
        return len(self.commissioned.get(unit, [])) - self.topics_done(unit) if self.closed else 0

    def submitted(self, unit: str) -> int:
        return sum(1 for i in self.items if i.counted and i.unit == unit)

    def scored(self, unit: str) -> int:
        """报送 that earns points (refused files only with [scoring] count_refused)."""
        return sum(1 for i in self.items if i.counted and i.scored and i.unit == unit)

    def adopted(self, unit: str) -> int | None:
        if not self.approved:
            return None
        return sum(1 for i in self.items if i.counted and i.unit == unit and i.status == "采用")

    def units(self) -> set[str]:
        return {i.unit for i in self.items if i.counted}


@dataclass
class UnitRow:
    rank: int
    unit: str
    submitted: int
    adopted: int
    rate: float | None  # 采用 / 报送 over the approved months; None when it sent nothing in them
    upper: int
    points: float
    leads: int
    pending: bool = False  # everything it sent waits for a decision: 采用 is 待审, not 0
    late: int = 0  # 迟报 items
    commissioned: int = 0  # 约稿 topics assigned to it
    commission_done: int = 0
    instructions: int = 0  # 领导批示 counted on its items (issue 26)
    feedback_overdue: int = 0  # instructions it had to act on, feedback overdue (逾期未反馈) or late (逾期反馈)
    base: float = 0  # [scoring] base_monthly × months of the statistics
    quota_short: int = 0  # items short of its class's [scoring.quota] (per month and per year, summed)

    @property
    def commission_shown(self) -> str:
        """约稿 completion as the 排名 sheet shows it: "1/2", "" when none was assigned."""
        return f"{self.commission_done}/{self.commissioned}" if self.commissioned else ""

    @property
    def adopted_shown(self) -> int | str:
        return PENDING if self.pending else self.adopted


@dataclass
class Stats:
    year: str
    months: list[MonthFigures]
    ranking: list[UnitRow]
    upper: list[UpperAdoption]
    silent: dict[str, list[str]]  # month -> roster units that sent nothing
    problems: list[str] = field(default_factory=list)
    calendar: bool = False  # [calendar] is set: 迟报 and 约稿 columns are shown
    instructions: InstructionFigures | None = None  # inputs/领导批示.xlsx exists: 批示 column and sheet
    quota: bool = False  # [scoring.quota] applies to some unit: the 定额差额 column
    base: bool = False  # [scoring] base_monthly is set: the 基础分 column


def month_figures(ledger: Ledger, month: str, roster: Roster, scoring: ScoringSettings, *,
                  assume_printed: bool = False, sender_units: Mapping[str, str] | None = None) -> MonthFigures | None:
    """The month's items. assume_printed: treat the month's last compile as printed (the suggestions a
    compile writes before anyone approved it). sender_units: file name -> the unit registered for the mailbox
    it came from (intake/mailrecords.sender_units), for files that could not be read."""
    sender_units = sender_units or {}
    compiles = ledger.compiles(month)
    if not compiles:
        return None
    printed = compiles[-1] if assume_printed else _approved_compile(ledger, month, compiles)
    figures = MonthFigures(month, (printed or compiles[-1]).number, printed is not None)
    by_key: dict[tuple[str, str], Item] = {}
    for record in compiles:
        for row in record.drafts:
            item = _item(month, record, row, roster, scoring, sender_units)
            if item is None:
                continue
            key = (item.unit, normalize(item.title)) if item.counted else ("", item.file)
            if item.code == DraftStatus.REFUSED and key in by_key and by_key[key].code != DraftStatus.REFUSED:
                continue  # "x.doc" beside the "x.docx" that was used: one item, the usable one
            _keep_first_receipt(item, by_key.get(key))
            by_key[key] = item  # a later compile's file of the same item replaces the earlier one
    printed_keys = set()
    if printed is not None:
        lead_done = False
        for row in printed.drafts:
            if row.get("status") in PRINTED:
                item = _item(month, printed, row, roster, scoring, sender_units)
                key = (item.unit, normalize(item.title)) if item.counted else ("", item.file)
                printed_keys.add(key)
                _keep_first_receipt(item, by_key.get(key))
                by_key[key] = item
                if not lead_done:
                    item.lead, lead_done = item.counted, True
    for key, item in by_key.items():
        if item.code in _NOT_ITEMS:
            continue
        if key in printed_keys:
            item.status = ADOPTED
        elif printed is not None:
            item.status, item.reason = DraftStatus.REFUSED.text, NOT_IN_APPROVED
        else:
            item.status = DraftStatus.FLAGGED.text if item.code == DraftStatus.FLAGGED else PENDING
    figures.items = sorted(by_key.values(), key=lambda i: (i.counted is False, i.file))
    return figures


def _keep_first_receipt(item: Item, earlier: Item | None) -> None:
    """An item is as late as its first file: a revision sent after the deadline does not make an on-time item
    迟报 (and a topic met by the first file stays met)."""
    if earlier is None:
        return
    if earlier.received and (not item.received or earlier.received < item.received):
        item.received, item.late = earlier.received, earlier.late
    item.topic = item.topic or earlier.topic


def _approved_compile(ledger: Ledger, month: str, compiles: list[CompileRecord]) -> CompileRecord | None:
    decision = ledger.latest_decision(month)
    if decision is None or not decision.approved:
        return None
    for record in reversed(compiles):
        if record.sha256 == decision.sha256:
            return record
    before = [r for r in compiles if r.compiled_at <= decision.decided_at]  # approved after a hand edit
    return before[-1] if before else compiles[-1]


def _item(month: str, record: CompileRecord, row: dict, roster: Roster, scoring: ScoringSettings,
          sender_units: Mapping[str, str]) -> Item | None:
    status = row.get("status", "")
    file = row.get("file", "")
    title = row.get("title", "")
    unit = row.get("unit", "")
    if status in PRINTED:
        canonical = (roster.resolve(unit) or unit) if unit else ""
        return Item(month, record.number, file, canonical or UNKNOWN_UNIT, title, DraftStatus(status).text,
                    row.get("sha256", ""), counted=bool(canonical), code=status, **_timing(row))
    if status in (DraftStatus.DUPLICATE, DraftStatus.REPLACED):
        return Item(month, record.number, file, "", "", DraftStatus(status).text, "", counted=False, code=status,
                    reason=row.get("reason", ""))
    if status == DraftStatus.REFUSED:
        found, guessed_title = split_file_name(Path(file), roster)
        named = unit or sender_units.get(file) or sender_units.get(file.rpartition("/")[2]) or (found and found[0])
        canonical = (roster.resolve(named) or named) if named else ""
        return Item(month, record.number, file, canonical, guessed_title if canonical else "",
                    DraftStatus.REFUSED.text, "", counted=bool(canonical), code=status,
                    scored=scoring.count_refused, reason=row.get("reason", ""), **_timing(row))
    return None


def _timing(row: dict) -> dict:
    """What compile recorded of a row against the calendar (office/calendar.py): received, late, topic."""
    return {"received": row.get("received", ""), "late": bool(row.get("late")), "topic": row.get("topic", "")}


def compute(ledger: Ledger, months: list[str], roster: Roster, scoring: ScoringSettings,
            upper: list[UpperAdoption] = (), problems: list[str] = (), *, year: str | None = None,
            sender_units: Mapping[str, Mapping[str, str]] | None = None,
            calls: Mapping[str, tuple[Mapping[str, list[str]], bool]] | None = None, calendar: bool = False,
            instructions: InstructionFigures | None = None, today: date | None = None) -> Stats:
    """year: the statistics are the year's (上级采用 counts by the year of its date); without it, only the
    上级采用 of the given months count (one month's statistics). sender_units: month -> file -> unit.
    calls: month -> (unit -> its 约稿 topics, whether the month's deadline has passed); calendar: [calendar] is
    set (the 迟报 and 约稿 columns are shown). instructions: the period's 领导批示, scored (stats/instructions.py).
    today: a per_year quota is counted once its year is over."""
    sender_units = sender_units or {}
    calls = calls or {}
    figures = [f for f in (month_figures(ledger, m, roster, scoring, sender_units=sender_units.get(m))
                           for m in months) if f is not None]
    for f in figures:
        commissioned, closed = calls.get(f.month, ({}, False))
        f.commissioned, f.closed = {u: list(t) for u, t in commissioned.items()}, closed
    upper = [u for u in upper if (str(u.day.year) == year if year else u.month in months)]
    roster_units = list(dict.fromkeys(roster.canonical.values()))
    units = list(dict.fromkeys(roster_units + sorted({u for f in figures for u in f.units()})
                               + sorted({u.unit for u in upper})
                               + sorted(instructions.units() if instructions else ())))
    year_over = bool(year) and today is not None and today > date(int(year), 12, 31)
    rows = []
    for unit in units:
        submitted = sum(f.submitted(unit) for f in figures)
        scored = sum(f.scored(unit) for f in figures)
        adopted = sum(f.adopted(unit) or 0 for f in figures)
        decided = sum(f.submitted(unit) for f in figures if f.approved)
        leads = sum(1 for f in figures for i in f.items if i.lead and i.unit == unit)
        ups = [u for u in upper if u.unit == unit]
        late = sum(f.late(unit) for f in figures)
        done = sum(f.topics_done(unit) for f in figures)
        missed = sum(f.topics_missed(unit) for f in figures)
        base = scoring.base_monthly * len(figures)
        short, short_points = _quota(scoring, roster.classes.get(unit), unit, figures, year_over)
        told = instructions.points(unit) + deductions(instructions, scoring.instructions, unit) if instructions else 0
        points = (scored * scoring.submitted + adopted * scoring.adopted + leads * scoring.lead
                  + sum(scoring.levels[u.level] for u in ups)
                  + late * scoring.late + done * scoring.commission_done + missed * scoring.commission_missed
                  + base + short_points + told)
        rows.append(UnitRow(0, unit, submitted, adopted, adopted / decided if decided else None, len(ups),
                            points, leads, pending=submitted > 0 and decided == 0, late=late,
                            commissioned=sum(len(f.commissioned.get(unit, [])) for f in figures),
                            commission_done=done,
                            instructions=instructions.count(unit) if instructions else 0,
                            feedback_overdue=(instructions.overdue(unit) + instructions.late(unit)) if instructions else 0,
                            base=base, quota_short=short))
    rows.sort(key=lambda r: (-r.points, -r.adopted, -r.submitted, units.index(r.unit)))
    for n, row in enumerate(rows, start=1):
        row.rank = rows[n - 2].rank if n > 1 and row.points == rows[n - 2].points else n
    silent = {f.month: [u for u in roster_units if f.submitted(u) == 0] for f in figures}
    return Stats(year or (months[0][:4] if months else ""), figures, rows, list(upper), silent, list(problems),
                 calendar=calendar, instructions=instructions,
                 quota=any(roster.classes.get(u) in scoring.quota for u in units), base=bool(scoring.base_monthly))


def _quota(scoring: ScoringSettings, unit_class: str | None, unit: str, figures: list[MonthFigures],
           year_over: bool) -> tuple[int, float]:
    """(items short, points) of the unit's class quota: per_month in each month of the statistics (for 采用,
    each approved month), per_year once the year is over."""
    rule = scoring.quota.get(unit_class) if unit_class else None
    if rule is None:
        return 0, 0
    def count(f: MonthFigures) -> int | None:
        return f.submitted(unit) if rule.counts == "submitted" else f.adopted(unit)
    short = 0
    if rule.per_month:
        short += sum(max(0, rule.per_month - n) for n in map(count, figures) if n is not None)
    if rule.per_year and year_over:
        short += max(0, rule.per_year - sum(n or 0 for n in map(count, figures)))
    return short, short * rule.missing


def months_of(ledger: Ledger, year: str | None = None, month: str | None = None) -> list[str]:
    if month:
        return [month]
    return [m for m in ledger.compiled_months() if year is None or m.startswith(f"{year}-")]


def by_unit_month(stats: Stats) -> dict[str, dict[str, tuple[int, int | None]]]:
    """unit -> month -> (报送, 采用 or None when pending)."""
    table: dict[str, dict[str, tuple[int, int | None]]] = defaultdict(dict)
    for row in stats.ranking:
        for f in stats.months:
            table[row.unit][f.month] = (f.submitted(row.unit), f.adopted(row.unit))
    return table
