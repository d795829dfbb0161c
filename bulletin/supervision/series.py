"""A series other than the monthly bulletin ([series.<name>] in bulletin.toml), seen as a workspace.

`series_workspace(ws, "督查专报")` is the same folder with three things changed: the settings' [bulletin]
section carries the series' masthead, numbering and 报/发 lines; the ledger is its own file
(`.bulletin/ledger-<name>.sqlite3`), so issue numbers, approvals and deliveries are counted per series and
the bulletin's never move; outputs go to `outputs/<name>/<YYYY-MM>/`. Everything written for the bulletin
(approval bound to the sha256, the once-only send, status) then works on the series unchanged.

Why a ledger file and not a `series` column: the bulletin's `issues` table has `month` as its primary key and
`number` UNIQUE; SQLite cannot change those constraints in place, and a series column would have had to be
threaded through every query of the shared ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..core.config import CONFIG_NAME, Settings, SeriesSettings, load_settings
from ..core.errors import BulletinError
from ..core.workspace import Workspace, check_month

DEFAULT_SERIES = "督查专报"
# A series name becomes a folder and a file name: letters (any script), digits, - and _ only.
_NAME = re.compile(r"^[\w\-]{1,40}$")


@dataclass(frozen=True)
class SeriesWorkspace(Workspace):
    series: str = DEFAULT_SERIES

    @cached_property
    def base_settings(self) -> Settings:
        return load_settings(self.root / CONFIG_NAME)

    @cached_property
    def series_settings(self) -> SeriesSettings:
        found = self.base_settings.series.get(self.series)
        if found is None:
            known = "、".join(self.base_settings.series) or "（无）"
            raise BulletinError(
                f"bulletin.toml 中没有 [series.{self.series}] 配置节（已配置：{known}）：请先添加 title、report_to、send_to。"
            )
        return found

    @cached_property
    def settings(self) -> Settings:  # type: ignore[override]
        base, own = self.base_settings, self.series_settings
        bulletin = base.bulletin.model_copy(update={
            "title": own.title, "first_issue": own.first_issue, "report_to": own.report_to,
            "send_to": own.send_to, "office": own.office or base.bulletin.office, "template": None,
            "notice_subject": None,
        })
        return base.model_copy(update={"bulletin": bulletin})

    @property
    def ledger_path(self) -> Path:
        return self.state_dir / f"ledger-{self.series}.sqlite3"

    @property
    def series_outputs(self) -> Path:
        return self.outputs / self.series

    def month_outputs(self, month: str) -> Path:
        return self.series_outputs / check_month(month)

    @property
    def recipient_lists(self) -> list[str]:
        """The lists of recipients.csv that get this series (empty: everyone)."""
        return list(self.series_settings.recipients)


def series_workspace(ws: Workspace, series: str | None) -> Workspace:
    """`ws` itself for the monthly bulletin (series None or ""), else the series' view of it."""
    if not series:
        return ws
    name = series.strip()
    if not _NAME.match(name):
        raise BulletinError(f"系列名称“{series}”不对：只能用汉字、字母、数字、- 和 _。")
    view = SeriesWorkspace(root=ws.root, series=name)
    view.series_settings  # noqa: B018 - a missing [series.<name>] is reported here, in Chinese
    return view
