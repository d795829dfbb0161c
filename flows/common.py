"""What every flow of bulletin shares (no bulletin logic here: that is bulletin/office/): the workspace
parameter's check, the office's short name for run names, the task options, the retry policy for mail, the
pause's poll interval and the review form (`ReviewAnswer`). The flows import this module and never each other."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Literal

from prefect.cache_policies import NO_CACHE
from prefect.input import RunInput
from prefect.tasks import exponential_backoff
from pydantic import Field, model_validator

from bulletin.core.errors import BulletinError
from bulletin.core.workspace import Workspace
from bulletin.office.decide import MIN_SHA_PREFIX
from bulletin.office.send import MailError

# How often a waiting run asks the server whether it was resumed (Prefect: 10 s; an approval should show at once).
PAUSE_POLL_SECONDS = float(os.environ.get("BULLETIN_PAUSE_POLL_SECONDS") or 3)
# Mail tasks: retried only for transient SMTP trouble (4xx, dropped connection, network), with backoff:
# 1, 2, 4, 8 minutes. Retrying is safe: delivery skips everyone the ledger has as 'sent'.
MAIL_RETRIES = 4
MAIL_RETRY_DELAYS = exponential_backoff(backoff_factor=60)
# No Prefect caching or result persistence: the ledger is the single record of what was done.
TASK = {"cache_policy": NO_CACHE, "persist_result": False}

APPROVE, REJECT = "通过", "退回"


def retry_if_transient(task, task_run, state) -> bool:
    exc = state.data if isinstance(state.data, BaseException) else None
    return isinstance(exc, MailError) and exc.transient


# Retried only for transient SMTP trouble; safe, as delivery skips everyone the ledger has as 'sent'.
MAIL_TASK = dict(
    retries=MAIL_RETRIES, retry_delay_seconds=MAIL_RETRY_DELAYS, retry_jitter_factor=0.2,
    retry_condition_fn=retry_if_transient, **TASK,
)


class ReviewAnswer(RunInput):
    """The reviewer's decision on one version of the file, entered in the Prefect UI ("Resume", the form is
    filled in with the version shown) or sent by `bulletin approve/reject`. The decision has no default: a
    form submitted with only a name is refused, never read as a rejection; 退回 needs 审核意见 (the schema says
    so, and the server checks it before the run resumes)."""

    model_config = {"json_schema_extra": {
        "if": {"properties": {"decision": {"const": REJECT}}, "required": ["decision"]},
        "then": {"properties": {"comment": {"minLength": 1, "pattern": "\\S"}}, "required": ["comment"]},
    }}

    decision: Literal["通过", "退回"] = Field(
        title="审核结果", description="通过：审核通过并发送；退回：不发送（请在“审核意见”中写明原因）")
    reviewer: str = Field(title="审核人", min_length=1, description="审核人姓名")
    comment: str = Field(default="", title="审核意见", description="退回时必须填写原因；通过时可不填")
    sha256: str = Field(
        title="文件校验码（审核的版本）", min_length=MIN_SHA_PREFIX,
        description="所审核文件的校验码（已按等待时的文件填好）；文件之后若被修改，审核结果不会记录，流程会把新版本送审",
    )
    step: str = Field(
        default="", title="审核步骤",
        description="审核链中的步骤（如 初审、签发；已按等待时的步骤填好）；留空则按审核人姓名确定",
    )

    @model_validator(mode="after")
    def _reason_for_rejection(self):
        if self.decision == REJECT and not self.comment.strip():
            raise ValueError("退回时请填写审核意见（退回原因）")
        return self

    @property
    def approved(self) -> bool:
        return self.decision == APPROVE


def workspace_param(workspace: str) -> Workspace:
    """A deployment's `workspace` parameter, checked: a template left unfilled is explained in Chinese."""
    if "{{" in workspace:
        raise BulletinError(
            f"部署参数 workspace 未设置（{workspace}）：请在执行 prefect deploy 前设置环境变量 BULLETIN_WORKSPACE"
            "为工作目录的绝对路径，或在 Prefect 界面中编辑部署的参数 workspace。"
        )
    return Workspace.at(workspace)


def office_short_name(workspace: str) -> str:
    """The workspace's [bulletin] short_name (or the masthead's first part); "bulletin" when it cannot be read
    (the run then fails with the settings' own message, not here)."""
    try:
        return Workspace.at(workspace).settings.bulletin.office_short_name
    except Exception:  # a run name must never be the reason a run fails
        return "bulletin"


@contextmanager
def library_logs():
    """For the run's duration, `bulletin.*` INFO logs also go to the run's log (PREFECT_LOGGING_EXTRA_LOGGERS
    only attaches Prefect's handler, and only when it was set before Prefect was imported)."""
    lib = logging.getLogger("bulletin")
    added = [h for h in logging.getLogger("prefect.extra").handlers if h not in lib.handlers]
    for handler in added:
        lib.addHandler(handler)
    level = lib.level
    if lib.getEffectiveLevel() > logging.INFO:
        lib.setLevel(logging.INFO)
    try:
        yield
    finally:
        for handler in added:
            lib.removeHandler(handler)
        lib.setLevel(level)
