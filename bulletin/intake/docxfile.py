"""Screening a file before anything parses it: is it a .docx we can safely open, and if not, why not.

Every refusal is a Chinese sentence the office can act on. Limits are checked on the zip directory before
a single part is inflated (a small file can declare hundreds of MB); then every part python-docx will load
is inflated in bounded chunks (a part may lie about its size) and every XML part is parsed, so a file that
passes cannot break the compile later. A part that declares a DOCTYPE refuses the whole draft
(`_refuse_doctype`: OOXML allows none, and a declared entity copied into the bulletin breaks it).

Each part is parsed once, with python-docx's own parser (its element classes), and the trees are handed on:
the reader works on them and the composer builds its python-docx Document from them (`open_document`), from
the bytes intake read, never from the path again. Parts the composer only reads (styles, numbering, settings,
theme...) are shared between drafts whose part has the same sha256: drafts written from one Word or WPS
template carry byte-identical copies, parsed once per compile (`PartCache`).
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from docx.opc.part import Part  # docx.oxml.parser imports all of python-docx anyway
from docx.oxml.parser import oxml_parser
from lxml import etree

from ..core import officezip
from ..core.errors import BulletinError

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PART_BYTES = 16 * 1024 * 1024  # one XML part: thousands of pages of text
MAX_XML_BYTES = 32 * 1024 * 1024  # all XML parts together (parsed trees are several times larger)
MAX_ENTRIES = 10_000
_CHUNK = 1024 * 1024
MAIN_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_OFFICE_DOCUMENT_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
# Only these elements are relationships to python-docx: a misspelt one is ignored by it, so by us too.
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# The roots python-docx expects (its element classes hang on these names; another root makes it raise
# AttributeError: both found by tests/intake/test_docx_properties.py).
_RELATIONSHIPS = _RELATIONSHIP + "s"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}Types"
_CONTENT_TYPE_ADVICE = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": "这是含宏的 Word 文档（.docm），出于安全考虑不予处理，请另存为 .docx 后重新提交",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "这是 Word 模板（.dotx），请用它新建文档并另存为 .docx 后重新提交",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "这是含宏的 Word 模板（.dotm），出于安全考虑不予处理，请另存为 .docx 后重新提交",
}
_RESAVE = "请在 Word 中打开后另存为 .docx 再提交"
_DAMAGED = "文件已损坏（可能只复制或下载了一部分），请重新提交"
_DAMAGED_PART = "文件已损坏（内部的 {} 无法解压，可能只复制或下载了一部分），请重新提交"
# Parser for untrusted XML: no entities, no network, no huge-tree tricks. Parts python-docx will load are
# parsed with its own parser (same safety settings: resolve_entities=False; lxml's defaults no_network=True,
# huge_tree=False), so the trees carry python-docx's element classes and can be handed to it unchanged.
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
DOCX_PARSER = oxml_parser
# Parts the composer changes in place are never shared between drafts (the body is cut and restyled; notes
# may be cleaned); every other part is only read.
_PRIVATE_TYPES = (".document.main+xml", ".footnotes+xml", ".endnotes+xml", ".comments+xml")
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)


class Refused(BulletinError):
    """A file that cannot go into the bulletin; str() is the reason (without the file name)."""


class HostilePart(Refused):
    """A part no Word or WPS writes (a DOCTYPE): its own reason, never folded into "damaged"."""


class PartCache:
    """Parsed XML parts by the sha256 of their bytes, shared by the drafts of one compile (read-only parts)."""

    def __init__(self) -> None:
        self._trees: dict[str, etree._Element] = {}
        self.derived: dict[object, object] = {}  # what readers compute from a shared tree (style looks)
        self.hits = 0

    def get(self, digest: str) -> etree._Element | None:
        tree = self._trees.get(digest)
        if tree is not None:
            self.hits += 1
        return tree

    def put(self, digest: str, tree: etree._Element) -> None:
        self._trees[digest] = tree


@dataclass
class DraftContent:
    """What intake read of one draft, handed to the composer: the file's bytes (sha256 checked again before
    composing) and every XML part already parsed, by part name ("word/document.xml")."""

    data: bytes
    sha256: str
    main: str
    trees: dict[str, etree._Element] = field(default_factory=dict)

    @property
    def document(self) -> etree._Element:
        return self.trees[self.main]


class DocxPackage:
    """A screened .docx: the zip, its main part name, and parsed XML parts (cached)."""

    def __init__(self, archive: zipfile.ZipFile, main: str, cache: PartCache | None = None):
        self.zip = archive
        self.main = main  # usually word/document.xml; Office 365 sometimes writes word/document2.xml
        self.cache = cache
        self._xml: dict[str, etree._Element | None] = {}
        self.content_types: dict[str, str] = {}  # part name -> content type, for every part walked

    def xml(self, name: str) -> etree._Element | None:
        if name not in self._xml:
            shared = self.cache is not None and name != self.main and not self.content_types.get(
                name, "").endswith(_PRIVATE_TYPES)
            self._xml[name] = read_xml(self.zip, name, DOCX_PARSER, self.cache if shared else None)
        return self._xml[name]

    def parsed(self) -> dict[str, etree._Element]:
        """Every XML part parsed so far (after screening: all of them), by part name."""
        return {name: tree for name, tree in self._xml.items() if tree is not None}

    def relationships(self, source: str) -> list[tuple[str, str, str | None]]:
        """(id, type, member name or None when external) of `source` ("" for the package)."""
        rels = self.xml(rels_name(source))
        if rels is None:
            return []
        if rels.tag != _RELATIONSHIPS:
            raise Refused(f"文件已损坏（内部的 {rels_name(source)} 不是关系说明），{_RESAVE}")
        found = []
        for rel in rels.iter(_RELATIONSHIP):
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


def read_file(path: Path) -> bytes:
    """The file's bytes, read once: everything after this works on them, never on the path again."""
    try:
        size = path.stat().st_size
        if size > MAX_UNPACKED_BYTES:
            raise Refused(f"文件过大（{size // (1024 * 1024)} MB），请压缩图片后重新提交")
        return path.read_bytes()
    except OSError as exc:
        raise Refused(f"无法读取文件（{exc.strerror or exc}）") from None


