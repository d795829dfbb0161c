"""The review desk: FastAPI + Jinja2 templates (autoescaped), served by uvicorn (`bulletin serve`).

Doors: a reviewer's signed link (/r/<token>: that month, that reviewer, until it expires or the month is decided)
or the office login (BULLETIN_WEB_PASSWORD, a session cookie: HttpOnly, SameSite=Strict). Every POST carries a
CSRF token bound to the link or the session. Decisions go through bulletin.delivery.approval.decide on the
version the page showed (its sha256), then resume the month's waiting flow run like `bulletin approve`.
Everything from drafts, mail and settings is shown as escaped text; no path comes from a URL but a month,
which is checked, and a page number.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..core.errors import BulletinError
from ..core.ledger import Ledger
from ..core.workspace import Workspace, check_month
from ..delivery import approval
from ..delivery.status import MonthStatus, month_status
from ..delivery.waiting import resume_waiting_run
from ..intake.intake import STATUS_TEXT
from ..layout.pdfedition import after_approval
from ..layout.render import page_images
from . import tokens

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
WRONG_PASSWORD_DELAY = 1.0  # seconds: guessing the office password is slow
PAGES = "pages"  # ws.state_dir / pages / <sha256> / page-N.png


def version_text(status: MonthStatus) -> str:
    """"第64期，11月5日 09:12 编排的版本": the issue, then the version as MonthStatus names it."""
    return f"第{status.number}期，{status.version_text()}"


def create_app(root: Path) -> FastAPI:
    ws = Workspace.at(root)
    ws.settings  # a broken bulletin.toml stops `bulletin serve` at once, in Chinese
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
        context.setdefault("office", ws.settings.bulletin.office)
        response = TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self'; style-src 'self' 'unsafe-inline'"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def message(request: Request, text: str, status_code: int) -> HTMLResponse:
        return page(request, "message.html", status_code, text=text)

    def office_session(request: Request) -> str | None:
        return tokens.session_id(ws, request.cookies.get(tokens.SESSION_COOKIE))

    def month_of(text: str) -> str | None:
        try:
            return check_month(text)
        except BulletinError:
            return None

    # -- office login --------------------------------------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request):
        return page(request, "login.html", csrf=tokens.csrf_token(ws, "login"), error="")

    @app.post("/login")
    def login(request: Request, password: str = Form(""), csrf: str = Form("")):
        if not tokens.csrf_ok(ws, "login", csrf):
            return message(request, "请求无效（缺少或错误的表单校验码），请重新打开页面。", 403)
        if not tokens.password_ok(password):
            time.sleep(WRONG_PASSWORD_DELAY)
            return page(request, "login.html", 401, csrf=tokens.csrf_token(ws, "login"), error="密码不对。")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(tokens.SESSION_COOKIE, tokens.new_session(ws), max_age=tokens.SESSION_SECONDS,
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        session = office_session(request)
        if session and tokens.csrf_ok(ws, session, csrf):
            response = RedirectResponse("/login", status_code=303)
            response.delete_cookie(tokens.SESSION_COOKIE)
            return response
        return message(request, "请求无效。", 403)

    # -- office pages ----------------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def months(request: Request):
        session = office_session(request)
        if not session:
            return RedirectResponse("/login", status_code=303)
        with Ledger(ws.ledger_path) as ledger:
            known = list(reversed(ledger.compiled_months()))
        rows = [_month_row(ws, m) for m in known]
        return page(request, "months.html", rows=rows, csrf=tokens.csrf_token(ws, session))

    @app.get("/m/{month}", response_class=HTMLResponse)
    def month_page(request: Request, month: str):
        session = office_session(request)
        if not session:
            return RedirectResponse("/login", status_code=303)
        month = month_of(month)
        if month is None:
            return message(request, "没有这个月份。", 404)
        status = month_status(ws, month)
        if status.compile is None:
            return message(request, f"{month} 尚未编排。", 404)
        return page(request, "month.html", **_month_context(ws, status, f"/m/{month}"))

    @app.get("/m/{month}/page/{number}.png")
    def month_image(request: Request, month: str, number: int):
        if not office_session(request) or month_of(month) is None:
            return Response(status_code=403)
        return _image(ws, month, number)

    @app.get("/m/{month}/bulletin.{kind}")
    def month_file(request: Request, month: str, kind: str):
        if not office_session(request) or month_of(month) is None or kind not in ("docx", "pdf"):
            return Response(status_code=403)
        return _download(ws, month, kind)

    # -- a reviewer's link -----------------------------------------------------------------------------------------
    def link(token: str) -> tokens.ReviewLink:
        return tokens.read_review_token(ws, token)

    @app.get("/r/{token}", response_class=HTMLResponse)
    def review(request: Request, token: str):
        try:
            found = link(token)
        except tokens.LinkProblem as exc:
            return message(request, str(exc), 403)
        return _review_page(request, found, token)

    def _review_page(request: Request, found: tokens.ReviewLink, token: str, error: str = "",
                     status_code: int = 200) -> HTMLResponse:
        status = month_status(ws, found.month)
        if status.compile is None or status.file_sha256 is None:
            return message(request, f"{found.month} 的简报文件不存在，请联系办公室。", 404)
        decided = status.decision is not None and status.decision.sha256 == status.file_sha256
        context = _month_context(ws, status, f"/r/{token}")
        return page(request, "review.html", status_code, **context, reviewer=found.reviewer, token=token,
                    csrf=tokens.csrf_token(ws, token), changed=status.file_sha256 != found.sha256,
                    decided=decided, decision=status.decision, error=error)

    @app.get("/r/{token}/page/{number}.png")
    def review_image(token: str, number: int):
        try:
            found = link(token)
        except tokens.LinkProblem:
            return Response(status_code=403)
        return _image(ws, found.month, number)

    @app.get("/r/{token}/bulletin.{kind}")
    def review_file(token: str, kind: str):
        try:
            found = link(token)
        except tokens.LinkProblem:
            return Response(status_code=403)
        if kind not in ("docx", "pdf"):
            return Response(status_code=404)
        return _download(ws, found.month, kind)

    @app.post("/r/{token}", response_class=HTMLResponse)
    def decide(request: Request, token: str, action: str = Form(""), comment: str = Form(""),
               seen: str = Form(""), csrf: str = Form(""), confirm: str = Form("")):
        try:
            found = link(token)
        except tokens.LinkProblem as exc:
            return message(request, str(exc), 403)
        if not tokens.csrf_ok(ws, token, csrf):
            return message(request, "请求无效（缺少或错误的表单校验码），请重新打开审核链接。", 403)
        if action not in ("approve", "reject"):
            return _review_page(request, found, token, "请选择“审核通过”或“退回”。", 400)
        comment = comment.strip()
        if action == "reject" and not comment:
            return _review_page(request, found, token, "退回时请填写审核意见（退回原因）。", 400)
        status = month_status(ws, found.month)
        if status.decision is not None and status.decision.sha256 == status.file_sha256:
            return _review_page(request, found, token, "本期简报已有审核结果，无需再审。", 409)
        if seen != status.file_sha256:
            return _review_page(request, found, token, "您查看后文件又被修改过：下面是新版本，请重新审核。", 409)
        verdict = "审核通过" if action == "approve" else "退回"
        if confirm != "1":
            return page(request, "confirm.html", version=version_text(status), verdict=verdict, action=action,
                        comment=comment, seen=seen, csrf=csrf, token=token, month=found.month,
                        reviewer=found.reviewer)
        try:
            decision = approval.decide(ws, found.month, approved=action == "approve", by=found.reviewer,
                                       comment=comment, seen_sha256=seen)
        except approval.FileChanged:
            return _review_page(request, found, token, "您查看后文件又被修改过：下面是新版本，请重新审核。", 409)
        pdf_line = after_approval(ws, found.month, action == "approve", decision.sha256)
        resumed = resume_waiting_run(ws, found.month, action == "approve", found.reviewer, comment, seen)
        return page(request, "done.html", summary=decision.summary(), resumed=" ".join(filter(None, [pdf_line, resumed or ""])),
                    version=version_text(status), verdict=verdict)

    return app


def _month_row(ws: Workspace, month: str) -> dict:
    status = month_status(ws, month)
    counts = status.draft_counts()
    return {"month": month, "number": status.number, "counts": counts, "received": sum(counts.values()),
            "state": _state(status),
            "sent": _sent(status), "recipients": len(status.recipients)}


def _state(status: MonthStatus) -> str:
    d = status.decision
    if status.approved:
        return f"已审核通过（{d.reviewer}）"
    if d is not None and not d.approved and d.sha256 == status.file_sha256:
        return f"已退回（{d.reviewer}）"
    return "审核中" if status.in_review else "已编排，未送审"


def _sent(status: MonthStatus) -> int:
    return sum(1 for r in status.deliveries.values() if r.status == "sent" and r.sha256 == status.file_sha256)


def _month_context(ws: Workspace, status: MonthStatus, base: str) -> dict:
    drafts = [{"file": d.get("file", ""), "column": d.get("column", ""), "unit": d.get("unit", ""),
               "title": d.get("title", ""), "status": STATUS_TEXT.get(d.get("status", ""), d.get("status", "")),
               "reason": d.get("reason", "")} for d in status.compile.drafts]
    try:
        pages = len(page_images(Path(status.compile.path), ws.state_dir / PAGES))
        preview_error = ""
    except BulletinError as exc:
        pages, preview_error = 0, str(exc)
    notices = _notices(ws, status.month)
    recipients = [{"list": r.list_name, "name": r.name, "email": r.email,
                   "state": _delivery_state(status, r.email)} for r in status.recipients]
    return {"month": status.month, "number": status.number, "version": version_text(status),
            "seen": status.file_sha256, "file_name": Path(status.compile.path).name, "drafts": drafts,
            "pages": pages, "preview_error": preview_error, "base": base, "recipients": recipients,
            "state": _state(status), "sent": _sent(status), "notices": notices}


def _notices(ws: Workspace, month: str) -> list[dict]:
    """The month's notice sheet as the compile read it (rows only; its problems are in the intake report)."""
    from ..intake.notices import read_notices
    from ..intake.roster import Roster

    try:
        sheet = read_notices(ws.month_inputs(month), Roster.load(ws.roster_path))
    except BulletinError:
        return []
    return [{"unit": r.unit, "matter": r.matter, "category": r.category, "remark": r.remark} for r in sheet.rows]


