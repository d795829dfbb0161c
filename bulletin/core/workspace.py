"""Where an office's files live: settings, inputs per month, outputs per month, the ledger — for the monthly
bulletin or for one of the office's other series.

`ws.for_series("督查专报")` is the same folder seen by a series ([series.<name>] in bulletin.toml): its settings
carry the series' masthead, numbering and 报/发 lines (`config.series_settings`); its ledger is its own file
(`.bulletin/ledger-<name>.sqlite3`), so issue numbers, approvals and deliveries are counted per series and the
bulletin's never move; its outputs go to `outputs/<name>/<YYYY-MM>/`; it goes to the recipient lists its
section names. Everything written for the bulletin (approval bound to the sha256, the once-only send, status)
then works on a series unchanged, because every difference is here and nowhere else.

Why a ledger file per series and not a `series` column: the bulletin's `issues` table has `month` as its
primary key and `number` UNIQUE; SQLite cannot change those constraints in place, and a series column would
have had to be threaded through every query of the shared ledger.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import CONFIG_NAME, Settings, load_settings, series_settings
from .errors import BulletinError, ConfigError
from .month import Month, check_month, folder_month, month_folder_problem
from .resources import shipped_template

OFFICE_TZ = ZoneInfo("Asia/Shanghai")
WORKSPACE_ENV = "BULLETIN_WORKSPACE"
STATE_DIR_NAME = ".bulletin"
# A series name becomes a folder and a file name: letters (any script), digits, - and _ only.
_SERIES_NAME = re.compile(r"[\w\-]{1,40}")


def current_month() -> Month:
    return Month(datetime.now(OFFICE_TZ).strftime("%Y-%m"))


def default_root() -> Path:
    return Path(os.environ.get(WORKSPACE_ENV) or ".")


@dataclass(frozen=True)
class Workspace:
    root: Path
    series: str = ""  # "" is the monthly bulletin; else a [series.<name>] of bulletin.toml

    @classmethod
    def at(cls, root: str | Path | None = None) -> "Workspace":
        path = Path(root) if root is not None else default_root()
        if not path.is_dir():
            raise BulletinError(f"工作目录 {path} 不存在。")
        return cls(path.resolve())

    def for_series(self, series: str | None) -> "Workspace":
        """The workspace as series `series` sees it; itself for the monthly bulletin (None or "")."""
        name = (series or "").strip()
        if not name:
            return Workspace(self.root) if self.series else self
        if not _SERIES_NAME.fullmatch(name):
            raise BulletinError(f"系列名称“{series}”不对：只能用汉字、字母、数字、- 和 _。")
        view = Workspace(self.root, name)
        view.settings  # noqa: B018 - a missing [series.<name>] is reported here, in Chinese
        return view

    @cached_property
    def office_settings(self) -> Settings:
        """bulletin.toml as written (the bulletin's settings; a series' own are `settings`)."""
        return load_settings(self.root / CONFIG_NAME)

    @cached_property
    def settings(self) -> Settings:
        if not self.series:
            return self.office_settings
        return series_settings(self.office_settings, self.series)

    @property
    def recipient_lists(self) -> list[str]:
        """The lists of recipients.csv this publication goes to; empty: every row."""
        return list(self.office_settings.series[self.series].recipients) if self.series else []

    @property
    def title(self) -> str:
        """The publication's short name for messages: 工作简报, 督查专报…"""
        return self.settings.bulletin.short_title if self.series else "工作简报"

    def command(self, verb: str, month: str | None = None, *more: str) -> str:
        """The command line an office types for this publication: `bulletin send --series 督查专报 --month
        2026-09`. Every message that names a command builds it here, so a series' messages name its option."""
        words = ["bulletin", verb]
        if self.series:
            words += ["--series", self.series]
        if month:
            words += ["--month", str(month)]
        return " ".join([*words, *more])

    def shown(self, path: Path) -> str:
        """A path as messages show it: relative to the workspace (outputs/督查专报/2026-09/…) when inside it."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

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
        return self.state_dir / (f"ledger-{self.series}.sqlite3" if self.series else "ledger.sqlite3")

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
        """The month's input folder: inputs/YYYY-MM, or one named 2026年11月, 202611, 2026.11 or 2026年11月稿件. Two folders
        for one month are refused (which one holds the drafts?); none gives inputs/YYYY-MM (not there)."""
        check_month(month)
        found = self.month_folders().get(month, [])
        if len(found) > 1:
            names = "、".join(p.name for p in found)
            raise BulletinError(f"{self.inputs} 中有多个 {month} 的稿件文件夹（{names}）：请合并为一个后再编排。")
        return found[0] if found else self.inputs / month

    def month_folders(self) -> dict[str, list[Path]]:
        """{YYYY-MM: folders under inputs/ whose name names that month (`folder_month`: 2027年2月稿件 too)}."""
        folders: dict[str, list[Path]] = {}
        if not self.inputs.is_dir():
            return folders
        for path in sorted(self.inputs.iterdir()):
            month = folder_month(path.name) if path.is_dir() else None
            if month:
                folders.setdefault(Month(month), []).append(path)
        return folders

    def month_folder_problems(self, near: str) -> list[str]:
        """Folders under inputs/ that look like a month folder but are not read as one, each with why and its
        fix ("inputs/12月 看起来是月份文件夹，但没有年份：请改名为 2026-12"); near: the month being compiled."""
        if not self.inputs.is_dir():
            return []
        problems = []
        for path in sorted(self.inputs.iterdir()):
            problem = month_folder_problem(path.name, near) if path.is_dir() and not path.is_symlink() else None
            if problem:
                problems.append(f"inputs/{path.name} {problem}")
        return problems

    @property
    def publication_outputs(self) -> Path:
        """outputs/ for the bulletin, outputs/<series>/ for a series."""
        return self.outputs / self.series if self.series else self.outputs

    def month_outputs(self, month: str) -> Path:
        return self.publication_outputs / check_month(month)

    def months(self) -> list[Month]:
        """Months that have an input folder (in any of the accepted name forms), oldest first."""
        return sorted(self.month_folders())

    def latest_month(self) -> Month:
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
