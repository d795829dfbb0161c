"""A workspace for the supervision round: bulletin.toml with [series.督查专报], a roster of the seed's units,
recipients.csv with the bulletin's and the 专报's lists, and the seed's task list in inputs/督查/<month>/."""

from __future__ import annotations

from pathlib import Path

import supervision_seed
from workspace_kit import SETTINGS, TestWorkspace, make_workspace

from bulletin.supervision.round import Round
from bulletin.supervision.sheets import marker_of

ROUND_MONTH = "2020-09"
SERIES_SETTINGS = SETTINGS + """
[series."督查专报"]
title = "督查专报"
first_issue = 1
report_to = "区政府区长、副区长"
send_to = "区政府各部门"
recipients = ["报", "督查"]
"""
# The seed's units; 区人力资源和社会保障局 is written both ways in the seed: one unit with an alias.
SEED_UNITS = [
    "区卫生健康委", "区教体局", "区市场监管局", "区民政局", "区政府办(区外办)", "青云谱公安分局", "区商务局",
    "区发改委", "区科工局", "区金融办", "区人社局", "市自然资源局青云谱分局", "区投促局", "集聚区", "区住建局",
    "区城管局", "区生态环境局", "区文广新旅局", "梅湖景区管委会", "区财政局", "区行政审批局", "昌南城投公司",
    "区司法局", "青云谱交警大队", "区应急管理局", "洪都街道", "区旧改办", "区医保局", "区统计局", "区信访局",
    "区政府办",
]
ROSTER = "单位名称,别名\n" + "\n".join(
    f"{u},{'区人力资源和社会保障局' if u == '区人社局' else ''}" for u in SEED_UNITS) + "\n"
RECIPIENTS = """list,name,email
报,区长,quzhang@qyp.gov.cn
报,常务副区长,fuquzhang@qyp.gov.cn
督查,区督查室,ducha@qyp.gov.cn
部门,区财政局,czj@qyp.gov.cn
部门,区住建局,zjj@qyp.gov.cn
"""
SILENT_UNIT = "区政府办(区外办)"  # tasks 2 and 3, both shared with units that answer


def make_round_workspace(root: Path) -> TestWorkspace:
    kit = make_workspace(root, settings=SERIES_SETTINGS, roster=ROSTER)
    (root / "inputs" / "recipients.csv").write_text(RECIPIENTS, encoding="utf-8")
    supervision_seed.write_task_list(root / "inputs" / "督查" / ROUND_MONTH / "任务.xlsx",
                                     supervision_seed.seed_tasks())
    return kit


def answer_all(rnd: Round, silent: set[str] = frozenset()) -> None:
    """Every unit but the silent ones returns its sheet, renamed as people do, answered from the seed."""
    seed = {t.number: t for t in supervision_seed.seed_tasks()}
    for index, path in enumerate(sorted((rnd.outputs / "分发").glob("*.xlsx"))):
        unit = marker_of(path)[1]
        if unit in silent:
            continue
        answers = {n: (t.status, t.answer) for n, t in seed.items()}
        supervision_seed.fill_sheet(path, rnd.returns / f"回复{index:02d}-已填.xlsx", answers)


from ooxml_audit import XLSX_INLINE_STRINGS  # noqa: E402,F401  (accepted finding, see ooxml_audit.py)
