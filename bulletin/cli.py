"""The `bulletin` command: typer commands over the application layer (bulletin/office/), one door of several.

Commands import the use case they run when they run (a command loads only what it needs: start-up is part of
every command's time). Prefect is imported only by the commands that talk to it (run, deploy, status --all)
and, lazily, to resume a flow run that waits for a decision taken here.
"""

from __future__ import annotations

import functools
import os
import shlex
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from .core.errors import BulletinError
from .core.month import Month

if TYPE_CHECKING:  # the workspace's settings model (pydantic, email-validator) loads with the first workspace,
    from .core.workspace import Workspace  # not for `bulletin --help` (tests/cli/test_imports.py)

app = typer.Typer(
    name="bulletin",
    help="工作简报：收稿、编排、审核、分发。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts name settings sections ([web], [series.名称]): printed as written, never read as rich markup.
    rich_markup_mode=None,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

WorkspaceOpt = Annotated[
    Optional[Path], typer.Option("--workspace", "-w", help="工作目录（默认当前目录或环境变量 BULLETIN_WORKSPACE）")
]
MonthOpt = Annotated[Optional[str], typer.Option(
    "--month", "-m", help="月份 YYYY-MM（也可写 2026年11月、202611、2026.11；默认最新的月份文件夹）")]
SeriesOpt = Annotated[Optional[str], typer.Option(
    "--series", help="系列名称（bulletin.toml 中的 [series.名称]，如 督查专报）；默认为月度简报")]
PROGRESS_FROM = 10  # drafts; smaller months finish before a bar would help


def _fail(message: str, code: int = 1) -> None:
    err.print(Text.assemble(("错误：", "bold red"), message))
    raise typer.Exit(code)


def _say(text: str, label: str = "", style: str = "") -> None:
    """Print text taken from drafts, mail and settings literally (rich would read "[...]" in it as markup), without
    the control characters and bidi overrides outside text may carry (core/textio.printable)."""
    from .core.textio import printable

    text = printable(text)
    out.print(Text.assemble((label, style), text) if label else Text(text))


def _workspace(path: Optional[Path]) -> Workspace:
    from .core.workspace import Workspace

    return Workspace.at(path)


def _series(ws: Workspace, series: Optional[str]) -> Workspace:
    """The workspace as a series sees it (--series NAME), or itself for the monthly bulletin."""
    return ws.for_series(series)


def _month(ws: Workspace, month: Optional[str]) -> Month:
    return Month.parse(month) if month else ws.latest_month()


def resume_with_prefect(run_id: str, **decision) -> str:
    """The `Resumer` this door hands to office.decide: Prefect is imported only when a run waits."""
    try:
        from flows.resume import resume_month_run
    except ImportError:
        return "提示：有一个等待审核的流程运行，但未安装 Prefect，无法自动继续。"
    return resume_month_run(run_id, **decision)


def _guard(func):
    """Turn BulletinError into a Chinese message and exit 1; other errors keep their traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BulletinError as exc:
            _fail(str(exc))

    return wrapper


@app.command()
@_guard
def init(
    directory: Annotated[Path, typer.Argument(help="新工作目录")],
    layout: Annotated[str, typer.Option("--layout", help="版式：工作简报（默认）或 政务信息（栏目、●目录、文末供稿）")] = "工作简报",
) -> None:
    """创建一个可直接使用的工作目录（含示例稿件和配置）。"""
    from .office.setup import create_workspace

    create_workspace(directory, layout)
    _say(f"已创建工作目录 {directory}")
    _say(f"下一步：编辑 {directory / 'bulletin.toml'}，把当月稿件放进 inputs/YYYY-MM/，然后运行")
    _say(f"  bulletin compile --workspace {shlex.quote(str(directory))}")


@app.command("compile")
@_guard
def compile_(
    workspace: WorkspaceOpt = None,
    month: MonthOpt = None,
    date_: Annotated[Optional[str], typer.Option("--date", help="简报日期 YYYY-MM-DD（默认今天；重新编排时沿用原日期）")] = None,
    issue: Annotated[Optional[int], typer.Option("--issue", min=1, help="指定期号（默认自动续号）")] = None,
    force: Annotated[bool, typer.Option("--force", help="替换已审核通过或已发送的简报（原文件另存到 history/）")] = False,
    no_notices: Annotated[bool, typer.Option("--no-notices", help="本期不编入情况通报（即使有通报表）")] = False,
) -> None:
    """编排某月简报：收稿、校验、生成 .docx 和收稿报告。"""
    from .office.compile import compile_month

    ws = _workspace(workspace)
    ws.settings  # report a bad bulletin.toml before anything else
    month = _month(ws, month)
    issue_date = _parse_date(date_) if date_ else None
    with _progress() as progress:
        result = compile_month(
            ws, month, issue_date=issue_date, issue=issue, progress=progress,
            on_wait=lambda: err.print("另一个编排任务正在进行，等待其完成……"), force=force, no_notices=no_notices,
        )
    _say(result.summary())
    for draft in result.intake.flagged:
        _say(f"{draft.name}：{'；'.join(draft.warnings)}", "需核对 ", "yellow")
    for refusal in result.intake.refused:
        _say(f"{refusal.file}：{refusal.reason}", "未采用 ", "red")
    for duplicate in result.intake.duplicates:
        _say(f"{duplicate.file}：{duplicate.reason}", "重复 ", "red")
    for replaced in result.intake.replaced:
        _say(f"{replaced.file}：{replaced.reason}", "被替换 ", "yellow")
    for problem in result.notices.problems:
        _say(problem, "通报表 ", "yellow")
    if result.too_large:
        _say(result.too_large, "注意 ", "yellow")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BulletinError(f"日期“{text}”格式不对：请写成 YYYY-MM-DD，例如 2026-10-28。") from None


class _progress:
    """A rich progress bar that appears only for long months on a terminal."""

    def __enter__(self):
        self._bar: Progress | None = None
        return self._update

    def _update(self, done: int, total: int, label: str) -> None:
        if total < PROGRESS_FROM or not err.is_terminal:
            return
        if self._bar is None:
            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=err, transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(label, total=total)
        phase = label.split("：", 1)[0]
        self._bar.update(self._task, completed=done, total=total, description=phase)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


Sha256Opt = Annotated[
    Optional[str],
    typer.Option("--sha256", help="所审核文件的校验码（送审邮件或 bulletin status 中的前12位即可）；不填则为此刻磁盘上的文件"),
]
StepOpt = Annotated[
    Optional[str],
    typer.Option("--step", help="审核步骤（如 初审、签发，见 bulletin.toml 的 review.step）；不填则按审核人姓名确定"),
]


def _decide(ws: Workspace, month: Month, approved: bool, by: str, comment: str, sha256: Optional[str],
            step: Optional[str] = None) -> None:
    """Record the decision on the named version (or, without --sha256, on the file as it is when the command
    starts, which is shown); office.decide makes the PDF edition and resumes the month's waiting flow run."""
    from .office.decide import current_version, decide

    if sha256 is None:
        path, sha256 = current_version(ws, month)
        _say(f"审核的文件：{path}（校验码 {sha256[:12]}）")
    decided = decide(ws, month, approved=approved, by=by, comment=comment, seen_sha256=sha256,
                     resume=resume_with_prefect, step=step)
    _say(decided.decision.summary())
    if decided.pdf_line:
        _say(decided.pdf_line)
    if decided.archived:
        _say(decided.archived)
    if decided.resumed.startswith("提示："):
        err.print(decided.resumed)
    elif decided.resumed:
        _say(decided.resumed)


@app.command()
@_guard
def approve(
    by: Annotated[str, typer.Option("--by", help="审核人姓名")],
    workspace: WorkspaceOpt = None,
    month: MonthOpt = None,
    comment: Annotated[str, typer.Option("--comment", help="审核意见")] = "",
    sha256: Sha256Opt = None,
    series: SeriesOpt = None,
    step: StepOpt = None,
) -> None:
    """审核通过当月简报的某个版本（--sha256；文件若已被修改则不记录）。"""
    ws = _series(_workspace(workspace), series)
    _decide(ws, _month(ws, month), True, by, comment, sha256, step)


@app.command()
@_guard
def reject(
    by: Annotated[str, typer.Option("--by", help="审核人姓名")],
    comment: Annotated[str, typer.Option("--comment", help="退回原因")],
    workspace: WorkspaceOpt = None,
    month: MonthOpt = None,
    sha256: Sha256Opt = None,
    series: SeriesOpt = None,
    step: StepOpt = None,
) -> None:
    """退回当月简报（不发送），记录原因。"""
    ws = _series(_workspace(workspace), series)
    _decide(ws, _month(ws, month), False, by, comment, sha256, step)


def _prefect_server() -> str:
    url = os.environ.get("PREFECT_API_URL", "")
    if not url:
        _fail("未设置 PREFECT_API_URL：请先设置为 Prefect 服务器的地址，如 export PREFECT_API_URL=http://127.0.0.1:4200/api")
    return url


def _offices_status() -> None:
    from flows.deploy import offices_status  # Prefect only for this option

    url = _prefect_server()
    try:
        lines = offices_status()
    except Exception as exc:  # the server is down or refuses: say so, in Chinese, without a traceback
        _fail(f"无法读取 Prefect 服务器 {url} 上的部署（{exc.__class__.__name__}）：请确认服务器已启动。")
    if not lines:
        _say(f"Prefect 服务器 {url} 上还没有部署任何办公室的月度流程（bulletin deploy）。")
    for line in lines:
        _say(f"{line.office}：{line.text}（{line.deployment}，工作目录 {line.workspace}）")


@app.command()
@_guard
def deploy(
    workspace: WorkspaceOpt = None,
    name: Annotated[Optional[str], typer.Option("--name", help="部署名称（默认为办公室简称 [bulletin] short_name）")] = None,
    pool: Annotated[str, typer.Option("--pool", help="Prefect 工作池")] = "bulletin",
    queue: Annotated[Optional[str], typer.Option("--queue", help="工作队列（默认 default）")] = None,
) -> None:
    """把本工作目录的月度流程（有 [mailbox] 时还有每日收稿，有 [calendar] 时还有每日约稿催报）部署到 PREFECT_API_URL 所指的 Prefect 服务器。"""
    from flows.deploy import check_workspace, deploy_workspace  # Prefect only for this command

    url = _prefect_server()
    ws = _workspace(workspace)
    for remark in check_workspace(ws):
        _say(f"注意：{remark}")
    try:
        done = deploy_workspace(ws.root, name=name, pool=pool, queue=queue)
    except BulletinError:
        raise
    except Exception as exc:
        _fail(f"部署到 {url} 失败（{exc.__class__.__name__}：{exc}）：请确认服务器已启动、工作池 {pool} 已创建"
              f"（prefect work-pool create {pool} --type process）。")
    short = ws.settings.bulletin.office_short_name
    for d in done:
        plan = f"计划 {d.cron}（{d.timezone}）" if d.cron else "不定时（在界面中点 Run 启动）"
        _say(f"已部署 {d.full_name}：{plan}，标签 office:{short}，工作目录 {ws.root}")
    _say(f"运行名称形如“{short}-2026-10”；启动工作进程：prefect worker start --pool {pool}")


@app.command()
@_guard
def send(
    workspace: WorkspaceOpt = None,
    month: MonthOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将要发送的对象，不发送")] = False,
    series: SeriesOpt = None,
) -> None:
    """把审核通过的简报发送给分发名单（已发送的不再重复发送）。"""
    from .office.send import send as send_issue

    ws = _series(_workspace(workspace), series)
    month = _month(ws, month)
    report = send_issue(ws, month, dry_run=dry_run)
    _say(report.summary())
    if not report.complete or report.skipped:  # skipped rows of recipients.csv: someone is not reached
        raise typer.Exit(2)


@app.command()
@_guard
def review(workspace: WorkspaceOpt = None, month: MonthOpt = None, series: SeriesOpt = None) -> None:
    """把当月简报发给审核人（有 [web] 时每人一个在线审核链接）；同一版本不重复发送。"""
    from .office.review import review as send_for_review

    ws = _series(_workspace(workspace), series)
    month = _month(ws, month)
    report = send_for_review(ws, month)
    _say(report.summary())
    if not report.complete:
        raise typer.Exit(2)


@app.command()
@_guard
def serve(
    workspace: WorkspaceOpt = None,
    host: Annotated[Optional[str], typer.Option("--host", help="监听地址（默认 [web] host，即 127.0.0.1：只有本机可访问）")] = None,
    port: Annotated[Optional[int], typer.Option("--port", min=1, max=65535, help="端口（默认 [web] port，即 8600）")] = None,
) -> None:
    """启动审核台（网页）：审核人用送审邮件中的链接审核，办公室用密码（环境变量 BULLETIN_WEB_PASSWORD）登录查看。"""
    import uvicorn

    from .core.config import WebSettings
    from .web.app import create_app

    ws = _workspace(workspace)
    web = ws.settings.web or WebSettings()
    host, port = host or web.host, port or web.port
    _port_free(host, port)
    if not os.environ.get("BULLETIN_WEB_PASSWORD"):
        err.print("提示：未设置环境变量 BULLETIN_WEB_PASSWORD，办公室登录不可用；审核人的链接照常可用。")
    _say(f"审核台：http://{host}:{port}/  （送审邮件中的链接以 [web] base_url = {web.base_url} 开头）")
    # X-Forwarded-For/-Proto are believed only from the reverse proxy on this machine (README's nginx): the
    # login limits count the real client address, and nobody else can claim to be another address.
    uvicorn.run(create_app(ws.root, resume=resume_with_prefect), host=host, port=port, log_level="warning",
                proxy_headers=True, forwarded_allow_ips="127.0.0.1")


def _port_free(host: str, port: int) -> None:
    """Say in Chinese, before announcing an address, that the port is taken (uvicorn would say it in English
    after the address was printed)."""
    import socket

    try:
        probe = socket.create_server((host, port))
    except OSError as exc:
        _fail(f"端口 {port} 已被占用或无法使用（{exc.strerror or exc}）：可能已有一个审核台在运行；"
              f"请先关闭它，或用 --port 换一个端口（bulletin.toml [web] port）。")
    else:
        probe.close()


@app.command()
@_guard
def status(
    workspace: WorkspaceOpt = None, month: MonthOpt = None, series: SeriesOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="列出 Prefect 服务器（PREFECT_API_URL）上部署的每个办公室的当月状态")] = False,
) -> None:
    """查看某月简报的状态：收稿、期号、审核、发送。"""
    from .office.status import status as month_status

    if all_:
        _offices_status()
        return
    ws = _series(_workspace(workspace), series)
    month = _month(ws, month)
    _say(month_status(ws, month).summary())


