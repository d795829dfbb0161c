"""督查专报第N期.docx: the merged round as a report in the look of the bulletin (GB/T 9704).

Built with python-docx, paragraph by paragraph: task text and answers are set as run text, never passed
through a template engine. The issue number comes from the series' own ledger; the file is recorded there as
a compile, so `bulletin approve/send --series 督查专报` treat it like the bulletin (approval bound to sha256).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor

from ..core.atomic import sha256_bytes, sha256_file, write_atomic
from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.textio import clean_text
from ..layout.plaindoc import BODY_FONT, HEADING_FONT, TITLE_FONT, add_paragraph, page_numbers, set_font
from ..layout.plaindoc import KAI_FONT as SECTION_FONT
from ..core.wordxml import drop_stale_parts, set_core_properties
from ..core.workspace import OFFICE_TZ
from ..intake.notices import write_notice_suggestions
from .counts import NO_STATUS, NOT_REPORTED, RoundFigures, figures
from .notices import suggested_notices
from .round import Round, merge_round, merged_tasks
from .tasks import Task

RED = RGBColor(0xE0, 0x00, 0x00)
NOTICES_FILE = "通报建议.xlsx"


@dataclass(frozen=True)
class ReportResult:
    path: Path
    number: int
    sha256: str
    figures: RoundFigures
    missing: list[str]
    notices: Path | None = None

    def summary(self) -> str:
        f = self.figures
        lines = [f"已生成 {self.path}（第{self.number}期，校验码 {self.sha256[:12]}）", f"  {f.opening()}"]
        if self.missing:
            lines.append("  未反馈单位：" + "、".join(self.missing))
        if self.notices is not None:
            lines.append(f"  通报建议（供月度简报参考）：{self.notices}")
        return "\n".join(lines)






def _border(paragraph, edge: str, color: str = "E00000", size: int = 12) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # w:pBdr comes before w:spacing/w:ind/w:jc in CT_PPr's sequence
        anchor = next((p_pr.find(qn(t)) for t in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing",
                                                    "w:ind", "w:jc") if p_pr.find(qn(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(borders)
        else:
            p_pr.append(borders)
    line = OxmlElement(f"w:{edge}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)


TABLE_SIZE = 10.5  # 五号: the 附件 tables' column titles fit their columns on one line


def _cell(cell, text: str, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    set_font(paragraph.add_run(clean_text(text)), BODY_FONT if not bold else HEADING_FONT, TABLE_SIZE)


def _row_properties(row, header: bool) -> None:
    """No row split across pages (w:cantSplit); the header row repeats on every page the table runs onto
    (w:tblHeader) and keeps with the next row, so it is never alone at a page foot."""
    tr_pr = row._tr.get_or_add_trPr()
    for name in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
        if tr_pr.find(qn(name)) is None:
            tr_pr.append(OxmlElement(name))
    if header:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float], left: set[int] = frozenset()):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, title in enumerate(header):
        _cell(table.rows[0].cells[index], title, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for index, text in enumerate(row):
            _cell(cells[index], text, align=WD_ALIGN_PARAGRAPH.LEFT if index in left else WD_ALIGN_PARAGRAPH.CENTER)
    table.autofit = False  # the widths below, not LibreOffice's guess from the header texts
    for index, width in enumerate(widths_mm):
        table.columns[index].width = Mm(width)
    for position, row in enumerate(table.rows):
        for index, width in enumerate(widths_mm):
            row.cells[index].width = Mm(width)
        _row_properties(row, header=position == 0)
    return table




def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def report_bytes(settings, number: int, month: str, tasks: list[Task], figs: RoundFigures, missing: list[str],
                 day: date) -> bytes:
    b = settings.bulletin
    doc = Document()
    drop_stale_parts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    page_numbers(section)

    # -- masthead (版头) ------------------------------------------------------------------------------
    add_paragraph(doc, b.short_title, TITLE_FONT, 48, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, before=12, after=12)
    add_paragraph(doc, f"第{number}期", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    line = add_paragraph(doc)
    line.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    set_font(line.add_run(clean_text(b.office)), BODY_FONT, 16)
    set_font(line.add_run("\t" + _date_text(day)), BODY_FONT, 16)
    _border(line, "bottom", size=18)

    # -- title and opening -------------------------------------------------------------------------
    year, mon = (int(x) for x in month.split("-"))
    add_paragraph(doc, f"关于{year}年重点任务落实情况的督查通报", TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER,
          before=20, after=12)
    add_paragraph(doc, f"为及时、准确掌握重点任务落实情况，推动各项任务扎实推进，{clean_text(b.office)}于{year}年{mon}月"
               "对重点任务落实情况进行了督查，相关情况如下：", indent=True)
    add_paragraph(doc, figs.opening(), indent=True)
    if missing:
        add_paragraph(doc, f"截至发稿时，{'、'.join(missing)}未按时反馈落实情况，请抓紧报送。", indent=True)

    # -- every chapter, section and task -----------------------------------------------------------
    part = chapter = None
    for task in tasks:
        if task.part != part:
            part, chapter = task.part, None
            if part:
                add_paragraph(doc, part, HEADING_FONT, 16, indent=True)
        if task.chapter != chapter:
            chapter = task.chapter
            if chapter:
                add_paragraph(doc, chapter, SECTION_FONT, 16, indent=True)
        add_paragraph(doc, f"{task.number}.{task.text}", indent=True, bold=True)
        add_paragraph(doc, "责任单位：" + "、".join(task.units), indent=True)
        state = figs.states.get(task.number, task.status)
        lines = [x for x in task.answer.split("\n") if x.strip()] or [""]
        if state == NO_STATUS:  # answered without a status: the text as written, never "未报送"
            first = "贯彻落实情况：" + lines[0]
        elif state == NOT_REPORTED:
            first = "贯彻落实情况：" + ("部分责任单位未报送。" if task.answer.strip() else "未报送。") + lines[0]
        else:
            first = f"贯彻落实情况：{state}。" + lines[0]
        add_paragraph(doc, first, indent=True)
        for more in lines[1:]:
            add_paragraph(doc, more, indent=True)

    # -- tasks behind schedule, per unit, gaps --------------------------------------------------------
    add_paragraph(doc, "附件1：逾期未完成任务", HEADING_FONT, 16, before=12).paragraph_format.keep_with_next = True
    if figs.overdue:
        _table(doc, ["序号", "任务", "责任单位", "完成时限", "状态"],
               [[str(t.number), t.text, "、".join(t.units), t.deadline.isoformat() if t.deadline else "",
                 figs.states.get(t.number, t.status) or "未报送"] for t in figs.overdue], [12, 62, 38, 24, 20],
               left={1, 2})
    else:
        add_paragraph(doc, "无。", indent=True)
    add_paragraph(doc, "附件2：各单位任务落实情况", HEADING_FONT, 16, before=12).paragraph_format.keep_with_next = True
    # each unit's own answers (counts.py); the 未选择状态 column only when some unit left a status out
    unstated = any(u.no_status for u in figs.units)
    _table(doc, ["责任单位", "承担任务", "已完成", "推进中", "未启动"] + ["未选状态"] * unstated
           + ["未报送", "逾期", "完成率"],
           [[u.unit + ("（未反馈）" if not u.answered else ""), str(u.tasks), str(u.complete), str(u.in_progress),
             str(u.not_started)] + [str(u.no_status)] * unstated + [str(u.not_reported), str(u.overdue), u.rate]
            for u in figs.units],
           [31, 19, 15, 15, 15, 19, 15, 12, 15] if unstated else [46, 19, 15, 15, 15, 15, 12, 19], left={0})

    # -- closing block (版记) -------------------------------------------------------------------------
    # the 版记 is one block on one page: each of its lines keeps with the next (GB/T 9704 puts it on the last page)
    add_paragraph(doc, before=24).paragraph_format.keep_with_next = True
    report_to = add_paragraph(doc, f"报：{b.report_to}", BODY_FONT, 14)
    report_to.paragraph_format.keep_with_next = True
    _border(report_to, "top", color="000000", size=8)
    send_to = add_paragraph(doc, f"发：{b.send_to}", BODY_FONT, 14)
    send_to.paragraph_format.keep_with_next = True
    _border(send_to, "top", color="000000", size=4)
    printed = add_paragraph(doc)
    printed.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    set_font(printed.add_run(clean_text(b.office)), BODY_FONT, 14)
    set_font(printed.add_run(f"\t{_date_text(day)}印发"), BODY_FONT, 14)
    _border(printed, "top", color="000000", size=4)
    _border(printed, "bottom", color="000000", size=8)

    when = datetime.combine(day, time(9, 0), OFFICE_TZ).astimezone(timezone.utc)
    set_core_properties(doc.part.package.core_properties._element, title=f"{b.short_title}第{number}期",
                        creator=b.office, lastModifiedBy=b.office, when=when)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _locked(ledger: Ledger, month: str) -> str:
    """Why the series' file for the month must not be rewritten: approved as it is, or already mailed."""
    if any(r.status == "sent" for r in ledger.deliveries(month, "bulletin").values()):
        return "已经发送"
    record, decision = ledger.last_compile(month), ledger.latest_decision(month)
    if record and decision and decision.approved and Path(record.path).is_file():
        if sha256_file(Path(record.path)) == decision.sha256:
            return "已经审核通过"
    return ""


