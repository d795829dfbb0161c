"""The review chain (issue 26): 初审, then 签发 — where one version of the month's file stands.

An office configures its steps in [review] (core/config.py `ReviewSettings.chain`; the old `reviewers = [...]`
is a chain of one step). The rules, read from the ledger's decisions on ONE version (sha256) of the file:
- a step opens only when every step before it approved that same version;
- each step's latest decision on the version counts (the office may change its mind at a step);
- a rejection at any step stops the month with its reason until the file changes or that step approves;
- a change to the file is a new version: every step starts again (decisions on other versions never count);
- the chain is complete when its last step, the sign-off (签发), approved: only then may the issue be sent.

Decisions recorded before chains existed carry no step (''); they count for a one-step chain only, so an office
that introduces a chain has the version under review go through it (fail closed, never sent unsigned).

Pure functions over ledger records: the decision's checks and write happen in approval.decide_once's
transaction; status, send and the flow read the same `chain_state`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.config import ReviewStep
from ..core.errors import BulletinError
from ..core.ledger import DecisionRecord


class NotAMember(BulletinError):
    """The reviewer named is not a member of the step decided at: nothing was recorded."""


class StepNotOpen(BulletinError):
    """The step decided at has not opened for this version (an earlier step has not approved it)."""


@dataclass(frozen=True)
class StepState:
    step: ReviewStep
    decision: DecisionRecord | None  # the step's latest decision on the version, if any

    @property
    def approved(self) -> bool:
        return self.decision is not None and self.decision.approved

    @property
    def rejected(self) -> bool:
        return self.decision is not None and not self.decision.approved


@dataclass(frozen=True)
class ChainState:
    sha256: str
    steps: list[StepState]

    @property
    def complete(self) -> bool:
        """Every step, the last (签发) included, approved this version."""
        return all(s.approved for s in self.steps)

    @property
    def open_index(self) -> int:
        """Index of the first step that has not approved (len(steps) when complete)."""
        return next((i for i, s in enumerate(self.steps) if not s.approved), len(self.steps))

    @property
    def open(self) -> StepState | None:
        i = self.open_index
        return self.steps[i] if i < len(self.steps) else None

    @property
    def stopped(self) -> StepState | None:
        """The open step when it rejected this version: the month stops there, with its reason."""
        s = self.open
        return s if s is not None and s.rejected else None

    @property
    def signed(self) -> DecisionRecord | None:
        """The sign-off (the last step's approval) when the chain is complete."""
        return self.steps[-1].decision if self.complete else None

    @property
    def multi(self) -> bool:
        return len(self.steps) > 1

    def lines(self) -> list[str]:
        """`bulletin status`: one line per step (opinion, name, date and time, version)."""
        out = []
        for i, s in enumerate(self.steps):
            d = s.decision
            head = f"  {i + 1}. {s.step.name}（{s.step.names}）："
            if d is None:
                out.append(head + ("待审核" if i == self.open_index else "未开始（前一步通过后开始）"))
                continue
            when = d.decided_at.replace("T", " ")[:19]
            verdict = "同意" if d.approved else "退回"
            note = f"，意见：{d.comment}" if d.comment else ""
            later = "" if i <= self.open_index else "（前一步已改变，须重新审核）"
            out.append(head + f"{verdict}（{d.reviewer}，{when}{note}，校验码 {d.sha256[:12]}）{later}")
        return out


def step_of(decision: DecisionRecord, chain: list[ReviewStep]) -> str:
    """The step a decision counts for: its own, or (recorded before chains) the one step of a one-step chain."""
    if decision.step:
        return decision.step
    return chain[0].name if len(chain) == 1 else ""


def chain_state(chain: list[ReviewStep], decisions: list[DecisionRecord], sha256: str) -> ChainState:
    """Where version `sha256` stands, from the month's decisions (oldest first; other versions ignored)."""
    latest: dict[str, DecisionRecord] = {}
    for d in decisions:
        if d.sha256 == sha256:
            latest[step_of(d, chain)] = d
    return ChainState(sha256, [StepState(step, latest.get(step.name)) for step in chain])


def step_for(chain: list[ReviewStep], state: ChainState, by: str, step: str | None) -> ReviewStep:
    """The step a decision by `by` is taken at: `step` when named, else inferred from the reviewer's name
    (the open step if they are its member, else the last step of theirs that is open or already passed).
    Raises (Chinese, nothing recorded) when the step is unknown, `by` is not its member, or it has not opened."""
    names = "、".join(s.name for s in chain)
    if step:
        chosen = next((s for s in chain if s.name == step.strip()), None)
        if chosen is None:
            raise BulletinError(f"没有名为“{step.strip()}”的审核步骤（本单位的审核步骤：{names}）。审核结果未记录。")
    elif len(chain) == 1:
        chosen = chain[0]
    else:
        mine = [i for i, s in enumerate(chain) if s.member(by)]
        if not mine:
            raise NotAMember(f"{by} 不是任何审核步骤的审核人（{_members(chain)}）：审核结果未记录。"
                             "请以 bulletin.toml [[review.step]] 中的姓名审核，或用 --step 指明步骤。")
        at_or_before = [i for i in mine if i <= state.open_index]
        if state.open_index in mine:
            chosen = chain[state.open_index]
        else:  # a step of theirs already passed (changing their mind), else a later one (refused below)
            chosen = chain[at_or_before[-1] if at_or_before else mine[0]]
    if not chosen.admits(by):
        raise NotAMember(f"{by} 不是“{chosen.name}”这一步的审核人（{chosen.name}：{chosen.names}），审核结果未记录。")
    index = chain.index(chosen)
    if index > state.open_index:
        waiting = state.steps[state.open_index]
        why = (f"“{waiting.step.name}”已退回这一版本（{waiting.decision.reviewer}"
               f"{'：' + waiting.decision.comment if waiting.decision.comment else ''}）"
               if waiting.rejected else f"须先由“{waiting.step.name}”（{waiting.step.names}）审核通过这一版本")
        raise StepNotOpen(f"“{chosen.name}”尚未开始：{why}（校验码 {state.sha256[:12]}）。审核结果未记录。")
    return chosen


def _members(chain: list[ReviewStep]) -> str:
    return "；".join(f"{s.name}：{s.names}" for s in chain)


__all__ = ["ChainState", "NotAMember", "StepNotOpen", "StepState", "chain_state", "step_for", "step_of"]
