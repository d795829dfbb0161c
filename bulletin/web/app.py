"""The review desk: FastAPI + Jinja2 templates (autoescaped), served by uvicorn (`bulletin serve`).

Doors: a reviewer's signed link (/r/<token>: that month, that reviewer, until it expires or the month is decided)
or the office login (BULLETIN_WEB_PASSWORD, a session cookie: HttpOnly, SameSite=Strict). Every POST carries a
CSRF token bound to the link or the session. Decisions go through bulletin.office.decide on the version the
page showed (its sha256): the same path as `bulletin approve` (PDF edition, the waiting flow run resumed through
the `resume` the command line hands to create_app).
Everything from drafts, mail and settings is shown as escaped text; no path comes from a URL but a month,
which is checked, and a page number.

The doors held shut (issue 22 items 7-10): login attempts limited per client address and for the account
(attempts.py, the wait said in Chinese, each failure logged with the address and never the password);
sessions kept on the server (sessions.py: revoked at logout and when BULLETIN_WEB_PASSWORD changes); the
cookie Secure whenever [web] base_url is https (the reverse proxy may speak plain http to us); a secret file
that is empty or short answers 503, never signs; one decision per version on the desk, checked inside the
decision's transaction (office.decide once_per_version); one LibreOffice per version (layout/render lock).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..core.errors import BulletinError
from ..core.month import Month
from ..core.secret import SecretProblem
from ..core.vocabulary import DraftStatus, ReviewState, SendState
from ..core.workspace import Workspace, current_month
from ..office import accounts, links
from ..office.workbench import months as workbench_months
from ..office.decide import AlreadyDecided, FileChanged, Resumer, decide as decide_month
from ..office.status import MonthStatus, compiled_months, notice_rows, pages, preview_pdf
from ..office.status import status as month_status
from . import tokens
from .attempts import LoginAttempts, wait_text
from .sessions import Sessions
from .rounds import RoundDesk
from .workbench import Workbench

log = logging.getLogger("bulletin.web")
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
WRONG_PASSWORD_DELAY = 1.0  # seconds, awaited (no worker thread is held): guessing is slow
ALREADY_DECIDED = "本期简报已有审核结果，无需再审。"


def version_text(status: MonthStatus) -> str:
    """"第64期，11月5日 09:12 编排的版本": the issue, then the version as MonthStatus names it."""
    return f"第{status.number}期，{status.version_text()}"


def create_app(root: Path, resume: Resumer | None = None) -> FastAPI:
    """The desk for the workspace at `root`; `resume` hands decisions to a waiting flow run (office.decide)."""
    ws = Workspace.at(root)
    ws.settings  # a broken bulletin.toml stops `bulletin serve` at once, in Chinese
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    sessions = Sessions(ws)
    attempts = LoginAttempts()
    web = ws.settings.web
    https_desk = web is not None and str(web.base_url).startswith("https://")

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
        found = office_user(request)
        return found[0] if found else None

    def office_user(request: Request) -> tuple[str, accounts.User] | None:
        """(session id, account) of the request's live session; the BULLETIN_WEB_PASSWORD login is the account
        办公室 with the role 管理 (issue 24: named accounts; the shared password kept as the older door)."""
        found = sessions.identify(request.cookies.get(tokens.SESSION_COOKIE))
        if found is None:
            return None
        key, name = found
        if not name:
            return key, accounts.User(accounts.FALLBACK_ACCOUNT, accounts.ADMIN)
        user = accounts.find_user(ws, name)
        return (key, user) if user else None

    def client_address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    @app.exception_handler(SecretProblem)
    def broken_secret(request: Request, exc: SecretProblem):
        log.error("web secret unusable: %s", exc.__class__.__name__)
        return message(request, str(exc), 503)

    def month_of(text: str) -> Month | None:
        try:
            return Month(text)
        except BulletinError:
            return None

    # -- office login --------------------------------------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, changed: str = ""):
        notice = "密码已修改，请用新密码重新登录。" if changed == "1" else ""  # after /password: a fixed text, never the URL's
        return page(request, "login.html", csrf=tokens.csrf_token(ws, "login"), error="", notice=notice)

    @app.post("/login")
    async def login(request: Request, password: str = Form(""), csrf: str = Form(""), name: str = Form("")):
        # async: the delay below is awaited, so a burst of guesses holds no thread of the pool
        if not tokens.csrf_ok(ws, "login", csrf):
            return message(request, "请求无效（缺少或错误的表单校验码），请重新打开页面。", 403)
        address = client_address(request)
        wait = attempts.take(address, name)
        if wait:
            log.warning("office login: too many attempts from %s, refused for %d s", address, wait)
            refused = page(request, "login.html", 429, csrf=tokens.csrf_token(ws, "login"), error=wait_text(wait))
            refused.headers["Retry-After"] = str(wait)
            return refused
        name = name.strip()
        if name:  # a named account (issue 24): scrypt in a worker thread, the event loop stays free
            user = await asyncio.to_thread(accounts.login, ws, name, password)
            ok = user is not None
        else:
            user, ok = accounts.User(accounts.FALLBACK_ACCOUNT, accounts.ADMIN), tokens.password_ok(password)
        if not ok:
            log.warning("office login: wrong password from %s", address)
            await asyncio.sleep(WRONG_PASSWORD_DELAY)
            return page(request, "login.html", 401, csrf=tokens.csrf_token(ws, "login"),
                        error="账号或密码不对。" if name else "密码不对。")
        attempts.succeeded(address)
        log.info("office login from %s", address)
        accounts.record(ws, user.name, user.role, "登录", "", address)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(tokens.SESSION_COOKIE, sessions.open(name), max_age=tokens.SESSION_SECONDS,
                            httponly=True, samesite="strict", secure=https_desk or request.url.scheme == "https")
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        found = office_user(request)
        session = found[0] if found else None
        if session and tokens.csrf_ok(ws, session, csrf):
            sessions.close(request.cookies.get(tokens.SESSION_COOKIE))
            accounts.record(ws, found[1].name, found[1].role, "退出")
            response = RedirectResponse("/login", status_code=303)
            response.delete_cookie(tokens.SESSION_COOKIE, httponly=True, samesite="strict",
                                   secure=https_desk or request.url.scheme == "https")
            return response
        return message(request, "请求无效。", 403)

    # -- office pages ----------------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def months(request: Request):
        session = office_session(request)
        if not session:
            return RedirectResponse("/login", status_code=303)
        rows = [_month_row(ws, m) for m in compiled_months(ws)]
        _, user = office_user(request)
        others = [m for m in workbench_months(ws) if m not in {r["month"] for r in rows}]  # folders not compiled
        return page(request, "months.html", rows=rows, csrf=tokens.csrf_token(ws, session), user=user,
                    others=others, current=current_month())

    @app.get("/m/{month}", response_class=HTMLResponse)
    def month_page(request: Request, month: str):
        session = office_session(request)
        if not session:
            return RedirectResponse("/login", status_code=303)
        month = month_of(month)
        if month is None:
            return message(request, "没有这个月份。", 404)
        return workbench.month_page(request, month, *office_user(request))

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
    def link(token: str) -> links.ReviewLink:
        found = links.read_review_token(ws, token)
        if found.series:  # a series' issue (the 督查专报, web/rounds.py): its own ledger, the same desk
            try:
                ws.for_series(found.series)
            except BulletinError:
                raise links.LinkProblem("审核链接无效：请使用送审邮件中的完整链接。") from None
        return found

    def of(found: links.ReviewLink) -> Workspace:
        """The workspace as the link's publication sees it (the bulletin, or its series)."""
        return ws.for_series(found.series) if found.series else ws

    @app.get("/r/{token}", response_class=HTMLResponse)
    def review(request: Request, token: str):
        try:
            found = link(token)
        except links.LinkProblem as exc:
            return message(request, str(exc), 403)
        return _review_page(request, found, token)

    def _review_page(request: Request, found: links.ReviewLink, token: str, error: str = "",
                     status_code: int = 200) -> HTMLResponse:
        status = month_status(of(found), found.month)
        if status.compile is None or status.file_sha256 is None:
            return message(request, f"{found.month} 的简报文件不存在，请联系办公室。", 404)
        decided = status.decided_at_step(found.step) is not None  # this link's review step (issue 26)
        context = _month_context(of(found), status, f"/r/{token}")
        return page(request, "review.html", status_code, **context, reviewer=found.reviewer, token=token,
                    csrf=tokens.csrf_token(ws, token), changed=status.file_sha256 != found.sha256,
                    replaced=_replaced_text(status, found), decided=decided, decision=status.decision, error=error)

    @app.get("/r/{token}/page/{number}.png")
    def review_image(token: str, number: int):
        try:
            found = link(token)
        except links.LinkProblem:
            return Response(status_code=403)
        return _image(of(found), found.month, number)

    @app.get("/r/{token}/bulletin.{kind}")
    def review_file(token: str, kind: str):
        try:
            found = link(token)
        except links.LinkProblem:
            return Response(status_code=403)
        if kind not in ("docx", "pdf"):
            return Response(status_code=404)
        return _download(of(found), found.month, kind)

    @app.post("/r/{token}", response_class=HTMLResponse)
    def decide(request: Request, token: str, action: str = Form(""), comment: str = Form(""),
               seen: str = Form(""), csrf: str = Form(""), confirm: str = Form("")):
        try:
            found = link(token)
        except links.LinkProblem as exc:
            return message(request, str(exc), 403)
        if not tokens.csrf_ok(ws, token, csrf):
            return message(request, "请求无效（缺少或错误的表单校验码），请重新打开审核链接。", 403)
        if action not in ("approve", "reject"):
            return _review_page(request, found, token, "请选择“审核通过”或“退回”。", 400)
        comment = comment.strip()
        if action == "reject" and not comment:
            return _review_page(request, found, token, "退回时请填写审核意见（退回原因）。", 400)
        status = month_status(of(found), found.month)
        if status.decided_at_step(found.step) is not None:
            return _review_page(request, found, token, ALREADY_DECIDED, 409)
        if seen != status.file_sha256:
            return _review_page(request, found, token, "您查看后文件又被修改过：下面是新版本，请重新审核。", 409)
        verdict = "审核通过" if action == "approve" else "退回"
        if confirm != "1":
            return page(request, "confirm.html", version=version_text(status), verdict=verdict, action=action,
                        comment=comment, seen=seen, csrf=csrf, token=token, month=found.month,
                        reviewer=found.reviewer)
        try:
            decided = decide_month(of(found), Month(found.month), approved=action == "approve", by=found.reviewer,
                                   comment=comment, seen_sha256=seen, resume=resume, once_per_version=True,
                                   step=found.step or None)
        except AlreadyDecided:  # another reviewer's decision on this version came first (same transaction)
            return _review_page(request, found, token, ALREADY_DECIDED, 409)
        except FileChanged:
            return _review_page(request, found, token, "您查看后文件又被修改过：下面是新版本，请重新审核。", 409)
        except BulletinError as exc:  # review chain (issue 26): not this step's member, or the step not open yet
            return _review_page(request, found, token, str(exc), 403)
        accounts.record(ws, found.reviewer, "审核人（链接）", "审核通过" if decided.decision.approved else "退回",
                        f"{found.series}/{found.month}" if found.series else found.month, f"{found.step or '审核'}：{decided.decision.comment}".rstrip("："))
        return page(request, "done.html", summary=decided.decision.summary(),
                    resumed=" ".join(filter(None, [decided.pdf_line, decided.resumed])),
                    version=version_text(status), verdict=verdict)

    workbench = Workbench(app, ws, page, message, office_user, resume, attempts)  # /password shares the limits
    RoundDesk(app, ws, workbench)  # the 督查 round page (/d/<month>), through the workbench's one POST check
    return app


