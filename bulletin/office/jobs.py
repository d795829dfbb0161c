"""Long work started from the workbench (compile, the page images, the 督查 merge and report), run in a background
thread with a state the page shows (issue 24): 排队 → 进行中 → 完成 / 失败, with the last progress line or the
result in Chinese. The state is a row of the jobs table (.bulletin/workbench.sqlite3), so it survives a reload
and is the same for every clerk looking at the month.

Never twice at once: a workspace has at most one queued or running job (checked and inserted in one
`BEGIN IMMEDIATE` transaction, so two clicks in the same second start one job); the compile itself also holds the
workspace lock (office/compile.py), which a command-line compile or the Prefect run takes too. A job left
'running' by a process that is gone (the server was restarted) is marked failed with that reason the next time
anyone looks.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

from ..core.errors import BulletinError
from ..core.workspace import Workspace
from .accounts import connect, now_text, record, role_of

log = logging.getLogger("bulletin.office.jobs")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATE_TEXT = {QUEUED: "排队中", RUNNING: "进行中", DONE: "已完成", FAILED: "失败"}
KIND_TEXT = {"compile": "编排", "render": "生成页面图", "merge": "汇总反馈表", "report": "生成督查专报",
             "split": "拆分并发送任务表"}


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    month: str
    state: str
    message: str
    actor: str
    created: str
    finished: str

    @property
    def state_text(self) -> str:
        return STATE_TEXT.get(self.state, self.state)

    @property
    def kind_text(self) -> str:
        return KIND_TEXT.get(self.kind, self.kind)

    @property
    def active(self) -> bool:
        return self.state in (QUEUED, RUNNING)


class Busy(BulletinError):
    """Another job of this workspace is queued or running."""


_COLUMNS = "id, kind, month, state, message, actor, created, finished"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap(db) -> None:
    """Jobs of a process that is gone will never finish: say so."""
    for job_id, pid in db.execute("SELECT id, pid FROM jobs WHERE state IN (?, ?)", (QUEUED, RUNNING)).fetchall():
        if not _alive(pid) or (pid == os.getpid() and job_id not in _THREADS):
            db.execute("UPDATE jobs SET state = ?, message = ?, finished = ? WHERE id = ?",
                       (FAILED, "任务中断（服务曾重启），请重新操作。", now_text(), job_id))


_THREADS: dict[int, threading.Thread] = {}


def latest(ws: Workspace, month: str | None = None, kind: str | None = None) -> Job | None:
    with closing(connect(ws)) as db:
        _reap(db)
        where, args = [], []
        if month is not None:
            where.append("month = ?")
            args.append(str(month))
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        sql = f"SELECT {_COLUMNS} FROM jobs" + (" WHERE " + " AND ".join(where) if where else "")
        row = db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
    return Job(*row) if row else None


def get(ws: Workspace, job_id: int) -> Job | None:
    with closing(connect(ws)) as db:
        _reap(db)
        row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return Job(*row) if row else None


def _set(ws: Workspace, job_id: int, state: str | None = None, message: str | None = None) -> None:
    with closing(connect(ws)) as db:
        if state is not None:
            finished = now_text() if state in (DONE, FAILED) else ""
            db.execute("UPDATE jobs SET state = ?, finished = ? WHERE id = ?", (state, finished, job_id))
        if message is not None:
            db.execute("UPDATE jobs SET message = ? WHERE id = ?", (message[:4000], job_id))


# work(progress) -> the result's Chinese text; progress(text) updates the shown message.
Work = Callable[[Callable[[str], None]], str]


def start(ws: Workspace, kind: str, month: str, actor: str, work: Work, *, wait: bool = False) -> Job:
    """Queue `work` and run it in a background thread; Busy (Chinese) when a job is already queued or running.
    The job's start and its end are recorded in the audit table under `actor`. `wait`: run it in this thread
    (the command line and tests)."""
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            _reap(db)
            active = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE state IN (?, ?) ORDER BY id LIMIT 1",
                                (QUEUED, RUNNING)).fetchone()
            if active:
                job = Job(*active)
                db.execute("ROLLBACK")
                raise Busy(f"{job.actor} 于 {job.created[11:16]} 开始的“{job.kind_text}”（{job.month}）尚未完成，"
                           "请等它完成后再操作。")
            cursor = db.execute("INSERT INTO jobs (kind, month, state, actor, pid, created) VALUES (?, ?, ?, ?, ?, ?)",
                                (kind, str(month), QUEUED, actor, os.getpid(), now_text()))
            job_id = cursor.lastrowid
            _THREADS[job_id] = threading.current_thread()  # before anyone can see the row: not reaped
            db.execute("COMMIT")
        except Busy:
            raise
        except BaseException:
            db.execute("ROLLBACK")
            raise
    role = role_of(ws, actor)
    record(ws, actor, role, f"开始{KIND_TEXT.get(kind, kind)}", month)

    def run() -> None:
        _set(ws, job_id, RUNNING, "开始…")
        try:
            text = work(lambda line: _set(ws, job_id, message=line))
        except BulletinError as exc:
            _set(ws, job_id, FAILED, str(exc))
            record(ws, actor, role, f"{KIND_TEXT.get(kind, kind)}未完成", month, str(exc))
        except Exception as exc:  # noqa: BLE001 - a background thread: said on the page, logged in full
            log.exception("job %s (%s %s) failed", job_id, kind, month)
            _set(ws, job_id, FAILED, f"出错（{exc.__class__.__name__}），详见服务日志。")
            record(ws, actor, role, f"{KIND_TEXT.get(kind, kind)}出错", month, exc.__class__.__name__)
        else:
            _set(ws, job_id, DONE, text)
            record(ws, actor, role, f"{KIND_TEXT.get(kind, kind)}完成", month, text.splitlines()[0] if text else "")
        finally:
            _THREADS.pop(job_id, None)

    if wait:
        _THREADS[job_id] = threading.current_thread()
        run()
    else:
        thread = threading.Thread(target=run, name=f"bulletin-job-{job_id}", daemon=True)
        _THREADS[job_id] = thread
        thread.start()
    return get(ws, job_id)


__all__ = ["Busy", "Job", "KIND_TEXT", "STATE_TEXT", "get", "latest", "start"]


def start_compile(ws: Workspace, month: str, actor: str, *, force: bool = False, wait: bool = False) -> Job:
    """编排 from the workbench: compile the month, then make its page images (one LibreOffice per version, as the
    desk does), in the background; the result's summary is the job's message."""

    def work(progress: Callable[[str], None]) -> str:
        from .compile import compile_month
        from .status import pages

        def step(done: int, total: int, label: str) -> None:
            progress(f"{label}（{done}/{total}）")

        result = compile_month(ws, month, progress=step, force=force)
        progress("生成页面图…")
        try:
            count = len(pages(ws, result.path))
            shown = f"页面图 {count} 页。"
        except BulletinError as exc:
            shown = f"页面图未能生成：{exc}"
        return result.summary().replace(str(ws.root) + "/", "") + "\n" + shown

    return start(ws, "compile", month, actor, work, wait=wait)
