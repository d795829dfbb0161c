"""A clerk's whole month in a real browser (issue 24), with no command line after `bulletin serve`: Debian's chromium
driven by selenium against the app on 127.0.0.1, a real SMTP server (aiosmtpd) that refuses one recipient once.
Log in, upload five drafts and a .zip (the file input, as drag and drop fills it), compile, fix the 需核对 draft's
unit, make another draft the lead, upload the notice sheet, compile again, see page 1, 送审; 初审 and 签发 approve
through their links; send, 补发 to the refused one, open the statistics and download the workbook. Then the ledger,
the files and the mails are checked as the CLI tests check them. The month page and the statistics page are
docs/workbench-month.png and docs/workbench-stats.png (README): retaken with BULLETIN_UPDATE_DOCS=1."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import httpx
import pytest
from browser_kit import chromium, serve, submit, wait_for_job
from repo_paths import DOCS
from smtp_server import free_port
from workbench_kit import CLERK, CLERK_PASSWORD, FIRST, MONTH, SIGNER, drafts, links_in, make_office, notice_sheet

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.office import accounts

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.libreoffice]


@pytest.fixture
def browser():
    with chromium() as driver:
        yield driver


def row_of(browser, file: str):
    from selenium.webdriver.common.by import By

    return next(r for r in browser.find_elements(By.CSS_SELECTOR, "#drafts tr")
                if r.find_elements(By.XPATH, f"./td[normalize-space()='{file}']"))


def test_a_clerks_whole_month_in_chromium(tmp_path, smtp_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    server = smtp_server()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ws = make_office(tmp_path / "office", server, port)
    made = drafts(tmp_path / "usb")
    from workbench_kit import zip_of

    packed = tmp_path / "两篇稿件.zip"
    packed.write_bytes(zip_of([made["6-住建.docx"], made["7-教体.docx"]]))
    web, thread = serve(ws.root, port)
    try:
        browser.get(base + "/")
        browser.find_element(By.ID, "name").send_keys(CLERK)
        browser.find_element(By.ID, "password").send_keys(CLERK_PASSWORD)
        submit(browser, browser.find_element(By.ID, "login"))
        submit(browser, browser.find_element(By.ID, "open-month"))  # 打开月份 (this month) ...
        browser.get(f"{base}/m/{MONTH}")  # ... and the month the drafts are for

        files = [str(made[name]) for name in list(made)[:5]] + [str(packed)]
        browser.find_element(By.ID, "files").send_keys("\n".join(files))
        submit(browser, browser.find_element(By.ID, "upload-button"))
        assert browser.find_element(By.ID, "receipt").text.splitlines()[0] == "已保存 7 份，未保存 0 份。"

        submit(browser, browser.find_element(By.ID, "compile"))
        assert wait_for_job(browser) == "已完成"
        row = row_of(browser, "4-无单位.docx")
        assert "需核对" in row.text
        Select(row.find_element(By.NAME, "unit")).select_by_visible_text("区教体局")
        submit(browser, row.find_element(By.CSS_SELECTOR, "form.draft-form button"))
        submit(browser, row_of(browser, "6-住建.docx").find_element(By.CSS_SELECTOR, "button[value=lead]"))
        browser.find_element(By.ID, "sheet").send_keys(str(notice_sheet(tmp_path / "十月情况通报.xlsx")))
        submit(browser, browser.find_element(By.ID, "sheet-button"))
        assert "→ 情况通报.xlsx" in browser.find_element(By.ID, "receipt").text
        submit(browser, browser.find_element(By.ID, "compile"))
        assert wait_for_job(browser) == "已完成"
        assert "头条" in row_of(browser, "6-住建.docx").text and "编入" in row_of(browser, "4-无单位.docx").text
        image = browser.find_element(By.ID, "page-1")
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 300
        browser.set_window_size(1366, 1500)  # the README's picture: the table and the pages side by side
        browser.save_screenshot(str(tmp_path / "workbench-month.png"))

        browser.set_window_size(390, 844)  # a phone: nothing wider than the screen, the buttons reachable
        browser.refresh()
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        assert browser.find_element(By.ID, "send-review").is_displayed()
        browser.set_window_size(1366, 768)

        submit(browser, browser.find_element(By.ID, "send-review"))
        assert "本次发送 1 位" in browser.find_element(By.ID, "receipt").text
        for address in (FIRST[1], SIGNER[1]):
            found = links_in(server, address, port)
            assert len(found) == 1, (address, found, [m.rcpt_tos for m in server.messages])
            link = found[0]
            browser.get(link)
            submit(browser, browser.find_element(By.ID, "approve"))
            submit(browser, browser.find_element(By.ID, "confirm"))
            assert browser.find_element(By.ID, "done").text == "已记录：审核通过"
            browser.get(f"{base}/m/{MONTH}")
            if address == FIRST[1]:
                submit(browser, browser.find_element(By.ID, "send-review"))  # the chain's next step: 签发

        server.handler.reject.add("caizheng@zgq.example.cn")
        submit(browser, browser.find_element(By.ID, "send"))
        assert "本次发送 2 位" in browser.find_element(By.ID, "receipt").text
        server.handler.reject.clear()
        (resend,) = browser.find_elements(By.CSS_SELECTOR, "button.resend")
        submit(browser, resend)
        assert "本次发送 1 位" in browser.find_element(By.ID, "receipt").text
        assert not browser.find_elements(By.CSS_SELECTOR, "button.resend")

        browser.get(f"{base}/stats")
        ranking = browser.find_element(By.ID, "ranking").text
        assert "区住建局" in ranking and "区教体局" in ranking
        chart = browser.find_element(By.ID, "chart")
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart) > 300
        browser.save_screenshot(str(tmp_path / "workbench-stats.png"))
        href = browser.find_element(By.ID, "workbook").get_attribute("href")
        cookie = browser.get_cookie("bulletin_session")["value"]
        workbook = httpx.get(href, cookies={"bulletin_session": cookie}, timeout=60)
        assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(workbook.content), read_only=True)
        cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c}
        assert {"区住建局", "区教体局", "区人社局"} <= cells
    finally:
        web.should_exit = True
        thread.join(10)

    for name in ("workbench-month.png", "workbench-stats.png"):
        if os.environ.get("BULLETIN_UPDATE_DOCS") or not (DOCS / name).exists():
            shutil.copyfile(tmp_path / name, DOCS / name)  # the README's pictures

    # the ledger, the files and the mails, as the CLI tests check them
    with Ledger(ws.ledger_path) as ledger:
        record = ledger.last_compile(MONTH)
        decision = ledger.latest_decision(MONTH)
        deliveries = ledger.deliveries(MONTH, "bulletin")
    assert [r["file"] for r in record.drafts][:2] == ["6-住建.docx", "1-人社.docx"]
    assert next(r for r in record.drafts if r["file"] == "4-无单位.docx")["unit"] == "区教体局"
    assert (decision.approved, decision.step, decision.sha256) == (True, "签发", sha256_file(record.path))
    assert sorted(deliveries) == ["caizheng@zgq.example.cn", "renshe@zgq.example.cn", "shi@zgq.example.cn"]
    assert {d.status for d in deliveries.values()} == {"sent"}
    issues = [m for m in server.messages if not {FIRST[1], SIGNER[1]} & set(m.rcpt_tos)]
    assert sorted(r for m in issues for r in m.rcpt_tos) == sorted(deliveries)
    for m in issues:
        (part,) = list(m.message.iter_attachments())
        assert part.get_payload(decode=True) == Path(record.path).read_bytes()
    notices = ws.root / "inputs" / MONTH / "情况通报.xlsx"
    assert notices.is_file() and (ws.root / "inputs" / MONTH / "编排.toml").is_file()
    done = [a.action for a in accounts.audit(ws, MONTH) if a.actor == CLERK and a.month == MONTH][::-1]
    assert done == ["上传稿件", "开始编排", "编排完成", "设置供稿单位", "设为头条", "上传情况通报表", "开始编排", "编排完成",
                    "送审", "送审", "发送简报", "补发"]