def _month_row(ws: Workspace, month: str) -> dict:
    status = month_status(ws, month)
    counts = status.draft_counts()
    return {"month": month, "number": status.number, "counts": counts, "received": sum(counts.values()),
            "state": _state(status),
            "sent": _sent(status), "recipients": len(status.recipients)}


def _state(status: MonthStatus) -> str:
    state = status.review_state
    if state in (ReviewState.APPROVED, ReviewState.REJECTED):
        return f"{state.text}（{status.decision.reviewer}）"
    return state.text


def _sent(status: MonthStatus) -> int:
    return status.sent_current()


def _month_context(ws: Workspace, status: MonthStatus, base: str) -> dict:
    drafts = [{"file": d.get("file", ""), "column": d.get("column", ""), "unit": d.get("unit", ""),
               "title": d.get("title", ""), "status": DraftStatus.text_of(d.get("status", "")),
               "reason": d.get("reason", "")} for d in status.compile.drafts]
    try:
        page_count = len(pages(ws, Path(status.compile.path)))
        preview_error = ""
    except BulletinError as exc:
        page_count, preview_error = 0, str(exc)
    notices = notice_rows(ws, status.month)
    recipients = [{"list": r.list_name, "name": r.name, "email": r.email,
                   "state": _delivery_state(status, r.email)} for r in status.recipients]
    return {"month": status.month, "number": status.number, "version": version_text(status),
            "seen": status.file_sha256, "file_name": Path(status.compile.path).name, "drafts": drafts,
            "pages": page_count, "preview_error": preview_error, "base": base, "recipients": recipients,
            "state": _state(status), "sent": _sent(status), "notices": notices,
            "older_review": status.older_review_line()}  # issue 23 item 9: reviewers hold an older version


