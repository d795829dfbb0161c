"""A fetch that dies part way loses nothing and saves nothing twice.

- A real `bulletin fetch` process is killed (SIGKILL) in the middle of reading a mailbox of 30 submissions,
  twice, then run to the end: every draft is there exactly once, every sender gets exactly one receipt.
- The narrow windows a kill may hit only by chance are hit on purpose in-process: after the files were staged
  but before the ledger knew of them, and after the ledger knew but before the files were in place.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mail_clients import outlook, when
from mailbox_kit import MONTH, draft_bytes, files_under, write_office

from bulletin.core.workspace import Workspace
from bulletin.intake import collect

# Enough messages that a kill lands in the middle even on a loaded machine: the poll below can be descheduled for
# hundreds of milliseconds while the fetch records a message every few (a full suite once saw all 30 of an
# earlier, smaller mailbox recorded before the first kill arrived).
COUNT = 90


def submissions(imap) -> dict[str, bytes]:
    """COUNT messages from the roster's units, two drafts each; returns {file name: bytes}."""
    senders = ["rsj@zgq.gov.test", "czj_zgq@163.com", "jtj@zgq.gov.test", "zjj@zgq.gov.test"]
    expected = {}
    for n in range(COUNT):
        files = [(f"稿件{n:02d}-{k}.docx", draft_bytes(f"第{n}号稿件之{k}", None,
                                                    [f"第{n}号稿件第{k}篇的正文，记录本单位本月的重点工作进展。" * 20]))
                 for k in (1, 2)]
        expected.update(files)
        imap.append(outlook(sender=senders[n % 4], name="报送人", subject=f"第{n}号稿件", when=when(10 + n % 15),
                            msgid=f"<kill.{n}@zgq.gov.test>", attachments=files), when=when(10 + n % 15))
    return expected


def ledger_rows(root: Path) -> int:
    path = root / ".bulletin" / "ledger.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM mail_messages").fetchone()[0]
    except sqlite3.OperationalError:  # no table yet, or the writer holds the lock this instant
        return 0


def fetch_process(root: Path, password: str) -> subprocess.Popen:
    env = {**os.environ, "BULLETIN_IMAP_PASSWORD": password}
    return subprocess.Popen([sys.executable, "-m", "bulletin.cli", "fetch", "--workspace", str(root)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def kill_after(root: Path, password: str, rows: int) -> int:
    """Start a fetch, SIGKILL it once the ledger holds `rows` messages; returns the rows at the kill."""
    process = fetch_process(root, password)
    deadline = time.monotonic() + 120
    while ledger_rows(root) < rows:
        assert process.poll() is None, process.stdout.read().decode()
        assert time.monotonic() < deadline, "the fetch did not get that far"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    return ledger_rows(root)


def test_killed_fetch_process_loses_nothing_and_saves_nothing_twice(tmp_path, imap_server, smtp_server):
    imap = imap_server()
    smtp = smtp_server()
    root = write_office(tmp_path / "office", imap, smtp)
    expected = submissions(imap)

    first = kill_after(root, imap.password, 4)
    second = kill_after(root, imap.password, first + 8)
    assert 4 <= first < second < COUNT  # both kills really landed in the middle of the mailbox
    assert len(smtp.messages) == 0  # receipts go at the end; the kills came before it

    done = subprocess.run([sys.executable, "-m", "bulletin.cli", "fetch", "--workspace", str(root)],
                          env={**os.environ, "BULLETIN_IMAP_PASSWORD": imap.password}, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = root / "inputs" / MONTH
    assert files_under(folder) == sorted(expected)  # no name（2）, no hidden leftovers
    for name, data in expected.items():
        assert (folder / name).read_bytes() == data, name
    assert files_under(root / ".bulletin" / "mail-staging") == []
    receipts = sorted(m["In-Reply-To"] for m in (__import__("mailbox_kit").parsed(r.data) for r in smtp.messages))
    assert receipts == sorted(f"<kill.{n}@zgq.gov.test>" for n in range(COUNT))  # one each, none twice


def _crash_on(n: int):
    """A stand-in that raises (as a kill would stop the process) on its n-th call."""
    calls = {"n": 0}

    class Crash(BaseException):
        pass

    def wrap(real):
        def inner(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == n:
                raise Crash()
            return real(*args, **kwargs)

        return inner

    return wrap, Crash


@pytest.mark.parametrize("window", ["staged, ledger not written", "ledger written, file not in place"])
def test_crash_in_each_window_is_repaired_by_the_next_fetch(tmp_path, imap_server, monkeypatch, window):
    imap = imap_server()
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", imap.password)
    root = write_office(tmp_path / "office", imap, receipts=False)
    expected = {}
    for n in range(3):
        files = [(f"稿件{n}-{k}.docx", draft_bytes(f"稿件{n}之{k}", "区人社局")) for k in (1, 2)]
        expected.update(files)
        imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject=f"稿件{n}", when=when(12),
                            msgid=f"<w.{n}@x>", attachments=files), when=when(12))
    wrap, Crash = _crash_on(2)
    if window == "staged, ledger not written":
        monkeypatch.setattr(collect.MailLedger, "record_message", wrap(collect.MailLedger.record_message))
    else:
        monkeypatch.setattr(collect._Fetch, "_put_in_place", wrap(collect._Fetch._put_in_place))
    ws = Workspace.at(root)
    with pytest.raises(Crash):
        collect.fetch(ws)
    monkeypatch.undo()
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", imap.password)
    staged = files_under(root / ".bulletin" / "mail-staging")
    assert staged  # the crash left staged copies behind

    report = collect.fetch(Workspace.at(root))
    folder = root / "inputs" / MONTH
    assert files_under(folder) == sorted(expected)
    for name, data in expected.items():
        assert (folder / name).read_bytes() == data
    assert files_under(root / ".bulletin" / "mail-staging") == []
    if window == "ledger written, file not in place":
        assert report.recovered == 1  # the first message's second file, put in place from its staged copy
        assert report.messages == 2
    else:
        assert report.recovered == 0 and report.messages == 2  # the second message was read again
    again = collect.fetch(Workspace.at(root))
    assert again.messages == 0 and files_under(folder) == sorted(expected)
