"""Where an office's files live: settings, inputs per month, outputs per month, the ledger."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import CONFIG_NAME, Settings, load_settings
from .errors import BulletinError, ConfigError
from .month import parse_month
from .resources import shipped_template

OFFICE_TZ = ZoneInfo("Asia/Shanghai")
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
WORKSPACE_ENV = "BULLETIN_WORKSPACE"
STATE_DIR_NAME = ".bulletin"


def check_month(month: str) -> str:
    if not MONTH_RE.match(month or ""):
        raise BulletinError(f"月份“{month}”格式不对：请写成 YYYY-MM，例如 2026-10。")
    return month


def current_month() -> str:
    return datetime.now(OFFICE_TZ).strftime("%Y-%m")


def default_root() -> Path:
    return Path(os.environ.get(WORKSPACE_ENV) or ".")


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def at(cls, root: str | Path | None = None) -> "Workspace":
        path = Path(root) if root is not None else default_root()
        if not path.is_dir():
            raise BulletinError(f"工作目录 {path} 不存在。")
        return cls(path.resolve())

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.root / CONFIG_NAME)

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def state_dir(self) -> Path:
        """Ledger and locks: kept out of outputs/ so tidying outputs never resets issue numbers. Only a
        name: whoever writes there creates it (the ledger and the file locks do), so asking where the
        ledger is changes nothing on disk."""
        return self.root / STATE_DIR_NAME

    @property
    def ledger_path(self) -> Path:
        return self.state_dir / "ledger.sqlite3"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / "workspace.lock"

    @property
    def roster_path(self) -> Path:
        return self.inputs / "units.csv"

    @property
    def recipients_path(self) -> Path:
        return self.inputs / "recipients.csv"

    def month_inputs(self, month: str) -> Path:
        """The month's input folder: inputs/YYYY-MM, or one named 2026年11月, 202611 or 2026.11. Two folders
        for one month are refused (which one holds the drafts?); none gives inputs/YYYY-MM (not there)."""
        check_month(month)
        found = self.month_folders().get(month, [])
        if len(found) > 1:
            names = "、".join(p.name for p in found)
            raise BulletinError(f"{self.inputs} 中有多个 {month} 的稿件文件夹（{names}）：请合并为一个后再编排。")
        return found[0] if found else self.inputs / month

    def month_folders(self) -> dict[str, list[Path]]:
        """{YYYY-MM: folders under inputs/ whose name names that month}."""
        folders: dict[str, list[Path]] = {}
        if not self.inputs.is_dir():
            return folders
        for path in sorted(self.inputs.iterdir()):
            month = parse_month(path.name) if path.is_dir() else None
            if month:
                folders.setdefault(month, []).append(path)
        return folders

    def month_outputs(self, month: str) -> Path:
        return self.outputs / check_month(month)

    def months(self) -> list[str]:
        """Months that have an input folder (in any of the accepted name forms), oldest first."""
        return sorted(self.month_folders())

    def latest_month(self) -> str:
        months = self.months()
        if not months:
            raise BulletinError(f"{self.inputs} 下没有月份文件夹（如 inputs/2026-10/）：请先放入当月稿件。")
        return months[-1]

    def template_path(self) -> Path:
        configured = self.settings.bulletin.template
        if not configured:
            return shipped_template(self.settings.layout.name)
        path = (self.root / configured).resolve()
        if not path.is_file():
            raise ConfigError(f"配置项 bulletin.template 指向的模板 {configured} 不存在。")
        return path
