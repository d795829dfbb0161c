"""Screening a file before anything parses it: is it a .docx we can safely open, and if not, why not.

Every refusal is a Chinese sentence the office can act on. Limits are checked on the zip directory before
a single part is inflated (a small file can declare hundreds of MB); then every part python-docx will load
is inflated in bounded chunks (a part may lie about its size) and every XML part is parsed, so a file that
passes cannot break the compile later.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from pathlib import Path
from typing import Self

from lxml import etree

from ..core.errors import BulletinError

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PART_BYTES = 16 * 1024 * 1024  # one XML part: thousands of pages of text
MAX_XML_BYTES = 32 * 1024 * 1024  # all XML parts together (parsed trees are several times larger)
MAX_ENTRIES = 10_000
_CHUNK = 1024 * 1024
MAIN_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_OFFICE_DOCUMENT = "/officeDocument"  # relationship type suffix (transitional and strict namespaces)
_CONTENT_TYPE_ADVICE = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": "这是含宏的 Word 文档（.docm），出于安全考虑不予处理，请另存为 .docx 后重新提交",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "这是 Word 模板（.dotx），请用它新建文档并另存为 .docx 后重新提交",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "这是含宏的 Word 模板（.dotm），出于安全考虑不予处理，请另存为 .docx 后重新提交",
}
_KEPT_TYPES = (".styles+xml", ".core-properties+xml")
_RESAVE = "请在 Word 中打开后另存为 .docx 再提交"
_DAMAGED = "文件已损坏（可能只复制或下载了一部分），请重新提交"
_DAMAGED_PART = "文件已损坏（内部的 {} 无法解压，可能只复制或下载了一部分），请重新提交"
# Parser for untrusted XML: no entities, no network, no huge-tree tricks.
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)


class Refused(BulletinError):
    """A file that cannot go into the bulletin; str() is the reason (without the file name)."""


class DocxPackage:
    """A screened .docx: the zip, its main part name, and parsed XML parts (cached)."""

    def __init__(self, archive: zipfile.ZipFile, main: str):
        self.zip = archive
        self.main = main  # usually word/document.xml; Office 365 sometimes writes word/document2.xml
        self._xml: dict[str, etree._Element | None] = {}

    def xml(self, name: str) -> etree._Element | None:
        if name not in self._xml:
            self._xml[name] = read_xml(self.zip, name)
        return self._xml[name]

    def relationships(self, source: str) -> list[tuple[str, str, str | None]]:
        """(id, type, member name or None when external) of `source` ("" for the package)."""
        rels = self.xml(rels_name(source))
        if rels is None:
            return []
        found = []
        for rel in rels:
            external = rel.get("TargetMode") == "External"
            target = None if external else resolve_target(source, rel.get("Target") or "")
            found.append((rel.get("Id") or "", rel.get("Type") or "", target))
        return found

    def related(self, source: str, type_suffix: str) -> str | None:
        for _, kind, target in self.relationships(source):
            if kind.endswith(type_suffix) and target:
                return target
        return None

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def rels_name(source: str) -> str:
    folder, base = posixpath.split(source)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def resolve_target(source: str, target: str) -> str:
    """Member name of a relationship target, resolved as python-docx does (PackURI.from_rel_ref)."""
    base = "/" + posixpath.dirname(source)
    return posixpath.abspath(posixpath.join(base, target)).lstrip("/")


def screen(path: Path) -> DocxPackage:
    """Open `path` after checking it is a sane .docx package; raise Refused otherwise."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise Refused(f"无法读取文件（{exc.strerror or exc}）") from None
    if size == 0:
        raise Refused("文件是空的（0 字节），可能上传或复制没有完成，请重新提交")
    if size > MAX_UNPACKED_BYTES:
        raise Refused(f"文件过大（{size // (1024 * 1024)} MB），请压缩图片后重新提交")
    if head.startswith(OLE2_MAGIC):
        # Decision: refuse with advice, no LibreOffice conversion (its result would need checking anyway).
        raise Refused(
            "这是旧版 Word 格式（.doc）或设置了打开密码的文档，无法读取：请取消密码，或在 Word/WPS 中“另存为”"
            " .docx 格式后重新提交"
        )
    if not head.startswith(ZIP_MAGIC):
        raise Refused("不是有效的 Word 文档（可能是改了扩展名的其他文件或已损坏），请在 Word 中另存为 .docx 后重新提交")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused(_DAMAGED) from None
    try:
        _check_directory(archive)
        package = DocxPackage(archive, _main_part(archive))
        _check_parts(package)
    except BaseException:
        archive.close()
        raise
    return package


def check_archive(path: Path) -> None:
    """For other Office zips (.xlsx): the same limits, and every member inflated in bounded chunks,
    before a library that inflates parts whole (openpyxl) opens it."""
    try:
        with zipfile.ZipFile(path) as archive:
            _check_directory(archive)
            for info in archive.infolist():
                with archive.open(info) as member:
                    while member.read(_CHUNK):
                        pass
    except _READ_ERRORS:
        raise Refused(_DAMAGED) from None


