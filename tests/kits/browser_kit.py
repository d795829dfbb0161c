"""Debian's chromium driven by selenium (no browser download), and the desk served as `bulletin serve` serves it:
what every browser test of the web doors shares."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@contextmanager
def chromium(window: str = "1366,768"):
    """A headless chromium at `window` (width,height; 1366,768 is the office screen the workbench is made for)."""
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.fail("Debian's chromium and chromium-driver are not installed: bash tools/setup.sh --test installs them")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={window}", "--lang=zh-CN"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.implicitly_wait(10)
    try:
        yield driver
    finally:
        driver.quit()


def serve(root: Path, port: int, resume=None):
    """(uvicorn server, thread) of the desk for the workspace at `root` on 127.0.0.1:`port`; `resume` as `bulletin
    serve` passes it (bulletin.cli.resume_with_prefect) when a test needs the waiting flow run resumed."""
    import uvicorn

    from bulletin.web.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(root, resume=resume), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.started
    return server, thread


def wait_for_job(browser, timeout: float = 120) -> str:
    """The workbench's pages refresh themselves while a background job runs: its end state (已完成 / 失败)."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = browser.find_element(By.ID, "job-state").text
        except Exception:  # noqa: BLE001 - the page is being reloaded
            state = ""
        if state in ("已完成", "失败"):
            return state
        time.sleep(0.5)
    raise AssertionError(f"the job did not finish in the browser: {browser.current_url} {browser.page_source[:3000]}")


def submit(browser, button, timeout: float = 60) -> None:
    """Click a form's button and wait until the answer's page has loaded (every form POST of the desk answers with a
    new page). The old page is marked with a window property the new page does not have: a wait on the old
    element's staleness asked chromium about a node while it was swapping documents, and chromium answered with
    an inspector error ("Node with given id does not belong to the document") in one CI run. Errors while the
    page is swapped are retried, never taken as the answer."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("window.__bulletinOldPage = true;")
    button.click()

    def new_page_loaded(driver) -> bool:
        return bool(driver.execute_script(
            "return window.__bulletinOldPage !== true && document.readyState === 'complete';"))

    WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,)).until(new_page_loaded)
