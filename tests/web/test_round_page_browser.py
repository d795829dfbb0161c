"""The 督查 round page in a real browser (issue 24): Debian's chromium driven by selenium against `bulletin serve`'s
app on 127.0.0.1 and a real SMTP server (aiosmtpd), at 1366×768 and at a phone's width. The clerk opens 督查 from
the navigation, uploads 任务.xlsx through the file input, splits and mails, uploads four returned sheets at once
(one unit twice, differently: a conflict; one with hostile text), merges, writes the 专报 and sees its page 1,
sends it for review; 李四 (审核) approves on the page; the clerk sends. Then the series' ledger and the mails are
checked. The page is docs/workbench-round.png (README), retaken only with BULLETIN_UPDATE_DOCS=1."""

from __future__ import annotations

import os
import shutil

import pytest
from browser_kit import chromium, serve, submit, wait_for_job
from repo_paths import DOCS
from round_page_kit import (
    CHECKER,
    CHECKER_PASSWORD,
    CLERK,
    CLERK_PASSWORD,
    HOSTILE,
    filled,
    make_office,
)
from smtp_server import free_port
from supervision_kit import ROUND_MONTH

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.libreoffice, pytest.mark.smtp]


@pytest.fixture
def browser():
    with chromium() as driver:
        yield driver


def log_in(browser, base: str, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(password)
    submit(browser, browser.find_element(By.ID, "login"))


def row_text(browser, unit: str) -> str:
    from selenium.webdriver.common.by import By

    return " ".join(browser.find_element(By.CSS_SELECTOR, f'tr[data-unit="{unit}"]').text.split())


def test_a_round_in_chromium(tmp_path, smtp_server, browser):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    server = smtp_server()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ws, task_bytes = make_office(tmp_path / "office", server.port)
    task_file = tmp_path / "任务.xlsx"
    task_file.write_bytes(task_bytes)
    outputs = ws.root / "outputs" / "督查专报" / ROUND_MONTH
    web, thread = serve(ws.root, port)
    try:
        log_in(browser, base, CLERK, CLERK_PASSWORD)
        submit(browser, browser.find_element(By.LINK_TEXT, "督查"))
        assert browser.current_url == f"{base}/d/{ROUND_MONTH}"
        browser.find_element(By.ID, "task-sheet").send_keys(str(task_file))
        submit(browser, browser.find_element(By.ID, "task-upload"))
        assert browser.find_element(By.ID, "receipt").text.splitlines() == [
            "已保存 1 份，未保存 0 份。", "✓ 任务.xlsx → inputs/督查/2020-09/任务.xlsx（78 项任务）"]

        browser.execute_script("document.getElementById('due').value = '2020-09-25'")
        submit(browser, browser.find_element(By.ID, "split"))
        assert wait_for_job(browser, 180) == "已完成"
        assert "本次发给 30 个单位（32 个邮箱）" in browser.find_element(By.ID, "job-message").get_attribute("textContent")
        assert row_text(browser, "区旧改办") == "区旧改办 1 已生成 无邮箱 尚未反馈"

        returned = tmp_path / "returned"
        returned.mkdir()
        sheets = outputs / "分发"
        paths = [
            returned / "卫健委.xlsx", returned / "金融办.xlsx", returned / "投促局.xlsx", returned / "投促局-改.xlsx"]
        filled(sheets / "区卫生健康委.xlsx", paths[0])
        filled(sheets / "区金融办.xlsx", paths[1], t11=("推进中", HOSTILE))
        filled(sheets / "区投促局.xlsx", paths[2])
        filled(sheets / "区投促局.xlsx", paths[3], t14=("已完成", "已全部完成。"))
        browser.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in paths))
        submit(browser, browser.find_element(By.ID, "returns-upload"))
        assert browser.find_element(By.ID, "receipt").text.splitlines()[0] == "已保存 4 份，未保存 0 份。"
        assert browser.find_element(By.ID, "count-conflict").text == "1"
        assert browser.find_element(By.ID, "count-answered").text == "2"
        conflict = row_text(browser, "区投促局")
        assert " 有冲突 " in conflict and "（“投促局-改.xlsx”与“投促局.xlsx”）：第14项的回答不一致" in conflict
        # the hostile answer is text in its cell: no script element, no alert, no 49
        browser.find_element(By.CSS_SELECTOR, "#answers summary").click()
        cell = browser.find_element(By.CSS_SELECTOR, "#task-11 td:last-child")
        assert cell.get_attribute("textContent") == HOSTILE
        assert browser.execute_script("return document.querySelectorAll('main script').length") == 0
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018

        submit(browser, browser.find_element(By.ID, "merge"))
        assert wait_for_job(browser, 180) == "已完成"
        browser.execute_script("document.getElementById('day').value = '2020-10-09'")
        submit(browser, browser.find_element(By.ID, "make-report"))
        assert wait_for_job(browser, 180) == "已完成"
        image = browser.find_element(By.ID, "page-1")
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 300
        assert "第1期" in browser.find_element(By.ID, "report-version").text
        browser.get(f"{base}/d/{ROUND_MONTH}")  # 1366×768, the office's screen: no sideways scrolling
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        browser.execute_script("window.scrollTo(0, document.getElementById('steps').offsetTop - 8)")
        browser.save_screenshot(str(tmp_path / "workbench-round.png"))  # the units table beside the 专报

        browser.set_window_size(390, 844)  # a phone: nothing wider than the screen, the buttons reachable
        browser.refresh()
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        assert browser.find_element(By.ID, "send-review").is_displayed()
        submit(browser, browser.find_element(By.ID, "send-review"))
        assert "本次发送 1 位" in browser.find_element(By.ID, "receipt").text
        browser.set_window_size(1366, 768)

        log_in(browser, base, CHECKER, CHECKER_PASSWORD)
        browser.get(f"{base}/d/{ROUND_MONTH}")
        assert not browser.find_elements(By.ID, "task-upload")  # a 审核 account sees no upload
        submit(browser, browser.find_element(By.ID, "approve"))
        assert browser.find_element(By.ID, "review-state").text == "已审核通过（李四）"

        log_in(browser, base, CLERK, CLERK_PASSWORD)
        browser.get(f"{base}/d/{ROUND_MONTH}")
        before = len(server.messages)
        submit(browser, browser.find_element(By.ID, "send"))
        assert "本次发送 3 位" in browser.find_element(By.ID, "receipt").text
    finally:
        web.should_exit = True
        thread.join(10)

    if os.environ.get("BULLETIN_UPDATE_DOCS") == "1":
        shutil.copyfile(tmp_path / "workbench-round.png", DOCS / "workbench-round.png")  # the README's picture

    report = outputs / "督查专报第1期.docx"
    with Ledger(ws.root / ".bulletin" / "ledger-督查专报.sqlite3") as ledger:
        decision = ledger.latest_decision(ROUND_MONTH)
        deliveries = ledger.deliveries(ROUND_MONTH)
    assert (decision.reviewer, decision.approved, decision.sha256) == (CHECKER, True, sha256_file(report))
    assert sorted(deliveries) == ["ducha@qyp.gov.cn", "fuquzhang@qyp.gov.cn", "quzhang@qyp.gov.cn"]
    issued = server.messages[before:]
    assert sorted(r for m in issued for r in m.rcpt_tos) == sorted(deliveries)
    for m in issued:
        (part,) = list(m.message.iter_attachments())
        assert part.get_payload(decode=True) == report.read_bytes()
