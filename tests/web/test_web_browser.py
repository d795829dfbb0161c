"""The review desk in a real browser (issue 11): Debian's chromium driven by selenium through chromium-driver
(no browser download), against `bulletin serve`'s app on 127.0.0.1, with the monthly flow really waiting in
Prefect. From the review mail's link: page 1's image is shown, 退回 without a comment is refused, 审核通过 and its
confirmation record the approval of the version shown, the waiting run resumes and the lists are mailed.
The screenshot of the review page is docs/review-desk.png (README): retaken with BULLETIN_UPDATE_DOCS=1, so an
ordinary run leaves the checkout clean."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from browser_kit import chromium
from browser_kit import serve as serve_desk
from flow_kit import MONTH, FlowThread, artifacts, make_office, received, wait_paused
from repo_paths import DOCS
from smtp_server import free_port

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.browser, pytest.mark.libreoffice]  # page images


@pytest.fixture(autouse=True)
def fast_pause(monkeypatch):
    import flows.common as common

    monkeypatch.setattr(common, "PAUSE_POLL_SECONDS", 0.5)


@pytest.fixture
def browser():
    with chromium("900,1400") as driver:
        yield driver


def serve(root: Path, port: int):
    """The desk as `bulletin serve` makes it: it hands the decision to the waiting run."""
    from bulletin.cli import resume_with_prefect

    return serve_desk(root, port, resume_with_prefect)


def test_a_reviewer_approves_from_the_mail_link_in_chromium(tmp_path, smtp_server, browser):
    from selenium.webdriver.common.by import By

    server = smtp_server()
    ws = make_office(tmp_path / "office", server)
    port = free_port()
    with open(ws.root / "bulletin.toml", "a", encoding="utf-8") as settings:
        settings.write(f'[web]\nbase_url = "http://127.0.0.1:{port}"\n')
    ws = Workspace.at(ws.root)
    web, thread = serve(ws.root, port)
    runner = FlowThread(ws)
    try:
        run_id = wait_paused(ws, runner)
        reviews = [(rcpts, m) for rcpts, m in received(server)]
        assert len(reviews) == 2  # one personal message per reviewer
        rcpts, review = reviews[0]
        body = review.get_body(("plain",)).get_content()
        (link,) = re.findall(rf"http://127\.0\.0\.1:{port}/r/\S+", body)

        browser.get(link)
        image = browser.find_element(By.ID, "page-1")
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 300
        assert f"{rcpts[0]}，您好：请审核 {MONTH} 工作简报 第64期，" in browser.page_source
        browser.save_screenshot(str(tmp_path / "review-desk.png"))
        if os.environ.get("BULLETIN_UPDATE_DOCS") or not (DOCS / "review-desk.png").exists():
            shutil.copyfile(tmp_path / "review-desk.png", DOCS / "review-desk.png")  # the README's picture

        browser.set_window_size(390, 844)  # a phone: the page fits its width, the buttons are reachable
        browser.get(link)
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        assert browser.find_element(By.ID, "approve").is_displayed()
        browser.find_element(By.ID, "reject").click()  # no comment
        assert browser.find_element(By.ID, "error").text == "退回时请填写审核意见（退回原因）。"
        with Ledger(ws.ledger_path) as ledger:
            assert ledger.latest_decision(MONTH) is None
        browser.find_element(By.ID, "approve").click()
        assert "—— 审核通过" in browser.find_element(By.ID, "confirm-text").text
        browser.find_element(By.ID, "confirm").click()
        assert browser.find_element(By.ID, "done").text == "已记录：审核通过"

        result = runner.join()
        assert "本次发送 3 位" in result
        summary = artifacts(run_id, f"bulletin-{MONTH}")[0].data
        assert f"- 审核台：[http://127.0.0.1:{port}/m/{MONTH}](http://127.0.0.1:{port}/m/{MONTH})" in summary
        with Ledger(ws.ledger_path) as ledger:
            decision = ledger.latest_decision(MONTH)
            assert ledger.flow_run(MONTH) == (run_id, "finished")
            path = ledger.last_compile(MONTH).path
        assert (decision.approved, decision.reviewer, decision.sha256) == (True, rcpts[0], sha256_file(path))
        mailed = sorted(r for m in server.messages for r in m.rcpt_tos if r.startswith("unit"))
        assert mailed == ["unit000@zgq.example.cn", "unit001@zgq.example.cn", "unit002@zgq.example.cn"]
    finally:
        web.should_exit = True
        thread.join(10)
