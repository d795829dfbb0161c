"""What a refused spreadsheet is told, word for word, at the exact size bound (core/sheetsafety.py load/check).

Mutation testing of sheetsafety (tools/mutation.sh, docs/TESTING.md) showed these refusals unchecked: the size
bound could move by one byte, the megabytes be printed as 20.000000953674316, the file's name be lost, or the
zip checks run with Word's limits and wording, and no test noticed."""

from __future__ import annotations

import io
import zipfile

import pytest

from bulletin.core.sheetsafety import MAX_FILE_BYTES, SheetRefused, check, load

RESAVE = "请在 Excel/WPS 中另存为 .xlsx 后重试"


def refusal(function, *args) -> str:
    with pytest.raises(SheetRefused) as raised:
        function(*args)
    return str(raised.value)


def test_the_size_bound_is_twenty_megabytes_to_the_byte():
    assert MAX_FILE_BYTES == 20 * 1024 * 1024
    at_bound = b"PK\x03\x04" + bytes(MAX_FILE_BYTES - 4)
    assert load(at_bound) == (at_bound, "表格")  # bytes without a name are called 表格
    assert refusal(load, at_bound + b"\0") == f"表格 过大（20 MB），疑似异常文件，未读取；{RESAVE}"
    assert refusal(load, at_bound + b"\0", "通报.xlsx") == f"通报.xlsx 过大（20 MB），疑似异常文件，未读取；{RESAVE}"


def test_a_file_is_measured_before_it_is_read(tmp_path):
    big, fits = tmp_path / "通报.xlsx", tmp_path / "任务.xlsx"
    with big.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    with fits.open("wb") as f:
        f.truncate(MAX_FILE_BYTES)
    assert refusal(load, big) == f"通报.xlsx 过大（20 MB），疑似异常文件，未读取；{RESAVE}"
    assert refusal(load, big, "附件1.xlsx") == f"附件1.xlsx 过大（20 MB），疑似异常文件，未读取；{RESAVE}"
    assert refusal(load, fits) == f"任务.xlsx 不是 .xlsx 表格（可能是 .xls/.et 或改了扩展名的其他文件），{RESAVE}"
    assert refusal(load, tmp_path / "没有.xlsx") == "无法读取 没有.xlsx（No such file or directory）"


def test_the_zip_checks_use_the_spreadsheet_limits_and_words():
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert refusal(check, raw.getvalue(), "a.xlsx") == (
        "a.xlsx：文件使用了 Excel/WPS 不支持的压缩方式，请在 Excel/WPS 中打开后另存为 .xlsx 再提交")