def _delivery_state(status: MonthStatus, email: str) -> str:
    record = status.deliveries.get(email.lower()) or status.deliveries.get(email)
    if record is None:
        return "未发送"
    return {"sent": "已发送", "failed": f"失败：{record.error}", "sending": "发送中"}.get(record.status, record.status)


def _image(ws: Workspace, month: str, number: int) -> Response:
    status = month_status(ws, month)
    if status.compile is None or number < 1:
        return Response(status_code=404)
    try:
        pages = page_images(Path(status.compile.path), ws.state_dir / PAGES)
    except BulletinError:
        return Response(status_code=404)
    if number > len(pages):
        return Response(status_code=404)
    return FileResponse(pages[number - 1], media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


def _download(ws: Workspace, month: str, kind: str) -> Response:
    status = month_status(ws, month)
    if status.compile is None or status.file_sha256 is None:
        return Response(status_code=404)
    path = Path(status.compile.path)
    if kind == "docx":
        return FileResponse(path, filename=path.name,
                            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    try:
        page_images(path, ws.state_dir / PAGES)
    except BulletinError:
        return Response(status_code=404)
    return FileResponse(ws.state_dir / PAGES / status.file_sha256 / "bulletin.pdf", filename=f"{path.stem}.pdf",
                        media_type="application/pdf")
