"""The ledger: paths relative to the workspace (a moved workspace keeps working, older ledgers are migrated
on open), a compile and its issue number in one transaction, and write transactions that take the lock
first (two processes assigning numbers at once never collide)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from mail_workspace import write_recipients, write_settings
from repo_paths import DATA

from bulletin.core.errors import BulletinError
from bulletin.core.ledger import Ledger, now
from bulletin.core.workspace import Workspace
from bulletin.delivery.approval import approve, approved_file
from bulletin.delivery.delivery import send_bulletin
from bulletin.delivery.status import month_status

# Written by main at 5fd84fd (tools: its own Ledger class) for a workspace at /tmp/legacy/srv/bulletin/office:
# month 2026-10, issue 64, compiled, approved by 张主任, delivered (outbox) to unit000 only.
LEGACY_LEDGER = DATA / "ledger-main-5fd84fd.sqlite3"
LEGACY_BYTES = b"bulletin 64 of 2026-10, as compiled before the workspace moved"
LEGACY_SHA = "b9a77969f830e93bcaa046ef2c927996c53de40abe15d1345d4ddb36e84941fa"
BULLETIN = "outputs/2026-10/工作简报第64期.docx"


def _stored_paths(ledger_path: Path) -> list[str]:
    with sqlite3.connect(ledger_path) as conn:
        return [row[0] for row in conn.execute("SELECT path FROM compiles UNION ALL SELECT path FROM approvals")]


def _moved_legacy_workspace(root: Path) -> Workspace:
    """The legacy ledger in a workspace at another place than the one it was written for."""
    root.mkdir(parents=True)
    write_settings(root, None, [])
    write_recipients(root / "inputs" / "recipients.csv",
                     [("发", "单位000", "unit000@zgq.example.cn"), ("发", "单位001", "unit001@zgq.example.cn")])
    (root / ".bulletin").mkdir()
    shutil.copyfile(LEGACY_LEDGER, root / ".bulletin" / "ledger.sqlite3")
    (root / BULLETIN).parent.mkdir(parents=True)
    (root / BULLETIN).write_bytes(LEGACY_BYTES)
    return Workspace.at(root)


def test_a_ledger_written_by_main_is_migrated_and_the_moved_workspace_works(tmp_path):
    assert _stored_paths(LEGACY_LEDGER) == [f"/tmp/legacy/srv/bulletin/office/{BULLETIN}"] * 2
    ws = _moved_legacy_workspace(tmp_path / "新的挂载点" / "office")

    status = month_status(ws, "2026-10")
    assert status.approved and status.file_sha256 == LEGACY_SHA
    assert status.compile.path == str(ws.root / BULLETIN)
    assert "审核：已通过（张主任" in status.summary()
    assert approved_file(ws, "2026-10") == (ws.root / BULLETIN, LEGACY_SHA)

    report = send_bulletin(ws, "2026-10")  # outbox: no [smtp]
    assert [r.email for r in report.sent] == ["unit001@zgq.example.cn"]
    assert [r.email for r in report.already] == ["unit000@zgq.example.cn"]

    assert _stored_paths(ws.ledger_path) == [BULLETIN, BULLETIN]
    with Ledger(ws.ledger_path) as ledger:  # opening again changes nothing (idempotent)
        assert ledger.last_compile("2026-10").path == str(ws.root / BULLETIN)
        assert ledger.assigned_number("2026-10") == 64
        assert ledger.flow_run("2026-10") == ("00000000-0000-0000-0000-000000000000", "finished")
    assert _stored_paths(ws.ledger_path) == [BULLETIN, BULLETIN]


def test_migration_keeps_a_path_it_cannot_place(tmp_path):
    """A path outside any outputs/<month>/ folder is left as written (and still works where it exists)."""
    ledger_path = tmp_path / ".bulletin" / "ledger.sqlite3"
    ledger_path.parent.mkdir()
    shutil.copyfile(LEGACY_LEDGER, ledger_path)
    with sqlite3.connect(ledger_path) as conn:
        conn.execute("UPDATE compiles SET path = '/elsewhere/简报.docx'")
    Ledger(ledger_path).close()
    assert _stored_paths(ledger_path) == ["/elsewhere/简报.docx", BULLETIN]


def test_paths_are_stored_relative_so_a_workspace_can_move(mail_workspace, tmp_path):
    mw = mail_workspace()
    assert _stored_paths(mw.ws.ledger_path) == [BULLETIN]
    approve(mw.ws, mw.month, by="王主任")
    assert _stored_paths(mw.ws.ledger_path) == [BULLETIN, BULLETIN]

    moved = Workspace.at(shutil.move(str(mw.ws.root), str(tmp_path / "搬迁后")))
    assert approved_file(moved, mw.month) == (moved.root / BULLETIN, mw.sha256)
    assert month_status(moved, mw.month).approved
    assert len(send_bulletin(moved, mw.month).sent) == 3


def test_state_dir_is_only_a_name(tmp_path):
    ws = Workspace.at(tmp_path)
    assert ws.ledger_path == tmp_path.resolve() / ".bulletin" / "ledger.sqlite3"
    assert ws.lock_path.parent == ws.state_dir
    assert not (tmp_path / ".bulletin").exists()
    Ledger(ws.ledger_path).close()  # whoever writes there creates it
    assert (tmp_path / ".bulletin").is_dir()


# -- a compile and its number: both or neither ---------------------------------------------------------------
def test_a_failed_first_compile_leaves_the_ledger_as_it_was(office, monkeypatch):
    import bulletin.office.compile as pipeline

    office.draft("1.docx", title="稳就业工作见成效", unit_line="区人社局")
    real_report = pipeline.intake_report

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "intake_report", disk_full)  # the report, after the bulletin is written
    with pytest.raises(OSError):
        office.compile()
    with Ledger(office.ws.ledger_path) as ledger:
        assert ledger.assigned_number(office.month) is None and len(ledger.compiles(office.month)) == 0

    monkeypatch.setattr(pipeline, "render_issue", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("bug")))
    with pytest.raises(RuntimeError):
        office.compile()
    with Ledger(office.ws.ledger_path) as ledger:
        assert ledger.assigned_number(office.month) is None and len(ledger.compiles(office.month)) == 0

    monkeypatch.undo()
    assert pipeline.intake_report is real_report
    office.draft("1.docx", month="2026-11", title="财政保障有力", unit_line="区财政局")
    assert office.compile(month="2026-11").number == 64  # the failed month used up no number
    assert office.compile().number == 65


def test_record_compile_reserves_the_number_or_writes_nothing(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        ledger.record_compile("2026-10", 64, tmp_path / "a.docx", "a" * 64, [], "2026-10-28")
        assert ledger.assigned_number("2026-10") == 64
        with pytest.raises(BulletinError, match="期号第64期已用于 2026-10 的简报，不能再用于 2026-11"):
            ledger.record_compile("2026-11", 64, tmp_path / "b.docx", "b" * 64, [], "2026-11-28")
        assert ledger.assigned_number("2026-11") is None and len(ledger.compiles("2026-11")) == 0
        ledger.record_compile("2026-10", 70, tmp_path / "a.docx", "c" * 64, [], "2026-10-28")  # --issue 70
        assert ledger.assigned_number("2026-10") == 70 and ledger.issue_number("2026-11", 64) == 71


# -- two processes at once ----------------------------------------------------------------------------------
_ASSIGN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bulletin.core.ledger import Ledger
    ledger_path, start, prefix = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    while not start.exists():
        time.sleep(0.001)
    with Ledger(ledger_path) as ledger:
        for n in range(1, 13):
            ledger.issue_number(f"{prefix}-{n:02d}", 1)
    """
)