def write_report(rnd: Round, day: date | None = None, number: int | None = None) -> ReportResult:
    """Write outputs/<series>/<YYYY-MM>/<title>第N期.docx from the merged round and record it in the series'
    ledger (its number reserved there only once the file exists)."""
    ws, month = rnd.ws, rnd.month
    tasks = merged_tasks(rnd)
    day = day or datetime.now(OFFICE_TZ).date()
    live = merge_round(rnd, write=False)  # each unit's own answers, for the per-unit table
    missing = live.missing
    answered = {u for t in tasks for u in t.units} - set(missing)
    figs = figures(tasks, day, live.answers, answered)
    settings = ws.settings
    with Ledger(ws.ledger_path) as ledger:
        why = _locked(ledger, month)
        if why:
            raise BulletinError(f"{month} 的{settings.bulletin.short_title}{why}，不再重新生成（如需更正，请另出一期）。")
        chosen = ledger.issue_number(month, settings.bulletin.first_issue, number, reserve=False)
        path = rnd.outputs / f"{settings.bulletin.short_title}第{chosen}期.docx"
        data = report_bytes(settings, chosen, month, tasks, figs, missing, day)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        sha = sha256_bytes(data)
        ledger.record_compile(month, chosen, path, sha, drafts=[], issue_date=day.isoformat())
    notices = rnd.outputs / NOTICES_FILE
    write_notice_suggestions(notices, suggested_notices(figs, missing, month, f"{path.stem}"))
    return ReportResult(path, chosen, sha, figs, missing, notices)
