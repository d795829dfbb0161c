"""flows/decisions.py: what a run does for a month, from the month's state (no Prefect needed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from flows.decisions import next_step, state_after_run


def _state(approved=False, edited=False, in_review=False):
    return SimpleNamespace(approved=approved, edited_since_compile=edited, in_review=in_review)


@pytest.mark.parametrize(
    ("approved", "edited", "in_review", "step"),
    [
        (True, False, False, "send"),
        (True, True, True, "send"),  # approved and unchanged wins: nothing to review, nothing to compile
        (False, True, False, "review_as_is"),  # edited by hand: never recompiled over the edits
        (False, True, True, "review_as_is"),
        (False, False, True, "await"),  # the reviewers have this version: no recompile, no second mail
        (False, False, False, "compile"),
    ],
)
def test_next_step(approved, edited, in_review, step):
    assert next_step(_state(approved, edited, in_review)) == step


def test_state_after_run():
    assert state_after_run(("run-1", "waiting_for_approval"), "run-1", timed_out=False) == "finished"
    assert state_after_run(("run-1", "waiting_for_approval"), "run-1", timed_out=True) == "timed_out"
    assert state_after_run(("run-2", "waiting_for_approval"), "run-1", timed_out=False) is None  # a newer run waits
    assert state_after_run(("run-2", "waiting_for_approval"), "run-1", timed_out=True) is None
    assert state_after_run(("run-1", "finished"), "run-1", timed_out=False) is None
    assert state_after_run(None, "run-1", timed_out=True) is None
