"""`prefect --no-prompt deploy --all` (the README's steps) against a real `prefect server start` creates the
monthly deployment: cron 09:00 on the 5th in Asia/Shanghai, a process work pool, the workspace parameter, a
set_working_directory pull step, and scheduled runs at 09:00 Beijing time (01:00 UTC).

Starts a server on a free port with a throw-away PREFECT_HOME (about 20-40 s in all): marked prefect and slow
(tests/conftest.py), so `-m "not slow"` leaves it out; CI runs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from prefect_kit import POOL, PREFECT, run, stop
from repo_paths import REPO

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def deployed(prefect_server, tmp_path_factory):
    """The README's steps: create the process pool, `prefect --no-prompt deploy --all` from the checkout."""
    api, env, log = prefect_server
    root = tmp_path_factory.mktemp("deploy")
    project = root / "checkout"  # a copy of the project files, so deploying never touches the repository
    project.mkdir()
    for name in ("prefect.yaml", "prefect.toml"):
        shutil.copy2(REPO / name, project / name)
    shutil.copytree(REPO / "flows", project / "flows", ignore=shutil.ignore_patterns("__pycache__"))
    workspace = root / "office"
    workspace.mkdir()
    env = {**env, "BULLETIN_WORKSPACE": str(workspace)}
    run([PREFECT, "work-pool", "create", POOL, "--type", "process"], env, project)
    out = run([PREFECT, "--no-prompt", "deploy", "--all"], env, project)
    assert "monthly-bulletin/monthly-bulletin" in out
    with httpx.Client(base_url=api, timeout=10) as client:
        deployment = client.get("/deployments/name/monthly-bulletin/monthly-bulletin").json()
    return {"api": api, "env": env, "project": project, "workspace": workspace, "deployment": deployment,
            "server_log": log}


