"""The month's notice sheet uploaded as .xls (Excel 97-2003, what many offices' Excel and WPS still save): it was
refused with "另存为 .xlsx"; now LibreOffice converts it, the converted .xlsx goes through the same spreadsheet
door and is kept as 情况通报.xlsx, and the receipt says it was converted. Not an .xls inside, or LibreOffice
missing, or a sheet compile could not use (no header): refused with the reason, nothing kept, the month's earlier
sheet untouched.

By hand: the sheet has two rows, 区财政局 通报表扬 "按时报送" and 区人社局 通报批评 "迟报2次" (备注 "10月"), so
read_notices gives exactly those two rows in that order."""

from __future__ import annotations

import pytest
from libreoffice import convert, require_soffice
from workspace_kit import make_workspace

from bulletin.core.month import Month
from bulletin.intake.notices import read_notices
from bulletin.office.upload import upload_notices

ROWS = [{"单位名称": "区财政局", "通报事项": "按时报送", "通报类别": "通报表扬", "备注": ""},
        {"单位名称": "区人社局", "通报事项": "迟报2次", "通报类别": "通报批评", "备注": "10月"}]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_an_xls_notice_sheet_is_converted_and_kept_as_xlsx(tmp_path, monkeypatch):
    require_soffice()
    kit = make_workspace(tmp_path / "office")
    source = kit.notices(ROWS, name="10月通报.xlsx", month=None)
    xls = convert(source, "xls", tmp_path / "lo").read_bytes()
    source.unlink()
    assert xls.startswith(b"\xd0\xcf\x11\xe0")

    month = Month.parse(kit.month)
    receipt = upload_notices(kit.ws, month, "10月通报.xls", xls, actor="张三")
    assert receipt.lines() == ["已保存 1 份，未保存 0 份。", "✓ 10月通报.xls（由 .xls 转换） → 情况通报.xlsx"]
    folder = kit.ws.month_inputs(month)
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == ["情况通报.xlsx"]
    assert (folder / "情况通报.xlsx").read_bytes()[:2] == b"PK"
    sheet = read_notices(folder)
    assert [(r.unit, r.category, r.matter, r.remark) for r in sheet.rows] == [
        ("区财政局", "通报表扬", "按时报送", ""), ("区人社局", "通报批评", "迟报2次", "10月")]
    assert sheet.problems == []

    kept = (folder / "情况通报.xlsx").read_bytes()
    fake = upload_notices(kit.ws, month, "假的.xls", b"PK\x03\x04 not an old Excel file", actor="张三")
    assert fake.lines() == ["已保存 0 份，未保存 1 份。", "✗ 假的.xls：不是 Excel 97-2003（.xls）文件，未保存"]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no LibreOffice on this machine
    monkeypatch.delenv("BULLETIN_SOFFICE", raising=False)
    lost = upload_notices(kit.ws, month, "11月通报.xls", xls, actor="张三")
    assert lost.lines() == ["已保存 0 份，未保存 1 份。",
                            "✗ 11月通报.xls：服务器上没有 LibreOffice，无法转换 .xls：请在 Excel/WPS 中另存为 .xlsx 后重新上传"]
    assert (folder / "情况通报.xlsx").read_bytes() == kept  # the earlier sheet stays
    monkeypatch.undo()
    # cut off after 4 KB: LibreOffice "converts" it anyway, as text, into a sheet of mojibake; before the check of
    # what compile can use, that sheet replaced the good one
    broken = upload_notices(kit.ws, month, "坏的.xls", xls[:4096], actor="张三")
    assert broken.lines() == ["已保存 0 份，未保存 1 份。",
                              "✗ 坏的.xls：不能作为情况通报表（找不到表头），未保存；本月原有的通报表不变"]
    assert (folder / "情况通报.xlsx").read_bytes() == kept


def test_a_sheet_compile_cannot_use_does_not_replace_the_months_sheet(tmp_path):
    """The 上级采用 register uploaded into the notice slot by mistake: an .xlsx the spreadsheet door lets through
    (small, plain), but with no 单位名称/通报事项 header; it is refused and the month's sheet stays."""
    import io

    from openpyxl import Workbook

    kit = make_workspace(tmp_path / "office")
    month = Month.parse(kit.month)
    good = kit.notices(ROWS, name="source.xlsx").read_bytes()
    assert upload_notices(kit.ws, month, "10月通报.xlsx", good, actor="张三").lines()[0] == "已保存 1 份，未保存 0 份。"
    (kit.ws.month_inputs(month) / "source.xlsx").unlink()
    book = Workbook()
    book.active.append(["日期", "标题", "采用单位", "级别"])
    book.active.append(["2026-10-09", "区人社局稳就业", "市委办", "市级"])
    wrong = io.BytesIO()
    book.save(wrong)
    receipt = upload_notices(kit.ws, month, "上级采用.xlsx", wrong.getvalue(), actor="张三")
    assert receipt.lines() == ["已保存 0 份，未保存 1 份。",
                               "✗ 上级采用.xlsx：不能作为情况通报表（找不到表头），未保存；本月原有的通报表不变"]
    assert (kit.ws.month_inputs(month) / "情况通报.xlsx").read_bytes() == good


def test_other_kinds_are_refused_with_what_to_upload(tmp_path):
    kit = make_workspace(tmp_path / "office")
    month = Month.parse(kit.month)
    for name in ("通报.et", "通报.csv", "通报.docx"):
        receipt = upload_notices(kit.ws, month, name, b"whatever", actor="张三")
        assert receipt.lines() == ["已保存 0 份，未保存 1 份。", f"✗ {name}：情况通报表请上传 .xlsx 或 .xls 文件"]
