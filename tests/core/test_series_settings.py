"""A series' settings are the office's own with the [bulletin] masthead, numbering and 报/发 lines of its
[series.<name>] section (core/config.py series_settings). Everything else is inherited *without naming it*: a
setting added to [bulletin] reaches every series with no change in delivery, status or the PDF edition — the
first test walks every field of the [bulletin] model, so a new one is checked the day it is added."""

from __future__ import annotations

import tomllib

from bulletin.core.config import BulletinSettings, Settings, series_settings
from bulletin.core.workspace import Workspace

OFFICE = """
[bulletin]
title = "章贡区“五型”政府建设 工作简报"
office = "区“五型”政府建设领导小组办公室"
phone = "8199917"
email = "zgqwxzfb@mail.zg.local"
first_issue = 64
report_to = "区政府区长、副区长"
send_to = "各镇、街道"
template = "templates/own.docx"
notice_subject = "“五型”政府建设"
pdf = true
short_name = "章贡区"

[web]
base_url = "https://shenhe.zgq.example.cn"

[series."督查专报"]
title = "章贡区 督查专报"
report_to = "区委、区政府主要领导"
send_to = "各责任单位"
recipients = ["督查"]
"""
OWN = {"title", "first_issue", "report_to", "send_to", "office"}  # taken from [series.<name>]
BULLETIN_ONLY = {"template", "notice_subject"}  # the bulletin's Word template and notice heading


def test_every_other_bulletin_field_is_inherited_by_a_series():
    office = Settings.model_validate(tomllib.loads(OFFICE))
    series = series_settings(office, "督查专报")
    inherited = set(BulletinSettings.model_fields) - OWN - BULLETIN_ONLY
    assert inherited >= {"phone", "email", "pdf", "short_name"}
    for name in inherited:
        assert getattr(series.bulletin, name) == getattr(office.bulletin, name), name
    assert series.bulletin.pdf is True and series.bulletin.short_name == "章贡区"
    assert (series.bulletin.title, series.bulletin.first_issue, series.bulletin.send_to) == (
        "章贡区 督查专报", 1, "各责任单位")
    assert series.bulletin.office == office.bulletin.office  # not given: the office's own
    assert series.bulletin.template is None and series.bulletin.notice_subject is None
    assert series.web == office.web  # the desk serves a series' links too (they name their series)
    assert series.mail == office.mail and series.smtp == office.smtp and series.review == office.review


def test_the_series_workspace_names_its_own_commands_folders_and_lists(tmp_path):
    (tmp_path / "bulletin.toml").write_text(OFFICE, encoding="utf-8")
    ws = Workspace.at(tmp_path)
    series = ws.for_series("督查专报")
    assert series.command("send", "2026-09") == "bulletin send --series 督查专报 --month 2026-09"
    assert ws.command("approve", "2026-09", "--by 姓名") == "bulletin approve --month 2026-09 --by 姓名"
    assert series.month_outputs("2026-09") == tmp_path / "outputs" / "督查专报" / "2026-09"
    assert series.shown(series.month_outputs("2026-09") / "督查专报第1期.docx") == "outputs/督查专报/2026-09/督查专报第1期.docx"
    assert series.recipient_lists == ["督查"] and ws.recipient_lists == []
    assert series.ledger_path.name == "ledger-督查专报.sqlite3" and ws.ledger_path.name == "ledger.sqlite3"
    assert series.for_series(None) == ws and ws.for_series("") is ws
