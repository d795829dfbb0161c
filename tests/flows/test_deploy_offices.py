"""`bulletin deploy` and `bulletin status --all` against a real `prefect server start` (issue 16): several
offices on one server, each its own deployment named after its short name, its schedule, its workspace, and an
office tag its runs carry; a workspace that would fail is refused before anything is registered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from prefect_kit import POOL, run
from repo_paths import REPO

BULLETIN = str(Path(sys.executable).with_name("bulletin"))
SMTP = '\n[smtp]\nhost = "127.0.0.1"\nport = 2525\nsender = "zgqwxzfb@163.com"\n'
RECIPIENTS = "名单,名称,邮箱\n报,区政府办公室,quzhengfu@example.org\n"


def office(root: Path, title: str, extra: str = "", recipients: str = RECIPIENTS) -> Path:
    (root / "inputs").mkdir(parents=True)
    (root / "bulletin.toml").write_text(f"""[bulletin]
title = "{title}"
office = "区政府办公室"
phone = "8199917"
email = "zgqwxzfb@163.com"
first_issue = 1
report_to = "区政府区长、副区长"
send_to = "各镇、街道"
{extra}{SMTP}""", encoding="utf-8")
    (root / "inputs" / "recipients.csv").write_text(recipients, encoding="utf-8")
    return root


def bulletin(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([BULLETIN, *args], env=env, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def offices(prefect_server, tmp_path_factory):
    api, env, _ = prefect_server
    root = tmp_path_factory.mktemp("offices")
    run([str(Path(sys.executable).with_name("prefect")), "work-pool", "create", POOL, "--type", "process"], env, root)
    zhanggong = office(root / "zhanggong", "章贡区“五型”政府建设 工作简报")
    nankang = office(root / "nankang", "南康区 政务信息", 'short_name = "南康区政府办"\n')
    (nankang / "bulletin.toml").write_text((nankang / "bulletin.toml").read_text(encoding="utf-8").replace(
        "[smtp]", '[schedule]\ncron = "30 8 1 * *"\n\n[mailbox]\nhost = "imap.163.com"\nuser = "nk@163.com"\n\n'
                  '[series."督查专报"]\ntitle = "督查专报"\nreport_to = "区政府区长"\nsend_to = "区政府各部门"\n\n[smtp]'),
        encoding="utf-8")
    results = {name: bulletin(["deploy", "-w", str(path)], env) for name, path in
               (("zhanggong", zhanggong), ("nankang", nankang))}
    with httpx.Client(base_url=api, timeout=10) as client:
        found = client.post("/deployments/filter", json={}).json()
    return {"env": env, "api": api, "results": results, "deployments": {d["name"] + "/" + d["entrypoint"]: d
                                                                          for d in found},
            "paths": {"zhanggong": zhanggong, "nankang": nankang}}


def test_each_office_gets_its_own_deployments_named_tagged_and_scheduled(offices):
    for result in offices["results"].values():
        assert result.returncode == 0, result.stdout + result.stderr
    assert "已部署 monthly-bulletin/章贡区“五型”政府建设：计划 0 9 5 * *（Asia/Shanghai），标签 office:章贡区“五型”政府建设" \
        in offices["results"]["zhanggong"].stdout
    deployments = offices["deployments"]
    assert sorted(deployments) == [
        "南康区政府办/flows/collect_drafts.py:collect_drafts",
        "南康区政府办/flows/monthly_bulletin.py:monthly_bulletin",
        "南康区政府办/flows/supervision.py:supervision",
        "章贡区“五型”政府建设/flows/monthly_bulletin.py:monthly_bulletin",
    ]
    assert deployments["南康区政府办/flows/supervision.py:supervision"]["schedules"] == []  # rounds start by hand
    assert "已部署 supervision/南康区政府办：不定时（在界面中点 Run 启动）" in offices["results"]["nankang"].stdout
    zg = deployments["章贡区“五型”政府建设/flows/monthly_bulletin.py:monthly_bulletin"]
    nk = deployments["南康区政府办/flows/monthly_bulletin.py:monthly_bulletin"]
    nk_collect = deployments["南康区政府办/flows/collect_drafts.py:collect_drafts"]
    assert zg["tags"] == ["office:章贡区“五型”政府建设", "bulletin"] and nk["tags"] == ["office:南康区政府办", "bulletin"]
    assert zg["parameters"] == {"workspace": str(offices["paths"]["zhanggong"])}
    assert nk_collect["parameters"] == {"workspace": str(offices["paths"]["nankang"])}
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in zg["schedules"]] == [("0 9 5 * *", "Asia/Shanghai")]
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in nk["schedules"]] == [("30 8 1 * *", "Asia/Shanghai")]
    assert [s["schedule"]["cron"] for s in nk_collect["schedules"]] == ["0 18 * * *"]
    assert zg["work_pool_name"] == "bulletin"
    assert zg["pull_steps"] == [{"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}]


def test_deploying_again_updates_the_same_deployment(offices, tmp_path):
    path = offices["paths"]["zhanggong"]
    text = (path / "bulletin.toml").read_text(encoding="utf-8")
    (path / "bulletin.toml").write_text(text.replace("[smtp]", '[schedule]\ncron = "0 10 6 * *"\n\n[smtp]'),
                                        encoding="utf-8")
    try:
        assert bulletin(["deploy", "-w", str(path)], offices["env"]).returncode == 0
        with httpx.Client(base_url=offices["api"], timeout=10) as client:
            again = client.get("/deployments/name/monthly-bulletin/章贡区“五型”政府建设").json()
            count = len(client.post("/deployments/filter", json={}).json())
        before = offices["deployments"]["章贡区“五型”政府建设/flows/monthly_bulletin.py:monthly_bulletin"]
        assert again["id"] == before["id"] and count == 4
        assert [s["schedule"]["cron"] for s in again["schedules"]] == ["0 10 6 * *"]
    finally:
        (path / "bulletin.toml").write_text(text, encoding="utf-8")


def test_a_workspace_that_would_fail_is_refused_before_anything_is_deployed(offices, tmp_path):
    bad = office(tmp_path / "bad", "信丰县 工作简报", recipients="名单,名称,邮箱\n报,县政府办,not-an-address\n")
    result = bulletin(["deploy", "-w", str(bad)], offices["env"])
    assert result.returncode == 1
    assert "分发名单有误，未部署：" in result.stdout + result.stderr
    broken = office(tmp_path / "broken", "信丰县 工作简报", 'first_issue = "一"\n')
    result = bulletin(["deploy", "-w", str(broken)], offices["env"])
    assert result.returncode == 1 and "配置文件" in result.stdout + result.stderr
    with httpx.Client(base_url=offices["api"], timeout=10) as client:
        assert len(client.post("/deployments/filter", json={}).json()) == 4


def test_status_all_lists_every_office_from_the_server(offices):
    result = bulletin(["status", "--all"], offices["env"])
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 2
    assert lines[0].startswith("南康区政府办：") and "工作目录 " + str(offices["paths"]["nankang"]) in lines[0]
    assert lines[1].startswith("章贡区“五型”政府建设：")
    assert "尚未编排" in lines[1] or "没有找到" in lines[1] or "无法读取" in lines[1]


def test_without_a_server_address_the_commands_say_what_to_set(offices, tmp_path):
    env = {k: v for k, v in offices["env"].items() if k != "PREFECT_API_URL"}
    result = bulletin(["status", "--all"], env)
    assert result.returncode == 1 and "未设置 PREFECT_API_URL" in result.stdout + result.stderr
