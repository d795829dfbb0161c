"""The intake report the office reads: which drafts went in, under which unit and title, what was left out."""

from __future__ import annotations

from .intake import Intake
from .notices import NoticeSheet

_SOURCE = {"line": "标题下一行", "byline": "文末供稿行", "filename": "文件名", "author": "文档作者"}


def intake_report(
    intake: Intake, sheet: NoticeSheet, *, number: int | None, bulletin_name: str | None, kept: str | None = None
) -> str:
    """kept: the month's earlier bulletin, left as it was when this compile produced none."""
    lines = [f"{intake.month} 收稿报告", "=" * 24]
    if bulletin_name:
        lines.append(f"简报：{bulletin_name}（第{number}期）")
    else:
        lines.append("本次未生成简报。" + (f"上次生成的 {kept} 保持不变。" if kept else ""))
    lines.append(
        f"收稿 {len(intake.accepted) + len(intake.refused) + len(intake.duplicates)} 份：编入 {len(intake.accepted)} 篇"
        f"（其中需核对 {len(intake.flagged)} 篇），未采用 {len(intake.refused)} 份，重复 {len(intake.duplicates)} 份。"
    )
    lines += ["", "一、编入简报的稿件（按刊登顺序）"]
    for n, draft in enumerate(intake.accepted, start=1):
        unit = draft.unit or "（单位未识别）"
        via = f"，单位取自{_SOURCE[draft.unit_source]}" if draft.unit_source else ""
        lines.append(f"  {n}. {unit}：{draft.title}")
        lines.append(f"     文件：{draft.name}{via}")
        for warning in draft.warnings:
            lines.append(f"     ！需核对：{warning}")
        for note in draft.notes:
            lines.append(f"     · {note}")
    if not intake.accepted:
        lines.append("  （无）")
    lines += ["", "二、未采用的文件"]
    for refusal in intake.refused:
        lines.append(f"  × {refusal.file}：{refusal.reason}")
    for duplicate in intake.duplicates:
        lines.append(f"  × {duplicate.file}：{duplicate.reason}")
    if not intake.refused and not intake.duplicates:
        lines.append("  （无）")
    lines += ["", "三、情况通报"]
    if sheet.source is None:
        lines.append("  本月没有通报表（notices.xlsx 或 notices.csv），简报不含情况通报。")
    else:
        lines.append(f"  {sheet.source.name}：编入 {len(sheet.rows)} 条。")
    for problem in sheet.problems:
        lines.append(f"  ！{problem}")
    if intake.notes:
        lines += ["", "四、其他说明"] + [f"  - {note}" for note in intake.notes]
    return "\n".join(lines) + "\n"
