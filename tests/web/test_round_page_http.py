"""The workbench's 督查 round page (issue 24) through plain HTTP, as curl would drive it: the seed round (78 tasks,
31 units) from an empty round folder — upload 任务.xlsx, split and mail (aiosmtpd), upload the sheets three units
sent back (one unit twice with different answers: a conflict, both files named), merge, write the 专报, 送审,
approve as a 审核 account, send. The series' ledger, the files and the mails are then checked as the CLI tests
(tests/supervision/test_supervision_delivery.py) check them. Roles, CSRF and hostile text in a returned sheet are
tried on the same round; an .xls that cannot be converted is shown as 无法读取, never as 尚未反馈."""

from __future__ import annotations

import re
import time

import pytest
import supervision_seed
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from round_page_kit import (
    CHECKER,
    CHECKER_PASSWORD,
    CLERK,
    CLERK_PASSWORD,
    HOSTILE,
    NO_ADDRESS,
    PAGE,
    ROUND,
    STAMP,
    XLSX,
    address_of,
    attachment_of,
    filled,
    make_office,
)
from supervision_kit import ROUND_MONTH
from workbench_kit import csrf_of

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.office import accounts
from bulletin.web import tokens
from bulletin.web.app import create_app

pytestmark = [pytest.mark.slow, pytest.mark.smtp, pytest.mark.libreoffice]


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr("bulletin.web.app.WRONG_PASSWORD_DELAY", 0)


def login(client, ws, name, password):
    answer = client.post("/login", data={"name": name, "password": password,
                                         "csrf": tokens.csrf_token(ws, "login")}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def post(client, path, data=None, files=None, **kwargs):
    csrf = csrf_of(client.get(PAGE).text)
    return client.post(path, data={"csrf": csrf, **(data or {})}, files=files, **kwargs)


def wait_job(client, timeout=180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"{PAGE}/job").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.3)
    raise AssertionError("the round's job did not finish")


def receipt_of(html: str) -> list[str]:
    found = re.search(r'<div class="receipt" id="receipt">(.*?)</div>', html, re.S)
    return found.group(1).strip().splitlines() if found else []


