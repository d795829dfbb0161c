"""The bulletin opens in LibreOffice without error and shows what python-docx reads in it."""

from __future__ import annotations

import pytest
from libreoffice import pdf_pages, pdf_text, to_pdf

pytestmark = pytest.mark.libreoffice


def test_bulletin_opens_in_libreoffice(office, tmp_path):
    office.draft("1.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局",
                 paragraphs=["今年以来，全区新增城镇就业4120人。", "一、聚焦重点群体"] + ["正文段落。" * 20] * 6,
                 image=True, table=True, numbered_list=True, footnote="数据截至10月底。")
    office.draft("2.docx", title="区财政局兜牢“三保”底线", byline="（区财政局供稿）",
                 paragraphs=["1—10月民生支出占比达82.6%。"], comment="请核实", tracked_changes=True,
                 section_break=True, landscape=True)
    office.notices([("区行政审批局", "政务服务满意率100%", "通报表扬", ""),
                    ("区住建局", "信访件办理超期2件", "通报批评", "已督促整改")])
    result = office.compile()
    pdf = to_pdf(result.path, tmp_path)
    assert pdf_pages(pdf) >= 3
    text = "".join(pdf_text(pdf).split())
    for expected in ("工作简报", "第64期", "区人社局“三个聚焦”推动稳就业", "区财政局兜牢“三保”底线",
                     "【情况通报】", "区行政审批局", "报：区政府区长、副区长", "—1—"):
        assert expected in text, expected
