"""Is an Office file (.docx, .xlsx) a sane zip before a library that inflates its parts whole opens it?

Word drafts (intake/docxfile.py) and every spreadsheet the product reads (core/sheetsafety.py) go through the
same checks, on the zip directory first (nothing is inflated yet: a 1 MB file can declare a 1 GiB part), then,
for `check_archive`, every member inflated in bounded chunks (a member may lie about its size: zipfile stops at
the declared size and the CRC check then fails, so the declared sizes bound what any later reader inflates).

The reasons are Chinese sentences without the file name; the caller adds the name. `app`/`suffix` name the
program and format to re-save with ("Word", ".docx" or "Excel/WPS", ".xlsx").
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .errors import BulletinError

READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)
DAMAGED = "文件已损坏（可能只复制或下载了一部分），请重新提交"
_CHUNK = 1024 * 1024


class ZipRefused(BulletinError):
    """The package is refused; str() is the reason (without the file name)."""


@dataclass(frozen=True)
class ZipLimits:
    entries: int = 10_000
    unpacked: int = 200 * 1024 * 1024  # all members together, as declared
    part: int = 16 * 1024 * 1024  # one XML part: thousands of pages of text
    xml: int = 32 * 1024 * 1024  # all XML parts together (parsed trees are several times larger)
    ratio: int = 0  # a member over 1 MB inflating more than this many times its stored size (0: not checked)
    app: str = "Word"
    suffix: str = ".docx"

    @property
    def resave(self) -> str:
        return f"请在 {self.app} 中打开后另存为 {self.suffix} 再提交"


DOCX_LIMITS = ZipLimits()
# Spreadsheets the office keeps or units return hold text in a few sheets: far below a draft with pictures.
SHEET_LIMITS = ZipLimits(entries=2_000, unpacked=64 * 1024 * 1024, part=16 * 1024 * 1024, xml=48 * 1024 * 1024,
                         ratio=200, app="Excel/WPS", suffix=".xlsx")


def check_directory(archive: zipfile.ZipFile, limits: ZipLimits = DOCX_LIMITS) -> None:
    """Only the zip directory is read here: nothing is inflated yet."""
    infos = archive.infolist()
    if len(infos) > limits.entries:
        raise ZipRefused(f"文件内部条目过多（{len(infos)} 个），疑似异常文件，已拒收")
    declared = sum(info.file_size for info in infos)
    if declared > limits.unpacked:
        raise ZipRefused(
            f"文件解压后将达 {declared // (1024 * 1024)} MB，超过上限 {limits.unpacked // (1024 * 1024)} MB，"
            "疑似异常文件（压缩炸弹），已拒收；如确有大量图片，请压缩图片后重新提交"
        )
    xml_total = 0
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            xml_total += info.file_size
            if info.file_size > limits.part:
                raise ZipRefused(f"文件内部的 {info.filename} 过大（{info.file_size // (1024 * 1024)} MB），疑似异常文件，已拒收")
        if limits.ratio and info.file_size > _CHUNK and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise ZipRefused(f"文件内部的 {info.filename} 压缩比异常（{info.compress_size} 字节解压为 "
                             f"{info.file_size // (1024 * 1024)} MB），疑似压缩炸弹，已拒收")
        if info.flag_bits & 0x1:
            raise ZipRefused(f"文件内部数据被加密，无法读取：请取消密码后另存为 {limits.suffix} 再提交")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Other methods inflate without a bound in zipfile, and Office cannot read them either.
            raise ZipRefused(f"文件使用了 {limits.app} 不支持的压缩方式，{limits.resave}")
    if xml_total > limits.xml:
        raise ZipRefused(f"文件的文字部分过大（{xml_total // (1024 * 1024)} MB），疑似异常文件，已拒收")
    if len({info.filename for info in infos}) != len(infos):
        raise ZipRefused(f"文件内部有重复的部件（文件已损坏），{limits.resave}")


def check_archive(source: Path | bytes, limits: ZipLimits = DOCX_LIMITS) -> None:
    """The directory checks, then every member inflated in bounded chunks (CRC and true size checked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source) as archive:
            check_directory(archive, limits)
            for info in archive.infolist():
                with archive.open(info) as member:
                    while member.read(_CHUNK):
                        pass
    except READ_ERRORS:
        raise ZipRefused(DAMAGED) from None
