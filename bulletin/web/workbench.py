"""The office's workbench (办公台, issue 24): the whole month in the browser, for the clerk who has no terminal and no
access to the server's folders. Mounted by app.create_app beside the review desk.

Every action is a plain HTML form POST carrying the session's CSRF token (it works without JavaScript and can be
scripted with curl/httpx); the one script (static/workbench.js) only adds drag and drop to the upload form and
shows a running job's progress in place (without it, that page refreshes itself). Each
POST is checked in one place (`Workbench.act`): a live session of a named account (or the BULLETIN_WEB_PASSWORD
login, role 管理), the CSRF token bound to that session, and the role's permission (office/accounts.PERMISSIONS:
an 编辑 cannot decide, a 审核 cannot edit, only 管理 manages accounts). A reviewer's signed link opens no session,
so it reaches none of these doors. Every named account may change its own password (/password): the current one
is checked under the login's attempt limits (web/attempts.py, the same windows), and the change (or a 管理's
重设密码 on /users) deletes every session of the account at once, so the browser is sent to log in again.

The pages only call the application layer (bulletin.office): uploads go through office/upload.py (the mailbox's
checks, files only in the month folder, names made safe, sizes bounded: MAX_REQUEST_BYTES per request), the
clerk's decisions are written to inputs/<month>/编排.toml (office/arrange.py), the compile runs as a background
job (office/jobs.py: never two at once, its state on the page, which refreshes itself while it runs). Every
value from outside (drafts, mail, settings, forms) reaches the page through autoescaped templates; months come
from the URL only as a checked Month, files only as names the month's last compile listed.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from ..core.errors import BulletinError
from ..core.month import Month
from ..core.workspace import Workspace
from ..office import accounts, arrange, jobs, upload
from ..office import workbench as bench
from ..office.decide import AlreadyDecided, FileChanged, decide as decide_month, waiting_run
from ..office.status import notice_rows, status as month_status, waiting_since
from . import tokens
from .attempts import LoginAttempts, wait_text
from .sessions import Sessions

log = logging.getLogger("bulletin.web.workbench")
MAX_REQUEST_BYTES = 100 * 1024 * 1024  # one upload request (files are each bounded by office/upload.py)
MAX_FORM_BYTES = 64 * 1024  # a form without files
STATIC = Path(__file__).with_name("static")
NO_OWN_PASSWORD = ("统一密码登录（BULLETIN_WEB_PASSWORD）没有个人密码，不能在此修改：请服务器管理员更改该环境变量并重启 "
                   "bulletin serve，或用个人账号登录。")


class Workbench:
    def __init__(self, app: FastAPI, ws: Workspace, page, message, office_user, resume,
                 attempts: LoginAttempts | None = None):
        self.ws, self.page, self.message, self.office_user, self.resume = ws, page, message, office_user, resume
        self.attempts = attempts or LoginAttempts()  # the login's windows: guessing a current password is a login
        self.routes(app)

    # -- the one check of every POST --------------------------------------------------------------------------------
    async def act(self, request: Request, permission: str, *, files: bool = False):
        """(form, session, user) or a refusal (Response): session, size, CSRF and role checked, in that order."""
        found = self.office_user(request)
        if found is None:
            return self.message(request, "请先登录办公台。", 403)
        session, user = found
        length = request.headers.get("content-length")
        limit = MAX_REQUEST_BYTES if files else MAX_FORM_BYTES
        if length is None or not length.isdigit() or int(length) > limit:
            return self.message(request, f"提交的内容过大（上限 {limit // (1024 * 1024) or 1} MB）或长度不明。", 413)
        try:
            form = await request.form(max_files=upload.MAX_FILES if files else 0, max_fields=200)
        except Exception:  # noqa: BLE001 - a malformed body from a client: refused, never a 500
            return self.message(request, "提交的表单无法读取。", 400)
        if not tokens.csrf_ok(self.ws, session, form.get("csrf") if isinstance(form.get("csrf"), str) else None):
            return self.message(request, "请求无效（缺少或错误的表单校验码），请刷新页面后重试。", 403)
        if not user.may(permission):
            return self.message(request, f"您的角色（{user.role}）不能进行此操作。", 403)
        return form, session, user

    def month(self, text: str) -> Month | None:
        try:
            return Month(text)
        except BulletinError:
            return None

    @staticmethod
    def text(form, name: str, limit: int = 2000) -> str:
        value = form.get(name)
        return value[:limit] if isinstance(value, str) else ""

    # -- the month page ---------------------------------------------------------------------------------------------
    def month_page(self, request: Request, month: Month, session: str, user: accounts.User, *, receipt=None,
                   error: str = "", status_code: int = 200) -> HTMLResponse:
        from .app import _month_context  # the desk's view of a compiled month (pages, notices, recipients)

        ws = self.ws
        status = month_status(ws, month)
        compiled = list(status.compile.drafts) if status.compile else []
        context: dict = {"month": month, "compiled": status.compile is not None}
        if status.compile is not None and status.file_sha256 is not None:
            context.update(_month_context(ws, status, f"/m/{month}"))
        else:
            context.update(drafts=[], pages=0, recipients=[], notices=notice_rows(ws, month), state="尚未编排",
                           sent=0, seen="")
        arrangement = arrange.arrangement(ws, month)
        printed = [r["file"] for r in compiled if r.get("status") in ("accepted", "flagged")]
        rows = []
        for r in compiled:
            choice = arrangement.drafts.get(r.get("file", ""))
            rows.append({**{k: r.get(k, "") for k in ("file", "unit", "title", "column", "reason")},
                         "status": r.get("status", ""), "printed": r.get("file") in printed,
                         "position": printed.index(r["file"]) + 1 if r.get("file") in printed else 0,
                         "excluded": bool(choice and choice.excluded)})
        rows.sort(key=lambda r: (not r["printed"], r["position"]))
        note_path = ws.month_inputs(month) / "编者按.txt"
        job = jobs.latest(ws, month)
        run = waiting_run(ws, month)
        context.update(
            user=user, csrf=tokens.csrf_token(ws, session), rows=rows, units=bench.roster_units(ws),
            new_files=bench.new_files(ws, month, compiled), silent=bench.silent_units(ws, month, compiled),
            note=note_path.read_text(encoding="utf-8", errors="replace")[:5000] if note_path.is_file() else "",
            job=job, audit=accounts.audit(ws, month, 100), error=error,
            receipt=[line.replace(f"{ws.root.resolve()}/", "").replace(f"{ws.root}/", "") for line in receipt or []],
            can_edit=user.may("edit"), can_send=user.may("send"), can_decide=user.may("decide"),
            chain=status.chain.lines() if status.chain is not None else [],
            calendar=status.calendar,  # [calendar]: deadline, the call, who was reminded when (issue 25)
            approved=status.approved, waiting=(run, (waiting_since(ws, month) or "")[:16].replace("T", " ")) if run else None,
            failed=[r for r in context.get("recipients", []) if not r["state"].startswith("已发送")],
            notice_edit=context["notices"] + [{"unit": "", "matter": "", "category": "", "remark": ""}] * 3,
        )
        return self.page(request, "workbench.html", status_code, **context)

    # -- the 领导批示 page ----------------------------------------------------------------------------------------------
    def instructions_view(self, request: Request, session: str, user: accounts.User, year: int | None, *,
                          receipt: list[str] | None = None, error: str = "", status_code: int = 200,
                          form=None) -> HTMLResponse:
        """The year's instructions with their feedback state, a feedback form on each, the add form (the roster's
        units, the configured levels and kinds) and the upload form; after a refusal, the add form keeps what was
        typed."""
        from ..office import instructions

        listed = instructions.listing(self.ws, year)
        rows = []
        for s in listed.scored:
            i = s.instruction
            rows.append({"row": i.row, "key": i.key, "item": i.item, "unit": s.unit or "", "leader": i.leader,
                         "level": i.level, "kind": i.kind, "day": f"{i.day:%Y-%m-%d}", "text": i.text,
                         "units": "、".join(i.units), "due": f"{i.due:%Y-%m-%d}" if i.due else "",
                         "state": s.state, "feedback": i.feedback,
                         "feedback_day": f"{i.feedback_day:%Y-%m-%d}" if i.feedback_day else ""})
        typed = {}
        if form is not None and request.url.path.endswith("/add"):
            typed = {k: self.text(form, k, 2000) for k in ("number", "title", "source_unit", "leader", "level",
                                                           "kind", "day", "text", "due")}
            typed["units"] = [u for u in form.getlist("units") if isinstance(u, str)]
        return self.page(request, "instructions.html", status_code, user=user, csrf=tokens.csrf_token(self.ws, session),
                         year=listed.year, today=f"{listed.today:%Y-%m-%d}", found=listed.found, rows=rows,
                         counts=listed.counts(), problems=listed.problems, receipt=receipt or [], error=error,
                         typed=typed, can_edit=user.may("edit"), audit=instructions.recent_actions(self.ws),
                         **instructions.form_choices(self.ws))

    def back(self, month: Month, anchor: str = "") -> RedirectResponse:
        return RedirectResponse(f"/m/{month}" + (f"#{anchor}" if anchor else ""), status_code=303)

    # -- routes -----------------------------------------------------------------------------------------------------
    def routes(self, app: FastAPI) -> None:
        ws = self.ws

        @app.get("/static/workbench.js")
        def script():
            return FileResponse(STATIC / "workbench.js", media_type="text/javascript",
                                headers={"Cache-Control": "no-cache"})

        @app.get("/open")
        def open_month(request: Request, month: str = ""):
            if self.office_user(request) is None:
                return RedirectResponse("/login", status_code=303)
            try:
                parsed = Month.parse(month.strip())
            except BulletinError as exc:
                return self.message(request, str(exc), 400)
            return RedirectResponse(f"/m/{parsed}", status_code=303)

        @app.get("/m/{month}/job")
        def job_state(request: Request, month: str):
            found, parsed = self.office_user(request), self.month(month)
            if found is None or parsed is None:
                return Response(status_code=403)
            job = jobs.latest(ws, parsed)
            if job is None:
                return JSONResponse({"state": ""})
            return JSONResponse({"id": job.id, "state": job.state, "text": job.state_text, "message": job.message})

        def month_post(path: str, permission: str, files: bool = False):
            """A POST on /m/<month>/<path>: checked (act), then handler(form, month, user) -> Response."""
            def wrap(handler):
                async def endpoint(request: Request, month: str):
                    parsed = self.month(month)
                    if parsed is None:
                        return self.message(request, "没有这个月份。", 404)
                    checked = await self.act(request, permission, files=files)
                    if isinstance(checked, Response):
                        return checked
                    form, session, user = checked
                    try:
                        return await handler(request, form, parsed, session, user)
                    except BulletinError as exc:
                        return self.month_page(request, parsed, session, user, error=str(exc), status_code=400)
                app.post(f"/m/{{month}}/{path}", response_class=HTMLResponse)(endpoint)
                return handler
            return wrap

        @month_post("upload", "edit", files=True)
        async def upload_drafts(request, form, month, session, user):
            files = []
            for item in form.getlist("files"):
                if hasattr(item, "read"):
                    data = await item.read(upload.MAX_FILE_BYTES + 1)
                    if item.filename or data:
                        files.append((item.filename or "", data))
            if not files:
                raise BulletinError("请选择要上传的稿件（.docx 或 .zip）。")
            receipt = upload.upload_drafts(ws, month, files, actor=user.name)
            return self.month_page(request, month, session, user, receipt=receipt.lines())

        @month_post("notices", "edit", files=True)
        async def upload_notices(request, form, month, session, user):
            item = form.get("sheet")
            if not hasattr(item, "read"):
                raise BulletinError("请选择情况通报表（.xlsx）。")
            data = await item.read(upload.MAX_FILE_BYTES + 1)
            receipt = upload.upload_notices(ws, month, item.filename or "", data, actor=user.name)
            return self.month_page(request, month, session, user, receipt=receipt.lines())

        @month_post("notice-rows", "edit")
        async def notice_rows_form(request, form, month, session, user):
            fields = ("unit", "matter", "category", "remark")
            columns = [form.getlist(f) for f in fields]
            rows = [dict(zip(fields, (str(v)[:500] for v in values))) for values in zip(*columns)]
            saved = upload.write_notice_rows(ws, month, rows, actor=user.name)
            return self.month_page(request, month, session, user, receipt=[f"情况通报已保存：{saved} 条。"])

        @month_post("note", "edit")
        async def issue_note(request, form, month, session, user):
            upload.write_issue_note(ws, month, self.text(form, "note", 6000), actor=user.name)
            return self.back(month, "note")

        @month_post("draft", "edit")
        async def draft(request, form, month, session, user):
            file = self.text(form, "file", 300)
            row = next((r for r in (month_status(ws, month).compile.drafts if month_status(ws, month).compile else [])
                        if r.get("file") == file), None)
            if row is None:
                raise BulletinError(f"本月没有稿件“{file}”（请先编排，或刷新页面）。")
            unit, title, column = (self.text(form, k, 300).strip() for k in ("unit", "title", "column"))
            if unit != row.get("unit", ""):
                arrange.set_unit(ws, month, file, unit, actor=user.name)
            if title != row.get("title", ""):
                arrange.set_title(ws, month, file, title, actor=user.name)
            if column != row.get("column", ""):
                arrange.set_column(ws, month, file, column, actor=user.name)
            return self.back(month, "drafts")

        @month_post("move", "edit")
        async def move(request, form, month, session, user):
            arrange.move(ws, month, self.text(form, "file", 300), self.text(form, "where", 10), actor=user.name)
            return self.back(month, "drafts")

        @month_post("exclude", "edit")
        async def exclude(request, form, month, session, user):
            arrange.set_excluded(ws, month, self.text(form, "file", 300), self.text(form, "excluded", 2) == "1",
                                 actor=user.name)
            return self.back(month, "drafts")

        @month_post("compile", "compile")
        async def compile_(request, form, month, session, user):
            jobs.start_compile(ws, month, user.name, force=self.text(form, "force", 2) == "1")
            return self.back(month)  # no #fragment: the page's refresh while the job runs must reload it

        @month_post("review", "review")
        async def review(request, form, month, session, user):
            from ..office.review import review as send_for_review

            report = send_for_review(ws, month, actor=user.name)
            return self.month_page(request, month, session, user, receipt=report.lines())

        @month_post("send", "send")
        async def send(request, form, month, session, user):
            from ..office.send import send as send_issue

            report = send_issue(ws, month, actor=user.name)
            return self.month_page(request, month, session, user, receipt=report.lines())

        @month_post("resend", "send")
        async def resend(request, form, month, session, user):
            from ..office.send import resend as resend_one

            report = resend_one(ws, month, self.text(form, "email", 320), actor=user.name)
            return self.month_page(request, month, session, user, receipt=report.lines())

        @month_post("decide", "decide")
        async def decide(request, form, month, session, user):
            action, comment = self.text(form, "action", 10), self.text(form, "comment", 2000).strip()
            if action not in ("approve", "reject") or (action == "reject" and not comment):
                raise BulletinError("请选择“审核通过”，或写明意见后“退回”。")
            try:
                decided = decide_month(ws, month, approved=action == "approve", by=user.name, comment=comment,
                                       seen_sha256=self.text(form, "seen", 64), resume=self.resume,
                                       once_per_version=True, step=self.text(form, "step", 50) or None)
            except (AlreadyDecided, FileChanged) as exc:
                raise BulletinError(str(exc) or "本版本已有审核结果，或文件已改动：请刷新页面。") from None
            accounts.record(ws, user.name, user.role, "审核通过" if decided.decision.approved else "退回", month,
                            decided.decision.comment)
            return self.month_page(request, month, session, user, receipt=decided.lines())

        # -- the year ---------------------------------------------------------------------------------------------
        def year_of(text: str) -> int | None:
            return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None

        @app.get("/stats", response_class=HTMLResponse)
        def stats_page(request: Request, year: str = ""):
            found = self.office_user(request)
            if found is None:
                return RedirectResponse("/login", status_code=303)
            session, user = found
            years = sorted({m[:4] for m in bench.months(ws)}, reverse=True)
            chosen = year_of(year) or (int(years[0]) if years else None)
            context = {"user": user, "csrf": tokens.csrf_token(ws, session), "years": years, "year": chosen,
                       "ranking": [], "problems": [], "silent": {}, "error": "", "units": bench.roster_units(ws),
                       "levels": list(ws.settings.scoring.levels)}
            try:
                context["upper"] = bench.upper_rows(ws)
            except BulletinError as exc:
                context["upper"], context["error"] = [], str(exc)
            if chosen is not None:
                from ..office.stats import stats

                try:
                    result = stats(ws, chosen)
                    context.update(ranking=result.stats.ranking, problems=result.stats.problems,
                                   silent=result.stats.silent, picture=result.picture is not None)
                except BulletinError as exc:
                    context["error"] = str(exc)
            return self.page(request, "stats.html", **context)

        @app.get("/stats/{year}/{name}")
        def stats_file(request: Request, year: str, name: str):
            if self.office_user(request) is None or year_of(year) is None or name not in ("chart.png", "workbook.xlsx"):
                return Response(status_code=403)
            from ..office.stats import stats

            try:
                result = stats(ws, year_of(year))
            except BulletinError:
                return Response(status_code=404)
            if name == "chart.png":
                if result.picture is None:
                    return Response(status_code=404)
                return FileResponse(result.picture, media_type="image/png")
            return FileResponse(result.workbook, filename=result.workbook.name,
                                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

        @app.post("/stats/upper", response_class=HTMLResponse)
        async def upper(request: Request):
            checked = await self.act(request, "stats")
            if isinstance(checked, Response):
                return checked
            form, session, user = checked
            if not user.may("edit"):
                return self.message(request, f"您的角色（{user.role}）不能进行此操作。", 403)
            index = self.text(form, "index", 6)
            try:
                if self.text(form, "delete", 2) == "1" and index.isdigit():
                    bench.delete_upper(ws, int(index), actor=user.name)
                else:
                    row = bench.check_upper(ws, *(self.text(form, k, 300) for k in
                                                  ("unit", "title", "publication", "level", "day")))
                    bench.add_upper(ws, row, actor=user.name, replace_index=int(index) if index.isdigit() else None)
            except BulletinError as exc:
                return self.message(request, str(exc), 400)
            return RedirectResponse(f"/stats?year={quote(self.text(form, 'year', 4))}#upper", status_code=303)

        @app.get("/archive", response_class=HTMLResponse)
        def archive_page(request: Request, q: str = ""):
            found = self.office_user(request)
            if found is None:
                return RedirectResponse("/login", status_code=303)
            session, user = found
            from ..office.status import compiled_months

            issues = []
            for m in compiled_months(ws):
                s = month_status(ws, m)
                state = s.review_state  # 已签发 only for the approved file; else where it stands (未送审, 已退回…)
                issues.append({"month": m, "number": s.number, "approved": state == "approved",
                               "state": "已签发" if state == "approved" else state.text,
                               "file": Path(s.compile.path).name if s.compile else ""})
            hits, total, words = [], 0, q.split()[:10]
            if words:
                from ..office.archive import search

                hits, total = search(ws, [w[:50] for w in words], limit=30)
            return self.page(request, "archive.html", user=user, csrf=tokens.csrf_token(ws, session),
                             issues=issues, q=q[:200], hits=hits, total=total)

        # -- 领导批示 (issue 26): the register inputs/领导批示.xlsx in a page ---------------------------------------------
        @app.get("/instructions", response_class=HTMLResponse)
        def instructions_page(request: Request, year: str = ""):
            found = self.office_user(request)
            if found is None:
                return RedirectResponse("/login", status_code=303)
            session, user = found
            return self.instructions_view(request, session, user, year_of(year))

        @app.get("/instructions/register.xlsx")
        def instructions_file(request: Request):
            from ..office.instructions import register_path

            if self.office_user(request) is None:
                return Response(status_code=403)
            path = register_path(ws)
            if not path.is_file():
                return Response(status_code=404)
            return FileResponse(path, filename=path.name,
                                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                headers={"Cache-Control": "no-store"})

        def instructions_post(path: str, files: bool = False):
            """A POST on /instructions/<path>: checked (act, permission edit), then handler(form, user) -> a
            receipt's lines (shown on the page) or a Response; a refusal is shown on the page with its reason."""
            def wrap(handler):
                async def endpoint(request: Request):
                    checked = await self.act(request, "edit", files=files)
                    if isinstance(checked, Response):
                        return checked
                    form, session, user = checked
                    year = year_of(self.text(form, "year", 4))
                    try:
                        answer = await handler(form, user)
                    except BulletinError as exc:
                        return self.instructions_view(request, session, user, year, error=str(exc), status_code=400,
                                                      form=form)
                    if isinstance(answer, Response):
                        return answer
                    return self.instructions_view(request, session, user, year, receipt=answer)
                app.post(f"/instructions/{path}", response_class=HTMLResponse)(endpoint)
                return handler
            return wrap

        @instructions_post("add")
        async def instruction_add(form, user):
            from ..office.instructions import add_instruction

            fields = {k: self.text(form, k, 2100) for k in ("number", "title", "source_unit", "leader", "level",
                                                             "kind", "day", "text", "due")}
            units = [u[:100] for u in form.getlist("units") if isinstance(u, str)][:100]
            added = add_instruction(ws, actor=user.name, units=units, **fields)
            return RedirectResponse(f"/instructions?year={added.instruction.day.year}#row-{added.row}",
                                    status_code=303)

        @instructions_post("feedback")
        async def instruction_feedback(form, user):
            from ..office.instructions import feedback

            row = self.text(form, "row", 7)
            if not row.isdigit():
                raise BulletinError("没有这一行（请刷新页面）。")
            line = feedback(ws, int(row), self.text(form, "key", 64), self.text(form, "text", 2100),
                            self.text(form, "day", 40), actor=user.name)
            return [line]

        @instructions_post("upload", files=True)
        async def instruction_upload(form, user):
            from ..office.instructions import MAX_REGISTER_BYTES, replace_register

            item = form.get("register")
            if not hasattr(item, "read"):
                raise BulletinError("请选择领导批示登记表（.xlsx）。")
            data = await item.read(MAX_REGISTER_BYTES + 1)
            return replace_register(ws, data, actor=user.name, name=item.filename or "")

        # -- accounts (管理) ----------------------------------------------------------------------------------------
        @app.get("/users", response_class=HTMLResponse)
        def users_page(request: Request):
            found = self.office_user(request)
            if found is None:
                return RedirectResponse("/login", status_code=303)
            session, user = found
            if not user.may("users"):
                return self.message(request, f"您的角色（{user.role}）不能管理账号。", 403)
            return self.page(request, "users.html", user=user, csrf=tokens.csrf_token(ws, session),
                             users=accounts.users(ws), roles=accounts.ROLES, audit=accounts.audit(ws, None, 100))

        @app.post("/users", response_class=HTMLResponse)
        async def users_change(request: Request):
            checked = await self.act(request, "users")
            if isinstance(checked, Response):
                return checked
            form, session, user = checked
            try:
                if self.text(form, "remove", 2) == "1":
                    accounts.remove_user(ws, self.text(form, "name", 100), actor=user.name)
                elif self.text(form, "reset", 2) == "1":  # 重设密码: the role kept, the account's sessions ended
                    password = self.text(form, "password", 2000)
                    if password != self.text(form, "password2", 2000):
                        raise BulletinError("两次输入的密码不一致。")
                    changed = await asyncio.to_thread(accounts.reset_password, ws, self.text(form, "name", 100),
                                                      password, actor=user.name)
                    ended = Sessions(ws).close_account(changed.name)
                    log.info("password reset for account %s by %s (%d session(s) ended)", changed.name, user.name,
                             ended)
                else:
                    password = self.text(form, "password", 2000)
                    if password != self.text(form, "password2", 2000):
                        raise BulletinError("两次输入的密码不一致。")
                    accounts.add_user(ws, self.text(form, "name", 100), self.text(form, "role", 10), password,
                                      actor=user.name)
            except BulletinError as exc:
                return self.message(request, str(exc), 400)
            return RedirectResponse("/users", status_code=303)

        # -- one's own password (any role) ------------------------------------------------------------------------
        def own_account(user: accounts.User) -> bool:
            """A named account with a password of its own: office_user reads it from the table (its `created` set);
            the BULLETIN_WEB_PASSWORD login (办公室, made up per request) has none."""
            return user.created != ""

        @app.get("/password", response_class=HTMLResponse)
        def password_page(request: Request):
            found = self.office_user(request)
            if found is None:
                return RedirectResponse("/login", status_code=303)
            session, user = found
            return self.page(request, "password.html", user=user, csrf=tokens.csrf_token(ws, session),
                             own=own_account(user), error="")

        @app.post("/password", response_class=HTMLResponse)
        async def password_change(request: Request):
            """Check the current password under the login's attempt limits (an attempt is counted before scrypt
            runs; a wrong one waits like a wrong login), change it, end every session of the account (issue 22:
            sessions revoked when the password changes) and send the browser to log in again."""
            checked = await self.act(request, "view")  # every role may change its own password
            if isinstance(checked, Response):
                return checked
            form, session, user = checked

            def again(error: str, status_code: int) -> HTMLResponse:
                return self.page(request, "password.html", status_code, user=user, own=own_account(user),
                                 csrf=tokens.csrf_token(ws, session), error=error)

            if not own_account(user):
                return again(NO_OWN_PASSWORD, 400)
            current, new = self.text(form, "current", 4096), self.text(form, "new", 4096)
            if new != self.text(form, "new2", 4096):
                return again("两次输入的新密码不一致，密码未修改。", 400)
            address = request.client.host if request.client else "unknown"
            wait = self.attempts.take(address, user.name)
            if wait:
                log.warning("password change: too many attempts from %s (account %s), refused for %d s", address,
                            user.name, wait)
                refused = again(wait_text(wait), 429)
                refused.headers["Retry-After"] = str(wait)
                return refused
            try:
                await asyncio.to_thread(accounts.change_password, ws, user.name, current, new)
            except accounts.WrongPassword as exc:
                from . import app as desk  # the login's delay (one setting; tests set it to 0)

                log.warning("password change: wrong current password for account %s from %s", user.name, address)
                await asyncio.sleep(desk.WRONG_PASSWORD_DELAY)
                return again(str(exc), 400)
            except BulletinError as exc:
                return again(str(exc), 400)
            ended = Sessions(ws).close_account(user.name)
            log.info("password changed for account %s from %s (%d session(s) ended)", user.name, address, ended)
            response = RedirectResponse("/login?changed=1", status_code=303)
            web = ws.settings.web
            response.delete_cookie(tokens.SESSION_COOKIE, httponly=True, samesite="strict",
                                   secure=request.url.scheme == "https"
                                   or (web is not None and str(web.base_url).startswith("https://")))
            return response
