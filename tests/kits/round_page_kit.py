"""The seed 督查 round as an office runs it on the workbench (issue 24, the round page): bulletin.toml with the
series, a one-step review chain (签发: 李四) and optionally [smtp]; every seed unit but 区旧改办 has an address in
recipients.csv; accounts 张三 (编辑) and 李四 (审核); the round folder holds NO task list (it comes through the
page). Units answer the sheets they received as units do (supervision_seed.fill_sheet)."""

from __future__ import annotations

from pathlib import Path

import supervision_seed
from supervision_kit import (
    ROUND_MONTH,
    SEED_UNITS,
    SERIES_SETTINGS,
    make_round_workspace,
)

from bulletin.core.workspace import Workspace
from bulletin.office import accounts

CLERK, CLERK_PASSWORD = "张三", "Zs-2026-bianji"
CHECKER, CHECKER_PASSWORD = "李四", "Ls-2026-shenhe"
ROUND = f"督查专报/{ROUND_MONTH}"
PAGE = f"/d/{ROUND_MONTH}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOSTILE = "<script>alert('x')</script>{{ 7*7 }}"
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d"  # a time as the page shows it (Beijing)
NO_ADDRESS = "区旧改办"  # no row in units.csv 邮箱 or recipients.csv: 无邮箱


def make_office(root: Path, smtp_port: int | None) -> tuple[Workspace, bytes]:
    """The seed round's workspace with [smtp] (or the outbox when smtp_port is None) and a one-step review by 李四; the round folder holds NO task list
    (it comes through the page): returns the workspace and the task list's bytes."""
    kit = make_round_workspace(root)
    task_list = root / "inputs" / "督查" / ROUND_MONTH / "任务.xlsx"
    data = task_list.read_bytes()
    task_list.unlink()
    smtp = f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsender = "dcs@qyp.gov.cn"\ntimeout = 10\n' \
        if smtp_port else ""
    (root / "bulletin.toml").write_text(
        SERIES_SETTINGS + smtp
        + f'\n[[review.step]]\nname = "签发"\nreviewers = [{{name = "{CHECKER}", email = "lisi@qyp.gov.cn"}}]\n',
        encoding="utf-8")
    units = [u for u in SEED_UNITS if u != NO_ADDRESS]
    with open(root / "inputs" / "recipients.csv", "a", encoding="utf-8") as handle:
        handle.write("".join(f"单位,{u},unit{i:02d}@qyp.gov.cn\n" for i, u in enumerate(units)))
    ws = kit.ws
    accounts.add_user(ws, CLERK, accounts.EDITOR, CLERK_PASSWORD, actor="测试")
    accounts.add_user(ws, CHECKER, accounts.REVIEWER, CHECKER_PASSWORD, actor="测试")
    return ws, data


def address_of(unit: str) -> str:
    return f"unit{[u for u in SEED_UNITS if u != NO_ADDRESS].index(unit):02d}@qyp.gov.cn"


def attachment_of(server, unit: str, folder: Path) -> Path:
    """The sheet the unit received by mail, saved as the unit would save it."""
    message = next(m.message for m in server.messages if address_of(unit) in m.rcpt_tos)
    path = folder / f"{unit}-收到.xlsx"
    path.write_bytes(next(message.iter_attachments()).get_content())
    return path


def filled(source: Path, target: Path, **changed: tuple[str, str]) -> bytes:
    """The unit's sheet answered from the seed, tasks in `changed` ("t11": (status, text)) answered otherwise."""
    answers = {t.number: (t.status, t.answer) for t in supervision_seed.seed_tasks()}
    answers.update({int(k[1:]): v for k, v in changed.items()})
    return supervision_seed.fill_sheet(source, target, answers).read_bytes()