def unit_row(html: str, unit: str) -> str:
    """The units table's row of `unit`, tags removed, whitespace folded."""
    row = re.search(rf'<tr id="unit-\d+" data-unit="{re.escape(unit)}">(.*?)</tr>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"</?span>", "", row)).split())  # a span is inline


def test_a_round_through_plain_http(tmp_path, smtp_server, fast):
    server = smtp_server()
    ws, task_bytes = make_office(tmp_path / "office", server.port)
    clerk = login(TestClient(create_app(ws.root)), ws, CLERK, CLERK_PASSWORD)
    checker = login(TestClient(create_app(ws.root)), ws, CHECKER, CHECKER_PASSWORD)
    round_dir = ws.root / "inputs" / "督查" / ROUND_MONTH
    outputs = ws.root / "outputs" / "督查专报" / ROUND_MONTH

    assert clerk.get("/d", follow_redirects=False).headers["location"] == PAGE  # the one round folder
    page = clerk.get(PAGE)
    assert page.status_code == 200 and "本轮还没有任务清单" in page.text

    # a 审核 account cannot upload; no CSRF token, no upload; nothing is written either time
    sheet = [("sheet", ("任务.xlsx", task_bytes, XLSX))]
    refused = post(checker, f"{PAGE}/tasks", files=sheet)
    assert refused.status_code == 403 and "您的角色（审核）不能进行此操作。" in refused.text
    no_token = clerk.post(f"{PAGE}/tasks", files=sheet)
    assert no_token.status_code == 403 and "缺少或错误的表单校验码" in no_token.text
    assert not (round_dir / "任务.xlsx").exists()

    # a macro workbook is refused; the task list is read against the roster, then kept
    macro = post(clerk, f"{PAGE}/tasks", files=[("sheet", ("任务.xlsm", task_bytes, XLSX))])
    assert receipt_of(macro.text) == ["已保存 0 份，未保存 1 份。",
                                      "✗ 任务.xlsm：含宏的表格（.xlsm）不予接收：请在 Excel/WPS 中另存为 .xlsx 后上传"]
    kept = post(clerk, f"{PAGE}/tasks", files=sheet)
    assert receipt_of(kept.text) == ["已保存 1 份，未保存 0 份。", "✓ 任务.xlsx → inputs/督查/2020-09/任务.xlsx（78 项任务）"]
    assert (round_dir / "任务.xlsx").read_bytes() == task_bytes
    assert "共 78 项任务、31 个责任单位" in kept.text
    assert unit_row(kept.text, "区投促局") == "区投促局 11 未拆分 尚未反馈"
    assert unit_row(kept.text, NO_ADDRESS) == f"{NO_ADDRESS} 1 未拆分 无邮箱 尚未反馈"

    # split and mail in the background: 30 units by mail, 区旧改办 has no address
    assert post(clerk, f"{PAGE}/split", {"due": "2020-09-25", "mail": "1"}, follow_redirects=False).status_code == 303
    state = wait_job(clerk)
    assert state["state"] == "done", state
    assert "已为 31 个责任单位生成任务表" in state["message"]
    assert "本次发给 30 个单位（32 个邮箱），此前已发给 0 个单位" in state["message"]
    assert "未发送：区旧改办" in state["message"]
    assert len(server.messages) == 30
    assert len(list((outputs / "分发").glob("*.xlsx"))) == 31
    page = clerk.get(PAGE).text
    assert unit_row(page, NO_ADDRESS) == f"{NO_ADDRESS} 1 已生成 无邮箱 尚未反馈"
    row = unit_row(page, "区卫生健康委")
    assert re.fullmatch(rf"区卫生健康委 5 已生成 已发送 {address_of('区卫生健康委')}（\d{{4}}-\d\d-\d\d \d\d:\d\d）"
                        r" 尚未反馈", row), row

    # returned sheets, as the units answered them: 区卫生健康委 as the seed; 区金融办 with hostile text; 区投促局
    # twice, the second changing task 14's answer; plus a file that is not ours and a macro workbook
    got = tmp_path / "mail"
    got.mkdir()
    health = filled(attachment_of(server, "区卫生健康委", got), got / "卫健委回复.xlsx")
    finance = filled(attachment_of(server, "区金融办", got), got / "金融办.xlsx", t11=("推进中", HOSTILE))
    promo = attachment_of(server, "区投促局", got)
    first = filled(promo, got / "投促局.xlsx")
    second = filled(promo, got / "投促局-改.xlsx", t14=("已完成", "已全部完成。"))
    stranger = supervision_seed.write_task_list(got / "别的表.xlsx", supervision_seed.seed_tasks()[:2]).read_bytes()
    files = [("files", ("卫健委回复.xlsx", health, XLSX)), ("files", ("金融办.xlsx", finance, XLSX)),
             ("files", ("投促局.xlsx", first, XLSX)), ("files", ("别的表.xlsx", stranger, XLSX)),
             ("files", ("宏.xlsm", health, XLSX))]
    answer = post(clerk, f"{PAGE}/returns", files=files)
    assert receipt_of(answer.text) == [
        "已保存 3 份，未保存 2 份。",
        "✓ 卫健委回复.xlsx → 反馈/卫健委回复.xlsx", "✓ 金融办.xlsx → 反馈/金融办.xlsx", "✓ 投促局.xlsx → 反馈/投促局.xlsx",
        "✗ 别的表.xlsx：不是本系统分发的任务表（没有识别标记），未保存",
        "✗ 宏.xlsm：含宏的表格（.xlsm）不予接收：请使用办公室发出的 .xlsx 表格"]
    again = post(clerk, f"{PAGE}/returns", files=[("files", ("投促局.xlsx", second, XLSX)),
                                                   ("files", ("重发.xlsx", health, XLSX))])
    assert receipt_of(again.text) == [
        "已保存 1 份，未保存 0 份，已有相同文件 1 份。",
        "✓ 投促局.xlsx → 反馈/投促局（2）.xlsx", "＝ 重发.xlsx：与已有的《卫健委回复.xlsx》相同，未重复保存"]
    assert sorted(p.name for p in (round_dir / "反馈").iterdir()) == [
        "卫健委回复.xlsx", "投促局.xlsx", "投促局（2）.xlsx", "金融办.xlsx"]
    assert (round_dir / "反馈" / "投促局（2）.xlsx").read_bytes() == second

    page = clerk.get(PAGE).text
    assert re.search(r'id="count-answered">2<', page) and re.search(r'id="count-conflict">1<', page)
    assert re.search(r'id="count-not_yet">28<', page) and re.search(r'id="count-unreadable">0<', page)
    assert re.fullmatch(rf"区卫生健康委 5 已生成 已发送 {address_of('区卫生健康委')}（{STAMP}） 已反馈 {STAMP} 卫健委回复\.xlsx",
                        unit_row(page, "区卫生健康委"))
    conflict = unit_row(page, "区投促局")
    assert conflict.startswith("区投促局 11 已生成 已发送") and " 有冲突 " in conflict
    assert "投促局.xlsx 投促局（2）.xlsx 区投促局 有 2 份不同的反馈表（“投促局.xlsx”与“投促局（2）.xlsx”）：" \
           "第14项的回答不一致，这几项暂不采用任何一份；请核实后从 反馈/ 中删去不用的一份，再汇总。" in conflict
    assert unit_row(page, "区民政局").endswith(" 尚未反馈")
    # hostile text from a unit's sheet is shown as text, never as markup or a template expression
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;{{ 7*7 }}" in page
    assert "<script>alert" not in page and "49" not in re.search(r'id="task-11">(.*?)</tr>', page, re.S).group(1)

    # merge, then the report (with its page images) in the background
    post(clerk, f"{PAGE}/merge", follow_redirects=False)
    state = wait_job(clerk)
    assert state["state"] == "done", state
    assert state["message"].startswith("督查专报/2020-09：已收到 3 个单位的反馈，未反馈 28 个单位；汇总表："
                                       "outputs/督查专报/2020-09/汇总.xlsx（已更新）")
    merged = load_workbook(outputs / "汇总.xlsx").active
    by_number = {r[0]: r for r in merged.iter_rows(min_row=2, values_only=True)}
    assert by_number[11][6:8] == ("推进中", HOSTILE)  # 区金融办's task alone, its text kept as written
    assert by_number[14][6:8] == (None, None)  # 区投促局's two answers differ on 14: neither is used
    assert post(clerk, f"{PAGE}/decide", {"action": "approve"}).status_code == 403  # an 编辑 cannot approve
    post(clerk, f"{PAGE}/report", {"day": "2020-10-09"}, follow_redirects=False)
    state = wait_job(clerk)
    assert state["state"] == "done", state
    report = outputs / "督查专报第1期.docx"
    assert state["message"].startswith("已生成 outputs/督查专报/2020-09/督查专报第1期.docx（第1期")
    assert re.search(r"页面图 \d+ 页。", state["message"]), state["message"]
    page = clerk.get(PAGE).text
    assert "第1期，" in page and 'id="page-1"' in page
    image = clerk.get(f"{PAGE}/page/1.png")
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert clerk.get(f"{PAGE}/file/docx").content == report.read_bytes()

    # 送审 (one mail to 李四), 李四 approves on the page through the same decide path, the clerk sends
    answer = post(clerk, f"{PAGE}/review")
    assert answer.status_code == 200, answer.text
    review_mails = [m for m in server.messages if "lisi@qyp.gov.cn" in m.rcpt_tos]
    assert len(review_mails) == 1 and next(review_mails[0].message.iter_attachments()).get_content() == report.read_bytes()
    assert post(checker, f"{PAGE}/send").status_code == 403  # a 审核 account cannot send
    seen = re.search(r'name="seen" value="([0-9a-f]{64})"', checker.get(PAGE).text).group(1)
    assert seen == sha256_file(report)
    decided = post(checker, f"{PAGE}/decide", {"action": "approve", "seen": seen, "comment": "同意印发"})
    assert decided.status_code == 200, decided.text
    assert "已发送 0/3" in decided.text
    before = len(server.messages)
    sent = post(clerk, f"{PAGE}/send")
    assert sent.status_code == 200, sent.text
    assert sorted(r for m in server.messages[before:] for r in m.rcpt_tos) == [
        "ducha@qyp.gov.cn", "fuquzhang@qyp.gov.cn", "quzhang@qyp.gov.cn"]
    message = server.messages[before].message
    assert message["Subject"] == "督查专报 第1期（2020年10月9日）"
    assert next(message.iter_attachments()).get_content() == report.read_bytes()
    assert "已发送 3/3" in clerk.get(PAGE).text

    # the series' ledger has the issue, the decision and the deliveries; the bulletin's ledger has none of them
    with Ledger(ws.root / ".bulletin" / "ledger-督查专报.sqlite3") as ledger:
        assert ledger.assigned_number(ROUND_MONTH) == 1
        decision = ledger.latest_decision(ROUND_MONTH)
        assert (decision.reviewer, decision.approved, decision.sha256) == (CHECKER, True, seen)
        assert sorted(ledger.deliveries(ROUND_MONTH)) == ["ducha@qyp.gov.cn", "fuquzhang@qyp.gov.cn",
                                                          "quzhang@qyp.gov.cn"]
        assert {r.status for r in ledger.deliveries(ROUND_MONTH, "tasks:区卫生健康委").values()} == {"sent"}
    with Ledger(ws.root / ".bulletin" / "ledger.sqlite3") as ledger:
        assert ledger.assigned_number(ROUND_MONTH) is None and ledger.deliveries(ROUND_MONTH) == {}

    # every action is in the round's audit table, with who did it
    rows = [(a.actor, a.action) for a in reversed(accounts.audit(ws, ROUND, 100)) if a.month == ROUND]
    assert rows == [
        (CLERK, "上传任务清单"), (CLERK, "上传任务清单"), (CLERK, "开始拆分并发送任务表"), (CLERK, "拆分并发送任务表完成"),
        (CLERK, "上传反馈表"), (CLERK, "上传反馈表"), (CLERK, "开始汇总反馈表"), (CLERK, "汇总反馈表完成"),
        (CLERK, "开始生成督查专报"), (CLERK, "生成督查专报完成"), (CLERK, "送审"), (CHECKER, "审核通过"),
        (CLERK, "发送简报")]
    assert accounts.audit(ws, ROUND_MONTH, 100) == [a for a in accounts.audit(ws, ROUND_MONTH, 100) if a.month == ""]
    assert "发送简报" in clerk.get(PAGE).text and "上传反馈表" in clerk.get(PAGE).text


def test_an_xls_that_cannot_be_read_is_shown_as_unreadable_not_silent(tmp_path, fast, monkeypatch):
    from bulletin.core.errors import BulletinError
    from bulletin.office import tasks

    ws, task_bytes = make_office(tmp_path / "office", None)
    clerk = login(TestClient(create_app(ws.root)), ws, CLERK, CLERK_PASSWORD)
    post(clerk, f"{PAGE}/tasks", files=[("sheet", ("任务.xlsx", task_bytes, XLSX))])
    job = tasks.start_split(tasks.round_of(ws, ROUND_MONTH), CLERK, send=True, wait=True)  # no [smtp]: the outbox
    assert job.state == "done" and "本次发给 30 个单位（32 个邮箱）" in job.message

    def no_libreoffice(*args, **kwargs):
        raise BulletinError("未找到 LibreOffice（soffice）")

    monkeypatch.setattr("bulletin.layout.render.convert", no_libreoffice)
    # an Excel 97-2003 file: the OLE2 magic, then the sheet's first row as an .xls holds it (UTF-16)
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "区民政局：以下是贵单位".encode("utf-16-le")
    answer = post(clerk, f"{PAGE}/returns", files=[("files", ("民政局.xls", xls, "application/vnd.ms-excel")),
                                                    ("files", ("假的.xls", b"PK\x03\x04 not ole", "application/vnd.ms-excel"))])
    assert receipt_of(answer.text) == ["已保存 1 份，未保存 1 份。", "✓ 民政局.xls → 反馈/民政局.xls",
                                       "✗ 假的.xls：不是 Excel 97-2003（.xls）文件，未保存"]
    row = unit_row(answer.text, "区民政局")
    assert row.startswith("区民政局 ") and " 无法读取 " in row
    assert "民政局.xls 是 .xls 格式，本机无法转换（未找到 LibreOffice（soffice））" in row
    assert re.search(r'id="count-unreadable">1<', answer.text) and re.search(r'id="count-not_yet">30<', answer.text)
    # the outbox: the mail is an .eml file, said so (no server has it yet)
    assert re.fullmatch(rf"区卫生健康委 5 已生成 已写入待发邮件（未配置 SMTP） {address_of('区卫生健康委')}（{STAMP}） 尚未反馈",
                        unit_row(answer.text, "区卫生健康委"))
    assert len(list((ws.root / "outputs" / "督查专报" / ROUND_MONTH / "outbox").rglob("*.eml"))) == 32
    assert unit_row(answer.text, NO_ADDRESS) == f"{NO_ADDRESS} 1 已生成 无邮箱 尚未反馈"


def test_the_reports_reviewer_decides_through_a_link_to_the_desk(tmp_path, smtp_server, fast):
    """With the review desk ([web]), the 专报's review mail opens with a personal link as the bulletin's does; the
    link names the series, so the desk shows and decides the 专报 in the series' ledger, not a bulletin month."""
    from datetime import date

    from smtp_server import free_port
    from supervision_kit import SILENT_UNIT, answer_all

    from bulletin.office import tasks

    server = smtp_server()
    port = free_port()
    ws, task_bytes = make_office(tmp_path / "office", server.port)
    with open(ws.root / "bulletin.toml", "a", encoding="utf-8") as handle:
        handle.write(f'\n[web]\nbase_url = "http://127.0.0.1:{port}"\n')
    (ws.root / "inputs" / "督查" / ROUND_MONTH / "任务.xlsx").write_bytes(task_bytes)
    rnd = tasks.round_of(ws, ROUND_MONTH)
    tasks.split(rnd)
    answer_all(rnd, silent={SILENT_UNIT})
    tasks.merge(rnd)
    made = tasks.report(rnd, date(2020, 10, 9))
    clerk = login(TestClient(create_app(ws.root)), ws, CLERK, CLERK_PASSWORD)
    assert "本次发送 1 位" in post(clerk, f"{PAGE}/review").text
    (mail,) = [m for m in server.messages if "lisi@qyp.gov.cn" in m.rcpt_tos]
    body = mail.message.get_body(("plain",)).get_content()
    (url,) = re.findall(rf"http://127\.0\.0\.1:{port}(/r/\S+)", body)
    reviewer = TestClient(create_app(ws.root))
    shown = reviewer.get(url)
    assert shown.status_code == 200 and "第1期" in shown.text and made.path.name in shown.text
    token = url.removeprefix("/r/")
    form = {"action": "approve", "seen": made.sha256, "csrf": tokens.csrf_token(ws, token), "confirm": "1"}
    done = reviewer.post(url, data=form)
    assert done.status_code == 200 and "审核通过" in done.text, done.text
    with Ledger(ws.root / ".bulletin" / "ledger-督查专报.sqlite3") as ledger:
        decision = ledger.latest_decision(ROUND_MONTH)
        assert (decision.reviewer, decision.approved, decision.sha256, decision.step) == (  # the name the
            CHECKER, True, made.sha256, "签发")  # settings give the link's address (office.decide)
    with Ledger(ws.root / ".bulletin" / "ledger.sqlite3") as ledger:
        assert ledger.latest_decision(ROUND_MONTH) is None
    assert [(a.actor, a.action) for a in accounts.audit(ws, ROUND, 5) if a.month == ROUND][:2] == [
        ("lisi@qyp.gov.cn", "审核通过"), (CLERK, "送审")]
    assert reviewer.post(f"{PAGE}/tasks", data={"csrf": form["csrf"]}).status_code == 403  # a link opens no session


def test_no_series_configured_and_bad_paths_are_answered_in_chinese_never_a_500(tmp_path, fast):
    from workspace_kit import make_workspace

    ws = make_workspace(tmp_path / "plain").ws  # no [series.督查专报]
    accounts.add_user(ws, CLERK, accounts.EDITOR, CLERK_PASSWORD, actor="测试")
    client = TestClient(create_app(ws.root), raise_server_exceptions=False)
    assert client.get(PAGE, follow_redirects=False).headers["location"] == "/login"  # no session, no page
    assert client.get(f"{PAGE}/file/docx").status_code == 403
    login(client, ws, CLERK, CLERK_PASSWORD)
    page = client.get(PAGE)
    assert page.status_code == 200 and "bulletin.toml 中没有 [series.督查专报] 配置节" in page.text
    assert client.get("/d/2020-13").status_code == 404
    for path in (f"{PAGE}/job", f"{PAGE}/page/1.png", f"{PAGE}/file/docx", f"{PAGE}/file/merged"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"{PAGE}/file/..%2F..%2Fbulletin.toml").status_code in (403, 404)
    refused = client.post(f"{PAGE}/merge", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 400 and "bulletin.toml 中没有 [series.督查专报] 配置节" in refused.text
