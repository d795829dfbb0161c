"""The seed 督查通报 (青云谱区, 78 tasks) parsed into the round's files, and units answering like units do.

The seed's text lines: chapters "一、…", sections "(一)…", tasks "1.…", "责任单位:…", "贯彻落实情况:<status>。…".
`seed_tasks()` gives the task list (with the seed's answers); `write_task_list` writes 任务.xlsx without answers;
`fill_sheet` fills one unit's returned sheet with openpyxl, as a unit would in Excel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from repo_paths import DATA

SEED = Path("/work/shared/seeds/004-督查通报-青云谱区.txt")
_SEED_COPY = DATA / "supervision" / "004-督查通报-青云谱区.txt"
STATUS_WORDS = ("已完成并长期坚持", "已完成", "推进中", "未启动")  # longest first for prefix matching


@dataclass(frozen=True)
class SeedTask:
    number: int
    part: str
    chapter: str
    text: str
    units: tuple[str, ...]
    status: str
    answer: str


def seed_text() -> str:
    return (_SEED_COPY if _SEED_COPY.is_file() else SEED).read_text(encoding="utf-8")


def seed_tasks() -> list[SeedTask]:
    part = chapter = ""
    tasks: list[SeedTask] = []
    current: dict = {}
    for line in seed_text().splitlines():
        line = line.strip()
        if re.match(r"^[一二三四五六七八九十]+、", line):
            part, chapter = line, ""
        elif re.match(r"^\([一二三四五六七八九十]+\)", line):
            chapter = line
        elif m := re.match(r"^(\d+)\.(.+)$", line):
            current = {"number": int(m.group(1)), "part": part, "chapter": chapter, "text": m.group(2)}
        elif line.startswith("责任单位:"):
            current["units"] = tuple(u for u in re.split(r"[、,，]", line.split(":", 1)[1]) if u)
        elif line.startswith("贯彻落实情况:"):
            body = line.split(":", 1)[1]
            status = next(w for w in STATUS_WORDS if body.startswith(w))
            answer = body[len(status):].lstrip("。,，.")
            tasks.append(SeedTask(status=status, answer=answer, **current))
    return tasks


def write_task_list(path: Path, tasks: list[SeedTask]) -> Path:
    """任务.xlsx as the office keeps it: no answers yet, no 完成时限 except where given."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "任务"
    sheet.append(["序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况"])
    for t in tasks:
        sheet.append([t.number, t.part, t.chapter, t.text, "、".join(t.units), None, None, None])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def fill_sheet(source: Path, target: Path, answers: dict[int, tuple[str, str]]) -> Path:
    """Open a unit's sheet, choose 状态 and type 落实情况 for the given task numbers, save under another name."""
    book = load_workbook(source)
    sheet = book["任务"]
    header = [c.value for c in sheet[2]]
    number_col, status_col, answer_col = (header.index(n) + 1 for n in ("序号", "状态", "落实情况"))
    for row in range(3, sheet.max_row + 1):
        number = sheet.cell(row, number_col).value
        if number in answers:
            sheet.cell(row, status_col).value, sheet.cell(row, answer_col).value = answers[number]
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target