def screen(source: Path | bytes, cache: PartCache | None = None) -> DocxPackage:
    """Open a .docx (a path, or the bytes already read) after checking it is a sane package; raise Refused
    otherwise. Every XML part is parsed (once: `cache` shares read-only parts between drafts)."""
    data = read_file(source) if isinstance(source, Path) else source
    size, head = len(data), data[:8]
    if size == 0:
        raise Refused("文件是空的（0 字节），可能上传或复制没有完成，请重新提交")
    if size > MAX_UNPACKED_BYTES:
        raise Refused(f"文件过大（{size // (1024 * 1024)} MB），请压缩图片后重新提交")
    if head.startswith(OLE2_MAGIC):
        # Decision: refuse with advice, no LibreOffice conversion (its result would need checking anyway).
        if _is_encrypted_ooxml(data):
            raise Refused(
                "这是设置了打开密码的 Word 文档，无法读取：请在 Word/WPS 中取消密码（文件 → 信息 → 保护文档 → "
                "用密码进行加密，清空密码），另存为 .docx 后重新提交"
            )
        raise Refused(
            "这是旧版 Word 格式（.doc）或设置了打开密码的文档，无法读取：请取消密码，或在 Word/WPS 中“另存为”"
            " .docx 格式后重新提交"
        )
    if not head.startswith(ZIP_MAGIC):
        raise Refused("不是有效的 Word 文档（可能是改了扩展名的其他文件或已损坏），请在 Word 中另存为 .docx 后重新提交")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused(_DAMAGED) from None
    try:
        _check_directory(archive)
        package = DocxPackage(archive, _main_part(archive), cache)
        _check_parts(package)
    except BaseException:
        archive.close()
        raise
    return package


# A password-protected .docx is an OLE2 compound file holding these two streams (MS-OFFCRYPTO 2.3.4); their
# names are stored in UTF-16LE in the compound file's directory.
_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


