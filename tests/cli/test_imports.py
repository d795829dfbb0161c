"""What each command imports (issue 21, speed): start-up is part of every command's time, and a whole-process
`bulletin compile` of 120 drafts is compared with a bare docxcompose run that imports only python-docx and
docxcompose (bench/README.md). A command imports what it needs when it runs; these tests hold the heavy libraries
off the paths that do not need them. Each runs a fresh interpreter and reads its sys.modules (never times)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Libraries only some commands need: tables (pandas: a notice sheet; openpyxl: sheets and statistics), charts
# (matplotlib: bulletin stats), Prefect (run, deploy, status --all), mail (yagmail: send, review), the desk.
ONLY_SOME_COMMANDS = ("pandas", "numpy", "openpyxl", "matplotlib", "PIL", "prefect", "yagmail", "fastapi", "uvicorn",
                      "starlette")
# What a compile itself reads and writes with; `bulletin --help` needs none of it either.
COMPILE_LIBRARIES = ("docx", "docxtpl", "docxcompose", "jinja2", "lxml", "pydantic", "email_validator")


def _modules_after(code: str, cwd: Path) -> set[str]:
    """Top-level package names in sys.modules after running `code` in a fresh interpreter."""
    script = code + "\nimport json, sys\nprint('MODULES ' + json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, timeout=120)
    line = next((l for l in done.stdout.splitlines() if l.startswith("MODULES ")), None)
    assert line is not None, done.stdout[-2000:] + done.stderr[-2000:]
    return {name.split(".")[0] for name in json.loads(line.removeprefix("MODULES "))}


def _run_cli(args: list[str]) -> str:
    return (
        "from bulletin.cli import app\n"
        f"try:\n    app({args!r}, standalone_mode=False)\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
    )


def test_importing_the_cli_and_its_help_load_no_heavy_library(tmp_path):
    loaded = _modules_after(_run_cli(["--help"]), tmp_path)
    assert "bulletin" in loaded and "typer" in loaded  # the probe ran the command
    assert sorted(loaded & set(ONLY_SOME_COMMANDS + COMPILE_LIBRARIES)) == []


def test_a_subcommands_help_loads_no_heavy_library(tmp_path):
    loaded = _modules_after(_run_cli(["compile", "--help"]), tmp_path)
    # typer 0.29 itself builds a command's parameters with pydantic (typer/_adapters.py): not ours to avoid.
    assert sorted(loaded & set(ONLY_SOME_COMMANDS + COMPILE_LIBRARIES) - {"pydantic"}) == []


@pytest.mark.slow  # a whole `bulletin compile` process: about 3 s on the shared 2-core machine
def test_compile_without_a_notice_sheet_loads_neither_tables_nor_charts_nor_prefect_nor_mail(office):
    office.draft("甲.docx", title="甲稿件", unit_line="区人社局", paragraphs=["正文第一段。"], table=True)
    office.draft("乙.docx", title="乙稿件", unit_line="区财政局", paragraphs=["正文第一段。"])
    args = ["compile", "--workspace", str(office.root), "--month", "2026-10", "--date", "2026-10-28"]
    loaded = _modules_after(_run_cli(args), office.root)

    assert (office.root / "outputs" / "2026-10" / "工作简报第64期.docx").is_file()  # the probe compiled
    assert {"docx", "docxtpl", "pydantic"} <= loaded
    # 通报建议.xlsx is written without openpyxl (core/xlsxparts.plain_workbook), and the near-duplicate check of a
    # month without an archive needs no numpy: a compile of drafts without pictures loads neither, nor Pillow.
    assert (office.root / "outputs" / "2026-10" / "通报建议.xlsx").is_file()
    assert sorted(loaded & {"pandas", "numpy", "openpyxl", "PIL", "matplotlib", "prefect", "yagmail", "fastapi",
                            "uvicorn", "starlette"}) == []
