"""The larger office's setup under test (issue 16): Prefect's database in PostgreSQL (Debian's, started by the
test in a temporary folder as the `postgres` user), one `prefect server`, two process workers on one pool, and
three offices deployed with `bulletin deploy`. Each office's month runs once, on some worker; two are approved
from the command line and one is rejected; one worker is killed while the runs wait. Every approved office's
lists get exactly one copy, the rejected office's none; run names and tags name their office.

Run it alone: `pytest -m postgres`. It also runs in the default suite (CI); `-m "not slow"` (or `-m "not postgres"`)
leaves it out.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import draft_factory
import httpx
import pytest
from mail_workspace import numbered_recipients, smtp_settings, write_recipients, write_settings
from prefect_kit import POOL, stop, wait_healthy
from smtp_server import free_port

from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]

BIN = Path(sys.executable).parent
MONTH = "2026-10"
OFFICES = {  # short name -> (title, recipients)
    "章贡区": ("章贡区“五型”政府建设 工作简报", [("发", "章贡区单位甲", "zg-a@zgq.example.cn"),
                                                ("发", "章贡区单位乙", "zg-b@zgq.example.cn")]),
    "南康区": ("南康区 工作简报", [("发", "南康区单位甲", "nk-a@nkq.example.cn")]),
    "信丰县": ("信丰县 工作简报", [("发", "信丰县单位甲", "xf-a@xfx.example.cn")]),
}
REVIEWER = "zhuren@example.cn"


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL ({name}) is not installed: bash tools/setup.sh --test installs Debian's postgresql")
    return found[-1]


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL cluster of our own on 127.0.0.1 and a free port; stopped and removed afterwards. Its folder
    is outside pytest's (root-only) temporary folder, since the server runs as the `postgres` user."""
    root = Path(tempfile.mkdtemp(prefix="bulletin-pg-"))
    data = root / "data"
    root.chmod(0o777)
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    init = subprocess.run([*as_postgres, _pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                           "--encoding", "UTF8", "--locale", "C"], capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stdout + init.stderr
    port = free_port()
    log = root / "pg.log"
    subprocess.run([*as_postgres, _pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
                    f"-p {port} -c listen_addresses=127.0.0.1 -k {root}", "start"], check=True, capture_output=True,
                   timeout=90)
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, _pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True,
                       timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def server(postgres, tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-pg")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home / "home"), PREFECT_API_URL=api, PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_UI_ENABLED="false", PREFECT_API_DATABASE_CONNECTION_URL=postgres,
               BULLETIN_PAUSE_POLL_SECONDS="1")
    log = home / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                                    str(port)], env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_healthy(api, process, log, timeout=120)
        yield api, env, home
    finally:
        stop(process)


def start_worker(env: dict, home: Path, name: str) -> subprocess.Popen:
    log = open(home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--type", "process",
                             "--name", name, "--limit", "2"], env=env, cwd=home, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def office(root: Path, short: str, smtp) -> Workspace:
    title, recipients = OFFICES[short]
    root.mkdir(parents=True)
    write_settings(root, smtp_settings(smtp), [REVIEWER])
    text = (root / "bulletin.toml").read_text(encoding="utf-8")
    text = text.replace('title = "章贡区“五型”政府建设 工作简报"', f'title = "{title}"').replace(
        "[bulletin]\n", f'[bulletin]\nshort_name = "{short}"\n')
    (root / "bulletin.toml").write_text(text, encoding="utf-8")
    write_recipients(root / "inputs" / "recipients.csv", recipients)
    draft_factory.make_draft(root / "inputs" / MONTH / "1.docx", title=f"{short}项目建设提速", unit_line="区发改委",
                             paragraphs=["一季度完成固定资产投资12.5亿元。"])
    return Workspace.at(root)


def cli(args: list[str], env: dict) -> str:
    done = subprocess.run([str(BIN / "bulletin"), *args], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"bulletin {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def wait_for(predicate, what: str, timeout: float = 150, logs: tuple[Path, ...] = ()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}" for p in logs if p.exists())
    pytest.fail(f"timed out waiting for {what}\n{tails}")


def waiting(ws: Workspace) -> str | None:
    with Ledger(ws.ledger_path) as ledger:
        run = ledger.flow_run(MONTH)
    return run[0] if run and run[1] == "waiting_for_approval" else None