@pytest.mark.slow
def test_two_processes_assigning_numbers_at_once_never_collide(tmp_path):
    """Each issue_number() reads the highest number and writes the next in one transaction. Taken as a plain
    (deferred) transaction, two processes read the same highest number: one fails with "database is locked"
    or a UNIQUE error. BEGIN IMMEDIATE takes the write lock before the read, so they queue instead."""
    ledger_path = tmp_path / "ledger.sqlite3"
    Ledger(ledger_path).close()
    for attempt in range(3):
        start = tmp_path / f"start{attempt}"
        years = [f"{2100 + 10 * attempt + k}" for k in range(4)]
        workers = [subprocess.Popen([sys.executable, "-c", _ASSIGN, str(ledger_path), str(start), year],
                                    stderr=subprocess.PIPE, text=True) for year in years]
        time.sleep(1.0)  # all four are polling for the start file
        start.touch()
        errors = [w.communicate(timeout=120)[1] for w in workers]
        assert [w.returncode for w in workers] == [0, 0, 0, 0], errors
    with sqlite3.connect(ledger_path) as conn:
        numbers = sorted(n for (n,) in conn.execute("SELECT number FROM issues"))
    assert numbers == list(range(1, 3 * 4 * 12 + 1))


def test_office_time_is_beijing_time():
    """Month folders, issue dates and ledger stamps are in the office's time zone (UTC+8, no DST): at
    20:00 UTC on 31 October it is already November in the office."""
    from datetime import datetime, timedelta, timezone

    from bulletin.core.ledger import now
    from bulletin.core.workspace import OFFICE_TZ

    evening = datetime(2026, 10, 31, 20, 0, tzinfo=timezone.utc)
    assert evening.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M") == "2026-11-01 04:00"
    assert OFFICE_TZ.utcoffset(datetime(2026, 7, 1)) == timedelta(hours=8)
    assert now().endswith("+08:00")


