"""The 领导批示 page (issue 26) in a real browser: Debian's chromium driven by selenium against the app served on
127.0.0.1 as `bulletin serve` serves it. A clerk logs in, opens 领导批示 from the menu, registers an instruction
with the add form (two acting units chosen in the multiple select), records its feedback in the row's form and
sees 已反馈. The office's today is fixed at 2026-11-15 (by hand: due 2026-11-20 -> 未到期 before the feedback;
feedback dated 2026-11-18 -> 已反馈). Nothing renders pages: no LibreOffice (no_page_images)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from browser_kit import chromium, serve, submit
from openpyxl import load_workbook
from smtp_server import free_port
from workbench_kit import CLERK, CLERK_PASSWORD, make_office

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_register_and_feed_back_an_instruction_in_chromium(tmp_path, monkeypatch, no_page_images):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    monkeypatch.setattr("bulletin.office.instructions.office_today", lambda: date(2026, 11, 15))
    port = free_port()
    ws = make_office(tmp_path / "office", SimpleNamespace(port=1), port)
    web, thread = serve(ws.root, port)
    try:
        with chromium() as browser:
            browser.get(f"http://127.0.0.1:{port}/")
            browser.find_element(By.ID, "name").send_keys(CLERK)
            browser.find_element(By.ID, "password").send_keys(CLERK_PASSWORD)
            submit(browser, browser.find_element(By.ID, "login"))
            submit(browser, browser.find_element(By.ID, "nav-instructions"))
            assert browser.find_element(By.ID, "heading").text == "2026年领导批示"
            assert "还没有登记表" in browser.find_element(By.ID, "none").text

            for field, value in (("add-number", "65"), ("add-title", "老旧小区改造开工"), ("add-leader", "王副区长"),
                                 ("add-day", "2026-11-05"), ("add-text", "抓紧推进，按期完工。"),
                                 ("add-due", "2026-11-20")):
                browser.find_element(By.ID, field).send_keys(value)
            Select(browser.find_element(By.ID, "add-source")).select_by_visible_text("区住建局")
            Select(browser.find_element(By.ID, "add-level")).select_by_visible_text("区级")
            Select(browser.find_element(By.ID, "add-kind")).select_by_visible_text("指导")
            units = Select(browser.find_element(By.ID, "add-units"))
            units.select_by_visible_text("区住建局")
            units.select_by_visible_text("区财政局")
            submit(browser, browser.find_element(By.ID, "add-button"))

            row = browser.find_element(By.ID, "row-2")
            assert row.find_element(By.CSS_SELECTOR, "td.state").text == "未到期"
            assert "第65期《老旧小区改造开工》" in row.text and "区住建局、区财政局" in row.text
            assert browser.find_element(By.ID, "counts").text.startswith("共 1 条（截至 2026-11-15）")

            row.find_element(By.NAME, "text").send_keys("已开工18个小区。")
            row.find_element(By.NAME, "day").send_keys("2026-11-18")
            submit(browser, row.find_element(By.CSS_SELECTOR, "form.fb button"))
            assert "：已反馈。" in browser.find_element(By.ID, "receipt").text
            row = browser.find_element(By.ID, "row-2")
            assert row.find_element(By.CSS_SELECTOR, "td.state").text == "已反馈"
            assert row.find_element(By.CSS_SELECTOR, "span.feedback").text == "已开工18个小区。（2026-11-18）"
    finally:
        web.should_exit = True
        thread.join(10)
    sheet = load_workbook(ws.inputs / "领导批示.xlsx").active
    assert [sheet.cell(row=2, column=c).value for c in (2, 4, 9, 11)] == ["老旧小区改造开工", "王副区长",
                                                                          "区住建局、区财政局", "已开工18个小区。"]
    assert sheet["L2"].value.date() == date(2026, 11, 18)