@app.command()
@_guard
def stats(
    workspace: WorkspaceOpt = None,
    year: Annotated[Optional[int], typer.Option("--year", min=2000, max=2100, help="统计年度（默认台账中最近的年度）")] = None,
    month: Annotated[Optional[str], typer.Option("--month", "-m", help="只统计一个月 YYYY-MM")] = None,
    today: Annotated[Optional[str], typer.Option("--today", help="按这一天判断领导批示是否逾期未反馈 YYYY-MM-DD（默认今天）")] = None,
) -> None:
    """信息报送统计：各单位报送、采用、上级采用、领导批示、得分和排名，写成 Excel 表（含图表）。"""
    from .office.stats import stats as run_stats

    ws = _workspace(workspace)
    result = run_stats(ws, year, Month.parse(month) if month else None, _parse_date(today) if today else None)
    for problem in result.stats.problems:
        _say(f"注意：{problem}")
    pending = [f.month for f in result.stats.months if not f.approved]
    if pending:
        _say(f"注意：{'、'.join(pending)} 的简报尚未审核通过，采用数按“待审”计，不计入得分。")
    _say(f"已生成 {result.workbook}")
    if result.picture:
        _say(f"排名图：{result.picture}")
    else:
        _say("本机没有中文字体（如 fonts-noto-cjk），未生成排名图；Excel 表中的图表不受影响。")
    from rich.table import Table

    told = result.stats.instructions is not None
    table = Table("名次", "单位", "报送", "采用", "上级采用", *(["批示"] if told else []), "得分",
                  title="得分排名（前 10 名）")
    for row in result.stats.ranking[:10]:
        table.add_row(str(row.rank), Text(row.unit), str(row.submitted), str(row.adopted_shown), str(row.upper),
                      *([str(row.instructions)] if told else []), f"{row.points:g}")
    out.print(table)


