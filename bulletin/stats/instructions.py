"""领导批示 in the statistics (issue 26): whose item each instruction is on, its points by [scoring.instructions],
and the feedback deductions of the acting units.

Whose item: the register's 报送单位 when the office wrote it; otherwise the item is looked up in the ledger by
期号 and 标题 among the printed items of the approved issues (the compile the approval names, as figures.py
counts 采用); a title alone is enough when exactly one printed item has it. Titles compare without spaces and
quotation marks, and a register title that is a part of exactly one printed title (or contains it) matches.
An instruction whose item cannot be found is listed with its reason and earns no points (its feedback still
counts: the acting unit is named in the row).

Points: [scoring.instructions] value(level, kind) (levels × kinds, or the `points` table); with per_item =
"highest" only the highest instruction on an item counts (ties: the first row), the others are shown with
their reason. Deductions: feedback_missing per acting unit of an instruction 逾期未反馈 on the day of the
statistics, feedback_late per acting unit of one 逾期反馈.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..core.config import InstructionScoring
from ..core.ledger import Ledger
from ..intake.instructions import FED_LATE, OVERDUE, Instruction, title_key
from ..intake.roster import Roster
from ..core.vocabulary import DraftStatus

PRINTED = (DraftStatus.ACCEPTED, DraftStatus.FLAGGED)  # as figures.py (which imports this module)

HIGHER_ON_ITEM = "同一篇信息另有分值更高的批示，按最高分计"
NO_ITEM = "找不到批示的是哪篇信息（请核对期号、标题，或填写“报送单位”列），未计分"


@dataclass
class PrintedItem:
    number: int | None
    month: str
    title: str
    unit: str


@dataclass
class ScoredInstruction:
    instruction: Instruction
    state: str  # its feedback state on the day of the statistics
    unit: str = ""  # whose item it is (the points go there); "" when not found
    value: float = 0  # what [scoring.instructions] gives its level and kind
    points: float = 0  # what it earns (0 when not counted)
    counted: bool = False
    note: str = ""


@dataclass
class InstructionFigures:
    scored: list[ScoredInstruction] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def count(self, unit: str) -> int:
        """批示 counted for the unit (the 排名 column)."""
        return sum(1 for s in self.scored if s.counted and s.unit == unit)

    def points(self, unit: str) -> float:
        return sum(s.points for s in self.scored if s.counted and s.unit == unit)

    def overdue(self, unit: str) -> int:
        return sum(1 for s in self.scored if s.state == OVERDUE and unit in s.instruction.units)

    def late(self, unit: str) -> int:
        return sum(1 for s in self.scored if s.state == FED_LATE and unit in s.instruction.units)

    def units(self) -> set[str]:
        found = {s.unit for s in self.scored if s.counted and s.unit}
        return found | {u for s in self.scored if s.state in (OVERDUE, FED_LATE) for u in s.instruction.units}


def printed_items(ledger: Ledger, roster: Roster) -> list[PrintedItem]:
    """Every item printed in an approved issue (or in the last compile of a month not approved yet)."""
    from .figures import _approved_compile

    found = []
    for month in ledger.compiled_months():
        compiles = ledger.compiles(month)
        record = _approved_compile(ledger, month, compiles) or compiles[-1]
        for row in record.drafts:
            if row.get("status") in PRINTED and row.get("title"):
                unit = row.get("unit", "")
                found.append(PrintedItem(record.number, month, row["title"], (roster.resolve(unit) or unit) if unit else ""))
    return found


def find_item(instruction: Instruction, items: list[PrintedItem]) -> PrintedItem | None:
    pool = [i for i in items if instruction.number is None or i.number == instruction.number]
    if not instruction.title:
        return None
    wanted = title_key(instruction.title)
    same = [i for i in pool if title_key(i.title) == wanted]
    if len(same) == 1:
        return same[0]
    if same:
        return None
    near = [i for i in pool if len(wanted) >= 4 and (wanted in title_key(i.title) or title_key(i.title) in wanted)]
    return near[0] if len(near) == 1 else None


def score(instructions: list[Instruction], rules: InstructionScoring, items: list[PrintedItem],
          today: date) -> InstructionFigures:
    figures = InstructionFigures()
    best: dict[tuple, ScoredInstruction] = {}
    for instruction in instructions:
        s = ScoredInstruction(instruction, instruction.state(today))
        figures.scored.append(s)
        if instruction.source_unit:
            s.unit = instruction.source_unit
        else:
            item = find_item(instruction, items)
            if item is None or not item.unit:
                s.note = NO_ITEM
                figures.problems.append(f"领导批示 第{instruction.row}行 {instruction.item}：{NO_ITEM}。")
                continue
            s.unit = item.unit
        s.value = rules.value(instruction.level, instruction.kind)
        s.points, s.counted = s.value, True
        if rules.per_item == "highest":
            key = instruction.item_key
            kept = best.get(key)
            if kept is None or s.points > kept.points:
                if kept is not None:
                    kept.counted, kept.note, kept.points = False, HIGHER_ON_ITEM, 0
                best[key] = s
            else:
                s.counted, s.note, s.points = False, HIGHER_ON_ITEM, 0
    return figures


def deductions(figures: InstructionFigures, rules: InstructionScoring, unit: str) -> float:
    return figures.overdue(unit) * rules.feedback_missing + figures.late(unit) * rules.feedback_late


__all__ = ["InstructionFigures", "PrintedItem", "ScoredInstruction", "deductions", "find_item", "printed_items",
           "score"]
