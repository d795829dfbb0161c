"""A new office's workspace (`bulletin init`): the example's settings for the chosen layout, its inputs
filed as that layout expects, an empty outputs/."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..core.errors import BulletinError
from ..core.resources import example_workspace
from ..core.workspace import Workspace
from ..delivery.recipients import read_recipients
from ..intake.roster import Roster
from ..layout.presets import arrange_example, check_layout, example_settings


def create_workspace(directory: Path, layout: str = "工作简报") -> Path:
    check_layout(layout)
    if directory.exists() and any(directory.iterdir()):
        raise BulletinError(f"{directory} 已存在且不是空目录：为避免覆盖现有文件，请换一个目录。")
    source = example_workspace()
    directory.mkdir(parents=True, exist_ok=True)
    toml = (source / "bulletin.toml").read_text(encoding="utf-8")
    (directory / "bulletin.toml").write_text(example_settings(toml, layout), encoding="utf-8")
    shutil.copytree(source / "inputs", directory / "inputs", ignore=shutil.ignore_patterns("~$*", ".*"))
    arrange_example(directory / "inputs", layout)
    (directory / "outputs").mkdir(exist_ok=True)
    return directory


def check_ready(ws: Workspace) -> list[str]:
    """What compile and send would refuse, refused now (settings, template, roster, recipients, [smtp]): a
    workspace handed to a server runs unattended. Returns the remarks that do not stop a run (roster problems)."""
    settings = ws.settings  # bulletin.toml, with its Chinese messages
    ws.template_path()
    roster = Roster.load(ws.roster_path)
    recipients, problems = read_recipients(ws.recipients_path)
    if problems:
        raise BulletinError("分发名单有误，未部署：\n" + "\n".join(f"  - {p}" for p in problems))
    if not recipients:
        raise BulletinError(f"分发名单 {ws.recipients_path} 中没有收件人，未部署：审核通过后将无人可发。")
    if settings.smtp is None:
        raise BulletinError("bulletin.toml 中没有 [smtp]：服务器上的流程无法发出送审和分发邮件，未部署。")
    return list(roster.problems)


__all__ = ["check_ready", "create_workspace"]
