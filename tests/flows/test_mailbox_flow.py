"""The mailbox in Prefect: the `collect-drafts` flow publishes `mailbox-YYYY-MM`, and the monthly flow fetches
before it compiles (Prefect's own engine, a real Dovecot and a real aiosmtpd)."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from mail_clients import outlook, when
from mailbox_kit import MONTH, draft_bytes, write_office
from mail_workspace import write_recipients

from bulletin.core.ledger import Ledger
from bulletin.core.workspace import Workspace

pytestmark = pytest.mark.usefixtures("prefect_harness")


def artifact_rows(run_id, key: str) -> list[dict]:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key]), flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(str(run_id))])))
    return json.loads(artifact.data)


def test_collect_drafts_flow_publishes_the_months_mailbox_table(tmp_path, imap_server, smtp_server, monkeypatch):
    from flows.collect_drafts import collect_drafts

    imap = imap_server()
    smtp = smtp_server()
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", imap.password)
    root = write_office(tmp_path / "office", imap, smtp)
    imap.append(outlook(sender="rsj@zgq.gov.test", name="张三", subject="区人社局稿件", when=when(12), msgid="<f.1@x>",
                        attachments=[("区人社局-就业.docx", draft_bytes("就业", "区人社局")),
                                     ("旧稿.doc", bytes.fromhex("D0CF11E0A1B11AE1"))]), when=when(12))
    state = collect_drafts(workspace=str(root), return_state=True)
    assert state.is_completed()
    assert "保存稿件 1 篇" in state.result()
    rows = artifact_rows(state.state_details.flow_run_id, f"mailbox-{MONTH}")
    assert rows == [
        {"时间": "2026-10-12 10:05", "发件人": "rsj@zgq.gov.test", "单位": "区人社局", "主题": "区人社局稿件",
         "文件": "区人社局-就业.docx", "处理结果": "已收稿", "回执": "已发回执"},
        {"时间": "2026-10-12 10:05", "发件人": "rsj@zgq.gov.test", "单位": "区人社局", "主题": "区人社局稿件",
         "文件": "旧稿.doc", "处理结果": "未收取：这是旧版 Word 格式（.doc），请在 Word 中“另存为” .docx 后重新发送",
         "回执": "已发回执"},
    ]
    again = collect_drafts(workspace=str(root), return_state=True)
    assert "收取新邮件 0 封" in again.result() and len(smtp.messages) == 1


def test_monthly_flow_fetches_before_it_compiles(tmp_path, imap_server, smtp_server, monkeypatch):
    from flow_kit import FlowThread, resume_from_ui, wait_paused

    import flows.common as common

    monkeypatch.setattr(common, "PAUSE_POLL_SECONDS", 0.5)
    imap = imap_server()
    smtp = smtp_server()
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", imap.password)
    root = write_office(tmp_path / "office", imap, smtp)
    with open(root / "bulletin.toml", "a", encoding="utf-8") as toml:
        toml.write('[review]\nreviewers = ["zhuren@zgq.example.cn"]\n')
    write_recipients(root / "inputs" / "recipients.csv", [("发", "区委办", "qwb@zgq.example.cn")])
    imap.append(outlook(sender="czj_zgq@163.com", name="李四", subject="财政局稿件", when=when(12), msgid="<mf.1@x>",
                        attachments=[("区财政局-预算执行.docx", draft_bytes("预算执行平稳", "区财政局"))]),
                when=when(12))
    ws = Workspace.at(root)
    runner = FlowThread(ws)
    run_id = wait_paused(ws, runner)
    with Ledger(ws.ledger_path) as ledger:
        compiled = ledger.last_compile(MONTH)
    assert [(d["file"], d["unit"]) for d in compiled.drafts] == [("区财政局-预算执行.docx", "区财政局")]
    resume_from_ui(run_id, decision="退回", reviewer="张主任", comment="先不发")
    runner.join()
    receipts = [m for m in smtp.messages if m.rcpt_tos == ["czj_zgq@163.com"]]
    assert len(receipts) == 1
