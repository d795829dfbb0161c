"""The 督查专报 on paper (issue 23 item 19), checked in LibreOffice's PDF: 附件2's header row repeats on every page
the table runs onto and is never left alone at a page foot (with its heading), and the 版记 (报/发/印发) stays
together on one page.

Generated rounds (25 units, 30 to 41 tasks, every task text 24 characters, all answered 推进中): one task more
moves the 版记 by about four lines, so twelve sizes put it across a page boundary more than once. Before the fix,
34 tasks put 报/发 at the foot of page 9 and the 印发 line alone on page 10. The seed round (31 units) makes 附件2
run over two pages.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date

import pytest
from openpyxl import Workbook

import supervision_seed
from libreoffice import FONTS_CONF, pdf_text, require_soffice, to_pdf
from supervision_kit import ROUND_MONTH, SERIES_SETTINGS, answer_all, make_round_workspace
from workspace_kit import make_workspace

from bulletin.supervision.report import write_report
from bulletin.supervision.round import Round, merge_round, split_round

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

UNITS = [f"区第{i:02d}单位" for i in range(25)]


def _generated_round(root, tasks: int):
    kit = make_workspace(root, settings=SERIES_SETTINGS, roster="单位名称,别名\n" + "".join(f"{u},\n" for u in UNITS))
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "篇", "章", "任务", "责任单位", "完成时限", "状态", "落实情况"])
    for i in range(tasks):
        sheet.append([i + 1, "一、重点任务", "", "落实任务" * 6, UNITS[i % 25], None, None, None])
    rnd = Round.of(kit.ws, "2026-12")
    rnd.tasks_path.parent.mkdir(parents=True)
    book.save(rnd.tasks_path)
    split_round(rnd)
    for unit in UNITS:
        numbers = [i + 1 for i in range(tasks) if UNITS[i % 25] == unit]
        supervision_seed.fill_sheet(rnd.sheet_path(unit), rnd.returns / f"{unit}.xlsx",
                                    {n: ("推进中", "进展情况" * 6) for n in numbers})
    merge_round(rnd)
    return rnd


def _pages(pdf) -> list[str]:
    """Each page's text without any white space (pdftotext separates pages with a form feed)."""
    return ["".join(page.split()) for page in pdf_text(pdf).split("\f")]


def _check_pages(pages: list[str], unit_row: re.Pattern) -> None:
    heading = next(i for i, page in enumerate(pages) if "附件2：各单位任务落实情况" in page)
    with_rows = [i for i, page in enumerate(pages) if i >= heading and unit_row.search(page.split("附件2：", 1)[-1])]
    assert with_rows and with_rows[0] == heading, "the heading and header row are alone at the foot of a page"
    for i in with_rows:  # the header row is on every page the table runs onto
        assert "责任单位承担任务已完成推进中未启动未报送逾期完成率" in pages[i], f"page {i + 1}: {pages[i][:200]}"
    assert re.search("附件2：各单位任务落实情况责任单位承担任务.*?" + unit_row.pattern, pages[heading])
    closing = [i for i, page in enumerate(pages) for mark in ("报：区政府区长、副区长", "发：区政府各部门", "日印发")
               if mark in page]
    assert len(set(closing)) == 1 and len(closing) == 3, f"the 版记 is split over pages {sorted(set(closing))}"
    assert closing[0] == max(i for i, page in enumerate(pages) if page), "the 版记 is on the last page"


def _to_pdfs(files, out_dir):
    """One soffice run for many files (each run costs seconds to start)."""
    soffice = require_soffice()
    env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), HOME=str(out_dir))
    subprocess.run([soffice, f"-env:UserInstallation=file://{out_dir / 'lo-profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(out_dir), *map(str, files)], capture_output=True, timeout=300, env=env,
                   check=True)
    return [out_dir / f"{f.stem}.pdf" for f in files]


def test_generated_rounds_keep_the_closing_block_and_the_header(tmp_path):
    files = []
    for tasks in range(30, 42):
        result = write_report(_generated_round(tmp_path / f"ws{tasks}", tasks), day=date(2026, 12, 15))
        files.append(result.path.rename(tmp_path / f"r{tasks}.docx"))
    for docx, pdf in zip(files, _to_pdfs(files, tmp_path / "pdf")):
        pages = _pages(pdf)
        try:
            _check_pages(pages, re.compile(r"区第\d\d单位\d"))
        except AssertionError as exc:
            raise AssertionError(f"{docx.name}: {exc}") from None


def test_seed_round_header_repeats_on_every_page_of_the_table(tmp_path):
    kit = make_round_workspace(tmp_path / "ws")
    rnd = Round.of(kit.ws, ROUND_MONTH)
    split_round(rnd)
    answer_all(rnd)
    merge_round(rnd)
    result = write_report(rnd, day=date(2020, 10, 9))
    pages = _pages(to_pdf(result.path, tmp_path / "pdf"))
    _check_pages(pages, re.compile(r"(区卫生健康委|区信访局|区政府办)\d"))
    assert sum("承担任务" in page for page in pages) >= 2
