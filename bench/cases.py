"""One benchmark case per invocation, meant to run in a fresh child process (see run.py).

    python bench/cases.py compile N        # compile_month over N generated drafts
    python bench/cases.py bare N           # docxcompose Composer.append of the same N drafts into an empty doc
    python bench/cases.py compile-realistic N / bare-realistic N   # the same over "realistic" drafts
    python bench/cases.py process-compile N / process-bare N       # realistic drafts, each a whole process
    python bench/cases.py compile-tabled N / bare-tabled N         # drafts with six paragraphs and a table EACH
    python bench/cases.py process-compile-tabled N / process-bare-tabled N   # the same, whole processes
    python bench/cases.py cli-compile      # `bulletin compile` of the 4-draft example (whole process)
    python bench/cases.py send N           # send_bulletin to N recipients through aiosmtpd on 127.0.0.1
    python bench/cases.py flow N           # the Prefect flow, embedded mode, N drafts, approved at once
    python bench/cases.py stats N          # bulletin stats for a year: 12 months x 60 units x N drafts a month

Each prints one line "BENCH-RESULT {json}" with wall seconds and the child's peak RSS (VmHWM).
Add --profile FILE to write a pyinstrument HTML/text profile of the measured part (compile and bare only).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DRAFT_KINDS, MONTH, WORK, Timer, compile_workspace, emit, generated_drafts, realistic_drafts


def _profiled(profile: str | None):
    if not profile:
        import contextlib

        return contextlib.nullcontext()
    from pyinstrument import Profiler

    class _Ctx:
        def __enter__(self):
            self.p = Profiler(interval=0.001)
            self.p.start()

        def __exit__(self, *exc):
            self.p.stop()
            Path(profile).write_text(self.p.output_text(unicode=True, color=False, show_all=True, time="percent_of_total", processor_options={"hide_regex": r".*(importlib|<frozen|enum\/).*", "filter_threshold": 0.02}), encoding="utf-8")

    return _Ctx()


def case_compile(n: int, profile: str | None = None, kind: str = "minimal") -> dict:
    from bulletin.office.compile import compile_month
    from bulletin.core.workspace import Workspace

    ws = Workspace.at(compile_workspace(n, kind=kind))
    with _profiled(profile), Timer() as t:
        result = compile_month(ws, MONTH, issue_date=date(2026, 10, 28))
    assert len(result.intake.accepted) == n, (len(result.intake.accepted), result.intake.refused)
    return {"case": "compile" if kind == "minimal" else f"compile-{kind}", "n": n, "seconds": round(t.seconds, 3),
            "cpu": round(t.cpu, 3), "size_mb": round(result.path.stat().st_size / 2**20, 2)}


def case_bare(n: int, profile: str | None = None, kind: str = "minimal") -> dict:
    """The reference: docxcompose appending every draft, whole, into an empty python-docx document."""
    import io

    from docx import Document
    from docxcompose.composer import Composer

    paths = DRAFT_KINDS[kind](n)
    with _profiled(profile), Timer() as t:
        composer = Composer(Document())
        for path in paths:
            composer.append(Document(str(path)))
        buffer = io.BytesIO()
        composer.save(buffer)
    return {"case": "bare" if kind == "minimal" else f"bare-{kind}", "n": n, "seconds": round(t.seconds, 3),
            "cpu": round(t.cpu, 3), "size_mb": round(len(buffer.getvalue()) / 2**20, 2)}


def case_compile_realistic(n: int, profile: str | None = None) -> dict:
    return case_compile(n, profile, kind="realistic")


def case_bare_realistic(n: int, profile: str | None = None) -> dict:
    return case_bare(n, profile, kind="realistic")


def case_compile_tabled(n: int, profile: str | None = None) -> dict:
    return case_compile(n, profile, kind="tabled")


def case_bare_tabled(n: int, profile: str | None = None) -> dict:
    return case_bare(n, profile, kind="tabled")


def _process_env() -> dict[str, str]:
    """The children's environment. BENCH_BYTECODE=cached (the default) gives both sides compiled bytecode, as an
    installed product has: PYTHONDONTWRITEBYTECODE is dropped and .pyc files go to results/work/pycache
    (PYTHONPYCACHEPREFIX; the first run writes them and is not measured). BENCH_BYTECODE=none keeps the
    environment as it is: where PYTHONDONTWRITEBYTECODE=1 is set (these sessions' machines), every process
    compiles bulletin's own modules from source (≈ 0.1 s CPU for compile) while the libraries' .pyc files,
    written by pip, are read from site-packages."""
    import os

    env = dict(os.environ)
    if os.environ.get("BENCH_BYTECODE", "cached") == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return env


def _whole_process(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of a command run as its own process, start to exit.

    CPU is the child's user + system time (RUSAGE_CHILDREN before/after: this case process runs one child);
    on a shared machine it moves much less than the wall clock."""
    import os
    import resource
    import subprocess
    import time

    env = _process_env()
    if "PYTHONPYCACHEPREFIX" in env and not os.path.isdir(env["PYTHONPYCACHEPREFIX"]):
        subprocess.run(command, capture_output=True, env=env, check=False)  # writes the bytecode; not measured
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu, after.ru_maxrss / 1024


def case_process_compile(n: int, kind: str = "realistic") -> dict:
    """`bulletin compile` of n realistic drafts as a whole process: imports, intake, compose, write."""
    root = compile_workspace(n, kind=kind)
    exe = str(Path(sys.executable).with_name("bulletin"))
    seconds, cpu, peak = _whole_process(
        [exe, "compile", "--workspace", str(root), "--month", MONTH, "--date", "2026-10-28"])
    name = "process-compile" if kind == "realistic" else f"process-compile-{kind}"
    return {"case": name, "n": n, "seconds": round(seconds, 3), "cpu": round(cpu, 3), "peak_rss_mb": round(peak, 1),
            "bytecode": _bytecode()}


def _bytecode() -> str:
    import os

    return os.environ.get("BENCH_BYTECODE", "cached")


def case_process_bare(n: int, kind: str = "realistic") -> dict:
    """A bare docxcompose concatenation of the same n drafts as a whole process (python -c). The drafts' paths
    are listed before the child starts and passed in, so the child imports only python-docx and docxcompose."""
    import json

    paths = [str(p) for p in DRAFT_KINDS[kind](n)]
    listing = WORK / f"bare-{kind}-{n}.json"
    listing.write_text(json.dumps(paths, ensure_ascii=False), encoding="utf-8")
    script = (
        "import io, json\n"
        "from docx import Document\n"
        "from docxcompose.composer import Composer\n"
        "composer = Composer(Document())\n"
        "for path in json.load(open(%r, encoding='utf-8')):\n"
        "    composer.append(Document(path))\n"
        "composer.save(io.BytesIO())\n"
    ) % str(listing)
    seconds, cpu, peak = _whole_process([sys.executable, "-c", script])
    name = "process-bare" if kind == "realistic" else f"process-bare-{kind}"
    return {"case": name, "n": n, "seconds": round(seconds, 3), "cpu": round(cpu, 3), "peak_rss_mb": round(peak, 1),
            "bytecode": _bytecode()}


def case_process_compile_tabled(n: int) -> dict:
    """`bulletin compile` of n tabled drafts (six paragraphs and a table each: issue 21's independent run)."""
    return case_process_compile(n, kind="tabled")


def case_process_bare_tabled(n: int) -> dict:
    return case_process_bare(n, kind="tabled")


def case_bare_reference_composer(n: int, profile: str | None = None) -> dict:
    """compile_month as it was before bulletin/layout/composer.py: docxcompose's Composer.insert per draft."""
    import bulletin.layout.compose
    from reference_composer import ReferenceComposer  # tests/, on sys.path through bench/common.py

    bulletin.layout.compose.BulletinComposer = ReferenceComposer
    result = case_compile(n, profile)
    result["case"] = "compile-docxcompose"
    return result


# -- bulletin compile of the example workspace (a whole CLI process) -------------------------------------
def example_workspace() -> Path:
    """A copy of the repository's example office (bulletin.toml, inputs/), so the repo's ledger stays as is."""
    import shutil

    from common import REPO

    root = WORK / "example"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy2(REPO / "bulletin.toml", root / "bulletin.toml")
    shutil.copytree(REPO / "inputs", root / "inputs", ignore=shutil.ignore_patterns("~$*", ".*"))
    return root


def case_cli_compile(n: int = 0) -> dict:
    """`bulletin compile` of the 4-draft example as its own process: wall time, peak RSS, Prefect imported?"""
    import os
    import resource
    import subprocess
    import time

    root = example_workspace()
    drafts = len([p for p in (root / "inputs" / MONTH).glob("*.docx")])
    exe = str(Path(sys.executable).with_name("bulletin"))
    env = dict(os.environ, COLUMNS="200")
    command = [exe, "compile", "--workspace", str(root), "--month", MONTH, "--date", "2026-10-28"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bulletin compile failed:\n{done.stdout}\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # The same command under -X importtime: which modules the compile path imports, and what they cost.
    timed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bulletin.cli", *command[1:]],
        capture_output=True, text=True, env=env, check=False,
    )
    imports = _import_times(timed.stderr)
    prefect = sorted(name for name in imports if name.split(".")[0] == "prefect")
    outer = {name: us for name, (level, us) in imports.items() if level == 0}
    top = {name: round(us / 1e6, 3) for name, us in sorted(outer.items(), key=lambda kv: -kv[1])[:6]}
    return {"case": "cli-compile", "n": drafts, "seconds": round(seconds, 3), "peak_rss_mb": round(peak, 1),
            "prefect_modules": len(prefect), "top_imports_s": top,
            "import_total_s": round(sum(outer.values()) / 1e6, 3)}


def _import_times(stderr: str) -> dict[str, tuple[int, int]]:
    """-X importtime lines -> {module: (nesting level, cumulative microseconds)}; level 0 = imported directly."""
    found = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative, name = line.split(":", 1)[1].split("|")
        level = (len(name) - len(name.lstrip()) - 1) // 2
        found.setdefault(name.strip(), (level, int(cumulative)))
    return found


# -- bulletin send to N recipients through aiosmtpd -------------------------------------------------------
def _smtp_workspace(n_drafts: int, recipients: int, port: int, reviewers: bool = False) -> Path:
    import csv

    root = compile_workspace(n_drafts, WORK / f"mail-ws-{n_drafts}-{recipients}")
    settings = (root / "bulletin.toml").read_text(encoding="utf-8")
    settings += f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "office@zgq.example.cn"\ntimeout = 30\n'
    if reviewers:
        settings += '\n[review]\nreviewers = ["shenhe@zgq.example.cn"]\n'
    (root / "bulletin.toml").write_text(settings, encoding="utf-8")
    with open(root / "inputs" / "recipients.csv", "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("名单", "名称", "邮箱"))
        writer.writerows(("发", f"单位{i:03d}", f"unit{i:03d}@zgq.example.cn") for i in range(recipients))
    return root


def case_send(n: int) -> dict:
    """send_bulletin to n recipients (10-draft bulletin attached) through aiosmtpd on 127.0.0.1.

    The server runs in a thread of this process (tests/smtp_server.py, which counts connections)."""
    from smtp_server import SmtpServer

    from bulletin.delivery.approval import approve
    from bulletin.delivery.delivery import send_bulletin
    from bulletin.office.compile import compile_month
    from bulletin.core.workspace import Workspace

    server = SmtpServer().start()
    try:
        ws = Workspace.at(_smtp_workspace(10, n, server.port))
        compiled = compile_month(ws, MONTH, issue_date=date(2026, 10, 28))
        approve(ws, MONTH, by="bench")
        with Timer() as t:
            report = send_bulletin(ws, MONTH)
        delivered = sum(len(m.rcpt_tos) for m in server.messages)
        assert len(report.sent) == n and delivered == n and not report.failed, report.summary()
        return {"case": "send", "n": n, "seconds": round(t.seconds, 3), "cpu": round(t.cpu, 3),
                "connections": server.handler.connections, "messages": len(server.messages),
                "delivered": delivered, "attachment_kb": round(compiled.path.stat().st_size / 1024, 1)}
    finally:
        server.stop()


# -- the Prefect flow, embedded mode ----------------------------------------------------------------------
def _prefect_env() -> None:
    """Embedded mode: no PREFECT_API_URL. PREFECT_HOME is bench/results/work/prefect-home, kept between runs
    like an office's ~/.prefect (run.py makes it once before measuring: the very first start also creates
    the database); BENCH_PREFECT_HOME=fresh uses a new empty home instead."""
    import os
    import tempfile

    os.environ.pop("PREFECT_API_URL", None)
    os.environ.pop("PREFECT_PROFILE", None)
    if os.environ.get("BENCH_PREFECT_HOME") == "fresh":
        os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="bench-prefect-", dir=str(WORK))
    else:
        home = WORK / "prefect-home"
        home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"


def case_flow(n: int, poll: float | None = None) -> dict:
    """flows/monthly_bulletin.py for n drafts, embedded Prefect (temporary server), one reviewer, 10 recipients;
    a thread approves (`bulletin approve`'s path: record, then resume_month_run) as soon as the run waits.

    poll: override flows.monthly_bulletin.PAUSE_POLL_SECONDS (the flow sleeps that long before it first
    checks whether it was resumed)."""
    import threading
    import time

    from smtp_server import SmtpServer

    _prefect_env()
    server = SmtpServer().start()
    try:
        root = _smtp_workspace(n, 10, server.port, reviewers=True)
        clock = {"start": time.perf_counter()}
        import flows.monthly_bulletin as monthly  # imports Prefect
        from bulletin.delivery.approval import approve
        from bulletin.core.ledger import Ledger
        from bulletin.core.workspace import Workspace
        from flows.resume import resume_month_run

        clock["imported"] = time.perf_counter()
        if poll is not None:
            monthly.PAUSE_POLL_SECONDS = poll
        ws = Workspace.at(root)

        def approver() -> None:
            while True:
                with Ledger(ws.ledger_path) as ledger:
                    waiting = ledger.flow_run(MONTH)
                if waiting and waiting[1] == monthly.WAITING:
                    break
                time.sleep(0.05)
            clock["waiting"] = time.perf_counter()
            decision = approve(ws, MONTH, by="bench")
            clock["resume_message"] = resume_month_run(waiting[0], approved=True, reviewer="bench",
                                                       sha256=decision.sha256)
            clock["resumed"] = time.perf_counter()

        thread = threading.Thread(target=approver, daemon=True)
        thread.start()
        clock["flow_start"] = time.perf_counter()
        outcome = monthly.monthly_bulletin(month=MONTH, workspace=str(root))
        clock["flow_end"] = time.perf_counter()
        thread.join(timeout=60)
        bulletins = [m for m in server.messages if "shenhe" not in ",".join(m.rcpt_tos)]
        assert sum(len(m.rcpt_tos) for m in bulletins) == 10, outcome
        c = clock
        return {
            "case": "flow" if poll is None else f"flow-poll{poll:g}", "n": n,
            "seconds": round(c["flow_end"] - c["start"], 3),
            "import_s": round(c["imported"] - c["start"], 3),
            "until_waiting_s": round(c["waiting"] - c["flow_start"], 3),
            "approve_resume_s": round(c["resumed"] - c["waiting"], 3),
            "after_resume_s": round(c["flow_end"] - c["resumed"], 3),
            "poll_interval_s": monthly.PAUSE_POLL_SECONDS,
            "connections": server.handler.connections,
        }
    finally:
        server.stop()


def case_flow_poll1(n: int) -> dict:
    return case_flow(n, poll=1)


def case_prefect_startup(n: int = 0) -> dict:
    """Prefect's fixed cost in a fresh process: import, then an empty flow (starts the temporary server),
    then a second empty flow (what every further run pays)."""
    import time

    _prefect_env()
    t0 = time.perf_counter()
    from prefect import flow

    t1 = time.perf_counter()

    @flow(persist_result=False)
    def noop() -> int:
        return 1

    noop()
    t2 = time.perf_counter()
    noop()
    t3 = time.perf_counter()
    import os

    fresh = os.environ.get("BENCH_PREFECT_HOME") == "fresh"
    return {"case": "prefect-startup-fresh" if fresh else "prefect-startup", "n": 0, "seconds": round(t2 - t0, 3), "import_s": round(t1 - t0, 3),
            "first_flow_s": round(t2 - t1, 3), "next_flow_s": round(t3 - t2, 3)}


def case_plain_steps(n: int) -> dict:
    """The flow's work without Prefect: compile, mail for review, approve, send (same workspace shape)."""
    from smtp_server import SmtpServer

    from bulletin.delivery.approval import approve
    from bulletin.delivery.delivery import send_bulletin, send_for_review
    from bulletin.office.compile import compile_month
    from bulletin.core.workspace import Workspace

    server = SmtpServer().start()
    try:
        ws = Workspace.at(_smtp_workspace(n, 10, server.port, reviewers=True))
        with Timer() as t:
            compile_month(ws, MONTH)
            send_for_review(ws, MONTH)
            approve(ws, MONTH, by="bench")
            report = send_bulletin(ws, MONTH)
        assert len(report.sent) == 10
        return {"case": "plain-steps", "n": n, "seconds": round(t.seconds, 3), "cpu": round(t.cpu, 3)}
    finally:
        server.stop()


_DEPARTMENTS = ("人社", "财政", "教体", "工信", "住建", "民政", "医保", "卫健", "司法", "商务", "统计", "城管", "发改",
                "农业农村", "自然资源", "市场监管", "行政审批", "应急管理", "文广新旅", "交通运输")


def case_stats(n: int = 30) -> dict:
    """`run_stats` for a year: 12 months x 60 units x n drafts a month (each month compiled twice, the second
    approved, one revision and one draft taken out per month), an 上级采用 sheet of 60 rows; the workbook with
    its charts and the ranking picture are written. The ledger is filled directly (stats read only the ledger)."""
    import random

    from openpyxl import Workbook

    from bulletin.core.ledger import Ledger
    from bulletin.core.workspace import Workspace
    from bulletin.stats.run import run_stats

    root = WORK / f"stats-{n}"
    if root.exists():
        import shutil

        shutil.rmtree(root)
    (root / "inputs").mkdir(parents=True)
    example = example_workspace()
    (root / "bulletin.toml").write_text((example / "bulletin.toml").read_text(encoding="utf-8"), encoding="utf-8")
    units = [f"{place}{dept}局" for place in ("区", "市") for dept in _DEPARTMENTS] + [f"{n}街道" for n in (
        "解放", "南外", "东外", "赣江", "黄金岭", "沙石", "水东", "水南", "湖边", "沙河", "水西", "潭口", "潭东", "蓉江",
        "凤岗", "章江", "白云", "钴鉧潭", "新赣州", "西津")]
    (root / "inputs" / "units.csv").write_text(
        "单位名称,别名\n" + "".join(f"{u},{u.replace('局', '部门')}\n" for u in units), encoding="utf-8")
    rng = random.Random(12)
    ws = Workspace.at(root)
    with Ledger(ws.ledger_path) as ledger:
        for m in range(1, 13):
            month = f"2026-{m:02d}"
            drafts = [{"file": f"{k:02d}-{rng.choice(units)}.docx", "sha256": f"{m:02d}{k:062d}",
                       "unit": rng.choice(units), "title": f"{m}月第{k}篇工作信息", "status": "accepted",
                       "reason": "", "notes": "", "column": ""} for k in range(n)]
            first = drafts + [{"file": "撤回.docx", "sha256": "f" * 64, "unit": units[0], "title": "撤回的稿件",
                               "status": "accepted", "reason": "", "notes": "", "column": ""}]
            path = root / "outputs" / month / f"工作简报第{m}期.docx"
            ledger.record_compile(month, m, path, f"a{m:063d}", first, f"{month}-28")
            second = drafts + [{"file": "旧版.docx", "sha256": "", "unit": "", "title": "", "status": "replaced",
                                "reason": "已被替换", "notes": ""}]
            ledger.record_compile(month, m, path, f"b{m:063d}", second, f"{month}-28")
            ledger.record_decision(month, path, f"b{m:063d}", True, "主任")
    book = Workbook()
    book.active.append(["单位", "标题", "采用刊物", "级别", "日期"])
    for k in range(60):
        book.active.append([rng.choice(units), f"上级采用{k}", "《赣州政务》", rng.choice(["市级", "省级"]),
                            f"2026-{rng.randint(1, 12):02d}-15"])
    book.save(root / "inputs" / "上级采用.xlsx")
    with Timer() as t:
        result = run_stats(ws, year="2026")
    assert len(result.stats.months) == 12 and len(result.stats.ranking) == 60
    return {"case": "stats", "n": n, "seconds": round(t.seconds, 3), "cpu": round(t.cpu, 3),
            "items": sum(len(f.items) for f in result.stats.months),
            "xlsx_kb": result.workbook.stat().st_size // 1024, "png": result.picture is not None}


CASES = {
    "compile": case_compile,
    "bare": case_bare,
    "compile-realistic": case_compile_realistic,
    "bare-realistic": case_bare_realistic,
    "process-compile": case_process_compile,
    "process-bare": case_process_bare,
    "compile-tabled": case_compile_tabled,
    "bare-tabled": case_bare_tabled,
    "process-compile-tabled": case_process_compile_tabled,
    "process-bare-tabled": case_process_bare_tabled,
    "compile-docxcompose": case_bare_reference_composer,
    "cli-compile": case_cli_compile,
    "send": case_send,
    "flow": case_flow,
    "flow-poll1": case_flow_poll1,
    "prefect-startup": case_prefect_startup,
    "plain-steps": case_plain_steps,
    "stats": case_stats,
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=[*CASES, "prepare"])
    parser.add_argument("n", type=int, nargs="?", default=0)
    parser.add_argument("--profile", help="write a pyinstrument text profile here (compile, bare)")
    args = parser.parse_args(argv)
    if args.case == "prepare":
        generated_drafts(max(args.n, 1000))
        realistic_drafts(max(args.n, 1000))
        DRAFT_KINDS["tabled"](max(args.n, 120))
        return
    handler = CASES[args.case]
    emit(handler(args.n, args.profile) if args.profile else handler(args.n))


if __name__ == "__main__":
    main()
