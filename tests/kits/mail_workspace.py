"""A workspace ready for approve/send: bulletin.toml, recipients.csv and a compiled bulletin in the ledger."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from docx import Document

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace

MONTH = "2026-10"
ISSUE_DATE = "2026-10-28"  # the date printed on the bulletin: not the day the test runs
TITLE = "章贡区“五型”政府建设 工作简报"

DRAFTS = [
    {"file": "区发改委.docx", "unit": "区发改委", "title": "项目建设提速", "status": "accepted", "reason": ""},
    {"file": "区财政局.docx", "unit": "区财政局", "title": "预算执行", "status": "flagged", "reason": "未注明报送单位"},
    {"file": "旧稿.doc", "unit": "", "title": "", "status": "refused", "reason": "不是 .docx 文件"},
]


@dataclass
class MailWorkspace:
    ws: Workspace
    month: str
    path: Path
    sha256: str
    number: int

    def edit_docx(self, text: str = "审核后又改了一句。") -> None:
        doc = Document(self.path)
        doc.add_paragraph(text)
        doc.save(self.path)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_settings(root: Path, smtp: dict | None, reviewers: list[str]) -> None:
    lines = [
        "[bulletin]",
        f"title = {_toml_value(TITLE)}",
        'office = "章贡区人民政府办公室"',
        'phone = "0797-8888888"',
        'email = "office@zgq.example.cn"',
        "first_issue = 64",
        'report_to = "区委办"',
        'send_to = "各乡镇、街道，区直各单位"',
    ]
    if smtp is not None:
        lines.append("[smtp]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in smtp.items()]
    if reviewers:
        lines += ["[review]", f"reviewers = {_toml_value(reviewers)}"]
    (root / "bulletin.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_recipients(path: Path, rows: list[tuple[str, str, str]], encoding: str = "utf-8-sig",
                     header: tuple[str, str, str] = ("名单", "名称", "邮箱")) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def numbered_recipients(count: int) -> list[tuple[str, str, str]]:
    return [("发", f"单位{i:03d}", f"unit{i:03d}@zgq.example.cn") for i in range(count)]


def make_mail_workspace(
    root: Path,
    *,
    smtp: dict | None = None,
    recipients: list[tuple[str, str, str]] | None = None,
    reviewers: list[str] | None = None,
    number: int = 64,
    month: str = MONTH,
) -> MailWorkspace:
    root.mkdir(parents=True)
    write_settings(root, smtp, reviewers or [])
    write_recipients(root / "inputs" / "recipients.csv", recipients if recipients is not None else numbered_recipients(3))
    ws = Workspace.at(root)
    path = ws.month_outputs(month) / f"工作简报第{number}期.docx"
    path.parent.mkdir(parents=True)
    doc = Document()
    doc.add_heading("章贡区“五型”政府建设工作简报", level=1)
    doc.add_paragraph(f"第{number}期　章贡区人民政府办公室编　2026年10月28日")
    doc.add_paragraph("区发改委：项目建设提速，一季度完成投资 12.5 亿元。")
    doc.save(path)
    sha = sha256_file(path)
    with Ledger(ws.ledger_path) as ledger:
        ledger.issue_number(month, 64, override=number)
        ledger.record_compile(month, number, path, sha, drafts=DRAFTS, issue_date=ISSUE_DATE)
    return MailWorkspace(ws, month, path, sha, number)


def smtp_settings(server, **extra) -> dict:
    settings = {"host": "127.0.0.1", "port": server.port, "sender": "office@zgq.example.cn", "timeout": 10}
    settings.update(extra)
    return settings
