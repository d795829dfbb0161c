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


# -- the review form (issue 11: a form sent with only a name was read as a rejection) ----------------------------
def _form_errors(answer: dict) -> list[str]:
    """What the Prefect server says about a Resume form (it validates the run input against the form's JSON
    schema with this function before resuming the run)."""
    from prefect.utilities import schema_tools

    from flows.common import ReviewAnswer

    schema = ReviewAnswer.with_initial_data(sha256="a" * 64).model_json_schema()
    try:
        schema_tools.validate(answer, schema, raise_on_error=True)
    except schema_tools.ValidationError as exc:
        return [str(exc)]
    return []


def test_the_review_form_has_an_explicit_decision_without_default():
    from flows.common import ReviewAnswer

    schema = ReviewAnswer.model_json_schema()
    assert schema["properties"]["decision"]["enum"] == ["通过", "退回"]
    assert "default" not in schema["properties"]["decision"]
    assert "decision" in schema["required"] and "approved" not in schema["properties"]
    sha = "a" * 64
    assert _form_errors({"reviewer": "张主任", "sha256": sha})  # only a name: refused, not a rejection
    assert _form_errors({"decision": "退回", "reviewer": "张主任", "comment": "", "sha256": sha})
    assert _form_errors({"decision": "退回", "reviewer": "张主任", "comment": "  ", "sha256": sha})
    assert _form_errors({"decision": "同意", "reviewer": "张主任", "sha256": sha})
    assert _form_errors({"decision": "退回", "reviewer": "张主任", "comment": "数据需核实", "sha256": sha}) == []
    assert _form_errors({"decision": "通过", "reviewer": "张主任", "sha256": sha}) == []


def test_the_answer_in_python_says_why_in_chinese():
    import pydantic

    from flows.common import ReviewAnswer

    with pytest.raises(pydantic.ValidationError) as error:
        ReviewAnswer(decision="退回", reviewer="张主任", comment=" ", sha256="a" * 64)
    assert "退回时请填写审核意见（退回原因）" in str(error.value)
    assert ReviewAnswer(decision="通过", reviewer="张主任", sha256="a" * 64).approved is True
    assert ReviewAnswer(decision="退回", reviewer="张主任", comment="缺数据", sha256="a" * 64).approved is False
