"""What a run of the monthly flow does, decided from the month's state alone (no Prefect here, so these
rules are tested directly and mutation-tested with the rest of the safety-carrying code).

A run for a month that already has a bulletin must never replace the office's edits, never mail the
reviewers the same version twice and never mail anyone twice; see flows/monthly_bulletin.py.
"""

from __future__ import annotations

from typing import Protocol

SEND = "send"  # approved and unchanged: straight to the idempotent send
REVIEW_AS_IS = "review_as_is"  # edited by hand after the compile: reviewed as it is, never recompiled
AWAIT = "await"  # the reviewers have this version and have not decided: wait again, no recompile
COMPILE = "compile"  # first run, after a plain compile, after a rejection: compile (same number)

WAITING, FINISHED, TIMED_OUT = "waiting_for_approval", "finished", "timed_out"


class MonthState(Protocol):
    approved: bool
    edited_since_compile: bool
    in_review: bool


def next_step(status: MonthState) -> str:
    """The first thing a run does for the month, given `bulletin.delivery.status.month_status(...)`."""
    if status.approved:
        return SEND
    if status.edited_since_compile:
        return REVIEW_AS_IS
    if status.in_review:
        return AWAIT
    return COMPILE


def state_after_run(recorded: tuple[str, str] | None, run_id: str, timed_out: bool) -> str | None:
    """The flow_runs state to write when a run stops waiting, or None to leave the ledger as it is: only the
    run the ledger names as waiting may change it (a newer run for the month may be waiting now)."""
    if recorded is None or recorded[0] != run_id:
        return None
    if timed_out:
        return TIMED_OUT
    return FINISHED if recorded[1] == WAITING else None
