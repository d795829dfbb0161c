"""The monthly flow run as a worker runs it, for the flow tests (tests/flows/test_flow.py, test_mailbox_flow.py)
and the browser test (tests/web/test_web_browser.py): an office with two drafts and an old .doc, the run in a
thread, waiting until it pauses, resuming it as the UI's form does, and reading back mails, artifacts and logs.

Needs Prefect's engine: the tests using it take the `prefect_harness` fixture (tests/conftest.py)."""

from __future__ import annotations

import contextvars
import threading
import time
from email import policy
from email.parser import BytesParser
from uuid import UUID

import draft_factory
from mail_workspace import (
    numbered_recipients,
    smtp_settings,
    write_recipients,
    write_settings,
)

from bulletin.core.atomic import sha256_file
from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace

MONTH = "2026-10"
REVIEWERS = ["zhuren@zgq.example.cn", "mishu@zgq.example.cn"]
RECIPIENTS = numbered_recipients(3)
RECIPIENT_EMAILS = sorted(email for _, _, email in RECIPIENTS)
PASSWORD = "Pa55-w0rd-x7Q"
USER = "office@zgq.example.cn"


def make_office(root, server, **smtp_extra):
    root.mkdir()
    write_settings(root, smtp_settings(server, **smtp_extra), REVIEWERS)
    write_recipients(root / "inputs" / "recipients.csv", RECIPIENTS)
    folder = root / "inputs" / MONTH
    folder.mkdir()
    draft_factory.make_draft(folder / "1-区发改委.docx", title="项目建设提速", unit_line="区发改委",
                             paragraphs=["一季度完成固定资产投资12.5亿元，同比增长8.3%。"])
    draft_factory.make_draft(folder / "2-区财政局.docx", title="预算执行平稳", unit_line="区财政局",
                             paragraphs=["全区一般公共预算收入完成年度预算的52%。"])
    (folder / "3-旧稿.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old Word file")
    return Workspace.at(root)


class FlowThread:
    """monthly_bulletin(...) in a thread, as a worker or `bulletin run` would run it."""

    def __init__(self, ws: Workspace, month: str = MONTH):
        from flows.monthly_bulletin import monthly_bulletin

        self.result = self.error = None

        def run():
            try:
                self.result = monthly_bulletin(month=month, workspace=str(ws.root))
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                self.error = exc

        self.thread = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True)
        self.thread.start()

    def join(self, timeout: float = 60):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the flow run did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def flow_run(run_id):
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(str(run_id)))


def wait_paused(ws: Workspace, runner: FlowThread, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert runner.thread.is_alive(), f"the run ended instead of pausing: {runner.error or runner.result}"
        with Ledger(ws.ledger_path) as ledger:
            recorded = ledger.flow_run(MONTH)
        if recorded and recorded[1] == "waiting_for_approval" and flow_run(recorded[0]).state.is_paused():
            return recorded[0]
        time.sleep(0.2)
    raise AssertionError("the run did not pause for approval")


def resume_from_ui(run_id, **answer):
    """What the UI's Resume form does: POST /flow_runs/{id}/resume with the run input (the form comes filled in
    with the version the run showed, answer["sha256"])."""
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(UUID(str(run_id)), run_input={"comment": "", **answer})


def shown_sha(ws: Workspace) -> str:
    """The version a waiting run shows in its form: the compiled file as it is on disk now."""
    with Ledger(ws.ledger_path) as ledger:
        return sha256_file(ledger.last_compile(MONTH).path)


def received(server) -> list[tuple[list[str], object]]:
    return [(sorted(r.lower() for r in m.rcpt_tos), BytesParser(policy=policy.default).parsebytes(m.data))
            for m in server.messages]


def attachment_bytes(message) -> bytes:
    (part,) = [p for p in message.iter_attachments()]
    return part.get_payload(decode=True)


def artifacts(run_id, key):
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[key]), flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(str(run_id))])
            ),
            sort=ArtifactSort.CREATED_DESC,
        )


def run_logs(run_id, expect: str, timeout: float = 15) -> list[str]:
    """The run's log messages, once `expect` is among them (logs reach the API in batches)."""
    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + timeout
    while True:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(str(run_id))])))
        messages = [log.message for log in logs]
        if any(expect in m for m in messages) or time.monotonic() > deadline:
            return messages
        time.sleep(0.3)
