from __future__ import annotations

import pytest

from bulletin.core.errors import BulletinError
from bulletin.delivery.recipients import Recipient, read_recipients
from mail_workspace import write_recipients


def test_chinese_headers_utf8_bom(tmp_path):
    path = tmp_path / "recipients.csv"
    write_recipients(path, [("报", "区委办", "qwb@zgq.example.cn"), ("发", "区财政局", "CZJ@ZGQ.example.cn")])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    recipients, problems = read_recipients(path)
    assert recipients == [
        Recipient("报", "区委办", "qwb@zgq.example.cn"),
        Recipient("发", "区财政局", "czj@zgq.example.cn"),
    ]
    assert problems == []


def test_english_headers_plain_utf8_and_other_labels(tmp_path):
    path = tmp_path / "r.csv"
    write_recipients(path, [("抄送", "", "a@example.cn")], encoding="utf-8", header=("list", "name", "email"))
    assert read_recipients(path) == ([Recipient("抄送", "", "a@example.cn")], [])


def test_gb18030_from_excel(tmp_path):
    path = tmp_path / "r.csv"
    write_recipients(path, [("送", "区人大办", "rd@zgq.example.cn")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    recipients, problems = read_recipients(path)
    assert recipients == [Recipient("送", "区人大办", "rd@zgq.example.cn")]


def test_bad_rows_are_reported_and_skipped(tmp_path):
    path = tmp_path / "recipients.csv"
    write_recipients(path, [
        ("发", "甲单位", "jia@example.cn"),
        ("发", "乙单位", "not-an-address"),
        ("发", "丙单位", ""),
        ("", "", ""),
        ("送", "甲单位（重复）", "JIA@example.cn"),
        ("发", "丁单位", "ding@example.cn；wu@example.cn"),
        ("发", "戊单位", "用户@example.cn"),
    ])
    recipients, problems = read_recipients(path)
    assert [r.email for r in recipients] == ["jia@example.cn", "ding@example.cn", "wu@example.cn"]
    assert problems[0] == "recipients.csv 第3行（乙单位）：邮箱“not-an-address”格式不正确，已跳过。"
    assert problems[1] == "recipients.csv 第4行（丙单位）：没有填写邮箱，已跳过。"
    assert "第6行" in problems[2] and "与第2行重复" in problems[2]
    assert "第8行" in problems[3] and "用户@example.cn" in problems[3]
    assert len(problems) == 4


def test_idn_domain_becomes_ascii(tmp_path):
    path = tmp_path / "recipients.csv"
    write_recipients(path, [("发", "", "info@例子.中国")])
    recipients, problems = read_recipients(path)
    assert problems == []
    assert recipients[0].email == "info@xn--fsqu00a.xn--fiqs8s"


def test_missing_file_and_missing_column_are_errors(tmp_path):
    with pytest.raises(BulletinError, match="找不到收件人名单"):
        read_recipients(tmp_path / "none.csv")
    path = tmp_path / "r.csv"
    path.write_text("单位,电话\n区委办,123\n", encoding="utf-8")
    with pytest.raises(BulletinError, match="表头"):
        read_recipients(path)


def test_a_series_list_is_chosen_before_duplicate_addresses_are_dropped(tmp_path):
    """An address on the bulletin's list 部门 and on the 专报's list 督查: the 专报 reaches it (once), and the
    bulletin too (issue 23 item 5's finding: the first row used to win before the series filtered)."""
    from bulletin.delivery.recipients import read_recipients

    path = tmp_path / "recipients.csv"
    path.write_text("名单,名称,邮箱\n部门,区财政局,czj@zgq.example.cn\n督查,区财政局,czj@zgq.example.cn\n"
                    "督查,区商务局,swj@zgq.example.cn\n", encoding="utf-8")
    series, problems = read_recipients(path, ["督查"])
    assert [(r.list_name, r.email) for r in series] == [("督查", "czj@zgq.example.cn"), ("督查", "swj@zgq.example.cn")]
    assert problems == []
    everyone, problems = read_recipients(path)
    assert [r.email for r in everyone] == ["czj@zgq.example.cn", "swj@zgq.example.cn"]
    assert problems == ["recipients.csv 第3行（区财政局）：邮箱 czj@zgq.example.cn 与第2行重复，只发送一次。"]
