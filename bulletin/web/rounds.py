"""The 督查 round page of the workbench (issue 24): /d/<YYYY-MM>, the office's supervision round in the browser.

Upload 任务.xlsx, split it into one sheet per unit and mail them, see per unit whether its sheet went out (when,
to which address, or 无邮箱) and what came back (answered, not yet, two different answers = conflict, an .xls
that cannot be read here), upload the returned sheets the office got by other ways, merge, write the 督查专报,
then review and send it like the bulletin (the series' own ledger: `ws.for_series("督查专报")`).

Every POST goes through the workbench's one check (`Workbench.act`: session, size, CSRF, role): 编辑/管理 have
`tasks` (uploads, split, merge, report), `review` and `send`; a 审核 account decides through the same decide
path as the bulletin (office.decide, once per version, its step of the review chain). Long work (split+mail,
merge, report + its page images by LibreOffice) runs as a background job (office/jobs.py) whose month key is the
round's id ("督查专报/2020-09"), so its state and its audit rows are the round's. The units table and the uploads'
checks live in office/tasks.py; this module only asks and shows. Every text from a sheet, a file name or a
setting reaches the page through the autoescaped templates.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from ..core.errors import BulletinError
from ..core.month import Month
from ..core.vocabulary import ReviewState, SendState
from ..core.workspace import Workspace, current_month
from ..office import accounts, jobs, tasks, upload
from ..office.decide import AlreadyDecided, FileChanged, decide as decide_month
from ..office.status import pages, preview_pdf, status as month_status
from . import tokens

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RoundDesk:
    def __init__(self, app: FastAPI, ws: Workspace, bench):
        self.ws, self.bench = ws, bench
        self.routes(app)

    def round(self, month: Month) -> tasks.Round:
        return tasks.round_of(self.ws, month)  # BulletinError (Chinese) without [series.督查专报]

    def page(self, request: Request, month: Month, session: str, user: accounts.User, *, receipt=None,
             error: str = "", status_code: int = 200) -> HTMLResponse:
        ws = self.ws
        context: dict = {"month": month, "user": user, "csrf": tokens.csrf_token(ws, session), "error": error,
                         "receipt": [line.replace(f"{ws.root}/", "") for line in receipt or []],
                         "can_tasks": user.may("tasks"), "can_review": user.may("review"),
                         "can_send": user.may("send"), "can_decide": user.may("decide"),
                         "rounds": tasks.rounds(ws), "view": None, "report": None}
        try:
            rnd = self.round(month)
        except BulletinError as exc:
            context["error"] = error or str(exc)
            return self.bench.page(request, "round.html", status_code, **context)
        rid = rnd.id
        context.update(series=rnd.ws.series, rid=rid, view=tasks.round_view(rnd),
                       job=jobs.latest(ws, rid), audit=accounts.audit(ws, rid, 100),
                       answer_text=tasks.ANSWER_TEXT, default_due="")
        status = month_status(rnd.ws, month)
        if status.compile is not None and status.file_sha256 is not None:
            try:
                count, preview_error = len(pages(rnd.ws, Path(status.compile.path))), ""
            except BulletinError as exc:
                count, preview_error = 0, str(exc)
            state = status.review_state
            recipients = []
            for r in status.recipients:
                record = status.deliveries.get(r.email.lower()) or status.deliveries.get(r.email)
                sent = SendState.of(None if record is None else record.status)
                recipients.append({"list": r.list_name, "name": r.name, "email": r.email,
                                   "state": f"{sent.text}：{record.error}" if sent is SendState.FAILED else sent.text})
            context["report"] = {
                "number": status.number, "file": Path(status.compile.path).name, "seen": status.file_sha256,
                "version": f"第{status.number}期，{status.version_text()}", "pages": count,
                "preview_error": preview_error, "approved": status.approved,
                "state": f"{state.text}（{status.decision.reviewer}）"
                         if state in (ReviewState.APPROVED, ReviewState.REJECTED) else state.text,
                "chain": status.chain.lines() if status.chain is not None else [],
                "recipients": recipients, "sent": status.sent_current(),
            }
        return self.bench.page(request, "round.html", status_code, **context)

    def back(self, month: Month) -> RedirectResponse:
        return RedirectResponse(f"/d/{month}", status_code=303)  # no #fragment: a running job's refresh reloads

    # -- routes -----------------------------------------------------------------------------------------------------
    def routes(self, app: FastAPI) -> None:
        ws, bench = self.ws, self.bench

        @app.get("/d")
        def rounds_home(request: Request):
            if bench.office_user(request) is None:
                return RedirectResponse("/login", status_code=303)
            found = tasks.rounds(ws)
            return RedirectResponse(f"/d/{found[0] if found else current_month()}", status_code=303)

        @app.get("/d/{month}", response_class=HTMLResponse)
        def round_page(request: Request, month: str):
            found, parsed = bench.office_user(request), bench.month(month)
            if found is None:
                return RedirectResponse("/login", status_code=303)
            if parsed is None:
                return bench.message(request, "没有这个月份。", 404)
            return self.page(request, parsed, *found)

        @app.get("/d/{month}/job")
        def job_state(request: Request, month: str):
            found, parsed = bench.office_user(request), bench.month(month)
            if found is None or parsed is None:
                return Response(status_code=403)
            try:
                job = jobs.latest(ws, self.round(parsed).id)
            except BulletinError:
                return Response(status_code=404)
            if job is None:
                return JSONResponse({"state": ""})
            return JSONResponse({"id": job.id, "kind": job.kind, "state": job.state, "text": job.state_text,
                                 "message": job.message})

        def current(month: Month):
            """The round's current 专报 (path, sha256) from its series' ledger, or None."""
            status = month_status(self.round(month).ws, month)
            if status.compile is None or status.file_sha256 is None:
                return None
            return Path(status.compile.path), status.file_sha256

        @app.get("/d/{month}/page/{number}.png")
        def report_image(request: Request, month: str, number: int):
            parsed = bench.month(month)
            if bench.office_user(request) is None or parsed is None:
                return Response(status_code=403)
            try:
                found = current(parsed)
                images = pages(self.round(parsed).ws, found[0]) if found else []
            except BulletinError:
                return Response(status_code=404)
            if not 1 <= number <= len(images):
                return Response(status_code=404)
            return FileResponse(images[number - 1], media_type="image/png",
                                headers={"Cache-Control": "private, max-age=300"})

        @app.get("/d/{month}/file/{kind}")
        def round_file(request: Request, month: str, kind: str):
            """The 专报 (.docx / .pdf of its page images) and the merged sheet; nothing named by the URL."""
            parsed = bench.month(month)
            if bench.office_user(request) is None or parsed is None or kind not in ("docx", "pdf", "merged"):
                return Response(status_code=403)
            try:
                rnd = self.round(parsed)
                if kind == "merged":
                    if not rnd.merged_path.is_file():
                        return Response(status_code=404)
                    return FileResponse(rnd.merged_path, filename=f"{rnd.ws.series}{parsed}-汇总.xlsx", media_type=XLSX)
                found = current(parsed)
                if found is None:
                    return Response(status_code=404)
                if kind == "docx":
                    return FileResponse(found[0], filename=found[0].name, media_type=DOCX)
                pages(rnd.ws, found[0])
                return FileResponse(preview_pdf(rnd.ws, found[1]), filename=f"{found[0].stem}.pdf",
                                    media_type="application/pdf")
            except BulletinError:
                return Response(status_code=404)

        def round_post(path: str, permission: str, files: bool = False):
            """A POST on /d/<month>/<path>: the workbench's one check, then handler(request, form, rnd, month,
            session, user); a BulletinError is shown on the round page (400)."""
            def wrap(handler):
                async def endpoint(request: Request, month: str):
                    parsed = bench.month(month)
                    if parsed is None:
                        return bench.message(request, "没有这个月份。", 404)
                    checked = await bench.act(request, permission, files=files)
                    if isinstance(checked, Response):
                        return checked
                    form, session, user = checked
                    try:
                        return await handler(request, form, self.round(parsed), parsed, session, user)
                    except BulletinError as exc:
                        return self.page(request, parsed, session, user, error=str(exc), status_code=400)
                app.post(f"/d/{{month}}/{path}", response_class=HTMLResponse)(endpoint)
                return handler
            return wrap

        async def read_files(form, name: str) -> list[tuple[str, bytes]]:
            found = []
            for item in form.getlist(name):
                if hasattr(item, "read"):
                    data = await item.read(upload.MAX_FILE_BYTES + 1)
                    if item.filename or data:
                        found.append((item.filename or "", data))
            return found

        @round_post("tasks", "tasks", files=True)
        async def task_list(request, form, rnd, month, session, user):
            files = await read_files(form, "sheet")
            if not files:
                raise BulletinError("请选择任务清单（任务.xlsx）。")
            receipt = tasks.upload_task_list(rnd, *files[0], actor=user.name)
            return self.page(request, month, session, user, receipt=receipt.lines())

        @round_post("returns", "tasks", files=True)
        async def returned(request, form, rnd, month, session, user):
            files = await read_files(form, "files")
            if not files:
                raise BulletinError("请选择各单位发回的反馈表（.xlsx）。")
            receipt = tasks.upload_returned(rnd, files, actor=user.name)
            return self.page(request, month, session, user, receipt=receipt.lines())

        def day_of(form, name: str) -> date | None:
            text = bench.text(form, name, 20).strip()
            if not text:
                return None
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise BulletinError(f"日期“{text}”不对：请写成 2026-10-25 的形式。") from None

        @round_post("split", "tasks")
        async def split(request, form, rnd, month, session, user):
            if not rnd.tasks_path.is_file():
                raise BulletinError("请先上传本轮的任务清单（任务.xlsx）。")
            tasks.start_split(rnd, user.name, due=day_of(form, "due"), send=bench.text(form, "mail", 2) == "1")
            return self.back(month)

        @round_post("merge", "tasks")
        async def merge(request, form, rnd, month, session, user):
            tasks.start_merge(rnd, user.name)
            return self.back(month)

        @round_post("report", "tasks")
        async def report(request, form, rnd, month, session, user):
            tasks.start_report(rnd, user.name, day=day_of(form, "day"))
            return self.back(month)

        @round_post("review", "review")
        async def review(request, form, rnd, month, session, user):
            from ..office.review import review as send_for_review

            sent = send_for_review(rnd.ws, month, actor=user.name)
            return self.page(request, month, session, user, receipt=sent.lines())

        @round_post("send", "send")
        async def send(request, form, rnd, month, session, user):
            from ..office.send import send as send_issue

            sent = send_issue(rnd.ws, month, actor=user.name)
            return self.page(request, month, session, user, receipt=sent.lines())

        @round_post("resend", "send")
        async def resend(request, form, rnd, month, session, user):
            from ..office.send import resend as resend_one

            sent = resend_one(rnd.ws, month, bench.text(form, "email", 320), actor=user.name)
            return self.page(request, month, session, user, receipt=sent.lines())

        @round_post("decide", "decide")
        async def decide(request, form, rnd, month, session, user):
            action, comment = bench.text(form, "action", 10), bench.text(form, "comment", 2000).strip()
            if action not in ("approve", "reject") or (action == "reject" and not comment):
                raise BulletinError("请选择“审核通过”，或写明意见后“退回”。")
            try:
                decided = decide_month(rnd.ws, month, approved=action == "approve", by=user.name, comment=comment,
                                       seen_sha256=bench.text(form, "seen", 64), resume=bench.resume,
                                       once_per_version=True, step=bench.text(form, "step", 50) or None)
            except (AlreadyDecided, FileChanged) as exc:
                raise BulletinError(str(exc) or "本版本已有审核结果，或文件已改动：请刷新页面。") from None
            accounts.record(ws, user.name, user.role, "审核通过" if decided.decision.approved else "退回", rnd.id,
                            decided.decision.comment)
            return self.page(request, month, session, user, receipt=decided.lines())