def _is_encrypted_ooxml(data: bytes) -> bool:
    """True when the OLE2 file is an encrypted OOXML package rather than an old .doc."""
    return all(name in data for name in _ENCRYPTED_STREAMS)


def check_archive(path: Path) -> None:
    """For other Office zips: the same limits, and every member inflated in bounded chunks, before a library
    that inflates parts whole opens it (core/officezip.py; spreadsheets use core/sheetsafety.py)."""
    try:
        officezip.check_archive(path, _limits())
    except officezip.ZipRefused as exc:
        raise Refused(str(exc)) from None


def _limits() -> officezip.ZipLimits:
    """This module's limits, read at each call (tests lower them)."""
    return officezip.ZipLimits(entries=MAX_ENTRIES, unpacked=MAX_UNPACKED_BYTES, part=MAX_PART_BYTES, xml=MAX_XML_BYTES)


def _check_directory(archive: zipfile.ZipFile) -> None:
    """Only the zip directory is read here: nothing is inflated yet (the checks live in core/officezip.py)."""
    try:
        officezip.check_directory(archive, _limits())
    except officezip.ZipRefused as exc:
        raise Refused(str(exc)) from None


def _main_part(archive: zipfile.ZipFile) -> str:
    try:
        root_rels = read_xml(archive, "_rels/.rels")
    except HostilePart:
        raise
    except Refused:
        raise Refused(f"文件已损坏（内部结构无法读取），{_RESAVE}") from None
    if root_rels is None:
        raise Refused(f"不是有效的 Word 文档（缺少内部关系说明），{_RESAVE}")
    if root_rels.tag != _RELATIONSHIPS:
        raise Refused(f"文件已损坏（内部结构无法读取），{_RESAVE}")
    for rel in root_rels.iter(_RELATIONSHIP):
        # Exactly the type python-docx looks for (found by tests/intake/test_docx_properties.py: a damaged
        # type that still ended in /officeDocument passed screening, then python-docx raised KeyError).
        # Strict Open XML (purl.oclc.org types) is refused with the same advice: python-docx cannot read it.
        if rel.get("Type") == _OFFICE_DOCUMENT_TYPE and rel.get("TargetMode") != "External":
            return resolve_target("", rel.get("Target") or "")
    raise Refused(f"不是有效的 Word 文档（找不到正文部分），{_RESAVE}")


