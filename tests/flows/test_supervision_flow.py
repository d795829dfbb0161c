"""The supervision flow on Prefect's engine (prefect_test_harness) with aiosmtpd: split and mail on one run,
merge, report, review pause, `bulletin approve --series` and delivery on another."""

from __future__ import annotations

import contextvars
import threading
import time

import pytest
from typer.testing import CliRunner

import supervision_seed
from supervision_kit import ROUND_MONTH, SERIES_SETTINGS, SILENT_UNIT, make_round_workspace

from bulletin.core.ledger import Ledger
from bulletin.supervision.round import Round
from bulletin.supervision.sheets import marker_of

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(autouse=True)
def fast_pause(monkeypatch):
    import flows.common as common

    monkeypatch.setattr(common, "PAUSE_POLL_SECONDS", 0.5)


def test_split_run_then_report_run_pauses_and_cli_approval_sends(tmp_path, smtp_server):
    from bulletin.cli import app
    from flows.supervision import supervision

    server = smtp_server()
    kit = make_round_workspace(tmp_path / "ws")
    (kit.root / "bulletin.toml").write_text(
        SERIES_SETTINGS + '\n[review]\nreviewers = ["zhuren@qyp.gov.cn"]\n'
        + f'\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsender = "dcs@qyp.gov.cn"\ntimeout = 10\n',
        encoding="utf-8")
    with open(kit.root / "inputs" / "recipients.csv", "a", encoding="utf-8") as handle:
        handle.write("单位,区金融办,jrb@qyp.gov.cn\n")
    root = str(kit.root)

    summary = supervision(month=ROUND_MONTH, stage="split", workspace=root, due="2020-09-25")
    assert "已为 31 个责任单位生成任务表" in summary
    # the units with an address: recipients.csv rows named after a unit (区财政局 and 区住建局 are there already)
    assert sorted(r for m in server.messages for r in m.rcpt_tos) == ["czj@qyp.gov.cn", "jrb@qyp.gov.cn",
                                                                    "zjj@qyp.gov.cn"]

    rnd = Round.of(kit.ws, ROUND_MONTH)
    seed = {t.number: (t.status, t.answer) for t in supervision_seed.seed_tasks()}
    for path in sorted((rnd.outputs / "分发").glob("*.xlsx")):
        if marker_of(path)[1] != SILENT_UNIT:
            supervision_seed.fill_sheet(path, rnd.returns / path.name, seed)

    outcome: dict = {}

    def run():
        try:
            outcome["result"] = supervision(month=ROUND_MONTH, stage="report", workspace=root,
                                            report_date="2020-10-09")
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert thread.is_alive(), f"the run ended instead of pausing: {outcome}"
        with Ledger(rnd.ws.ledger_path) as ledger:
            recorded = ledger.flow_run(ROUND_MONTH)
        if recorded and recorded[1] == "waiting_for_approval":
            break
        time.sleep(0.3)
    else:
        raise AssertionError("the report run did not pause")
    review = [m for m in server.messages if m.rcpt_tos == ["zhuren@qyp.gov.cn"]]
    assert len(review) == 1 and review[0].message["Subject"] == "【送审】督查专报 第1期（2020年10月9日）"
    body = review[0].message.get_body(("plain",)).get_content()
    assert "bulletin approve --series 督查专报 --month 2020-09 --by 您的姓名 --sha256" in body
    assert "outputs/督查专报/2020-09/督查专报第1期.docx" in body

    time.sleep(1)  # let the run reach its pause after recording it
    done = CliRunner().invoke(app, ["approve", "--series", "督查专报", "-w", root, "-m", ROUND_MONTH, "--by", "王主任"])
    assert done.exit_code == 0, done.output
    thread.join(90)
    assert not thread.is_alive() and "error" not in outcome, outcome
    assert outcome["result"] == "分发：本次发送 3 位，此前已发送 0 位"
    delivered = sorted(r for m in server.messages if m.message["Subject"] == "督查专报 第1期（2020年10月9日）"
                       for r in m.rcpt_tos)
    assert delivered == ["ducha@qyp.gov.cn", "fuquzhang@qyp.gov.cn", "quzhang@qyp.gov.cn"]
    with Ledger(rnd.ws.ledger_path) as ledger:
        assert ledger.flow_run(ROUND_MONTH)[1] == "finished"


def test_prefect_yaml_deploys_the_supervision_flow_without_a_schedule():
    import yaml
    from prefect.flows import load_flow_from_entrypoint
    from repo_paths import REPO

    project = REPO
    config = yaml.safe_load((project / "prefect.yaml").read_text(encoding="utf-8"))
    entry = next(d for d in config["deployments"] if d["name"] == "supervision")
    assert entry["schedules"] == []
    assert entry["parameters"] == {"workspace": "{{ $BULLETIN_WORKSPACE }}", "stage": "report"}
    loaded = load_flow_from_entrypoint(str(project / entry["entrypoint"].split(":")[0]) + ":supervision")
    assert loaded.name == "supervision"
    assert {"month", "stage", "workspace", "series", "due", "report_date"} <= set(loaded.parameters.properties)
