"""A fresh office for the workbench tests (issue 24): bulletin.toml with [smtp] (a real aiosmtpd), a two-step review
chain (初审 李科长, 签发 王主任), [web]; the roster, three recipients, two accounts (张三 编辑, 李四 审核) and NO month
folder: everything the month needs comes through the browser. The drafts a clerk would upload are made here."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import draft_factory
from mail_workspace import write_recipients
from workspace_kit import ROSTER

from bulletin.core.workspace import Workspace
from bulletin.office import accounts

MONTH = "2026-10"
CLERK, CLERK_PASSWORD = "张三", "Zs-2026-bianji"
CHECKER, CHECKER_PASSWORD = "李四", "Ls-2026-shenhe"
FIRST = ("李科长", "li@zgq.example.cn")
SIGNER = ("王主任", "wang@zgq.example.cn")
RECIPIENTS = [("发", "区人社局", "renshe@zgq.example.cn"), ("发", "区财政局", "caizheng@zgq.example.cn"),
              ("报", "市政府办", "shi@zgq.example.cn")]
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>{{7*7}}"


def make_office(root: Path, server, port: int) -> Workspace:
    (root / "inputs").mkdir(parents=True)
    (root / "bulletin.toml").write_text(f"""\
[bulletin]
title = "章贡区“五型”政府建设 工作简报"
office = "区“五型”政府建设领导小组办公室"
phone = "8199917"
email = "office@zgq.example.cn"
first_issue = 64
report_to = "区政府区长、副区长"
send_to = "各镇、街道，全区政府系统部门（单位）"

[smtp]
host = "127.0.0.1"
port = {server.port}
sender = "office@zgq.example.cn"
timeout = 10

[review]
timeout_days = 7

[[review.step]]
name = "初审"
reviewers = [{{name = "{FIRST[0]}", email = "{FIRST[1]}"}}]

[[review.step]]
name = "签发"
reviewers = [{{name = "{SIGNER[0]}", email = "{SIGNER[1]}"}}]

[web]
base_url = "http://127.0.0.1:{port}"
""", encoding="utf-8")
    (root / "inputs" / "units.csv").write_text(ROSTER, encoding="utf-8")
    write_recipients(root / "inputs" / "recipients.csv", RECIPIENTS)
    ws = Workspace.at(root)
    accounts.add_user(ws, CLERK, accounts.EDITOR, CLERK_PASSWORD, actor="测试")
    accounts.add_user(ws, CHECKER, accounts.REVIEWER, CHECKER_PASSWORD, actor="测试")
    return ws


def drafts(folder: Path) -> dict[str, Path]:
    """Five drafts a clerk got by USB stick and WeChat, and a .zip of two more; one draft names no unit (需核对)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {
        "1-人社.docx": dict(title="区人社局多措并举稳就业", unit_line="区人社局", paragraphs=["城镇新增就业1200人。"]),
        "2-财政.docx": dict(title="兜牢“三保”底线", unit_line="区财政局", paragraphs=["一般公共预算收入增长5%。"]),
        "3-工信.docx": dict(title="规上工业增加值稳步增长", unit_line="区工信局", paragraphs=["工业投资增长12%。"]),
        "4-无单位.docx": dict(title="课后服务全覆盖", paragraphs=["全区中小学课后服务覆盖率达100%。"]),
        "5-审批.docx": dict(title="一窗通办再提速", unit_line="区行政审批局", paragraphs=["办件平均用时缩短三成。"]),
        "6-住建.docx": dict(title="老旧小区改造开工", unit_line="区住建局", paragraphs=["开工改造小区18个。"]),
        "7-教体.docx": dict(title="校园安全大排查", unit_line="区教体局", paragraphs=["排查隐患42处，已整改40处。"]),
    }
    return {name: draft_factory.make_draft(folder / name, **kwargs) for name, kwargs in made.items()}


def zip_of(paths: list[Path]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.write(p, f"稿件/{p.name}")
    return data.getvalue()


def notice_sheet(path: Path) -> Path:
    return draft_factory.make_notice_sheet(path, [
        {"单位名称": "区财政局", "通报事项": "按时报送信息", "通报类别": "通报表扬", "备注": ""},
        {"单位名称": "区住建局", "通报事项": "逾期未报", "通报类别": "通报批评", "备注": ""},
    ])


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)


def links_in(server, address: str, port: int) -> list[str]:
    """The review links mailed to `address`, oldest first."""
    found = []
    for m in server.messages:
        if address in [r.lower() for r in m.rcpt_tos]:
            body = m.message.get_body(("plain",)).get_content()
            found += re.findall(rf"http://127\.0\.0\.1:{port}/r/\S+", body)
    return found
