"""Shared helpers for the benchmarks: generated drafts (cached), bench workspaces, measuring in a child.

Drafts come from tests/kits/draft_factory.py `make_month(folder, n, seed=0)`: each a title, a unit line and
5-7 paragraphs of Chinese text; every 10th draft also has a table and an image. The factory is
deterministic and consumes its random stream draft by draft, so the first N files of a 1000-draft month
are exactly `make_month(folder, N, seed=0)`: we generate the largest month once and copy prefixes.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
WORK = RESULTS / "work"
MONTH = "2026-10"

for extra in (REPO, REPO / "tests", REPO / "tests" / "kits"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

SETTINGS = """\
[bulletin]
title = "章贡区“五型”政府建设 工作简报"
office = "章贡区人民政府办公室"
phone = "0797-8888888"
email = "office@zgq.example.cn"
first_issue = 64
report_to = "区委办"
send_to = "各乡镇、街道，区直各单位"
"""


def generated_drafts(n: int) -> list[Path]:
    """Paths of the first n generated drafts (generation order), making them once under results/work."""
    pool = WORK / "pool"
    index = pool / "index.json"
    if index.is_file():
        names = json.loads(index.read_text(encoding="utf-8"))
        if len(names) >= n and all((pool / name).is_file() for name in names[:n]):
            return [pool / name for name in names[:n]]
    import draft_factory

    size = max(n, 1000)
    if pool.exists():
        shutil.rmtree(pool)
    paths = draft_factory.make_month(pool, size, seed=0)
    for path in paths:
        _make_title_unique(path)
    index.write_text(json.dumps([p.name for p in paths], ensure_ascii=False), encoding="utf-8")
    return paths[:n]


def _make_title_unique(path: Path) -> None:
    """make_month keeps file names unique ("…（57）.docx") but not titles: about 3% of 1000 drafts repeat
    an earlier unit + title, and intake rightly drops those as duplicate submissions. Give such a draft the
    file name's number in its title too, so all N drafts reach the bulletin."""
    stem = path.stem
    if not stem.endswith("）") or "（" not in stem:
        return
    suffix = stem[stem.rindex("（"):]
    from docx import Document

    doc = Document(str(path))
    runs = doc.paragraphs[0].runs
    runs[-1].text = runs[-1].text + suffix
    doc.save(str(path))


def realistic_drafts(n: int) -> list[Path]:
    """The first n "realistic" drafts: python-docx's default template as it is (349 KB styles.xml, theme,
    numbering, settings, fontTable, stylesWithEffects: what Word/WPS-saved drafts carry), a centred title,
    a unit line and 6 paragraphs; every 10th has a 3x3 table, every 10th (5th, 15th, ...) a picture."""
    pool = WORK / "realistic"
    index = pool / "index.json"
    if index.is_file():
        names = json.loads(index.read_text(encoding="utf-8"))
        if len(names) >= n and all((pool / name).is_file() for name in names[:n]):
            return [pool / name for name in names[:n]]
    import io
    import random

    import draft_factory
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    if pool.exists():
        shutil.rmtree(pool)
    pool.mkdir(parents=True)
    rng = random.Random(1)
    names = []
    size = max(n, 1000)
    for number in range(1, size + 1):
        unit = draft_factory.UNITS[rng.randrange(len(draft_factory.UNITS))]
        topic = rng.choice(draft_factory.UNIT_TOPICS[unit])
        doc = Document()
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(f"{rng.choice(draft_factory._LEADS)}推进{topic}（{number}）").font.size = Pt(22)
        line = doc.add_paragraph(unit)
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text in draft_factory._paragraphs(rng, unit, topic, 6):
            doc.add_paragraph(text)
        if number % 10 == 0:
            table = doc.add_table(rows=3, cols=3)
            table.style = doc.styles["Table Grid"]
            for row, texts in zip(table.rows, draft_factory.TABLE_ROWS):
                for cell, text in zip(row.cells, texts):
                    cell.text = text
        if number % 10 == 5:
            doc.add_paragraph().add_run().add_picture(io.BytesIO(draft_factory.chart_png()), width=Cm(12))
        name = f"{unit}-{topic}{number:04d}.docx"
        doc.save(str(pool / name))
        names.append(name)
    index.write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    return [pool / name for name in names[:n]]


def tabled_drafts(n: int) -> list[Path]:
    """The first n "tabled" drafts: what issue 21's independent run describes, python-docx's default template
    as it is, six paragraphs and a table in EVERY draft (realistic_drafts has a table in every 10th only).
    Each: a centred title, a unit line (intake needs both), six body paragraphs, a 3x3 "Table Grid" table.
    Made once (at least 120) under results/work/tabled; deterministic (seed 2)."""
    pool = WORK / "tabled"
    index = pool / "index.json"
    if index.is_file():
        names = json.loads(index.read_text(encoding="utf-8"))
        if len(names) >= n and all((pool / name).is_file() for name in names[:n]):
            return [pool / name for name in names[:n]]
    import random

    import draft_factory
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if pool.exists():
        shutil.rmtree(pool)
    pool.mkdir(parents=True)
    rng = random.Random(2)
    names = []
    for number in range(1, max(n, 120) + 1):
        unit = draft_factory.UNITS[rng.randrange(len(draft_factory.UNITS))]
        topic = rng.choice(draft_factory.UNIT_TOPICS[unit])
        doc = Document()
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(f"{rng.choice(draft_factory._LEADS)}推进{topic}（{number}）").font.size = Pt(22)
        doc.add_paragraph(unit).alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text in draft_factory._paragraphs(rng, unit, topic, 6):
            doc.add_paragraph(text)
        table = doc.add_table(rows=3, cols=3)
        table.style = doc.styles["Table Grid"]
        for row, texts in zip(table.rows, draft_factory.TABLE_ROWS):
            for cell, text in zip(row.cells, texts):
                cell.text = text
        name = f"{unit}-{topic}{number:04d}.docx"
        doc.save(str(pool / name))
        names.append(name)
    index.write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    return [pool / name for name in names[:n]]


DRAFT_KINDS = {"minimal": generated_drafts, "realistic": realistic_drafts, "tabled": tabled_drafts}


def compile_workspace(n: int, root: Path | None = None, kind: str = "minimal") -> Path:
    """A fresh workspace with bulletin.toml and inputs/<MONTH>/ holding the first n drafts of a kind."""
    root = root or WORK / f"ws-{kind}-{n}"
    if root.exists():
        shutil.rmtree(root)
    folder = root / "inputs" / MONTH
    folder.mkdir(parents=True)
    (root / "bulletin.toml").write_text(SETTINGS, encoding="utf-8")
    for path in DRAFT_KINDS[kind](n):
        os.link(path, folder / path.name) if _same_device(path, folder) else shutil.copy2(path, folder)
    return root


def _same_device(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timer:
    """Wall seconds and CPU seconds (user + system) of this process over the block.

    CPU time is the steadier number on a shared 2-core machine: other work slows the wall clock of a
    single-threaded compile but barely changes its CPU time.
    """

    def __enter__(self):
        self.start, self.cpu_start = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu = _cpu() - self.cpu_start


def emit(result: dict) -> None:
    """The child's one line of output: a JSON object the runner reads."""
    result.setdefault("peak_rss_mb", round(peak_rss_mb(), 1))
    print("BENCH-RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
