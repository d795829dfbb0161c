"""Screening a file before anything parses it: is it a .docx we can safely open, and if not, why not.

Every refusal is a Chinese sentence the office can act on. Limits are checked on the zip directory,
before a single part is inflated (a small file can declare hundreds of MB).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from .errors import BulletinError

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024  # one XML part (document.xml, styles.xml, ...)
MAX_ENTRIES = 10_000
MAIN_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CONTENT_TYPE_ADVICE = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": "这是含宏的 Word 文档（.docm），出于安全考虑不予处理，请另存为 .docx 后重新提交",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "这是 Word 模板（.dotx），请用它新建文档并另存为 .docx 后重新提交",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "这是含宏的 Word 模板（.dotm），出于安全考虑不予处理，请另存为 .docx 后重新提交",
}
# Parser for untrusted XML: no entities, no network, no huge-tree tricks.
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


class Refused(BulletinError):
    """A file that cannot go into the bulletin; str() is the reason (without the file name)."""


def screen(path: Path) -> zipfile.ZipFile:
    """Open `path` as a zip after checking it is a sane .docx package; raise Refused otherwise."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise Refused(f"无法读取文件（{exc.strerror or exc}）") from None
    if size == 0:
        raise Refused("文件是空的（0 字节），可能上传或复制没有完成，请重新提交")
    if head.startswith(OLE2_MAGIC):
        raise Refused(
            "这是旧版 Word 格式（.doc）或设置了打开密码的文档，无法读取：请取消密码，或在 Word/WPS 中“另存为”"
            " .docx 格式后重新提交"
        )
    if not head.startswith(ZIP_MAGIC):
        raise Refused("不是有效的 Word 文档（可能是改了扩展名的其他文件或已损坏），请在 Word 中另存为 .docx 后重新提交")
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("文件已损坏（可能只复制或下载了一部分），请重新提交") from None
    try:
        _check_limits(package)
        _check_content_type(package)
    except BaseException:
        package.close()
        raise
    return package


def _check_limits(package: zipfile.ZipFile) -> None:
    infos = package.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Refused(f"文件内部条目过多（{len(infos)} 个），疑似异常文件，已拒收")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise Refused(
            f"文件解压后将达 {declared // (1024 * 1024)} MB，超过上限 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，"
            "疑似异常文件（压缩炸弹），已拒收；如确有大量图片，请压缩图片后重新提交"
        )
    for info in infos:
        if info.filename.endswith(".xml") and info.file_size > MAX_PART_BYTES:
            raise Refused(f"文件内部的 {info.filename} 过大（{info.file_size // (1024 * 1024)} MB），疑似异常文件，已拒收")


def _check_content_type(package: zipfile.ZipFile) -> None:
    try:
        types = etree.fromstring(package.read("[Content_Types].xml"), XML_PARSER)
    except KeyError:
        raise Refused("不是有效的 Word 文档（缺少内容类型说明），请在 Word 中另存为 .docx 后重新提交") from None
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise Refused("文件已损坏（内部结构无法读取），请重新提交") from None
    main_types = {
        o.get("ContentType")
        for o in types
        if (o.get("PartName") or "").lower() == "/word/document.xml"
    }
    for content_type, advice in _CONTENT_TYPE_ADVICE.items():
        if content_type in main_types:
            raise Refused(advice)
    if "word/document.xml" not in package.namelist():
        raise Refused("不是有效的 Word 文档（缺少正文部分 word/document.xml），请在 Word 中另存为 .docx 后重新提交")


def read_xml(package: zipfile.ZipFile, name: str) -> etree._Element | None:
    """A part parsed safely, None when absent; Refused when broken."""
    try:
        data = package.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise Refused("文件已损坏（内部数据无法解压），请重新提交") from None
    try:
        return etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError:
        raise Refused(f"文件内部的 {name} 已损坏（XML 格式错误），请在 Word 中打开后另存为 .docx 再提交") from None
