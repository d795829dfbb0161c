"""A background job's progress on the workbench (issue 24: "a little JS only for drag and drop and progress"):
in chromium the page stays where it is while the job runs and its state and last progress line change in place
(static/workbench.js polls /m/<month>/job); when the job ends, the page is loaded again with the result. Without
JavaScript the same page refreshes itself every two seconds (a <noscript> meta refresh), which is what the
curl/httpx path and a browser with scripts off get.

The job here is a stand-in the test drives step by step (office/jobs.start with a work function waiting on
events), so nothing depends on how long a compile takes."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from browser_kit import chromium, serve, submit
from smtp_server import free_port
from workbench_kit import CLERK, CLERK_PASSWORD, MONTH, make_office

from bulletin.office import jobs

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def wait_until(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("not reached in time")


def test_a_running_job_is_shown_in_place_and_the_finished_page_is_loaded(tmp_path, smtp_server, no_page_images):
    from selenium.webdriver.common.by import By

    server = smtp_server()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ws = make_office(tmp_path / "office", server, port)
    step, finish = threading.Event(), threading.Event()

    def work(progress):
        progress("读取稿件（1/3）")
        assert step.wait(60)
        progress("读取稿件（2/3）<b>不是标记</b>")
        assert finish.wait(60)
        return "已编排 3 篇。"

    web, thread = serve(ws.root, port)
    try:
        with chromium() as browser:
            browser.get(base + "/login")
            browser.find_element(By.ID, "name").send_keys(CLERK)
            browser.find_element(By.ID, "password").send_keys(CLERK_PASSWORD)
            submit(browser, browser.find_element(By.ID, "login"))
            jobs.start(ws, "compile", MONTH, CLERK, work)
            wait_until(lambda: jobs.latest(ws, MONTH).message == "读取稿件（1/3）")

            browser.get(f"{base}/m/{MONTH}")
            assert browser.find_element(By.ID, "job").get_attribute("data-poll") == f"/m/{MONTH}/job"
            assert browser.find_element(By.ID, "job-state").text == "进行中"
            assert browser.find_element(By.ID, "compile").get_attribute("disabled") == "true"
            browser.execute_script("window.__samePage = true;")

            step.set()  # the next progress line shows on the same page (no reload), as text
            wait_until(lambda: browser.find_element(By.ID, "job-message").text == "读取稿件（2/3）<b>不是标记</b>")
            assert browser.execute_script("return window.__samePage === true;")
            assert browser.find_elements(By.CSS_SELECTOR, "#job-message b") == []

            finish.set()  # the end: the page is loaded again, with the result and the button back
            wait_until(lambda: browser.execute_script("return window.__samePage !== true && "
                                                      "document.readyState === 'complete';"))
            assert browser.find_element(By.ID, "job-state").text == "已完成"
            assert browser.find_element(By.ID, "job-message").text == "已编排 3 篇。"
            assert browser.find_element(By.ID, "job").get_attribute("data-poll") is None
            assert browser.find_element(By.ID, "compile").get_attribute("disabled") is None
            assert browser.current_url == f"{base}/m/{MONTH}"
    finally:
        step.set()
        finish.set()
        web.should_exit = True
        thread.join(10)


def test_without_javascript_the_page_of_a_running_job_refreshes_itself(tmp_path, smtp_server, no_page_images):
    server = smtp_server()
    port = free_port()
    ws = make_office(tmp_path / "office", server, port)
    finish = threading.Event()
    job = jobs.start(ws, "compile", MONTH, CLERK, lambda progress: (finish.wait(60), "完成")[1])
    web, thread = serve(ws.root, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            from workbench_kit import csrf_of

            page = client.get("/login")
            client.post("/login", data={"name": CLERK, "password": CLERK_PASSWORD, "csrf": csrf_of(page.text)})
            html = client.get(f"/m/{MONTH}").text
            assert f'<noscript><meta http-equiv="refresh" content="2; url=/m/{MONTH}"></noscript>' in html
            assert f'data-poll="/m/{MONTH}/job"' in html
            state = client.get(f"/m/{MONTH}/job").json()
            assert (state["id"], state["state"], state["text"]) == (job.id, "running", "进行中")
            finish.set()
            wait_until(lambda: jobs.latest(ws, MONTH).state == "done")
            html = client.get(f"/m/{MONTH}").text
            assert "refresh" not in html and "data-poll" not in html
    finally:
        finish.set()
        web.should_exit = True
        thread.join(10)
