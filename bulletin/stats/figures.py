"""The figures: every item a unit submitted in a month, whether it was printed, points and ranking.

Definitions (README "信息报送统计"):
- 报送: every draft of the month attributed to a unit, over all the month's compiles, counted once per unit and
  title (a duplicate, or an earlier version a revision replaced, is the same item); files that could not be
  used only with `[scoring] count_refused` (their unit read from the file name).
- 采用: the items printed in the version that was approved (the compile whose sha256 the approval names; the
  month's last compile before the approval when the approved file was edited by hand). A month without an
  approval is pending (None), never zero.
- 上级采用 from inputs/上级采用.xlsx; points from [scoring]; ties share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..core.config import ScoringSettings
from ..core.ledger import CompileRecord, Ledger
from ..intake.drafts import split_file_name
from ..intake.roster import Roster, normalize
from .upper import UpperAdoption

PRINTED = ("accepted", "flagged")
UNKNOWN_UNIT = "（单位未识别）"


@dataclass
class Item:
    """One submitted item (the newest file of it) and what became of it."""

    month: str
    number: int | None
    file: str
    unit: str  # canonical name, or UNKNOWN_UNIT
    title: str
    status: str  # 采用 / 未采用 / 需核对 / 待审核 / 重复 / 被替换 / 未能使用
    sha256: str
    counted: bool = True  # counts as 报送 (a unit is known, and it is not a duplicate/replaced copy)
    lead: bool = False  # the first article of the approved issue (头条)


@dataclass
class MonthFigures:
    month: str
    number: int | None
    approved: bool  # False: pending (no approval yet, or the last decision was a rejection)
    items: list[Item] = field(default_factory=list)

    def submitted(self, unit: str) -> int:
        return sum(1 for i in self.items if i.counted and i.unit == unit)

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


@dataclass
class Stats:
    year: str
    months: list[MonthFigures]
    ranking: list[UnitRow]
    upper: list[UpperAdoption]
    silent: dict[str, list[str]]  # month -> roster units that sent nothing
    problems: list[str] = field(default_factory=list)


def month_figures(ledger: Ledger, month: str, roster: Roster, scoring: ScoringSettings,
                  *, assume_printed: bool = False) -> MonthFigures | None:
    """The month's items. assume_printed: treat the month's last compile as printed (the suggestions a
    compile writes before anyone approved it)."""
    compiles = ledger.compiles(month)
    if not compiles:
        return None
    printed = compiles[-1] if assume_printed else _approved_compile(ledger, month, compiles)
    figures = MonthFigures(month, (printed or compiles[-1]).number, printed is not None)
    by_key: dict[tuple[str, str], Item] = {}
    for record in compiles:
        for row in record.drafts:
            item = _item(month, record, row, roster, scoring)
            if item is None:
                continue
            key = (item.unit, normalize(item.title)) if item.counted else ("", item.file)
            by_key[key] = item  # a later compile's file of the same item replaces the earlier one
    printed_keys = set()
    if printed is not None:
        lead_done = False
        for row in printed.drafts:
            if row.get("status") in PRINTED:
                item = _item(month, printed, row, roster, scoring)
                key = (item.unit, normalize(item.title)) if item.counted else ("", item.file)
                printed_keys.add(key)
                by_key[key] = item
                if not lead_done:
                    item.lead, lead_done = item.counted, True
    for key, item in by_key.items():
        if item.status in ("重复", "被替换", "未能使用"):
            continue
        if key in printed_keys:
            item.status = "采用"
        elif printed is not None:
            item.status = "未采用"
        else:
            item.status = "需核对" if item.status == "需核对" else "待审核"
    figures.items = sorted(by_key.values(), key=lambda i: (i.counted is False, i.file))
    return figures


def _approved_compile(ledger: Ledger, month: str, compiles: list[CompileRecord]) -> CompileRecord | None:
    decision = ledger.latest_decision(month)
    if decision is None or not decision.approved:
        return None
    for record in reversed(compiles):
        if record.sha256 == decision.sha256:
            return record
    before = [r for r in compiles if r.compiled_at <= decision.decided_at]  # approved after a hand edit
    return before[-1] if before else compiles[-1]


def _item(month: str, record: CompileRecord, row: dict, roster: Roster, scoring: ScoringSettings) -> Item | None:
    status = row.get("status", "")
    file = row.get("file", "")
    title = row.get("title", "")
    unit = row.get("unit", "")
    if status in PRINTED:
        canonical = (roster.resolve(unit) or unit) if unit else ""
        return Item(month, record.number, file, canonical or UNKNOWN_UNIT, title,
                    "需核对" if status == "flagged" else "采用", row.get("sha256", ""), counted=bool(canonical))
    if status in ("duplicate", "replaced"):
        return Item(month, record.number, file, "", "", "重复" if status == "duplicate" else "被替换", "", counted=False)
    if status == "refused":
        if scoring.count_refused:
            found, guessed_title = split_file_name(Path(file), roster)
            if found:
                return Item(month, record.number, file, roster.resolve(found[0]) or found[0], guessed_title,
                            "未能使用", "", counted=True)
        return Item(month, record.number, file, "", "", "未能使用", "", counted=False)
    return None


def compute(ledger: Ledger, months: list[str], roster: Roster, scoring: ScoringSettings,
            upper: list[UpperAdoption] = (), problems: list[str] = ()) -> Stats:
    figures = [f for f in (month_figures(ledger, m, roster, scoring) for m in months) if f is not None]
    upper = [u for u in upper if u.month in months]
    roster_units = list(dict.fromkeys(roster.canonical.values()))
    units = list(dict.fromkeys(roster_units + sorted({u for f in figures for u in f.units()})
                               + sorted({u.unit for u in upper})))
    rows = []
    for unit in units:
        submitted = sum(f.submitted(unit) for f in figures)
        adopted = sum(f.adopted(unit) or 0 for f in figures)
        decided = sum(f.submitted(unit) for f in figures if f.approved)
        leads = sum(1 for f in figures for i in f.items if i.lead and i.unit == unit)
        ups = [u for u in upper if u.unit == unit]
        points = (submitted * scoring.submitted + adopted * scoring.adopted + leads * scoring.lead
                  + sum(scoring.levels[u.level] for u in ups))
        rows.append(UnitRow(0, unit, submitted, adopted, adopted / decided if decided else None, len(ups),
                            points, leads))
    rows.sort(key=lambda r: (-r.points, -r.adopted, -r.submitted, units.index(r.unit)))
    for n, row in enumerate(rows, start=1):
        row.rank = rows[n - 2].rank if n > 1 and row.points == rows[n - 2].points else n
    silent = {f.month: [u for u in roster_units if f.submitted(u) == 0] for f in figures}
    year = months[0][:4] if months else ""
    return Stats(year, figures, rows, list(upper), silent, list(problems))


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
