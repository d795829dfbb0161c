"""Issue 25: `bulletin deploy` registers the daily `remind` deployment when bulletin.toml has [calendar] (09:00 in
Asia/Shanghai, i.e. 01:00 UTC, every day), and a process worker runs it from the checkout: the day's reminders
reach a real SMTP server (aiosmtpd) once, and a second run of the same day mails nothing.

Against a real `prefect server start` (tests/flows/conftest.py): marked prefect and slow."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from prefect_kit import POOL, PREFECT, run, stop
from smtp_server import SmtpServer
from workspace_kit import SETTINGS

pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.smtp]

BULLETIN = str(Path(sys.executable).with_name("bulletin"))
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROSTER = "单位名称,别名,邮箱\n区人社局,,rsj@zg.example.cn\n区财政局,,czj@zg.example.cn\n区住建局,,\n"


def scheduled_runs(client: httpx.Client, deployment_id: str, log: Path, timeout: float = 60) -> list[dict]:
    """The next three runs the server's scheduler fills in for the deployment."""
    deadline = time.monotonic() + timeout
    while True:
        runs = client.post("/flow_runs/filter", json={
            "deployments": {"id": {"any_": [deployment_id]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}, "sort": "EXPECTED_START_TIME_ASC", "limit": 3,
        }).json()
        if len(runs) >= 3:
            return runs
        if time.monotonic() > deadline:
            pytest.fail(f"the server scheduled no runs:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(1)


def wait_state(client: httpx.Client, run_id: str, wanted: set[str], log: Path, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = (client.get(f"/flow_runs/{run_id}").json().get("state") or {}).get("type")
        if state in wanted:
            return state
        time.sleep(0.5)
    pytest.fail(f"flow run {run_id} did not reach {wanted} (last: {state}):\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def deployed(prefect_server, tmp_path_factory):
    api, env, log = prefect_server
    server = SmtpServer().start()
    root = tmp_path_factory.mktemp("remind") / "office"
    (root / "inputs" / "2026-10").mkdir(parents=True)
    smtp = f'[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsender = "office@zg.example.cn"\ntimeout = 10\n'
    (root / "bulletin.toml").write_text(
        SETTINGS + 'short_name = "章贡区"\n\n[calendar]\ndeadline = 25\ncall_day = 10\n\n' + smtp, encoding="utf-8")
    (root / "inputs" / "units.csv").write_text(ROSTER, encoding="utf-8")
    (root / "inputs" / "recipients.csv").write_text("名单,名称,邮箱\n报,区政府办公室,quzhengfu@example.org\n",
                                                   encoding="utf-8")
    run([PREFECT, "work-pool", "create", POOL, "--type", "process"], env, root)
    done = subprocess.run([BULLETIN, "deploy", "-w", str(root)], env=env, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with httpx.Client(base_url=api, timeout=10) as client:
        deployment = client.get("/deployments/name/remind/章贡区").json()
    yield {"api": api, "env": env, "log": log, "root": root, "out": done.stdout, "deployment": deployment,
           "smtp": server}
    server.stop()


def test_deploy_registers_the_daily_reminder_at_nine_in_shanghai(deployed):
    d = deployed["deployment"]
    assert "已部署 remind/章贡区：计划 0 9 * * *（Asia/Shanghai）" in deployed["out"]
    assert d["entrypoint"] == "flows/remind.py:remind_flow"
    assert d["parameters"] == {"workspace": str(deployed["root"])}
    assert d["tags"] == ["office:章贡区", "bulletin"]
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in d["schedules"]] == [("0 9 * * *", "Asia/Shanghai")]
    with httpx.Client(base_url=deployed["api"], timeout=10) as client:
        runs = scheduled_runs(client, d["id"], deployed["log"])
    starts = [datetime.fromisoformat(r["expected_start_time"]) for r in runs]
    assert all((s.hour, s.minute) == (1, 0) for s in starts), starts  # 09:00 in Beijing
    days = [s.astimezone(SHANGHAI).date().toordinal() for s in starts]
    assert days == list(range(days[0], days[0] + len(days)))  # every day, none skipped


def test_a_worker_runs_the_reminders_once_per_day(deployed, tmp_path):
    env, server = deployed["env"], deployed["smtp"]

    def run_day(day: str, log: Path) -> None:
        with httpx.Client(base_url=deployed["api"], timeout=10) as client:
            created = client.post(f"/deployments/{deployed['deployment']['id']}/create_flow_run",
                                  json={"parameters": {"today": day, "month": "2026-10"}})
            assert created.status_code == 201, created.text
            run_id = created.json()["id"]
            with open(log, "wb") as out:
                worker = subprocess.Popen([PREFECT, "worker", "start", "--pool", POOL, "--run-once"], env=env,
                                          cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                assert wait_state(client, run_id, {"COMPLETED", "FAILED", "CRASHED"}, log, timeout=120) == "COMPLETED", \
                    log.read_text(errors="replace")[-3000:]
                worker.wait(30)
            finally:
                stop(worker)
            artifact = client.get("/artifacts/remind-2026-10/latest")
            assert artifact.status_code == 200 and "区住建局" in artifact.json()["data"]

    run_day("2026-10-22", tmp_path / "w1.log")
    assert server.handler.copies() == {"rsj@zg.example.cn": 1, "czj@zg.example.cn": 1}  # 区住建局 has no address
    assert all(m.message["Subject"].startswith("【催报】") for m in server.messages)
    run_day("2026-10-22", tmp_path / "w2.log")
    assert server.handler.copies() == {"rsj@zg.example.cn": 1, "czj@zg.example.cn": 1}