# -- the ledger's own calls, value by value ---------------------------------------------------------------------
def _ledger(tmp_path) -> Ledger:
    return Ledger(tmp_path / "office" / ".bulletin" / "ledger.sqlite3")


def test_issue_numbers(tmp_path):
    with _ledger(tmp_path) as ledger:
        assert ledger.issue_number("2026-10", 64, reserve=False) == 64
        assert ledger.assigned_number("2026-10") is None  # asking reserves nothing
        assert ledger.issue_number("2026-10", 64) == 64
        assert ledger.issue_number("2026-10", 99) == 64  # kept once assigned, whatever first_issue says
        assert ledger.issue_number("2026-11", 64) == 65  # the next after the highest
        assert ledger.issue_number("2026-12", 64, override=80) == 80
        assert ledger.issue_number("2026-12", 64, override=80) == 80  # the same override again: fine
        assert ledger.issue_number("2027-01", 64) == 81
        with pytest.raises(BulletinError) as info:
            ledger.issue_number("2027-02", 64, override=65)
        assert str(info.value) == "期号第65期已用于 2026-11 的简报，不能再用于 2027-02。"
        with pytest.raises(BulletinError, match="期号第65期已用于 2026-11 的简报，不能再用于 2026-12"):
            ledger.issue_number("2026-12", 64, override=65)  # a month that has another number: still refused
        assert ledger.assigned_number("2026-12") == 80
        assert ledger.issue_number("2026-11", 64, override=66, reserve=False) == 66
        assert ledger.assigned_number("2026-11") == 65
        assert ledger.issue_number("2026-11", 64, override=66) == 66
        assert ledger.assigned_number("2026-11") == 66
        assert ledger.assigned_number("2030-01") is None


def test_compile_records(tmp_path):
    with _ledger(tmp_path) as ledger:
        root = ledger.root
        assert root == tmp_path / "office"
        drafts = [{"file": "1.docx", "status": "accepted", "unit": "区人社局"}]
        first = ledger.record_compile("2026-10", 64, root / "outputs/2026-10/工作简报第64期.docx", "a" * 64, drafts,
                                      "2026-10-28")
        record = ledger.last_compile("2026-10")
        assert (record.id, record.month, record.number, record.sha256, record.issue_date, record.drafts) == (
            first, "2026-10", 64, "a" * 64, "2026-10-28", drafts)
        assert record.path == str(root / "outputs/2026-10/工作简报第64期.docx")
        assert record.date_text == "2026年10月28日" and record.compiled_at.endswith("+08:00")
        ledger.record_compile("2026-10", 64, Path("outputs/2026-10/工作简报第64期.docx"), "b" * 64, [])
        raw = ledger._conn.execute("SELECT drafts FROM compiles WHERE id = ?", (first,)).fetchone()[0]
        assert raw == '[{"file": "1.docx", "status": "accepted", "unit": "区人社局"}]'  # readable in sqlite3
        again = ledger.last_compile("2026-10")
        assert again.id == first + 1 and again.sha256 == "b" * 64 and again.issue_date == now()[:10]
        assert again.path == record.path  # given relative: stored as it is, handed back absolute
        ledger.record_compile("2026-10", 64, tmp_path / "elsewhere.docx", "c" * 64, [])  # outside: kept absolute
        assert ledger.last_compile("2026-10").path == str(tmp_path / "elsewhere.docx")
        assert len(ledger.compiles("2026-10")) == 3 and len(ledger.compiles("2026-11")) == 0
        assert ledger.last_compile("2026-11") is None


