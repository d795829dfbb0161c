"""[layout] signer (issue 26): offices that print 签发人 on the issue-number line get the configured signer of the
review chain's last step (签发), escaped like every office text; offices that do not, print nothing new."""

from __future__ import annotations

import pytest
from docx import Document
from workspace_kit import SETTINGS, make_workspace

pytestmark = [pytest.mark.slow]

CHAIN = """
[[review.step]]
name = "初审"
reviewers = [{name = "李科长", email = "li@zgq.example.cn"}]

[[review.step]]
name = "签发"
reviewers = [{name = "王主任<&>", email = "wang@zgq.example.cn"}, {name = "赵副主任", email = "zhao@zgq.example.cn"}]
"""


def issue_line(path) -> str:
    return next(p.text for p in Document(path).paragraphs if p.text.startswith("第64期"))


@pytest.mark.parametrize("printed", [True, False])
def test_signer_printed_only_when_the_layout_says_so(tmp_path, printed):
    layout = "\n[layout]\nsigner = true\n" if printed else ""
    tw = make_workspace(tmp_path / "office", SETTINGS + layout + CHAIN)
    tw.draft("区财政局.docx", title="预算执行平稳", unit_line="区财政局", paragraphs=["收入完成年度预算的52%。"])
    result = tw.compile()
    line = issue_line(result.path)
    if printed:  # the first named reviewer of 签发, its <&> kept as text (autoescape), nothing of 初审
        assert line == "第64期　　签发人：王主任<&>"
    else:
        assert line == "第64期"
