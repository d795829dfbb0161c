"""The round's figures: tasks per status, overdue tasks, and per unit (承担, 已完成, 推进中, …, 逾期, 完成率).

The rules (issue 23), decided here and applied by the merge (round.py) and the report alike:

- A task's status is 已完成 only when every one of its units says so: a shared task is as far as its least
  advanced unit, and a unit that has not answered the task (no sheet, or the row left blank) is the least advanced
  of all: the task is 未报送 ("" in `by_status`), printed "部分责任单位未报送" when some units did answer.
- A unit that wrote 落实情况 but chose no 状态 has answered without a status: when every unit of the task has
  answered and one of them gave no status, the task is 未选择状态: its text is printed as written, never as
  未报送, and it is not counted as done. The merge lists it as a problem to fix.
- The per-unit table counts each unit's OWN answer, not the task's merged status: a unit that finished its part
  of a shared task is not shown behind because a partner is; a task the unit has not answered is counted in its
  未报送 column (and never as done). A unit's 逾期 are its own tasks past 完成时限 that it has not itself
  reported done; the suggested notices (notices.py) name only those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .tasks import COMPLETE, STATUS_WORDS, Task

NOT_REPORTED = ""  # by_status key: some unit of the task has not answered it (未报送)
NO_STATUS = "未选择状态"  # by_status key: every unit answered, some wrote 落实情况 without choosing 状态

Answers = dict[int, dict[str, tuple[str, str]]]  # task number -> unit -> (status word or "", text)


def task_state(units: Iterable[str], given: dict[str, tuple[str, str]]) -> str:
    """A task's status from its units' answers: a status word, NO_STATUS or NOT_REPORTED (see the rules above)."""
    units = list(units)
    if not units or any(u not in given for u in units):
        return NOT_REPORTED
    statuses = [given[u][0] for u in units]
    if not all(statuses):
        return NO_STATUS
    return min(statuses, key=STATUS_WORDS.index)


@dataclass(frozen=True)
class UnitFigures:
    unit: str
    tasks: int
    complete: int
    in_progress: int
    overdue: int
    answered: bool  # the unit returned a sheet
    not_started: int = 0
    no_status: int = 0
    not_reported: int = 0
    overdue_numbers: tuple[int, ...] = ()

    @property
    def rate(self) -> str:
        return f"{self.complete / self.tasks:.0%}" if self.tasks else "—"


@dataclass
class RoundFigures:
    total: int
    by_status: dict[str, int]  # every status word, NO_STATUS, and NOT_REPORTED ("") for 未报送
    overdue: list[Task] = field(default_factory=list)
    units: list[UnitFigures] = field(default_factory=list)
    states: dict[int, str] = field(default_factory=dict)  # task number -> its status (a by_status key)

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
        for key, word in (("推进中", "推进中"), ("未启动", "未启动"), (NO_STATUS, NO_STATUS), (NOT_REPORTED, "未报送")):
            if self.by_status[key]:
                parts.append(f"{word}{self.by_status[key]}项，占{self.share(self.by_status[key])}")
        text = "；".join(parts) + "。"
        if self.overdue:
            names = "、".join(f"第{t.number}项" for t in self.overdue)
            text += f"逾期未完成{len(self.overdue)}项（{names}）。"
        else:
            text += "无逾期未完成任务。"
        return text


def figures(tasks: list[Task], on: date, answers: Answers | None = None,
            answered_units: set[str] | None = None) -> RoundFigures:
    """The round's figures from the merged tasks (汇总.xlsx) and each unit's own answers (MergeReport.answers).

    A status written in 汇总.xlsx is the task's (the office may set one by hand); a task without one there is
    NOT_REPORTED or NO_STATUS by `task_state`. Without `answers` every unit is taken to have answered its tasks as
    the merged status says (a list that was never split)."""
    if answers is None:
        answers = {t.number: ({u: (t.status, t.answer) for u in t.units} if t.status or t.answer else {})
                   for t in tasks}
    by_status = {word: 0 for word in STATUS_WORDS} | {NO_STATUS: 0, NOT_REPORTED: 0}
    states: dict[int, str] = {}
    for task in tasks:
        state = task.status if task.status in STATUS_WORDS else task_state(task.units, answers.get(task.number, {}))
        states[task.number] = state
        by_status[state] += 1

    def late(task: Task, status: str) -> bool:
        return task.deadline is not None and task.deadline < on and status not in COMPLETE

    result = RoundFigures(total=len(tasks), by_status=by_status, states=states,
                          overdue=[t for t in tasks if late(t, states[t.number])])
    order: dict[str, None] = {}
    for task in tasks:
        for unit in task.units:
            order.setdefault(unit, None)
    for unit in order:
        own = [t for t in tasks if unit in t.units]
        said = {t.number: answers.get(t.number, {}).get(unit, (NOT_REPORTED, ""))[0] for t in own}
        said = {n: NO_STATUS if s == "" and unit in answers.get(n, {}) else s for n, s in said.items()}
        mine = list(said.values())
        overdue = tuple(t.number for t in own if late(t, said[t.number]))
        result.units.append(UnitFigures(
            unit=unit, tasks=len(own), complete=sum(s in COMPLETE for s in mine),
            in_progress=mine.count("推进中"), not_started=mine.count("未启动"), no_status=mine.count(NO_STATUS),
            not_reported=mine.count(NOT_REPORTED), overdue=len(overdue), overdue_numbers=overdue,
            answered=answered_units is None or unit in answered_units,
        ))
    return result
