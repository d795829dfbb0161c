"""A throw-away office workspace for tests: bulletin.toml, roster, a month folder, and compile()."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import draft_factory

from bulletin.office.compile import CompileResult, compile_month
from bulletin.core.workspace import Workspace

MONTH = "2026-10"
SETTINGS = """\
[bulletin]
title = "章贡区“五型”政府建设 工作简报"
office = "区“五型”政府建设领导小组办公室"
phone = "8199917"
email = "zgqwxzfb@163.com"
first_issue = 64
report_to = "区政府区长、副区长"
send_to = "各镇、街道，全区政府系统部门（单位）"
"""
ROSTER = """\
单位名称,别名
区人社局,区人力资源和社会保障局
区教体局,区教育局、区教育体育局
区财政局,
区工信局,区工业和信息化局
区行政审批局,
区住建局,
"""


@dataclass
class TestWorkspace:
    root: Path
    month: str = MONTH

    @property
    def ws(self) -> Workspace:
        return Workspace.at(self.root)

    def month_dir(self, month: str | None = None) -> Path:
        path = self.root / "inputs" / (month or self.month)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def draft(self, name: str, month: str | None = None, **kwargs) -> Path:
        return draft_factory.make_draft(self.month_dir(month) / name, **kwargs)

    def notices(self, rows, name: str = "notices.xlsx", month: str | None = None, **kwargs) -> Path:
        return draft_factory.make_notice_sheet(self.month_dir(month) / name, rows, **kwargs)

    def compile(self, month: str | None = None, **kwargs) -> CompileResult:
        kwargs.setdefault("issue_date", date(2026, 10, 28))
        return compile_month(self.ws, month or self.month, **kwargs)


def make_workspace(root: Path, settings: str = SETTINGS, roster: str | None = ROSTER) -> TestWorkspace:
    (root / "inputs").mkdir(parents=True, exist_ok=True)
    (root / "bulletin.toml").write_text(settings, encoding="utf-8")
    if roster is not None:
        (root / "inputs" / "units.csv").write_text(roster, encoding="utf-8")
    return TestWorkspace(root)
