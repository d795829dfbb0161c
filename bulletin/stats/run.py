"""`bulletin stats` and the compile's 通报建议.xlsx: figures from the workspace's ledger, written as files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.workspace import OFFICE_TZ, Workspace
from ..intake.mailrecords import sender_units
from ..intake.notices import NoticeRow, NoticeSheet, read_notices, units_named, write_notice_suggestions
from ..intake.roster import Roster
from ..intake.instructions import FILE_NAME as INSTRUCTIONS_FILE, OVERDUE, Register, read_register
from .figures import Stats, compute, month_figures, months_of
from .instructions import InstructionFigures, printed_items, score
from .upper import FILE_NAME as UPPER_FILE, read_upper
from ..intake.calendar import MonthCalendar, read_call

SUGGESTIONS_NAME = "通报建议.xlsx"


@dataclass
class StatsResult:
    stats: Stats
    workbook: Path
    picture: Path | None


def stats_folder(ws: Workspace) -> Path:
    return ws.outputs / "统计"


def read_instructions(ws: Workspace, roster: Roster | None = None) -> Register:
    """inputs/领导批示.xlsx against the roster and [scoring.instructions] (levels and kinds it accepts)."""
    rules = ws.settings.scoring.instructions
    roster = roster if roster is not None else Roster.load(ws.roster_path)
    return read_register(ws.inputs / INSTRUCTIONS_FILE, roster, rules.levels, rules.kinds)


def instruction_figures(ws: Workspace, register: Register, roster: Roster, today: date, *, year: str | None = None,
                        month: str | None = None) -> InstructionFigures | None:
    """The register's instructions of the year (or of the month, by their date), scored; None without a register."""
    if not register.found:
        return None
    chosen = [i for i in register.instructions
              if (f"{i.day.year:04d}-{i.day.month:02d}" == month if month else str(i.day.year) == year)]
    with Ledger(ws.ledger_path) as ledger:
        items = printed_items(ledger, roster)
    return score(chosen, ws.settings.scoring.instructions, items, today)


def office_today() -> date:
    return datetime.now(OFFICE_TZ).date()


def run_stats(ws: Workspace, year: str | None = None, month: str | None = None,
              today: date | None = None) -> StatsResult:
    """The year's (or one month's) workbook and ranking picture under outputs/统计/. today (default: the office's
    today): the day 领导批示 feedback is judged on (逾期未反馈), and whether a per_year quota's year is over."""
    today = today or office_today()
    settings = ws.settings
    roster = Roster.load(ws.roster_path)
    upper, problems = read_upper(ws.inputs / UPPER_FILE, roster, settings.scoring.levels)
    with Ledger(ws.ledger_path) as ledger:
        if month is None and year is None:
            known = ledger.compiled_months()
            if not known:
                raise BulletinError("台账中还没有编排记录，无法统计：请先编排（bulletin compile）。")
            year = known[-1][:4]
        months = months_of(ledger, year, month)
        if not any(ledger.compiles(m) for m in months):
            raise BulletinError(f"{month or year + '年'}没有编排记录，无法统计。")
    senders = {m: sender_units(ws, m, roster) for m in months}
    calls = {m: commissioned(ws, m, roster, problems) for m in months}
    register = read_instructions(ws, roster)
    told = instruction_figures(ws, register, roster, today, year=None if month else year, month=month)
    if told is not None:
        problems += register.problems + told.problems
    with Ledger(ws.ledger_path) as ledger:
        stats = compute(ledger, months, roster, settings.scoring, upper, problems,
                        year=None if month else year, sender_units=senders, calls=calls,
                        calendar=settings.calendar is not None, instructions=told, today=today)
    from .picture import write_ranking_png
    from .workbook import write_workbook  # openpyxl: only `bulletin stats` pays for it

    label = f"{month[:4]}年{int(month[5:])}月" if month else f"{year}年"
    name = f"{label}信息报送统计"
    folder = stats_folder(ws)
    workbook = write_workbook(stats, folder / f"{name}.xlsx", settings.bulletin.short_title)
    picture = write_ranking_png(stats, folder / f"{name}-得分排名.png", f"{label}信息报送得分排名")
    return StatsResult(stats, workbook, picture)


