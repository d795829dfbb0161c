"""The ledger's calls checked value by value where mutation testing (tools/mutation.sh ledger, docs/TESTING.md)
found a change no test noticed: every field of every compile (the statistics read them all, not only the last),
a decision's step when none is given, the PDF edition of a version, when a flow run last changed state, and
which mailings to reviewers are listed, in which order.

Time stamps are pinned (`now` replaced), so every expected value below is written out by hand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import bulletin.core.ledger as ledger_module
from bulletin.core.ledger import CompileRecord, DeliveryRecord, Ledger

BULLETIN = "outputs/2026-10/工作简报第64期.docx"


@pytest.fixture
def clock(monkeypatch):
    """`now()` answers the stamps in `clock.stamps`, one per call, in order."""

    class Clock:
        stamps: list[str] = []

        def __call__(self) -> str:
            return self.stamps.pop(0)

    clock = Clock()
    monkeypatch.setattr(ledger_module, "now", clock)
    return clock


def _ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "office" / ".bulletin" / "ledger.sqlite3")


def _raw(ledger: Ledger, query: str) -> list[tuple]:
    with sqlite3.connect(ledger.path) as conn:
        return conn.execute(query).fetchall()


def test_every_compile_of_a_month_is_handed_back_whole_oldest_first(tmp_path, clock):
    with _ledger(tmp_path) as ledger:
        root = ledger.root
        clock.stamps = ["2026-10-28T09:00:00+08:00", "2026-10-28T09:00:00+08:00",
                        "2026-10-29T16:30:05+08:00", "2026-11-27T10:00:00+08:00", "2026-11-27T10:00:00+08:00"]
        drafts = [{"file": "1.docx", "unit": "区人社局", "status": "accepted"}]
        ledger.record_compile("2026-10", 64, root / BULLETIN, "a" * 64, drafts, "2026-10-28")
        ledger.record_compile("2026-10", 64, Path(BULLETIN), "b" * 64, [], "2026-10-30")
        ledger.record_compile("2026-11", 65, root / "outputs/2026-11/工作简报第65期.docx", "c" * 64, [], "2026-11-27")
        assert clock.stamps == []
        assert ledger.compiles("2026-10") == [
            CompileRecord(1, "2026-10", 64, "2026-10-28T09:00:00+08:00", str(root / BULLETIN), "a" * 64, "2026-10-28",
                          drafts),
            CompileRecord(2, "2026-10", 64, "2026-10-29T16:30:05+08:00", str(root / BULLETIN), "b" * 64, "2026-10-30",
                          []),
        ]
        assert [(c.id, c.number) for c in ledger.compiles("2026-11")] == [(3, 65)]
        # the number was reserved by the month's first compile and is not reserved again by the second
        assert _raw(ledger, "SELECT month, number, assigned_at FROM issues ORDER BY month") == [
            ("2026-10", 64, "2026-10-28T09:00:00+08:00"), ("2026-11", 65, "2026-11-27T10:00:00+08:00")]
        assert ledger.compiled_months() == ["2026-10", "2026-11"]


def test_compiled_months_are_each_named_once_in_calendar_order(tmp_path):
    with _ledger(tmp_path) as ledger:
        assert ledger.compiled_months() == []
        for month, number in (("2026-11", 65), ("2026-10", 64), ("2026-11", 65), ("2027-01", 67)):
            ledger.record_compile(month, number, Path(f"outputs/{month}/x.docx"), "a" * 64, [], f"{month}-28")
        assert ledger.compiled_months() == ["2026-10", "2026-11", "2027-01"]


def test_a_decision_without_a_step_is_stored_with_the_empty_step(tmp_path):
    """'' is the one step of a review without a chain (delivery/chain.py reads it so): not a made-up name."""
    with _ledger(tmp_path) as ledger:
        path = ledger.root / BULLETIN
        written = ledger.record_decision("2026-10", path, "a" * 64, True, "张主任")
        with ledger.transaction():
            inserted = ledger.insert_decision("2026-10", path, "a" * 64, False, "李科长", "再核实")
        named = ledger.record_decision("2026-10", path, "a" * 64, True, "王局长", step="签发")
        assert (written.step, inserted.step, named.step) == ("", "", "签发")
        assert [d.step for d in ledger.decisions("2026-10")] == ["", "", "签发"]
        assert _raw(ledger, "SELECT reviewer, step, approved, comment FROM approvals ORDER BY id") == [
            ("张主任", "", 1, ""), ("李科长", "", 0, "再核实"), ("王局长", "签发", 1, "")]


def test_the_pdf_edition_of_a_version_is_found_by_month_and_docx_checksum(tmp_path, clock):
    with _ledger(tmp_path) as ledger:
        root = ledger.root
        assert ledger.pdf_edition("2026-10", "a" * 64) is None
        clock.stamps = ["2026-10-30T11:00:00+08:00"]
        ledger.record_pdf("2026-10", "a" * 64, root / "outputs/2026-10/工作简报第64期.pdf", "p" * 64)
        assert ledger.pdf_edition("2026-10", "a" * 64) == (str(root / "outputs/2026-10/工作简报第64期.pdf"), "p" * 64)
        assert ledger.pdf_edition("2026-10", "b" * 64) is None  # another version of the month: none made
        assert ledger.pdf_edition("2026-11", "a" * 64) is None  # the same bytes, another month: none
        assert _raw(ledger, "SELECT month, docx_sha256, path, pdf_sha256, made_at FROM pdf_editions") == [
            ("2026-10", "a" * 64, "outputs/2026-10/工作简报第64期.pdf", "p" * 64, "2026-10-30T11:00:00+08:00")]
        # made again from the same version (the PDF was deleted): the record is replaced, not doubled
        clock.stamps = ["2026-10-31T08:00:00+08:00"]
        ledger.record_pdf("2026-10", "a" * 64, root / "outputs/2026-10/重做.pdf", "q" * 64)
        assert ledger.pdf_edition("2026-10", "a" * 64) == (str(root / "outputs/2026-10/重做.pdf"), "q" * 64)
        assert _raw(ledger, "SELECT path, pdf_sha256, made_at FROM pdf_editions") == [
            ("outputs/2026-10/重做.pdf", "q" * 64, "2026-10-31T08:00:00+08:00")]


def test_when_a_flow_run_last_changed_state(tmp_path, clock):
    with _ledger(tmp_path) as ledger:
        assert ledger.flow_run_updated("2026-10") is None
        clock.stamps = ["2026-10-28T09:00:00+08:00", "2026-10-29T14:20:00+08:00", "2026-11-27T10:00:00+08:00"]
        ledger.record_flow_run("2026-10", "run-1", "waiting_for_approval")
        assert ledger.flow_run_updated("2026-10") == "2026-10-28T09:00:00+08:00"
        ledger.record_flow_run("2026-10", "run-1", "finished")
        ledger.record_flow_run("2026-11", "run-2", "waiting_for_approval")
        assert ledger.flow_run_updated("2026-10") == "2026-10-29T14:20:00+08:00"
        assert ledger.flow_run("2026-10") == ("run-1", "finished")
        assert ledger.flow_run_updated("2026-11") == "2026-11-27T10:00:00+08:00"
        assert ledger.flow_run_updated("2026-12") is None


def test_review_mailings_of_every_version_oldest_first_and_nothing_else(tmp_path, clock):
    with _ledger(tmp_path) as ledger:
        assert ledger.review_deliveries("2026-10") == []
        reviewer_a, reviewer_b = ("a@zgq.cn", "", "王主任"), ("b@zgq.cn", "", "李科长")
        clock.stamps = [
            "2026-10-28T09:00:00+08:00",  # the first version to both
            "2026-10-28T08:00:00+08:00",  # the bulletin itself (earlier stamp, but not a review): never listed
            "2026-10-29T10:00:00+08:00",  # the second version, its 签发 step, to b only
            "2026-10-27T10:00:00+08:00",  # another month's review
        ]
        ledger.mark_deliveries("2026-10", "review:aaaaaaaaaaaa", [reviewer_b, reviewer_a], "sent", "a" * 64)
        ledger.mark_deliveries("2026-10", "bulletin", [reviewer_a], "sent", "a" * 64)
        ledger.mark_deliveries("2026-10", "review:bbbbbbbbbbbb:签发", [reviewer_b], "sending", "b" * 64,
                               count_attempt=True)
        ledger.mark_deliveries("2026-09", "review:cccccccccccc", [reviewer_a], "sent", "c" * 64)
        assert ledger.review_deliveries("2026-10") == [
            DeliveryRecord("2026-10", "review:aaaaaaaaaaaa", "a@zgq.cn", "", "王主任", "sent", "a" * 64, 0, "",
                           "2026-10-28T09:00:00+08:00"),
            DeliveryRecord("2026-10", "review:aaaaaaaaaaaa", "b@zgq.cn", "", "李科长", "sent", "a" * 64, 0, "",
                           "2026-10-28T09:00:00+08:00"),
            DeliveryRecord("2026-10", "review:bbbbbbbbbbbb:签发", "b@zgq.cn", "", "李科长", "sending", "b" * 64, 1, "",
                           "2026-10-29T10:00:00+08:00"),
        ]
