"""The CLI door to an approval: `bulletin approve`/`reject` record the decision in the ledger, then call
resume_month_run() to hand the same decision (and the version it names) to the month's paused flow run (the Prefect UI's "Resume" is the
other door). Uses the Prefect client with this process's settings: set the same PREFECT_API_URL (or, without a
server, the same PREFECT_HOME) as the run.

The decision is already in the ledger when this runs, so nothing here raises: every outcome is a Chinese
sentence for the office.
"""

from __future__ import annotations

import time
from uuid import UUID

# A run records 'waiting_for_approval' just before it pauses: give it this long to get there.
PAUSE_WAIT_SECONDS = 30.0
POLL_SECONDS = 0.5


def _where() -> str:
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME

    url = PREFECT_API_URL.value()
    return f"Prefect 服务器 {url}" if url else f"本机 Prefect（PREFECT_HOME={PREFECT_HOME.value()}）"


def _after(approved: bool) -> str:
    return "审核结果已记录，可执行 bulletin send 发送简报。" if approved else "退回意见已记录。"


def resume_month_run(run_id: str, approved: bool, reviewer: str, comment: str = "", *, sha256: str,
                     step: str = "") -> str:
    """Resume the paused run `run_id` with ReviewAnswer(approved, reviewer, comment, sha256, step): the decision
    the command recorded, on the version and at the review step it named. Returns what happened."""
    try:
        flow_run_id = UUID(str(run_id))
    except ValueError:
        return f"账本中记录的流程运行编号 {run_id} 无效，未能继续该流程。{_after(approved)}"
    try:
        return _resume(flow_run_id, approved, reviewer, comment, sha256, step)
    except Exception as exc:  # noqa: BLE001 - the decision is recorded; say what went wrong, no traceback
        return (
            f"未能继续等待审核的流程运行 {flow_run_id}（{type(exc).__name__}: {exc}）：{_after(approved)}"
            f"也可在 Prefect 界面中打开该流程运行，点“Resume”填写审核结果。"
        )


def _resume(flow_run_id: UUID, approved: bool, reviewer: str, comment: str, sha256: str, step: str = "") -> str:
    import httpx
    from prefect import get_client
    from prefect.exceptions import FlowPauseTimeout, NotPausedError, ObjectNotFound
    from prefect.flow_runs import resume_flow_run

    from flows.common import ReviewAnswer

    answer = ReviewAnswer(decision="通过" if approved else "退回", reviewer=reviewer.strip(), comment=comment.strip(),
                          sha256=sha256, step=step)
    what = "审核通过，流程将发送简报" if approved else "退回，流程结束，不发送"
    deadline = time.monotonic() + PAUSE_WAIT_SECONDS
    try:
        while True:
            with get_client(sync_client=True) as client:
                run = client.read_flow_run(flow_run_id)
            state = run.state
            if state is not None and state.is_paused():
                try:
                    resume_flow_run(flow_run_id, run_input=answer.model_dump())
                except NotPausedError:  # resumed from the UI a moment ago, or it just timed out
                    pass
                else:
                    return f"已继续等待审核的流程运行“{run.name}”（{flow_run_id}）：{what}。"
            elif state is None or state.is_final():
                name = state.name if state is not None else "未知"
                return f"流程运行“{run.name}”已结束（状态：{name}），无需继续。{_after(approved)}"
            elif state.is_running() and run.empirical_policy.pause_keys:
                return f"流程运行“{run.name}”已在别处（如 Prefect 界面）继续，无需再继续。{_after(approved)}"
            if time.monotonic() >= deadline:
                return (
                    f"流程运行“{run.name}”尚未进入等待审核状态（当前：{state.name}），未能继续。{_after(approved)}"
                    "如该运行随后进入等待，请在 Prefect 界面中继续，或再次执行本命令。"
                )
            time.sleep(POLL_SECONDS)
    except ObjectNotFound:
        return (
            f"{_where()} 上找不到流程运行 {flow_run_id}：请用运行流程时相同的 PREFECT_API_URL / PREFECT_HOME "
            f"再试，或在 Prefect 界面中继续该运行。{_after(approved)}"
        )
    except FlowPauseTimeout:
        return f"流程运行 {flow_run_id} 等待审核已超时，不能再继续。{_after(approved)}"
    except httpx.HTTPError as exc:
        return f"无法连接 {_where()}（{exc}）：未能继续流程运行 {flow_run_id}。{_after(approved)}"
