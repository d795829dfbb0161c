"""Issue 22 item 2: a small spreadsheet may not exhaust the office. Each hostile file goes through the real
command (`bulletin fetch` against a real Dovecot, `bulletin compile`, `bulletin tasks merge`/`split`,
`bulletin stats`) in a child process whose peak memory (ru_maxrss from wait4) and time are measured; an address
space limit makes the old behaviour fail fast (MemoryError) instead of taking the machine's memory.

Before the fix (measured with /usr/bin/time -v): the marker sheet with a cell at XFD1000 took 94 s and 4.0 GB in
returned-sheet detection, at XFD1048576 MemoryError; the theme bomb 6.7 s and 2.1 GB; a notices.xlsx with a far
cell ~15 s and 1.4 GB. Bound now: 300 MB and a few seconds each."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from mail_clients import outlook, when
from mailbox_kit import draft_bytes, write_office
from sheet_bombs import far_cell, plain_book, theme_bomb
from supervision_kit import ROUND_MONTH, make_round_workspace

from bulletin.supervision.sheets import unit_sheet_bytes
from bulletin.supervision.tasks import Task

pytestmark = [pytest.mark.slow]
LIMIT_MB = 300
ADDRESS_SPACE = 3 * 1024 ** 3  # the old code needs 4 GB for the first file: it stops here with MemoryError


PEAK = "\nPEAK-KB="
# VmHWM of the child itself, read as it exits: ru_maxrss (wait4) carries the parent's RSS at fork across exec on
# Linux, so in a long pytest process every child "peaked" at pytest's own size (414 MB in a full run).
_MEASURED = ("import sys\ntry:\n    exec(compile(sys.argv.pop(1), '<measured>', 'exec'))\nfinally:\n"
             "    hwm = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
             "    sys.stdout.flush()\n    sys.stderr.write('" + PEAK.replace("\n", "\\n") + "' + hwm + '\\n')\n")


def measured(argv: list[str], env: dict | None = None, timeout: int = 120) -> tuple[int, str, float, float]:
    """(exit code, output, peak MB of this child alone (its VmHWM), seconds). argv: [python, "-c", code, *args]."""
    assert argv[1] == "-c"
    argv = [argv[0], "-c", _MEASURED, argv[2], *argv[3:]]
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    start = time.monotonic()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=limit,
                             env={**os.environ, **(env or {}), "COLUMNS": "200"})
    timer = threading.Timer(timeout, child.kill)
    timer.start()
    try:
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        timer.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    text, _, peak = output.decode("utf-8", "replace").rpartition(PEAK)
    return child.returncode, text, int(peak.split()[0]) / 1024, time.monotonic() - start


def bulletin(*args: str, env: dict | None = None) -> tuple[int, str, float, float]:
    """`bulletin ARGS` in a child process, measured."""
    return measured([sys.executable, "-c", "from bulletin.cli import app; app()", *args], env)


def round_sheet(unit: str = "区财政局", round_id: str = "督查专报/2026-11") -> bytes:
    return unit_sheet_bytes(round_id, unit, [Task(1, "一、", "", "任务一", (unit,))], None)


def test_mailed_far_cell_and_theme_bomb_cost_little_and_the_good_mail_is_saved(tmp_path, imap_server, smtp_server):
    imap, smtp = imap_server(), smtp_server()
    root = write_office(tmp_path / "office", imap, smtp)
    far = far_cell(round_sheet(), "bulletin-marker")  # the marker sheet itself reaches XFD1048576
    assert len(far) < 8000
    bomb = theme_bomb(round_sheet(), 1 << 30)
    assert len(bomb) < 1_200_000
    imap.append(outlook(sender="czj_zgq@163.com", name="财政局", subject="反馈", when=when(9), msgid="<h.1@x>",
                        attachments=[("反馈.xlsx", far)]), when=when(9))
    imap.append(outlook(sender="x@evil.test", name="某人", subject="主题", when=when(10), msgid="<h.2@x>",
                        attachments=[("表.xlsx", bomb)]), when=when(10))
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="稿件", when=when(11), msgid="<h.3@x>",
                        attachments=[("就业.docx", draft_bytes("就业工作稳步推进", "区人社局"))]), when=when(11))

    code, output, peak, seconds = bulletin("fetch", "-w", str(root),
                                           env={"BULLETIN_IMAP_PASSWORD": imap.password})
    print(f"fetch: {peak:.0f} MB, {seconds:.1f} s")
    assert code == 0, output
    assert peak < LIMIT_MB and seconds < 60
    # the far cell is in the marker sheet, which is read only to its first rows: the sheet is recognised
    assert (root / "inputs" / "督查" / "2026-11" / "反馈" / "反馈.xlsx").read_bytes() == far
    assert (root / "inputs" / "2026-10" / "就业.docx").is_file()
    assert not list(root.rglob("表.xlsx"))  # the bomb is not a returned sheet and not saved
    assert "督查反馈表 1 份" in output and "保存稿件 1 篇" in output


def test_notices_with_a_far_cell_is_refused_by_name_at_compile(tmp_path, office):
    office.draft("就业.docx", title="就业工作稳步推进", unit_line="区人社局")
    path = office.notices([("区行政审批局", "政务服务满意率100%", "通报表扬", "")])
    path.write_bytes(far_cell(path.read_bytes(), _first_title(path)))
    code, output, peak, seconds = bulletin("compile", "-w", str(office.root), "--month", office.month)
    print(f"compile: {peak:.0f} MB, {seconds:.1f} s")
    assert peak < LIMIT_MB and seconds < 60
    assert "notices.xlsx" in output and "XFD1048576" in output, output


def _first_title(path: Path) -> str:
    from openpyxl import load_workbook

    return load_workbook(path, read_only=True).sheetnames[0]


def test_task_list_with_a_far_cell_is_refused_by_name(tmp_path):
    kit = make_round_workspace(tmp_path / "office")
    tasks = kit.root / "inputs" / "督查" / ROUND_MONTH / "任务.xlsx"
    tasks.write_bytes(far_cell(tasks.read_bytes(), _first_title(tasks)))
    code, output, peak, seconds = bulletin("tasks", "split", "-w", str(kit.root), "--month", ROUND_MONTH)
    print(f"tasks split: {peak:.0f} MB, {seconds:.1f} s")
    assert code != 0 and peak < LIMIT_MB and seconds < 60
    assert "任务.xlsx" in output and "XFD1048576" in output, output


def test_returned_sheet_with_a_far_cell_is_named_in_the_merge(tmp_path):
    kit = make_round_workspace(tmp_path / "office")
    code, output, _, _ = bulletin("tasks", "split", "-w", str(kit.root), "--month", ROUND_MONTH)
    assert code == 0, output
    sheet = kit.root / "outputs" / "督查专报" / ROUND_MONTH / "分发" / "区财政局.xlsx"
    returns = kit.root / "inputs" / "督查" / ROUND_MONTH / "反馈"
    returns.mkdir(parents=True)
    (returns / "财政局.xlsx").write_bytes(far_cell(sheet.read_bytes(), "任务"))
    code, output, peak, seconds = bulletin("tasks", "merge", "-w", str(kit.root), "--month", ROUND_MONTH)
    print(f"tasks merge: {peak:.0f} MB, {seconds:.1f} s")
    assert code == 0, output
    assert peak < LIMIT_MB and seconds < 60
    assert "财政局.xlsx" in output and "XFD1048576" in output, output


def test_upper_adoptions_with_a_far_cell_are_refused_by_name(tmp_path, office):
    rows = [["单位", "标题", "采用刊物", "级别", "日期"], ["区人社局", "就业", "江西信息", "省级", "2026-10-15"]]
    path = office.root / "inputs" / "上级采用.xlsx"
    path.write_bytes(far_cell(plain_book(rows), "Sheet"))
    # `bulletin stats` needs compiled months; the reader it calls is run alone, in the same kind of child
    code, output, peak, seconds = measured([sys.executable, "-c", (
        "import sys; from pathlib import Path; from bulletin.intake.roster import Roster; "
        "from bulletin.stats.upper import read_upper; "
        "rows, problems = read_upper(Path(sys.argv[1]), Roster(), {'省级': 3}); print(rows, problems)"), str(path)])
    print(f"read_upper: {peak:.0f} MB, {seconds:.1f} s")
    assert code == 0, output
    assert peak < LIMIT_MB and seconds < 60
    assert "上级采用.xlsx：工作表“Sheet”的单元格 XFD1048576 超出可读取的范围" in output, output
