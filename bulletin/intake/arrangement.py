"""inputs/<month>/编排.toml: the office's decisions about the month's drafts, kept as a file in the month folder
(issue 24). The workbench writes it; a clerk may write it by hand; `bulletin compile`, the workbench and the
Prefect flows all compile through office/compile.py, which applies it after reading the drafts, so a decision
taken in the browser is honoured by the scheduled run and by the command line alike.

    # 2026-10 的编排决定（办公台写入，也可手工编辑）
    order = ["3-区人社局.docx", "1-区财政局.docx"]   # 排在最前的稿件依次排列，第一篇为头条；其余按原顺序在后

    [draft."1-区财政局.docx"]
    unit = "区财政局"        # 供稿单位（改正“需核对”）
    title = "兜牢“三保”底线"  # 标题
    column = "工作动态"       # 栏目（印刷时归入的栏目）
    excluded = true          # 本期不编入（撤下）；删去此行或写 false 即恢复

Keys are ASCII (TOML 1.0 bare keys are ASCII only); file names are quoted keys, as the intake shows them
("栏目/x.docx" for a draft in a column's folder). What cannot be used is named in the report and skipped, never
a reason to stop the compile: a file the month no longer has, a unit the roster does not know (kept, flagged),
a malformed file (ignored whole, said). Every value taken from 编排.toml is said in the intake report.

How it is applied (`apply_arrangement`, on the Intake after reading, annotating and marking):
- excluded drafts leave `accepted` for `refused` with the reason "办公室已撤下";
- unit and title replace what the reading found, and the warnings about what they replace go (a unit not in
  the roster is flagged again, by its new name);
- the order: listed files first in the listed order, the rest after them as they were; then the drafts are
  grouped by column in the order the columns first appear (a lead in a column brings its column first);
- a column change is for print only (`printed`): the file keeps its name in the ledger and the report.
"""

from __future__ import annotations

import json
import logging
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.atomic import write_atomic
from .intake import ARRANGEMENT_FILE, Refusal, natural_key
from .roster import Roster

log = logging.getLogger(__name__)
EXCLUDED_REASON = "办公室已撤下（编排.toml 中 excluded = true）"
MAX_TEXT = 200  # a unit, title or column longer than this is not a decision, it is a mistake
_KEYS = {"unit", "title", "column", "excluded"}


@dataclass
class Choice:
    """What the office decided about one draft (None: not decided, the reading stands)."""

    unit: str | None = None
    title: str | None = None
    column: str | None = None
    excluded: bool = False

    def empty(self) -> bool:
        return self.unit is None and self.title is None and self.column is None and not self.excluded


@dataclass
class Arrangement:
    order: list[str] = field(default_factory=list)  # files first, in this order (the first is the lead)
    drafts: dict[str, Choice] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # what could not be used, in Chinese

    def choice(self, file: str) -> Choice:
        return self.drafts.setdefault(file, Choice())

    @property
    def lead(self) -> str:
        return self.order[0] if self.order else ""


def _text(value: object, where: str, problems: list[str]) -> str | None:
    if not isinstance(value, str):
        problems.append(f"{ARRANGEMENT_FILE}：{where} 应为文字（加英文双引号），已忽略")
        return None
    text = clean(value)
    if len(text) > MAX_TEXT:
        problems.append(f"{ARRANGEMENT_FILE}：{where} 超过 {MAX_TEXT} 字，已忽略")
        return None
    return text


