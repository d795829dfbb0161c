"""The round's figures: tasks per status, overdue tasks, and per unit (承担, 已完成, 推进中, 逾期, 完成率)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .tasks import COMPLETE, STATUS_WORDS, Task


@dataclass(frozen=True)
class UnitFigures:
    unit: str
    tasks: int
    complete: int
    in_progress: int
    overdue: int
    answered: bool

    @property
    def rate(self) -> str:
        return f"{self.complete / self.tasks:.0%}" if self.tasks else "—"


@dataclass
class RoundFigures:
    total: int
    by_status: dict[str, int]  # every status word, and "" for tasks without an answer (未报送)
    overdue: list[Task] = field(default_factory=list)
    units: list[UnitFigures] = field(default_factory=list)

    @property
    def complete(self) -> int:
        return sum(self.by_status[s] for s in COMPLETE)

    def share(self, count: int) -> str:
        """A percentage as printed: one decimal, without a trailing .0 (5.1%, 56.4%, 100%)."""
        value = round(100 * count / self.total, 1) if self.total else 0.0
        return f"{value:g}%"

    def opening(self) -> str:
        """共78项：已完成48项（其中已完成4项，已完成并长期坚持44项），占61.5%；推进中30项，占38.5%。…"""
        parts = [f"共{self.total}项：已完成{self.complete}项"]
        done = [s for s in ("已完成", "已完成并长期坚持") if self.by_status[s]]
        if len(done) == 2:
            parts[0] += f"（其中已完成{self.by_status['已完成']}项，已完成并长期坚持{self.by_status['已完成并长期坚持']}项）"
        parts[0] += f"，占{self.share(self.complete)}"
        for word in ("推进中", "未启动"):
            if self.by_status[word]:
                parts.append(f"{word}{self.by_status[word]}项，占{self.share(self.by_status[word])}")
        if self.by_status[""]:
            parts.append(f"未报送{self.by_status['']}项")
        text = "；".join(parts) + "。"
        if self.overdue:
            names = "、".join(f"第{t.number}项" for t in self.overdue)
            text += f"逾期未完成{len(self.overdue)}项（{names}）。"
        else:
            text += "无逾期未完成任务。"
        return text


def figures(tasks: list[Task], on: date, answered_units: set[str] | None = None) -> RoundFigures:
    by_status = {word: 0 for word in STATUS_WORDS} | {"": 0}
    for task in tasks:
        by_status[task.status if task.status in by_status else ""] += 1
    result = RoundFigures(total=len(tasks), by_status=by_status, overdue=[t for t in tasks if t.overdue(on)])
    order: dict[str, None] = {}
    for task in tasks:
        for unit in task.units:
            order.setdefault(unit, None)
    for unit in order:
        own = [t for t in tasks if unit in t.units]
        answered = answered_units is None or unit in answered_units
        if not answered:  # a shared task's status is its other units' answer: this unit has shown nothing
            result.units.append(UnitFigures(unit, len(own), 0, 0, sum(bool(t.deadline and t.deadline < on)
                                                                       for t in own), False))
            continue
        result.units.append(UnitFigures(
            unit=unit, tasks=len(own), complete=sum(t.status in COMPLETE for t in own),
            in_progress=sum(t.status == "推进中" for t in own), overdue=sum(t.overdue(on) for t in own),
            answered=True,
        ))
    return result
