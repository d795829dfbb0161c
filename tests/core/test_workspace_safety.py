"""The workspace survives anything a compile meets: inputs untouched, outputs whole or not at all, one compile
at a time, and a failed compile leaves the month's previous bulletin as it was."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import draft_factory as f
import hostile_kit as k
import pytest
from docx import Document
from docx_read import all_text

import bulletin.core.atomic
import bulletin.office.compile
from bulletin.core.errors import BulletinError, NothingToCompile, TemplateProblem
from bulletin.core.ledger import Ledger
from bulletin.office.compile import workspace_lock


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root: content hash, size, mtime and mode (a moved or touched file shows)."""
    seen = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        seen[str(path.relative_to(root))] = (digest, stat.st_size, stat.st_mtime_ns, stat.st_mode)
    return seen


def _month_with_everything(office) -> None:
    folder = office.month_dir()
    good = office.draft("1-就业.docx", title="稳就业", unit_line="区人社局", tracked_changes=True, comment="批注",
                        landscape=True, external_image=True, footnote="{{ 7*7 }}")
    office.draft("2-财政.docx", title="财政保障", unit_line="区财政局", image=True, table=True)
    k.truncated(good, folder / "截断.docx")
    k.ole2_file(folder / "旧版.doc")
    k.zip_bomb(good, folder / "炸弹.docx", megabytes=250)
    (folder / "~$就业.docx").write_bytes(b"owner")
    (folder / "order.txt").write_text("2-财政\n../x.docx\n1-就业\n", encoding="utf-8")
    office.notices([("区住建局", "事项", "通报批评", ""), ("区人社局", "事项", "不明", "")])


def test_inputs_are_never_modified_or_moved(office):
    _month_with_everything(office)
    before = _snapshot(office.root / "inputs")
    office.compile()
    office.compile()  # a recompile reads the same inputs again
    assert _snapshot(office.root / "inputs") == before
    assert not any(office.ws.outputs in p.parents for p in (office.root / "inputs").rglob("*"))


def test_every_output_is_written_to_a_temporary_file_and_renamed(office, monkeypatch):
    _month_with_everything(office)
    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src, dst):
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(bulletin.core.atomic.os, "replace", spy)
    result = office.compile()
    out = office.ws.month_outputs(office.month)
    produced = sorted(p for p in out.iterdir() if p.is_file())
    assert produced == sorted([result.path, result.report_path, result.suggestions])
    for path in produced:
        (src,) = [s for s, d in renames if d == path]
        assert src.parent == path.parent and src.name.startswith(".tmp-")
    Document(str(result.path))