def scheduled_runs(client: httpx.Client, deployment_id: str, log: Path, timeout: float = 60) -> list[dict]:
    """The server's scheduler fills in the next runs shortly after a deployment changes."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.post("/flow_runs/filter", json={
            "deployments": {"id": {"any_": [deployment_id]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
            "sort": "EXPECTED_START_TIME_ASC",
            "limit": 3,
        })
        assert response.status_code == 200, response.text
        runs = response.json()
        if len(runs) >= 3:
            return runs
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"the server scheduled no runs (its scheduler may be failing):\n{tail}")
        time.sleep(1)


def test_deploy_all_creates_the_monthly_schedule_in_shanghai_time(deployed):
    d, project, workspace = deployed["deployment"], deployed["project"], deployed["workspace"]
    assert d["entrypoint"] == "flows/monthly_bulletin.py:monthly_bulletin"
    assert d["work_pool_name"] == POOL
    assert d["parameters"] == {"workspace": str(workspace)}
    assert d["pull_steps"] == [{"prefect.deployments.steps.set_working_directory": {"directory": str(project)}}]
    assert d["job_variables"]["env"]["PREFECT_LOGGING_EXTRA_LOGGERS"] == "bulletin"
    (schedule,) = d["schedules"]
    assert schedule["active"] is True
    assert schedule["schedule"]["cron"] == "0 9 5 * *"
    assert schedule["schedule"]["timezone"] == "Asia/Shanghai"

    with httpx.Client(base_url=deployed["api"], timeout=10) as client:
        assert client.get(f"/work_pools/{POOL}").json()["type"] == "process"
        runs = scheduled_runs(client, d["id"], deployed["server_log"])
    starts = [datetime.fromisoformat(r["expected_start_time"]) for r in runs]
    local = [s.astimezone(SHANGHAI) for s in starts]
    assert all((t.day, t.hour, t.minute) == (5, 9, 0) for t in local), local
    assert all((s.hour, s.minute) == (1, 0) for s in starts), starts  # 09:00 in Beijing is 01:00 UTC
    months = [t.year * 12 + t.month for t in local]
    assert months == list(range(months[0], months[0] + len(months)))  # one a month, none skipped
    assert local[0] > datetime.now(SHANGHAI)
    assert all(r["parameters"] == {"workspace": str(workspace)} for r in runs)


def test_a_worker_runs_the_deployment_and_bulletin_approve_resumes_it(deployed, tmp_path):
    """End to end as an office runs it: a process worker starts the run in the checkout (pull step), the run
    pauses, `bulletin approve` in another process resumes it through the same server, the run delivers."""
    import draft_factory
    from mail_workspace import numbered_recipients, write_recipients, write_settings

    workspace, env, month = deployed["workspace"], deployed["env"], "2026-10"
    write_settings(workspace, None, ["zhuren@zgq.example.cn"])  # no [smtp]: .eml files in the outbox
    write_recipients(workspace / "inputs" / "recipients.csv", numbered_recipients(3))
    (workspace / "inputs" / month).mkdir()
    draft_factory.make_draft(workspace / "inputs" / month / "区发改委.docx", title="项目建设提速", unit_line="区发改委",
                             paragraphs=["一季度完成固定资产投资12.5亿元。"])

    api = deployed["api"]
    with httpx.Client(base_url=api, timeout=10) as client:
        created = client.post(f"/deployments/{deployed['deployment']['id']}/create_flow_run",
                              json={"parameters": {"month": month}})
        assert created.status_code == 201, created.text
        run_id = created.json()["id"]
        worker_log = tmp_path / "worker.log"
        with open(worker_log, "wb") as out:
            worker = subprocess.Popen(
                [PREFECT, "worker", "start", "--pool", POOL, "--run-once"],
                env={**env, "BULLETIN_PAUSE_POLL_SECONDS": "1"}, cwd=tmp_path, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            state = wait_state(client, run_id, {"PAUSED"}, worker_log)
            approve = subprocess.run(
                [str(Path(sys.executable).with_name("bulletin")), "approve", "--by", "张主任", "-w", str(workspace),
                 "-m", month], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
            assert approve.returncode == 0, approve.stdout + approve.stderr
            assert "已继续等待审核的流程运行" in approve.stdout, approve.stdout
            state = wait_state(client, run_id, {"COMPLETED", "FAILED", "CRASHED"}, worker_log)
            assert state == "COMPLETED", worker_log.read_text(errors="replace")[-3000:]
            worker.wait(30)
        finally:
            stop(worker)
    outbox = workspace / "outputs" / month / "outbox"
    assert sorted(p.name.rsplit("-", 1)[-1] for p in outbox.glob("bulletin-*.eml")) == [
        f"unit{i:03d}@zgq.example.cn.eml" for i in range(3)]
    assert len(list(outbox.glob("送审-*/*.eml"))) == 1


def wait_state(client: httpx.Client, run_id: str, wanted: set[str], log: Path, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = (client.get(f"/flow_runs/{run_id}").json().get("state") or {}).get("type")
        if state in wanted:
            return state
        time.sleep(0.5)
    pytest.fail(f"flow run {run_id} did not reach {wanted} (last: {state}):\n{log.read_text(errors='replace')[-3000:]}")


def test_deploy_all_also_creates_the_daily_mailbox_collection_at_18_in_shanghai(deployed):
    """collect-drafts: `bulletin fetch` every day at 18:00 Beijing time (10:00 UTC), so receipts go out the same day."""
    with httpx.Client(base_url=deployed["api"], timeout=10) as client:
        d = client.get("/deployments/name/collect-drafts/collect-drafts").json()
        assert d["entrypoint"] == "flows/collect_drafts.py:collect_drafts"
        assert d["work_pool_name"] == POOL
        assert d["parameters"] == {"workspace": str(deployed["workspace"])}
        (schedule,) = d["schedules"]
        assert (schedule["schedule"]["cron"], schedule["schedule"]["timezone"]) == ("0 18 * * *", "Asia/Shanghai")
        runs = scheduled_runs(client, d["id"], deployed["server_log"])
    starts = [datetime.fromisoformat(r["expected_start_time"]) for r in runs]
    assert all((s.astimezone(SHANGHAI).hour, s.minute) == (18, 0) for s in starts), starts
    assert all((s.hour, s.minute) == (10, 0) for s in starts), starts
    days = [s.astimezone(SHANGHAI).date() for s in starts]
    assert [(b - a).days for a, b in zip(days, days[1:])] == [1, 1]  # every day