def _check_directory(archive: zipfile.ZipFile) -> None:
    """Only the zip directory is read here: nothing is inflated yet."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Refused(f"文件内部条目过多（{len(infos)} 个），疑似异常文件，已拒收")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise Refused(
            f"文件解压后将达 {declared // (1024 * 1024)} MB，超过上限 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，"
            "疑似异常文件（压缩炸弹），已拒收；如确有大量图片，请压缩图片后重新提交"
        )
    xml_total = 0
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            xml_total += info.file_size
            if info.file_size > MAX_PART_BYTES:
                raise Refused(f"文件内部的 {info.filename} 过大（{info.file_size // (1024 * 1024)} MB），疑似异常文件，已拒收")
        if info.flag_bits & 0x1:
            raise Refused("文件内部数据被加密，无法读取：请取消密码后另存为 .docx 再提交")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Other methods inflate without a bound in zipfile, and Word cannot read them either.
            raise Refused(f"文件使用了 Word 不支持的压缩方式，{_RESAVE}")
    if xml_total > MAX_XML_BYTES:
        raise Refused(f"文件的文字部分过大（{xml_total // (1024 * 1024)} MB），疑似异常文件，已拒收")
    if len({info.filename for info in infos}) != len(infos):
        raise Refused(f"文件内部有重复的部件（文件已损坏），{_RESAVE}")


def _main_part(archive: zipfile.ZipFile) -> str:
    try:
        root_rels = read_xml(archive, "_rels/.rels")
    except Refused:
        raise Refused(f"文件已损坏（内部结构无法读取），{_RESAVE}") from None
    if root_rels is None:
        raise Refused(f"不是有效的 Word 文档（缺少内部关系说明），{_RESAVE}")
    for rel in root_rels:
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
            return resolve_target("", rel.get("Target") or "")
    raise Refused(f"不是有效的 Word 文档（找不到正文部分），{_RESAVE}")


def _content_types(archive: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    try:
        types = read_xml(archive, "[Content_Types].xml")
    except Refused:
        raise Refused(f"文件已损坏（内部结构无法读取），{_RESAVE}") from None
    if types is None:
        raise Refused("不是有效的 Word 文档（缺少内容类型说明），请在 Word 中另存为 .docx 后重新提交")
    overrides, defaults = {}, {}
    for item in types:
        if item.get("PartName"):
            overrides[item.get("PartName").lstrip("/").lower()] = item.get("ContentType") or ""
        elif item.get("Extension"):
            defaults[item.get("Extension").lower()] = item.get("ContentType") or ""
    return overrides, defaults


def _check_parts(package: DocxPackage) -> None:
    """Walk the parts python-docx will load: each must exist, have a content type, inflate and parse."""
    overrides, defaults = _content_types(package.zip)

    def content_type(name: str) -> str | None:
        return overrides.get(name.lower()) or defaults.get(posixpath.splitext(name)[1].lstrip(".").lower())

    main_type = content_type(package.main)
    if main_type in _CONTENT_TYPE_ADVICE:
        raise Refused(_CONTENT_TYPE_ADVICE[main_type])
    if main_type != MAIN_CONTENT_TYPE:
        raise Refused("不是 Word 文档（可能是 Excel、PowerPoint 等文件改成了 .docx 扩展名），请提交 Word 文档（.docx）")

    names = set(package.zip.namelist())
    seen: set[str] = set()
    pending = [""]  # "" is the package itself
    while pending:
        source = pending.pop()
        for _, _, target in package.relationships(source):
            if target is None or target in seen:
                continue
            seen.add(target)
            if target not in names:
                raise Refused(f"文件已损坏（内部引用的 {target} 缺失），{_RESAVE}")
            kind = content_type(target)
            if kind is None:
                raise Refused(f"文件已损坏（内部的 {target} 没有内容类型），{_RESAVE}")
            _inflate(package, target, kind)
            pending.append(target)
    if package.xml(package.main) is None:
        raise Refused(f"不是有效的 Word 文档（缺少正文部分），{_RESAVE}")


def _inflate(package: DocxPackage, name: str, content_type: str) -> None:
    if content_type.endswith("xml"):
        # Parsed to prove it is well-formed; only the trees the reader uses are kept (memory).
        if name == package.main or content_type.endswith(_KEPT_TYPES):
            package.xml(name)
        else:
            read_xml(package.zip, name)
        return
    try:
        with package.zip.open(name) as member:
            while member.read(_CHUNK):  # bounded chunks; the CRC check at the end catches damage
                pass
    except _READ_ERRORS:
        raise Refused(_DAMAGED_PART.format(name)) from None


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, inflated in bounded chunks: never more than its declared size, CRC checked."""
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise Refused(f"文件内部的 {name} 过大，疑似异常文件，已拒收")
    chunks = []
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def read_xml(package: zipfile.ZipFile, name: str) -> etree._Element | None:
    """A part parsed safely, None when absent; Refused when broken."""
    try:
        data = _read_member(package, name)
    except KeyError:
        return None
    except _READ_ERRORS:
        raise Refused(_DAMAGED_PART.format(name)) from None
    try:
        return etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError:
        raise Refused(f"文件内部的 {name} 已损坏（XML 格式错误），{_RESAVE}") from None
