"""The words of the mails: subjects and bodies of the bulletin and of the review copy (Chinese)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.config import Settings
from ..core.workspace import Workspace


def date_text(iso_or_dt: str | datetime) -> str:
    """'2026-10-28T10:00:00+08:00' -> '2026年10月28日' (no leading zeros, as printed on bulletins)."""
    moment = datetime.fromisoformat(iso_or_dt) if isinstance(iso_or_dt, str) else iso_or_dt
    return f"{moment.year}年{moment.month}月{moment.day}日"


def bulletin_subject(settings: Settings, number: int, date_text: str) -> str:
    """The one place the subject is built, e.g. 章贡区“五型”政府建设工作简报 第64期（2022年4月13日）."""
    return f"{settings.bulletin.short_title} 第{number}期（{date_text}）"


def bulletin_body(settings: Settings, number: int, date_text: str, filename: str) -> str:
    b = settings.bulletin
    return (
        "各位领导、各有关单位：\n\n"
        f"现将《{b.short_title}》第{number}期（{date_text}）发送给你们，请查收附件“{filename}”。\n\n"
        f"如有疑问，请联系{b.office}（电话：{b.phone}，邮箱：{b.email}）。\n\n"
        f"{b.office}\n"
    )


def review_subject(settings: Settings, number: int, date_text: str, step: str = "") -> str:
    """【送审】, or in a review chain the step asked for: 【初审】, 【签发】."""
    return f"【{step or '送审'}】{bulletin_subject(settings, number, date_text)}"


def review_body(ws: Workspace, month: str, number: int, file: Path, sha256: str, step: str = "") -> str:
    """The approve command names this version (--sha256): an approval never covers a later edit. Commands and
    the file's place are the publication's own (`ws.command`, `ws.shown`): a series' mail names its option."""
    settings = ws.settings
    approve = ws.command("approve", month, *([f"--step {step}"] if step else []), "--by 您的姓名",
                         f"--sha256 {sha256[:12]}")
    asked = f"请{step}" if step else "请审核"
    return (
        "您好：\n\n"
        f"附件是{month}《{settings.bulletin.short_title}》第{number}期（送审稿）“{file.name}”，{asked}。\n\n"
        f"审核通过后，请在工作目录执行：{approve}\n"
        f"需要修改时，可直接用 Word 修改 {ws.shown(file)}，保存后执行 {ws.command('status', month)} "
        "查看新的校验码，再用它审核通过；发出的将是审核通过的那个版本。\n\n"
        f"文件校验码（SHA-256 前12位）：{sha256[:12]}\n\n"
        f"{settings.bulletin.office}\n"
    )