def test_decision_records(tmp_path):
    with _ledger(tmp_path) as ledger:
        path = ledger.root / "outputs/2026-10/工作简报第64期.docx"
        assert ledger.latest_decision("2026-10") is None
        written = ledger.record_decision("2026-10", path, "a" * 64, False, "李科长", "再核实")
        assert (written.month, written.path, written.sha256, written.approved, written.reviewer, written.comment) == (
            "2026-10", str(path), "a" * 64, False, "李科长", "再核实")
        assert ledger.latest_decision("2026-10") == written
        later = ledger.record_decision("2026-10", path, "b" * 64, True, "张主任")
        assert ledger.latest_decision("2026-10") == later and later.comment == "" and later.approved is True
        with ledger.transaction():
            inserted = ledger.insert_decision("2026-10", path, "c" * 64, True, "王科长")
        assert inserted.comment == "" and ledger.latest_decision("2026-10") == inserted
        assert ledger.latest_decision("2026-11") is None
    assert _stored_paths(tmp_path / "office" / ".bulletin" / "ledger.sqlite3") == [
        "outputs/2026-10/工作简报第64期.docx"] * 3


def test_delivery_records(tmp_path):
    with _ledger(tmp_path) as ledger:
        a, b = ("a@x.cn", "发", "甲"), ("b@x.cn", "报", "乙")
        ledger.mark_deliveries("2026-10", "bulletin", [a, b], "sending", "s1", count_attempt=True)
        ledger.mark_deliveries("2026-10", "bulletin", [b], "failed", "s1", error="550 unknown")
        ledger.mark_deliveries("2026-10", "bulletin", [("b@x.cn", "发", "乙（改）")], "sending", "s2", count_attempt=True)
        ledger.mark_deliveries("2026-10", "review:abc", [a], "sent", "s1")
        records = ledger.deliveries("2026-10")
        assert list(records) == ["a@x.cn", "b@x.cn"]
        first, second = records["a@x.cn"], records["b@x.cn"]
        assert (first.purpose, first.list_name, first.name, first.status, first.sha256, first.attempts, first.error) == (
            "bulletin", "发", "甲", "sending", "s1", 1, "")
        assert (second.list_name, second.name, second.status, second.sha256, second.attempts, second.error) == (
            "发", "乙（改）", "sending", "s2", 2, "")
        assert second.updated_at.endswith("+08:00")
        assert list(ledger.deliveries("2026-10", "review:abc")) == ["a@x.cn"]
        assert ledger.deliveries("2026-11") == {}


def test_flow_run_records(tmp_path):
    with _ledger(tmp_path) as ledger:
        assert ledger.flow_run("2026-10") is None
        ledger.record_flow_run("2026-10", "run-1", "waiting_for_approval")
        ledger.record_flow_run("2026-10", "run-2", "finished")
        assert ledger.flow_run("2026-10") == ("run-2", "finished") and ledger.flow_run("2026-11") is None


def test_transactions_roll_back_and_nest(tmp_path):
    with _ledger(tmp_path) as ledger:
        with pytest.raises(RuntimeError), ledger.transaction():
            ledger.record_flow_run("2026-10", "run-1", "waiting_for_approval")  # joins the outer transaction
            assert ledger._conn.in_transaction
            raise RuntimeError("stop")
        assert not ledger._conn.in_transaction and ledger.flow_run("2026-10") is None
        with ledger.transaction():
            ledger.record_flow_run("2026-10", "run-1", "finished")
            assert ledger._conn.in_transaction  # the inner one did not commit early
        assert ledger.flow_run("2026-10") == ("run-1", "finished")


def test_relocating_old_absolute_paths(tmp_path):
    with _ledger(tmp_path) as ledger:
        assert ledger._relocated("/old/office/outputs/2026-10/工作简报第64期.docx") == BULLETIN
        assert ledger._relocated("C:\\\\Users\\\\办公室\\\\outputs\\\\2026-10\\\\工作简报第64期.docx") == BULLETIN
        assert ledger._relocated(str(ledger.root / BULLETIN)) == BULLETIN
        assert ledger._relocated("/old/office/outputs/2026-13/工作简报第64期.docx") is None
        assert ledger._relocated("/old/office/exports/2026-10/工作简报第64期.docx") is None
        assert ledger._relocated("/工作简报第64期.docx") is None
        assert ledger._relocated("D:\\\\简报\\\\工作简报第64期.docx") is None  # Windows, not under outputs/<month>
        assert ledger._relocated(str(ledger.root / "templates" / "x.docx")) == "templates/x.docx"  # inside: relative


def test_a_ledger_outside_a_state_folder_is_relative_to_its_own_folder(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert ledger.root == tmp_path
    with Ledger(tmp_path / "x" / "ledger.sqlite3", root=tmp_path) as ledger:
        assert ledger.root == tmp_path