def clean(value: str) -> str:
    """One line of printable text: control and format characters go, whitespace is one space."""
    text = unicodedata.normalize("NFC", value)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def read_arrangement(folder: Path) -> Arrangement:
    """The month folder's 编排.toml (an empty Arrangement when there is none or it cannot be read)."""
    arrangement = Arrangement()
    path = folder / ARRANGEMENT_FILE
    if not path.is_file():
        return arrangement
    try:
        data = tomllib.loads(path.read_bytes()[:1_000_000].decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        arrangement.problems.append(f"{ARRANGEMENT_FILE} 无法读取（{exc}），本次未采用其中的编排决定")
        return arrangement
    problems = arrangement.problems
    order = data.get("order", [])
    if not isinstance(order, list):
        problems.append(f"{ARRANGEMENT_FILE}：order 应为文件名列表，已忽略")
        order = []
    for n, item in enumerate(order, start=1):
        name = _text(item, f"order 第{n}项", problems)
        if name and name not in arrangement.order:
            arrangement.order.append(name)
    drafts = data.get("draft", {})
    if not isinstance(drafts, dict):
        problems.append(f"{ARRANGEMENT_FILE}：[draft] 应为各稿件的表，已忽略")
        drafts = {}
    for file, values in drafts.items():
        if not isinstance(values, dict):
            problems.append(f"{ARRANGEMENT_FILE}：draft.\"{file}\" 应为表，已忽略")
            continue
        choice = Choice()
        for key, value in values.items():
            where = f"draft.\"{file}\" 的 {key}"
            if key not in _KEYS:
                problems.append(f"{ARRANGEMENT_FILE}：{where} 不认识（可用 unit、title、column、excluded），已忽略")
            elif key == "excluded":
                if isinstance(value, bool):
                    choice.excluded = value
                else:
                    problems.append(f"{ARRANGEMENT_FILE}：{where} 应为 true 或 false，已忽略")
            else:
                text = _text(value, where, problems)
                if text is not None and (text or key == "column"):
                    setattr(choice, key, text)
        if not choice.empty():
            arrangement.drafts[clean(file)] = choice
    return arrangement


def _quoted(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL is escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def arrangement_text(arrangement: Arrangement, month: str) -> str:
    lines = [f"# {month} 的编排决定（办公台写入，也可手工编辑；编排时采用，收稿报告中逐项注明）",
             "# order：排在最前的稿件，依次排列，第一篇为头条；其余稿件按原顺序排在后面。",
             "# [draft.\"文件名\"]：unit 供稿单位，title 标题，column 栏目，excluded = true 本期不编入。", ""]
    lines.append("order = [" + ", ".join(_quoted(name) for name in arrangement.order) + "]")
    written: set[str] = set()
    for file in sorted(arrangement.drafts):
        choice = arrangement.drafts[file]
        values = [(key, clean(getattr(choice, key))) for key in ("unit", "title", "column")
                  if getattr(choice, key) is not None]
        values = [(key, value) for key, value in values if value or key == "column"]  # "" column: none
        if not clean(file) or not (values or choice.excluded) or clean(file) in written:
            continue
        written.add(clean(file))
        lines += ["", f"[draft.{_quoted(clean(file))}]"]
        lines += [f"{key} = {_quoted(value)}" for key, value in values]
        if choice.excluded:
            lines.append("excluded = true")
    return "\n".join(lines) + "\n"


def write_arrangement(folder: Path, arrangement: Arrangement, month: str) -> Path:
    path = folder / ARRANGEMENT_FILE
    text = arrangement_text(arrangement, month)
    tomllib.loads(text)  # what we write must read back (a bug here must not leave a file compile ignores)
    write_atomic(path, text.encode("utf-8"))
    return path


# -- applying it ---------------------------------------------------------------------------------------------------
_UNIT_WARNINGS = ("未能识别供稿单位", "供稿单位“")
_TITLE_WARNINGS = ("标题长达", "稿件第一段是正文而不是标题", "稿件开头不是文字标题")


def apply_arrangement(intake, arrangement: Arrangement, roster: Roster) -> list[str]:
    """Apply the office's decisions to `intake` (an intake.Intake) in place; the report's lines, one per value
    taken from 编排.toml and one per value that could not be used."""
    lines = list(arrangement.problems)
    known = {d.name: d for d in intake.accepted}
    others = {r.file for r in intake.refused} | {d.file for d in intake.duplicates} | {r.file for r in intake.replaced}
    for file, choice in arrangement.drafts.items():
        draft = known.get(file)
        if draft is None:
            if file not in others:
                lines.append(f"{ARRANGEMENT_FILE}：本月没有稿件“{file}”，其编排决定未使用")
            continue
        if choice.excluded:
            intake.accepted.remove(draft)
            intake.refused.append(Refusal(file, EXCLUDED_REASON))
            lines.append(f"{ARRANGEMENT_FILE}：《{file}》本期不编入（已撤下）")
            continue
        if choice.unit is not None and choice.unit != draft.unit:
            canonical = roster.resolve(choice.unit) if roster else None
            old = draft.unit or "未识别"
            draft.unit = canonical or choice.unit
            draft.unit_source, draft.unit_in_roster = "", bool(canonical)
            draft.warnings = [w for w in draft.warnings if not w.startswith(_UNIT_WARNINGS)]
            if roster and not canonical:
                draft.warnings.append(f"供稿单位“{choice.unit}”（编排.toml）不在单位名册（inputs/units.csv）中，请核对名称")
            lines.append(f"{ARRANGEMENT_FILE}：《{file}》供稿单位为“{draft.unit}”（原为{old}）")
        if choice.title and choice.title != draft.title:
            lines.append(f"{ARRANGEMENT_FILE}：《{file}》标题为“{choice.title}”（原为“{draft.title}”）")
            draft.title, draft.title_lines, draft.unit_in_title = choice.title, (choice.title,), False
            draft.warnings = [w for w in draft.warnings if not w.startswith(_TITLE_WARNINGS)]
        if choice.column is not None and choice.column != draft.column:
            lines.append(f"{ARRANGEMENT_FILE}：《{file}》印在栏目“{choice.column or '（无栏目）'}”下")
    intake.refused.sort(key=lambda r: natural_key(r.file))
    if arrangement.order:
        position = {name: n for n, name in enumerate(arrangement.order)}
        listed = sorted((d for d in intake.accepted if d.name in position), key=lambda d: position[d.name])
        missing = [name for name in arrangement.order if name not in {d.name for d in intake.accepted}]
        if missing:
            lines.append(f"{ARRANGEMENT_FILE}：order 中的“{'”“'.join(missing)}”本期没有编入，已跳过")
        intake.accepted[:] = _grouped(listed + [d for d in intake.accepted if d.name not in position],
                                      lambda d: column_of(d, arrangement))
        if listed:
            lines.append(f"{ARRANGEMENT_FILE}：头条《{intake.accepted[0].name}》，"
                         + f"按 order 排在前面的 {len(listed)} 篇：" + "、".join(d.name for d in listed))
    return lines


def column_of(draft, arrangement: Arrangement) -> str:
    choice = arrangement.drafts.get(draft.name)
    return choice.column if choice is not None and choice.column is not None else draft.column


def _grouped(drafts: list, column) -> list:
    """Stable: each column's drafts together, the columns in the order they first appear."""
    order: dict[str, int] = {}
    for d in drafts:
        order.setdefault(column(d), len(order))
    return sorted(drafts, key=lambda d: order[column(d)])


def printed(intake, arrangement: Arrangement):
    """The intake as printed: each draft under the column 编排.toml gives it (copies; `intake` is untouched),
    each column's drafts together."""
    if not any(c.column is not None for c in arrangement.drafts.values()):
        return intake
    drafts = [replace(d, column=column_of(d, arrangement)) for d in intake.accepted]
    return replace(intake, accepted=_grouped(drafts, lambda d: d.column))


def annotate_rows(rows: list[dict], arrangement: Arrangement) -> list[dict]:
    """The ledger's rows show the column a draft is printed under."""
    for row in rows:
        choice = arrangement.drafts.get(row.get("file", ""))
        if choice is not None and choice.column is not None and row.get("status") != "refused":
            row["column"] = choice.column
    return rows