def commissioned(ws: Workspace, month: str, roster: Roster, problems: list[str] | None = None,
                 now: datetime | None = None) -> tuple[dict[str, list[str]], bool]:
    """(unit -> its 约稿 topics from inputs/<month>/约稿.txt, whether they are due): due once the month's
    [calendar] deadline has passed; without [calendar], once the month is compiled (what is not in, is missed)."""
    try:
        notice = read_call(ws.month_inputs(month), roster)
    except BulletinError as exc:
        if problems is not None:
            problems.append(str(exc))
        return {}, False
    if notice is None:
        return {}, False
    topics: dict[str, list[str]] = {}
    for t in notice.topics:
        topics.setdefault(t.unit, []).append(t.topic)
    cal = ws.settings.calendar
    if cal is None:
        return topics, True
    deadline = MonthCalendar.of(cal, month, ZoneInfo(ws.settings.schedule.timezone)).deadline
    return topics, (now or datetime.now(deadline.tzinfo)) > deadline


def suggestion_rows(ws: Workspace, month: str, notices: NoticeSheet | None = None,
                    today: date | None = None) -> list[NoticeRow]:
    """通报表扬 for units with at least praise_min items printed in the month's current compile; 通报批评 for
    roster units that sent nothing this month: a file that could not be used still counts as sent when its unit
    is known (figures.py), and a unit the month's own notice sheet praises is never criticised beside it.
    Also 通报批评 for units whose 领导批示 feedback is overdue on `today` (default the office's today; issue 26),
    in the same row as the unit's other matters."""
    settings = ws.settings
    roster = Roster.load(ws.roster_path)
    senders = sender_units(ws, month, roster)
    with Ledger(ws.ledger_path) as ledger:
        figures = month_figures(ledger, month, roster, settings.scoring, assume_printed=True, sender_units=senders)
    if figures is None:
        return []
    figures.commissioned, figures.closed = commissioned(ws, month, roster)
    number = int(month[5:])
    subject = settings.bulletin.notice_heading_subject
    rows: list[NoticeRow] = []
    units = list(dict.fromkeys(i.unit for i in figures.items if i.counted))
    for unit in units:
        printed = figures.adopted(unit) or 0
        if printed >= settings.scoring.praise_min:
            rows.append(NoticeRow(len(rows) + 1, unit,
                                  f"{number}月份报送{subject}工作信息{figures.submitted(unit)}篇，被采用{printed}篇",
                                  "通报表扬", ""))
    sheet = notices if notices is not None else read_notices(ws.month_inputs(month), roster)  # compile passes its own
    praised = {unit for row in sheet.rows if row.category == "通报表扬"
               for unit in units_named(row.unit, roster)}
    met = {(i.unit, i.topic) for i in figures.items if i.counted and i.topic}
    overdue = overdue_feedback(ws, roster, today)
    for unit in dict.fromkeys(roster.canonical.values()):
        missed = [t for t in figures.commissioned.get(unit, []) if (unit, t) not in met] if figures.closed else []
        commission = f"未完成{number}月份约稿“{'”“'.join(missed)}”" if missed else ""
        if unit in praised:
            continue
        matters = [f"未按时报送{number}月份{subject}工作信息"] if figures.submitted(unit) == 0 else []
        matters += [commission] if commission else []
        matters += overdue.pop(unit, [])
        if matters:
            rows.append(NoticeRow(len(rows) + 1, unit, "，".join(matters), "通报批评", ""))
    for unit, matters in overdue.items():  # acting units outside the roster's month figures
        if unit not in praised:
            rows.append(NoticeRow(len(rows) + 1, unit, "，".join(matters), "通报批评", ""))
    return rows


def overdue_feedback(ws: Workspace, roster: Roster, today: date | None = None) -> dict[str, list[str]]:
    """unit -> "领导批示落实情况逾期未反馈（…）" for each instruction it acts on whose feedback is overdue on `today`."""
    today = today or office_today()
    found: dict[str, list[str]] = {}
    register = read_instructions(ws, roster)
    for i in register.instructions:
        if i.state(today) == OVERDUE:
            what = (f"{i.leader}同志{i.day.month}月{i.day.day}日对{i.item}的批示落实情况逾期未反馈"
                    f"（反馈期限{i.due.month}月{i.due.day}日）")
            for unit in i.units:
                found.setdefault(unit, []).append(what)
    return found


def write_suggestions(ws: Workspace, month: str, notices: NoticeSheet | None = None,
                      today: date | None = None) -> Path:
    path = ws.month_outputs(month) / SUGGESTIONS_NAME
    write_notice_suggestions(path, suggestion_rows(ws, month, notices, today))
    return path