def _content_types(archive: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    try:
        types = read_xml(archive, "[Content_Types].xml")
    except HostilePart:
        raise
    except Refused:
        raise Refused(f"文件已损坏（内部结构无法读取），{_RESAVE}") from None
    if types is None:
        raise Refused("不是有效的 Word 文档（缺少内容类型说明），请在 Word 中另存为 .docx 后重新提交")
    if types.tag != _TYPES:
        raise Refused(f"文件已损坏（内容类型说明无法读取），{_RESAVE}")
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
            package.content_types[target] = kind
            _inflate(package, target, kind)
            pending.append(target)
    # The main part is related from the package, so the walk above has checked that it exists and parses.


def _inflate(package: DocxPackage, name: str, content_type: str) -> None:
    if content_type.endswith("xml"):
        package.xml(name)  # parsed once: proves it is well-formed, and the tree is handed on
        return
    try:
        with package.zip.open(name) as member:
            while member.read(_CHUNK):  # bounded chunks; the CRC check at the end catches damage
                pass
    except _READ_ERRORS:
        raise Refused(_DAMAGED_PART.format(name)) from None


def _read_member(archive: zipfile.ZipFile, name: str, limit: int = MAX_PART_BYTES) -> bytes:
    """A member's bytes, inflated in bounded chunks: never more than its declared size, CRC checked."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise Refused(f"文件内部的 {name} 过大，疑似异常文件，已拒收")
    chunks = []
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def read_member(package: zipfile.ZipFile, name: str, limit: int = MAX_PART_BYTES) -> bytes | None:
    """A member's bytes inflated in bounded chunks, None when absent; Refused when damaged. A picture may be
    larger than an XML part (limit=MAX_UNPACKED_BYTES: the whole file's bound, checked on the directory)."""
    try:
        return _read_member(package, name, limit)
    except KeyError:
        return None
    except _READ_ERRORS:
        raise Refused(_DAMAGED_PART.format(name)) from None


def read_xml(
    package: zipfile.ZipFile, name: str, parser: etree.XMLParser = XML_PARSER, cache: PartCache | None = None
) -> etree._Element | None:
    """A part parsed safely, None when absent; Refused when broken. With `cache`, a part whose bytes were
    parsed before (another draft's identical styles.xml) is not parsed again: the same tree is returned; and
    a member whose compressed stream was inflated before is not even inflated again (`_stream_key`)."""
    key = _stream_key(package, name) if cache is not None else None
    if key is not None and (tree := cache.get(key)) is not None:
        return tree
    data = read_member(package, name)
    if data is None:
        return None
    digest = hashlib.sha256(data).hexdigest() if cache is not None else ""
    if cache is not None and (tree := cache.get(digest)) is not None:
        if key is not None:
            cache.put(key, tree)
        return tree
    try:
        tree = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise Refused(f"文件内部的 {name} 已损坏（XML 格式错误），{_RESAVE}") from None
    _refuse_doctype(tree, name)
    if cache is not None:
        cache.put(digest, tree)
        if key is not None:
            cache.put(key, tree)
    return tree


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader (30 bytes)


def _stream_key(archive: zipfile.ZipFile, name: str) -> str | None:
    """A cache key for a member, taken without inflating it: the sha256 of its compressed bytes and of every
    zip directory field zipfile reads it by (name, flags, method, sizes, CRC). zipfile's result for a member is
    decided by exactly these (and the local header's name, checked here as zipfile checks it), so a member with
    the key of one that was inflated, CRC-checked and parsed before inflates to the same bytes: 120 drafts
    written from one template (the same 349 KB styles.xml and 438 KB stylesWithEffects.xml, compressed to
    12-14 KB) inflate and hash them once, not 120 times (bench/README.md). None when the archive is not in
    memory or the header does not match: then the member is read the ordinary way (and refused if damaged)."""
    fp = archive.fp
    if not isinstance(fp, io.BytesIO):
        return None
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    with fp.getbuffer() as view:
        start = info.header_offset
        header = bytes(view[start:start + _LOCAL_HEADER.size])
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            return None
        fields = _LOCAL_HEADER.unpack(header)
        name_length, extra_length = fields[10], fields[11]
        raw_name = bytes(view[start + 30:start + 30 + name_length])
        begin = start + 30 + name_length + extra_length
        stream = bytes(view[begin:begin + info.compress_size])
    try:
        local_name = raw_name.decode("utf-8" if fields[3] & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if local_name != info.orig_filename or len(stream) != info.compress_size:
        return None
    digest = hashlib.sha256(stream)
    digest.update(repr((info.orig_filename, info.flag_bits, info.compress_type, info.compress_size,
                        info.file_size, info.CRC)).encode())
    return "zip:" + digest.hexdigest()


def _refuse_doctype(tree: etree._Element, name: str) -> None:
    """No DOCTYPE in any part (pitfalls.md): OOXML forbids one (ECMA-376 Part 2, 8.1.4: DTD declarations
    are not allowed in parts), Word and WPS never write one, and what it declares is poison: the parsers here
    do not resolve entities (resolve_entities=False, no network), so a declared `&xxe;` stays a reference in
    the tree, and copied into the bulletin, far from its DOCTYPE, it makes a file that no program opens. So
    the whole draft is refused, whichever part (document, styles, rels, [Content_Types].xml...) carries it."""
    info = tree.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise HostilePart(
            f"文件内部的 {name} 含有文档类型定义（DOCTYPE），Word 保存的文档不会有，可能是恶意构造的文件，已拒收；"
            "如确为本单位稿件，请在 Word 中另存为 .docx 后重新提交"
        )


class _DeferredPart(Part):
    """A python-docx `Part` (plain bytes) of a draft, inflated from the draft's zip when first read."""

    def __init__(self, partname, content_type, data: bytes, package):
        super().__init__(partname, content_type, None, package)
        self._data = data

    @property
    def blob(self) -> bytes:
        if self._blob is None:
            with zipfile.ZipFile(io.BytesIO(self._data)) as archive:  # screening inflated it: it is sound
                self._blob = archive.read(self.partname.membername)
        return self._blob


def open_document(content: DraftContent):
    """The python-docx Document of a draft, built from the bytes intake read and the trees it parsed.

    python-docx's own `Document(stream)` would parse every XML part again; here its unmarshaller gets a part
    factory that hands over the parsed tree of each part (python-docx 1.2: `Unmarshaller`, `PackageReader`,
    `PartFactory`; tests/intake/test_reading_corpus.py pins the result to python-docx's own). Nor is such a part
    inflated a second time: the zip reader answers b"" for it, since the factory never reads its blob (it was
    24 % of composing 120 realistic drafts, bench/README.md); and a part python-docx keeps as plain bytes
    (stylesWithEffects.xml, 438 KB in every draft from python-docx's template; theme, fontTable...) is inflated
    only if something reads it (`_DeferredPart`: the composer copies only the parts the body refers to).
    Raises ValueError when the bytes are not what intake read.
    """
    from docx.opc.package import Unmarshaller
    from docx.opc.packuri import PACKAGE_URI, PackURI
    from docx.opc.part import PartFactory, XmlPart
    from docx.opc.phys_pkg import PhysPkgReader
    from docx.opc.pkgreader import PackageReader, _ContentTypeMap
    from docx.package import Package

    if hashlib.sha256(content.data).hexdigest() != content.sha256:
        raise ValueError("draft bytes changed since intake")
    trees = content.trees
    skipped: set[str] = set()  # member names whose blob is not read: their tree is handed over instead
    deferred: set[str] = set()  # member names of plain parts, inflated only when their blob is read

    class ParsedPartsReader:
        """python-docx's zip reader (the same calls), answering b"" for the parts in `skipped`."""

        def __init__(self, zipped):
            self.zipped = zipped
            self.content_types_xml = zipped.content_types_xml
            self.rels_xml_for = zipped.rels_xml_for

        def blob_for(self, pack_uri):
            if pack_uri.membername in skipped or pack_uri.membername in deferred:
                return b""
            return self.zipped.blob_for(pack_uri)

    def part_class(content_type, reltype):
        cls = None
        if PartFactory.part_class_selector is not None:
            cls = PartFactory.part_class_selector(content_type, reltype)
        return cls or PartFactory._part_cls_for(content_type)

    def factory(partname, content_type, reltype, blob, package):
        cls = part_class(content_type, reltype)
        tree = trees.get(partname.lstrip("/")) if issubclass(cls, XmlPart) else None
        if tree is not None:
            return cls(partname, content_type, tree, package)
        if cls is Part and partname.membername in deferred:
            return _DeferredPart(partname, content_type, content.data, package)
        if partname.membername in skipped or partname.membername in deferred:  # e.g. related as an image
            blob = reader.zipped.blob_for(partname)
        return cls.load(partname, content_type, blob, package)

    # PackageReader.from_file, with the reader above (and closed only after the parts are made).
    zipped = PhysPkgReader(io.BytesIO(content.data))
    try:
        reader = ParsedPartsReader(zipped)
        content_types = _ContentTypeMap.from_xml(reader.content_types_xml)
        for name in trees:
            try:
                if issubclass(part_class(content_types[PackURI("/" + name)], None), XmlPart):
                    skipped.add(name)
            except KeyError:  # no content type (a .rels item is not a part): read as python-docx reads it
                pass
        for name in zipped._zipf.namelist():
            try:
                if not name.endswith(".rels") and part_class(content_types[PackURI("/" + name)], None) is Part:
                    deferred.add(name)
            except (KeyError, ValueError):  # no content type, or not a part name: read as python-docx does
                pass
        package_rels = PackageReader._srels_for(reader, PACKAGE_URI)
        parts = PackageReader._load_serialized_parts(reader, package_rels, content_types)
        package = Package()
        Unmarshaller.unmarshal(PackageReader(content_types, package_rels, parts), package, factory)
    finally:
        zipped.close()
    return package.main_document_part.document
