"""The workbench's other pages in a real browser: Debian's chromium driven by selenium against `bulletin serve`'s app
on 127.0.0.1. A 管理 logs in, sees the months list (/) empty and then in every state a month can show (approved and
archived, compiled not sent for review, rejected, a folder not compiled), adds an 编辑 on /users, changes its own
password on /password, is sent to log in again, its old session cookie opens nothing (nor does another session of
the same account), logs in with the new password and searches the archive for a word of the archived issue.
Each page is checked for a horizontal scrollbar at the office screen (1366x768) and at a phone (390x844).

No page here shows page images: the `no_page_images` fixture keeps LibreOffice out."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from browser_kit import chromium, serve, submit
from smtp_server import free_port
from workspace_kit import make_workspace

from bulletin.core.month import Month
from bulletin.office import accounts
from bulletin.office.compile import compile_month
from bulletin.office.decide import decide
from bulletin.web import tokens

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN, ADMIN_PASSWORD, NEW_PASSWORD = "赵主任", "Zhao-2026-guanli", "Zhao-2026-xinmima"
CLERK, CLERK_PASSWORD = "王五", "Ww-2026-bianji"
SIZES = ((1366, 768), (390, 844))
WAGES = ("区人社局“三个到位”根治欠薪冬季攻坚", "区人社局",
         ["入冬以来，区人社局聚焦工程建设领域，全面开展根治欠薪冬季专项行动，切实保障农民工工资按时足额支付。",
          "一是排查到位。联合住建、交通等部门对全区在建项目开展拉网式排查，共检查项目86个，发现问题隐患12条。"])
BUDGET = ("区财政局强化预算绩效管理", "区财政局", ["全年对128个项目开展事前绩效评估，核减预算资金2360万元。"])
SCHOOL = ("区教体局推进义务教育优质均衡发展", "区教体局", ["新建改扩建学校6所，新增学位5400个。"])
HOUSING = ("区住建局加快老旧小区改造", "区住建局", ["全年改造小区41个，惠及居民6800户。"])


@pytest.fixture
def browser():
    with chromium() as driver:
        yield driver


def no_sideways_scroll(browser, url: str) -> None:
    """`url` at the office screen and at a phone: nothing wider than the window (no horizontal scrollbar)."""
    for width, height in SIZES:
        browser.set_window_size(width, height)
        browser.get(url)
        wide = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth,"
            " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth)"
            ".slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)];")
        assert wide[0] <= wide[1], (url, width, wide)
    browser.set_window_size(*SIZES[0])


def seed_months(office) -> None:
    """2026-09 approved (so archived), 2026-10 compiled and not sent for review, 2026-11 rejected, 2026-12 drafts
    in a folder never compiled."""
    for month, day, drafts in (("2026-09", date(2026, 9, 25), [WAGES, BUDGET]), ("2026-10", date(2026, 10, 28), [SCHOOL]),
                               ("2026-11", date(2026, 11, 26), [HOUSING]), ("2026-12", None, [BUDGET])):
        for n, (title, unit, paragraphs) in enumerate(drafts, start=1):
            office.draft(f"{n:02d}-{unit}.docx", month=month, title=title, unit_line=unit, paragraphs=paragraphs)
        if day is not None:
            compile_month(office.ws, month, issue_date=day)
    assert "已归档" in decide(office.ws, Month("2026-09"), approved=True, by="王主任").archived
    decide(office.ws, Month("2026-11"), approved=False, by="王主任", comment="数据待核实")


def log_in(browser, base: str, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(base + "/login")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(password)
    submit(browser, browser.find_element(By.ID, "login"))


def test_users_password_months_and_archive_pages_in_chromium(tmp_path, browser, no_page_images):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    office = make_workspace(tmp_path / "office")
    ws = office.ws
    accounts.add_user(ws, ADMIN, accounts.ADMIN, ADMIN_PASSWORD, actor="测试")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web, thread = serve(office.root, port)
    other = httpx.Client(base_url=base, follow_redirects=False)
    try:
        log_in(browser, base, ADMIN, ADMIN_PASSWORD)
        assert browser.current_url == base + "/"
        assert browser.find_element(By.CSS_SELECTOR, "table tr:nth-child(2)").text == "还没有编排过简报。"
        assert "未编排" not in browser.find_element(By.TAG_NAME, "form").text
        no_sideways_scroll(browser, base + "/")

        seed_months(office)
        browser.get(base + "/")
        shown = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table tr")][1:]
        assert shown == ["2026-11 第66期 1 1 0 0 已退回（王主任） 0/0",  # newest first; 收稿 编入 需核对 未采用
                         "2026-10 第65期 1 1 0 0 已编排，未送审 0/0",  # no recipients list: 0/0 sent
                         "2026-09 第64期 2 2 0 0 已审核通过（王主任） 0/0"]
        assert browser.find_element(By.LINK_TEXT, "2026-12（未编排）").get_attribute("href") == f"{base}/m/2026-12"
        no_sideways_scroll(browser, base + "/")

        # /users: add an 编辑
        browser.get(base + "/users")
        browser.find_element(By.ID, "add-name").send_keys(CLERK)
        Select(browser.find_element(By.ID, "add-role")).select_by_visible_text("编辑")
        browser.find_element(By.ID, "add-password").send_keys(CLERK_PASSWORD)
        browser.find_element(By.ID, "add-password2").send_keys(CLERK_PASSWORD)
        submit(browser, browser.find_element(By.ID, "add-button"))
        assert browser.current_url == base + "/users"
        listed = [r.text.split()[:2] for r in browser.find_elements(By.CSS_SELECTOR, ".card table")[0]
                  .find_elements(By.CSS_SELECTOR, "tr")][1:]
        assert listed == [[ADMIN, "管理"], [CLERK, "编辑"]]
        assert accounts.login(ws, CLERK, CLERK_PASSWORD).role == "编辑"
        no_sideways_scroll(browser, base + "/users")

        # another session of the same 管理 (a second computer), and the browser's own cookie
        assert other.post("/login", data={"name": ADMIN, "password": ADMIN_PASSWORD,
                                          "csrf": tokens.csrf_token(ws, "login")}).status_code == 303
        assert other.get("/").status_code == 200
        old_cookie = browser.get_cookie(tokens.SESSION_COOKIE)["value"]

        # /password: change its own
        no_sideways_scroll(browser, base + "/password")
        browser.find_element(By.LINK_TEXT, "修改密码").click()  # the link in the nav
        assert browser.current_url == base + "/password"
        browser.find_element(By.ID, "current").send_keys(ADMIN_PASSWORD)
        browser.find_element(By.ID, "new").send_keys(NEW_PASSWORD)
        browser.find_element(By.ID, "new2").send_keys(NEW_PASSWORD)
        submit(browser, browser.find_element(By.ID, "change-password"))
        assert browser.current_url == base + "/login?changed=1"
        assert browser.find_element(By.ID, "notice").text == "密码已修改，请用新密码重新登录。"
        assert browser.get_cookie(tokens.SESSION_COOKIE) is None
        no_sideways_scroll(browser, base + "/login?changed=1")

        assert other.get("/").headers["location"] == "/login"  # the other computer's session ended
        stolen = httpx.Client(base_url=base, follow_redirects=False, cookies={tokens.SESSION_COOKIE: old_cookie})
        assert stolen.get("/").headers["location"] == "/login"  # and the old cookie opens nothing
        assert stolen.get("/users").headers["location"] == "/login"
        browser.get(base + "/")
        assert browser.current_url == base + "/login"

        log_in(browser, base, ADMIN, ADMIN_PASSWORD)
        assert browser.find_element(By.CSS_SELECTOR, "p.error").text == "账号或密码不对。"
        log_in(browser, base, ADMIN, NEW_PASSWORD)
        assert browser.current_url == base + "/"

        # /archive: the approved September issue holds 欠薪
        no_sideways_scroll(browser, base + "/archive")
        box = browser.find_element(By.NAME, "q")
        box.send_keys("欠薪")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/archive'] button"))
        found = browser.find_element(By.CSS_SELECTOR, ".card").text
        assert "找到 1 篇（只检索已审核通过并归档的各期）。" in found
        assert "第64期（2026年9月25日）区人社局：区人社局“三个到位”根治欠薪冬季攻坚" in found
        assert "区财政局" not in found.split("各期简报")[0]
        no_sideways_scroll(browser, browser.current_url)
        issues = [r.text for r in browser.find_elements(By.CSS_SELECTOR, ".card")[1].find_elements(By.CSS_SELECTOR, "tr")][1:]
        assert issues == ["2026-11 第66期 已退回 工作简报第66期.docx · PDF",
                          "2026-10 第65期 已编排，未送审 工作简报第65期.docx · PDF",
                          "2026-09 第64期 已签发 工作简报第64期.docx · PDF"]

        said = [(r.actor, r.action, r.details) for r in accounts.audit(ws) if "账号" in r.action or "密码" in r.action]
        assert said == [(ADMIN, "修改密码", ""), (ADMIN, "添加账号", f"{CLERK}（编辑）"), ("测试", "添加账号", f"{ADMIN}（管理）")]
    finally:
        other.close()
        web.should_exit = True
        thread.join(timeout=10)
