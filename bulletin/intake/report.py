"""The intake report the office reads: which drafts went in, under which unit and title, what was left out."""

from __future__ import annotations

from .intake import Intake
from .notices import NoticeSheet

_SOURCE = {"line": "标题下一行", "title": "标题开头", "byline": "文末署名", "mailbox": "发件邮箱",
           "filename": "文件名", "author": "文档作者"}


def report_bytes(text: str) -> bytes:
    """The report as older Windows Notepad opens it correctly: UTF-8 with a BOM, CRLF line ends."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8-sig")


def intake_report(
    intake: Intake, sheet: NoticeSheet, *, number: int | None, bulletin_name: str | None, kept: str | None = None,
    extra: list[str] = (),
) -> str:
    """kept: the month's earlier bulletin, left as it was when this compile produced none; extra: further
    remarks (the folder read, the bulletin's size)."""
    lines = [f"{intake.month} 收稿报告", "=" * 24, f"稿件文件夹：{intake.folder.name}"]
    if bulletin_name:
        lines.append(f"简报：{bulletin_name}（第{number}期）")
    else:
        lines.append("本次未生成简报。" + (f"上次生成的 {kept} 保持不变。" if kept else ""))
    total = len(intake.accepted) + len(intake.refused) + len(intake.duplicates) + len(intake.replaced)
    lines.append(
        f"收稿 {total} 份：编入 {len(intake.accepted)} 篇（其中需核对 {len(intake.flagged)} 篇），"
        f"未采用 {len(intake.refused)} 份，重复 {len(intake.duplicates)} 份，被替换 {len(intake.replaced)} 份。"
    )
    lines += extra
    lines += ["", "一、编入简报的稿件（按刊登顺序）"]
    column = ""
    for n, draft in enumerate(intake.accepted, start=1):
        if draft.column != column:
            column = draft.column
            if column:
                lines.append(f"  【{column}】")
        unit = draft.unit or "（单位未识别）"
        via = f"，单位取自{_SOURCE[draft.unit_source]}" if draft.unit_source else ""
        lines.append(f"  {n}. {unit}：{draft.title}")
        lines.append(f"     文件：{draft.name}{via}")
        if len(draft.title_lines) > 1:
            lines.append(f"     标题分{len(draft.title_lines)}行：" + " / ".join(draft.title_lines))
        if draft.subtitle:
            lines.append(f"     副标题：{draft.subtitle}")
        if draft.editor_note:
            lines.append(f"     编者按：{draft.editor_note[:60]}{'…' if len(draft.editor_note) > 60 else ''}")
        if draft.attribution:
            lines.append("     未编入正文的署名行：" + "；".join(draft.attribution))
        for warning in draft.warnings:
            lines.append(f"     ！需核对：{warning}")
        for note in draft.notes:
            lines.append(f"     · {note}")
    if not intake.accepted:
        lines.append("  （无）")
    lines += ["", "二、未编入的文件（未采用、重复、被替换）"]
    for refusal in intake.refused:
        lines.append(f"  × {refusal.file}：{refusal.reason}")
    for duplicate in intake.duplicates:
        lines.append(f"  × {duplicate.file}：{duplicate.reason}")
    for replaced in intake.replaced:
        lines.append(f"  × {replaced.file}：{replaced.reason}")
    if not intake.refused and not intake.duplicates and not intake.replaced:
        lines.append("  （无）")
    lines += ["", "三、情况通报"]
    if sheet.skipped:
        lines.append(f"  按 --no-notices 未编入情况通报{f'（{sheet.source.name} 未读取）' if sheet.source else ''}。")
    elif sheet.source is None:
        lines.append("  本月没有通报表（文件名含“通报”的 .xlsx/.csv，或 notices.xlsx），简报不含情况通报。")
    else:
        lines.append(f"  {sheet.source.name}：编入 {len(sheet.rows)} 条。")
    for problem in sheet.problems:
        lines.append(f"  ！{problem}")
    if intake.notes:
        lines += ["", "四、其他说明"] + [f"  - {note}" for note in intake.notes]
    return "\n".join(lines) + "\n"