@app.command()
@_guard
def run(workspace: WorkspaceOpt = None, month: MonthOpt = None) -> None:
    """在前台运行整个月度流程（Prefect）：编排、送审、等待审核、分发。"""
    ws = _workspace(workspace)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.monthly_bulletin import monthly_bulletin

    monthly_bulletin(month=month, workspace=str(ws.root))


@app.command()
@_guard
def fetch(
    workspace: WorkspaceOpt = None,
    month: Annotated[Optional[str], typer.Option("--month", "-m", help="把本次收到的稿件都放入该月 YYYY-MM（默认按收信时间）")] = None,
) -> None:
    """从投稿邮箱收稿：保存稿件附件到 inputs/<月份>/，并给每封来信发回执（已收取的不会重复处理）。"""
    from .office.fetch import fetch as fetch_mailbox

    ws = _workspace(workspace)
    report = fetch_mailbox(ws, Month.parse(month) if month else None,
                           on_wait=lambda: err.print("另一个收稿任务正在进行，等待其完成……"))
    for line in report.lines:
        _say(line, "· ")
    _say(report.summary())
    for error in report.receipts.get("errors", []):
        _say(error, "回执未发出 ", "yellow")


@app.command()
@_guard
def remind(
    workspace: WorkspaceOpt = None,
    month: Annotated[Optional[str], typer.Option("--month", "-m", help="月份 YYYY-MM（默认今天所在的月份）")] = None,
    today: Annotated[Optional[str], typer.Option("--today", help="按这一天执行 YYYY-MM-DD（补发错过的一天，或配合 --dry-run 试看）")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将要发给哪些单位，不发送")] = False,
) -> None:
    """约稿与催报：约稿日把 约稿.txt 发给各单位；催报日提醒尚未报送（或约稿未交）的单位。已发过的不再重复。"""
    from .office.remind import remind as remind_units

    ws = _workspace(workspace)
    result = remind_units(ws, Month.parse(month) if month else None, _parse_date(today) if today else None,
                          dry_run=dry_run)
    _say(result.summary())
    if not result.complete:
        raise typer.Exit(2)


# ===== bulletin instructions: 领导批示 and their feedback (issue 26) ============================================
instructions_app = typer.Typer(help="领导批示：登记表 inputs/领导批示.xlsx 中的批示及落实反馈情况。",
                               invoke_without_command=True, rich_markup_mode=None)
app.add_typer(instructions_app, name="instructions")


@instructions_app.callback()
@_guard
def instructions(
    ctx: typer.Context,
    workspace: WorkspaceOpt = None,
    year: Annotated[Optional[int], typer.Option("--year", min=2000, max=2100, help="批示日期所在年度（默认今年）")] = None,
    today: Annotated[Optional[str], typer.Option("--today", help="按这一天判断反馈状态 YYYY-MM-DD（默认今天，北京时间）")] = None,
) -> None:
    """列出一年的领导批示及反馈状态（已反馈 / 逾期反馈 / 未到期 / 逾期未反馈 / 无需反馈）。"""
    if ctx.invoked_subcommand is not None:
        return
    from .office.instructions import listing

    for line in listing(_workspace(workspace), year, _parse_date(today) if today else None).lines():
        _say(line)


@instructions_app.command("feedback")
@_guard
def instructions_feedback(
    row: Annotated[int, typer.Argument(help="登记表中的行号（Excel 左侧的数字）", min=1)],
    text: Annotated[str, typer.Option("--text", help="落实反馈情况")],
    workspace: WorkspaceOpt = None,
    date_: Annotated[Optional[str], typer.Option("--date", help="反馈日期 YYYY-MM-DD（默认今天）")] = None,
) -> None:
    """把一条批示的落实反馈写入登记表（反馈情况、反馈日期两列）。"""
    from .office.instructions import feedback

    _say(feedback(_workspace(workspace), row, None, text, _parse_date(date_) if date_ else ""))


@instructions_app.command("add")
@_guard
def instructions_add(
    leader: Annotated[str, typer.Option("--leader", help="批示领导")],
    level: Annotated[str, typer.Option("--level", help="级别（bulletin.toml [scoring.instructions.levels] 之一，如 市级）")],
    kind: Annotated[str, typer.Option("--kind", help="类别（[scoring.instructions.kinds] 之一，如 批办）")],
    day: Annotated[str, typer.Option("--date", help="批示日期 YYYY-MM-DD")],
    number: Annotated[str, typer.Option("--number", help="期号（如 65）")] = "",
    title: Annotated[str, typer.Option("--title", help="被批示信息的标题")] = "",
    source: Annotated[str, typer.Option("--source", help="报送单位（单位名册中的名称，可不填）")] = "",
    text: Annotated[str, typer.Option("--text", help="批示内容")] = "",
    unit: Annotated[Optional[list[str]], typer.Option("--unit", help="落实单位（可重复）")] = None,
    due: Annotated[str, typer.Option("--due", help="反馈期限 YYYY-MM-DD（不填：无需反馈）")] = "",
    workspace: WorkspaceOpt = None,
) -> None:
    """在登记表 inputs/领导批示.xlsx 末尾登记一条批示（没有登记表时新建）。"""
    from .office.instructions import add_instruction

    _say(add_instruction(_workspace(workspace), number=number, title=title, source_unit=source, leader=leader,
                         level=level, kind=kind, day=day, text=text, units=unit or [], due=due).line())
# ===== end of bulletin instructions ===========================================================================


# ===== bulletin tasks …: the supervision round (督查专报) (owner: supervision) ===============================
tasks_app = typer.Typer(help="督查专报：重点任务分发、汇总、生成专报。", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
RoundMonthOpt = Annotated[str, typer.Option("--month", "-m", help="督查轮次的月份 YYYY-MM（任务清单在 inputs/督查/<月份>/任务.xlsx）")]
RoundSeriesOpt = Annotated[str, typer.Option("--series", help="系列名称（bulletin.toml 中的 [series.名称]）")]


def _round(workspace: Optional[Path], month: str, series: str):
    from .office.tasks import round_of

    return round_of(_workspace(workspace), Month.parse(month), series)


@tasks_app.command("split")
@_guard
def tasks_split(
    month: RoundMonthOpt,
    workspace: WorkspaceOpt = None,
    due: Annotated[Optional[str], typer.Option("--due", help="反馈截止日期 YYYY-MM-DD（写在每张表的第一行）")] = None,
    mail: Annotated[bool, typer.Option("--mail", help="把任务表分别发给各责任单位（已发过的不再发）")] = False,
    series: RoundSeriesOpt = "督查专报",
) -> None:
    """按责任单位拆分任务清单：每个单位一张只含本单位任务的表（只有“状态”“落实情况”可填）。"""
    from .office import tasks

    rnd = _round(workspace, month, series)
    report = tasks.split(rnd, _parse_date(due) if due else None)
    for line in report.lines():
        _say(line)
    if mail:
        sent = tasks.mail(rnd, report)
        for line in sent.lines():
            _say(line)
        if not sent.complete:
            raise typer.Exit(2)


@tasks_app.command("merge")
@_guard
def tasks_merge(month: RoundMonthOpt, workspace: WorkspaceOpt = None, series: RoundSeriesOpt = "督查专报") -> None:
    """汇总 inputs/督查/<月份>/反馈/ 中各单位发回的任务表（重复汇总不会改变结果）。"""
    from .office.tasks import merge

    for line in merge(_round(workspace, month, series)).lines():
        _say(line)


@tasks_app.command("report")
@_guard
def tasks_report(
    month: RoundMonthOpt,
    workspace: WorkspaceOpt = None,
    date_: Annotated[Optional[str], typer.Option("--date", help="专报印发日期 YYYY-MM-DD（默认今天）")] = None,
    number: Annotated[Optional[int], typer.Option("--number", help="指定期号（默认接上一期）")] = None,
    series: RoundSeriesOpt = "督查专报",
) -> None:
    """根据汇总结果生成督查专报（.docx），并给出通报建议表。"""
    from .office.tasks import report

    rnd = _round(workspace, month, series)
    result = report(rnd, _parse_date(date_) if date_ else None, number)
    _say(result.summary())
    _say(f"审核：{rnd.ws.command('approve', rnd.month, '--by 审核人姓名')}；发送：{rnd.ws.command('send', rnd.month)}")
# ===== end of bulletin tasks ================================================================================


# ===== the archive (issue 27): bulletin archive rebuild, bulletin search, bulletin compendium ==================
archive_app = typer.Typer(help="归档：已审核通过的各期文章（检索、年度汇编、疑似重复提示的依据）。", no_args_is_help=True)
app.add_typer(archive_app, name="archive")


@archive_app.command("rebuild")
@_guard
def archive_rebuild(
    workspace: WorkspaceOpt = None,
    year: Annotated[Optional[int], typer.Option("--year", help="只重建这一年（默认全部）")] = None,
) -> None:
    """从各月已审核通过的 .docx 重新归档（简报和各系列；归档功能之前审核的月份用它补上）。"""
    from .office.archive import rebuild

    for line in rebuild(_workspace(workspace), year).lines():
        _say(line)


@app.command()
@_guard
def search(
    words: Annotated[list[str], typer.Argument(help="关键词（可多个，空格分开；两个字的词也能查到）")],
    workspace: WorkspaceOpt = None,
    year: Annotated[Optional[int], typer.Option("--year", help="只查这一年")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="只查这个单位的稿件（名称的一部分即可）")] = None,
    series: SeriesOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="最多显示几篇")] = 20,
) -> None:
    """检索已归档的各期文章：显示期号、日期、单位、标题和含关键词的句子，完全匹配的排在前面。"""
    from .office.archive import hit_lines
    from .office.archive import search as search_archive

    ws = _workspace(workspace)
    hits, total = search_archive(ws, words, year=year, unit=unit, series=series.strip() if series else None,
                                 limit=limit)
    for line in hit_lines(hits, total, words):
        _say(line)