def test_three_offices_two_workers_postgres(server, smtp_server, tmp_path):
    api, env, home = server
    smtp = smtp_server()
    subprocess.run([str(BIN / "prefect"), "work-pool", "create", POOL, "--type", "process"], env=env, cwd=home,
                   check=True, capture_output=True, timeout=120)
    offices = {short: office(tmp_path / short, short, smtp) for short in OFFICES}
    for ws in offices.values():
        assert "已部署 monthly-bulletin/" in cli(["deploy", "-w", str(ws.root)], env)
    workers = [start_worker(env, home, f"worker-{n}") for n in (1, 2)]
    logs = (home / "worker-1.log", home / "worker-2.log")
    started = time.monotonic()
    try:
        with httpx.Client(base_url=api, timeout=20) as client:
            runs = {}
            for short in offices:
                deployment = client.get(f"/deployments/name/monthly-bulletin/{short}").json()
                response = client.post(f"/deployments/{deployment['id']}/create_flow_run",
                                       json={"parameters": {"month": MONTH}})
                assert response.status_code == 201, response.text
                runs[short] = response.json()["id"]
            waiting_ids = {short: wait_for(lambda ws=ws: waiting(ws), f"{short} waiting for review", logs=logs)
                           for short, ws in offices.items()}
            assert waiting_ids == runs  # each office's run is the one waiting: ran once
            # Each reviewer got the review copy; nobody else anything yet.
            assert sorted(m.rcpt_tos[0] for m in smtp.messages) == [REVIEWER] * 3

            # A worker dies while the runs wait: the one running at least one of them, with its process group
            # (the worker and the flow-run processes it started).
            pids = {short: _run_pid(client.get(f"/flow_runs/{run}").json()) for short, run in runs.items()}
            on_worker = {n: sorted(s for s, pid in pids.items() if w.pid in _ancestors(pid))
                         for n, w in enumerate(workers)}
            assert sorted(sum(on_worker.values(), [])) == sorted(OFFICES), pids  # each ran on one of the workers
            assert all(on_worker.values()), on_worker  # at most two runs a worker: both workers took runs
            victim = max(on_worker, key=lambda n: len(on_worker[n]))
            lost = on_worker[victim]
            os.killpg(workers[victim].pid, signal.SIGKILL)
            for short in lost:  # the machine goes down with it: its flow-run processes too
                try:
                    os.kill(pids[short], signal.SIGKILL)
                except ProcessLookupError:
                    pass
            workers[victim].wait(10)

            cli(["approve", "-w", str(offices["章贡区"].root), "-m", MONTH, "--by", "张主任"], env)
            cli(["approve", "-w", str(offices["南康区"].root), "-m", MONTH, "--by", "李主任"], env)
            cli(["reject", "-w", str(offices["信丰县"].root), "-m", MONTH, "--by", "王主任", "--comment", "请补充数据"], env)

            def delivered():
                got = sorted(r for m in smtp.messages for r in m.rcpt_tos if r != REVIEWER)
                return got if len(got) >= 3 else None

            # A run whose process died with the worker is finished by rerunning it on the living worker:
            # delivery skips nobody twice (the ledger knows who has the file).
            deadline = time.monotonic() + 20
            while not delivered() and time.monotonic() < deadline:
                time.sleep(1)
            reruns = []
            for short in ("章贡区", "南康区"):
                state = client.get(f"/flow_runs/{runs[short]}").json()["state"]["type"]
                if state != "COMPLETED" and not _sent(offices[short]):
                    reruns.append(short)
                    deployment = client.get(f"/deployments/name/monthly-bulletin/{short}").json()
                    client.post(f"/deployments/{deployment['id']}/create_flow_run", json={"parameters": {"month": MONTH}})
            assert wait_for(delivered, "the approved offices' lists to be mailed", logs=logs) == sorted(
                ["nk-a@nkq.example.cn", "zg-a@zgq.example.cn", "zg-b@zgq.example.cn"])

            flow_runs = client.post("/flow_runs/filter", json={}).json()
            by_id = {r["id"]: r for r in flow_runs}
            for short, run in runs.items():
                assert by_id[run]["name"] == f"{short}-{MONTH}"
                assert f"office:{short}" in by_id[run]["tags"]
        elapsed = time.monotonic() - started
        print(f"three offices, two workers, PostgreSQL: {elapsed:.1f} s from the first run to the last mail; "
              f"runs on the killed worker: {lost}; rerun after it died: {reruns or 'none'}")
        # Rerunning an approved month mails no one again.
        time.sleep(3)
        assert sorted(r for m in smtp.messages for r in m.rcpt_tos if r != REVIEWER) == sorted(
            ["nk-a@nkq.example.cn", "zg-a@zgq.example.cn", "zg-b@zgq.example.cn"])
        assert all(len(m.rcpt_tos) == 1 or REVIEWER not in m.rcpt_tos for m in smtp.messages)
        with Ledger(offices["信丰县"].ledger_path) as ledger:
            assert ledger.latest_decision(MONTH).approved is False
            assert ledger.deliveries(MONTH) == {}
    finally:
        for worker in workers:
            stop(worker)


def _run_pid(flow_run: dict) -> int:
    """The process running a flow run ("host:pid" in infrastructure_pid)."""
    return int(str(flow_run.get("infrastructure_pid") or "0").rpartition(":")[2] or 0)


def _ancestors(pid: int) -> list[int]:
    found = []
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rpartition(")")[2].split()[1])  # field 4, ppid (after the command in parentheses)
        found.append(pid)
    return found


def _sent(ws: Workspace) -> bool:
    with Ledger(ws.ledger_path) as ledger:
        return any(r.status == "sent" for r in ledger.deliveries(MONTH).values())


def test_postgres_binaries_are_where_setup_installs_them():
    assert shutil.which("runuser") and _pg_bin("initdb") and _pg_bin("pg_ctl")