def test_two_processes_compiling_at_once_are_serialised(office):
    _month_with_everything(office)
    script = textwrap.dedent(
        """
        import sys
        from datetime import date
        from bulletin.office.compile import compile_month
        from bulletin.core.workspace import Workspace

        result = compile_month(Workspace.at(sys.argv[1]), "2026-10", issue_date=date(2026, 10, 28),
                               on_wait=lambda: print("WAITING", flush=True))
        print("DONE", result.number, flush=True)
        """
    )
    lock = workspace_lock(office.ws)
    lock.acquire()  # both processes start while a compile is running
    try:
        procs = [subprocess.Popen([sys.executable, "-c", script, str(office.root)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for proc in procs:
            assert proc.stdout.readline().strip() == "WAITING"  # the second one waits and says so
    finally:
        lock.release()
    outputs = [proc.communicate(timeout=180) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert [out.strip().splitlines()[-1] for out, _ in outputs] == ["DONE 64", "DONE 64"]
    _check_two_compiles_one_number(office)


def test_two_threads_compiling_at_once_are_serialised(office):
    _month_with_everything(office)
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        start.wait()
        try:
            results.append(office.compile().number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == [] and results == [64, 64]
    _check_two_compiles_one_number(office)


def _check_two_compiles_one_number(office) -> None:
    with Ledger(office.ws.ledger_path) as ledger:
        assert len(ledger.compiles(office.month)) == 2
        assert ledger.assigned_number(office.month) == 64
        last = ledger.last_compile(office.month)
        numbers = [row[0] for row in ledger._conn.execute("SELECT number FROM issues")]
    assert numbers == [64]
    out = office.ws.month_outputs(office.month)
    assert [p.name for p in out.glob("*.docx")] == ["工作简报第64期.docx"]
    assert not list(out.glob(".tmp-*"))
    assert bulletin.core.atomic.sha256_file(out / "工作简报第64期.docx") == last.sha256
    assert "稳就业" in all_text(out / "工作简报第64期.docx")


def test_a_compile_that_cannot_get_the_lock_says_so_and_changes_nothing(office, monkeypatch):
    office.draft("1.docx", title="稿件", unit_line="区人社局")
    monkeypatch.setattr(bulletin.office.compile, "LOCK_WAIT_SECONDS", 0.3)
    waited = []
    lock = workspace_lock(office.ws)
    with lock, pytest.raises(BulletinError, match="另一个编排任务正在使用此工作目录"):
        office.compile(on_wait=lambda: waited.append(True))
    assert waited == [True]
    assert not office.ws.month_outputs(office.month).exists()
    with Ledger(office.ws.ledger_path) as ledger:
        assert len(ledger.compiles(office.month)) == 0


def _break_template(office):
    (office.root / "bad.docx").write_text("不是模板", encoding="utf-8")
    settings = (office.root / "bulletin.toml").read_text(encoding="utf-8")
    (office.root / "bulletin.toml").write_text(settings + 'template = "bad.docx"\n', encoding="utf-8")
    return TemplateProblem


def _break_render(office, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("render failed half-way")

    monkeypatch.setattr(bulletin.office.compile, "render_issue", boom)
    return RuntimeError


def _break_disk(office, monkeypatch):
    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bulletin.core.atomic.os, "fsync", full)
    return OSError


def _break_drafts(office):
    for path in office.month_dir().glob("*.docx"):
        path.unlink()
    k.ole2_file(office.month_dir() / "旧版.docx")
    return NothingToCompile


@pytest.mark.parametrize("breaker", ["template", "render", "disk", "drafts"])
def test_a_failed_compile_leaves_the_previous_bulletin_intact(office, monkeypatch, breaker):
    office.draft("1.docx", title="第一次编排的稿件", unit_line="区人社局")
    first = office.compile()
    kept = first.path.read_bytes()
    office.draft("2.docx", title="后来补交的稿件", unit_line="区财政局")

    expected = {
        "template": lambda: _break_template(office),
        "render": lambda: _break_render(office, monkeypatch),
        "disk": lambda: _break_disk(office, monkeypatch),
        "drafts": lambda: _break_drafts(office),
    }[breaker]()
    with pytest.raises(expected):
        office.compile()

    assert first.path.read_bytes() == kept
    out = office.ws.month_outputs(office.month)
    assert sorted(p.name for p in out.iterdir()) == sorted([first.path.name, first.report_path.name, "通报建议.xlsx"])
    with Ledger(office.ws.ledger_path) as ledger:
        assert len(ledger.compiles(office.month)) == 1
        assert ledger.last_compile(office.month).sha256 == bulletin.core.atomic.sha256_file(first.path)
    assert "第一次编排的稿件" in all_text(first.path)


def test_after_a_failure_the_next_compile_works_with_the_same_number(office, monkeypatch):
    office.draft("1.docx", title="稿件", unit_line="区人社局")
    _break_render(office, monkeypatch)
    with pytest.raises(RuntimeError):
        office.compile()
    monkeypatch.undo()
    assert office.compile().number == 64
    f.make_draft(office.month_dir("2026-11") / "1.docx", title="下月稿件", unit_line="区人社局")
    assert office.compile(month="2026-11").number == 65