@app.command()
@_guard
def compendium(
    year: Annotated[int, typer.Option("--year", help="年份，如 2026")],
    workspace: WorkspaceOpt = None,
    series: SeriesOpt = None,
) -> None:
    """生成年度汇编 outputs/汇编/<年份>年<简报名称>汇编.docx：封面、按期目录、各期文章、按单位和栏目的索引。"""
    from .office.archive import compendium as make_compendium

    result = make_compendium(_series(_workspace(workspace), series), year)
    for line in result.lines():
        _say(line)
# ===== end of the archive ===================================================================================


# ===== accounts of the workbench (issue 24) ==================================================================
users_app = typer.Typer(help="办公台账号：编辑、审核、管理（密码以 scrypt 加密保存在 .bulletin/ 中）。", no_args_is_help=True,
                        rich_markup_mode=None)
app.add_typer(users_app, name="users")


def _new_password(from_stdin: bool, undone: str = "未添加") -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("密码", hide_input=True)
    if typer.prompt("再输入一次", hide_input=True) != first:
        _fail(f"两次输入的密码不一致，{undone}。")
    return first


@users_app.command("add")
@_guard
def users_add(
    name: Annotated[str, typer.Argument(help="账号名（如 张三）")],
    role: Annotated[str, typer.Option("--role", help="角色：编辑、审核 或 管理")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读一行作为密码")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """添加办公台账号（密码输入两次，或 --password-stdin）。"""
    from .office.accounts import add_user, check_name, check_role

    ws = _workspace(workspace)
    name, role = check_name(name), check_role(role)
    user = add_user(ws, name, role, _new_password(password_stdin))
    _say(f"已添加账号“{user.name}”（{user.role}）：可在办公台（bulletin serve）登录。")


@users_app.command("list")
@_guard
def users_list(workspace: WorkspaceOpt = None) -> None:
    """列出办公台账号。"""
    from .office.accounts import users

    found = users(_workspace(workspace))
    if not found:
        _say("还没有账号：bulletin users add 张三 --role 编辑")
    for user in found:
        _say(f"{user.name}  {user.role}  添加于 {user.created[:16].replace('T', ' ')}")


@users_app.command("remove")
@_guard
def users_remove(name: Annotated[str, typer.Argument(help="账号名")], workspace: WorkspaceOpt = None) -> None:
    """删除办公台账号（其登录随即失效）。"""
    from .office.accounts import remove_user

    remove_user(_workspace(workspace), name)
    _say(f"已删除账号“{name}”。")


@users_app.command("passwd")
@_guard
def users_passwd(
    name: Annotated[str, typer.Argument(help="账号名")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读一行作为新密码")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """重设办公台账号的密码（输入两次，或 --password-stdin）；该账号已登录的页面随即失效。"""
    from .office.accounts import check_name, find_user, reset_password

    ws = _workspace(workspace)
    name = check_name(name)
    if find_user(ws, name) is None:  # said before the password is typed twice
        _fail(f"没有账号“{name}”。")
    user = reset_password(ws, name, _new_password(password_stdin, "未修改"))
    _say(f"已重设账号“{user.name}”的密码：其已登录的办公台页面需重新登录。")
# ===== end of accounts ========================================================================================


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="bulletin")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