def _replaced_text(status: MonthStatus, found: links.ReviewLink) -> str:
    """A reviewer's link to a version that is no longer the month's file (issue 23 item 9: a compile forced while
    the review was out, or the file edited since): said on the page before the reviewer reads, with when this
    reviewer was mailed that version and whether the current file was sent for review at all."""
    if not status.file_sha256 or found.sha256 == status.file_sha256:
        return ""
    when = status.mailed_at(found.sha256, found.reviewer)
    received = f"您在 {when} 收到的送审版本" if when else "您的链接对应的版本"
    unsent = "" if status.reviewed_by_mail else "，办公室尚未把它送审"
    return (f"{received}（校验码 {found.sha256[:12]}）已被替换：下面的当前文件（校验码 {status.file_sha256[:12]}）"
            f"是之后重新编排或修改的新版本{unsent}。")


def _delivery_state(status: MonthStatus, email: str) -> str:
    record = status.deliveries.get(email.lower()) or status.deliveries.get(email)
    state = SendState.of(None if record is None else record.status)
    return f"{state.text}：{record.error}" if state is SendState.FAILED else state.text


def _image(ws: Workspace, month: str, number: int) -> Response:
    status = month_status(ws, month)
    if status.compile is None or number < 1:
        return Response(status_code=404)
    try:
        images = pages(ws, Path(status.compile.path))
    except BulletinError:
        return Response(status_code=404)
    if number > len(images):
        return Response(status_code=404)
    return FileResponse(images[number - 1], media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


def _download(ws: Workspace, month: str, kind: str) -> Response:
    status = month_status(ws, month)
    if status.compile is None or status.file_sha256 is None:
        return Response(status_code=404)
    path = Path(status.compile.path)
    if kind == "docx":
        return FileResponse(path, filename=path.name,
                            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    try:
        pages(ws, path)
    except BulletinError:
        return Response(status_code=404)
    return FileResponse(preview_pdf(ws, status.file_sha256), filename=f"{path.stem}.pdf",
                        media_type="application/pdf")
