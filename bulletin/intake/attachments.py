"""Files taken out of a submission: safe names, .zip archives unpacked within limits, and the one decision of
where each file goes (`place`).

Names come from strangers: they lose any path, control characters and characters Windows forbids, and are cut
to a length every file system takes. A .zip is opened with the same caution as a .docx (entry count, declared
and actual sizes, compression ratio; no path traversal: entries are flattened to their base name); its .docx
files are drafts. Entry names are decoded as Windows' "send to compressed folder" writes them (GBK without the
UTF-8 flag) or as macOS writes them (UTF-8 without the flag).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from ..core.atomic import sha256_bytes
from .docxfile import OLE2_MAGIC, ZIP_MAGIC

QUARANTINE = "待核实"  # inputs/<month>/待核实/: drafts from senders the roster does not know; compile skips it
MAX_NAME_CHARS = 80  # stem length: well under every file system's 255 bytes, even in UTF-8 Chinese
MAX_ZIP_UNPACKED = 200 * 1024 * 1024  # all entries of one archive together (as docxfile's limit for a .docx)
MAX_ZIP_RATIO = 100  # uncompressed / compressed, per entry: more is a bomb, not a document
_RATIO_FROM = 1024 * 1024  # small entries may compress better than that (text, empty files)
_ARCHIVES = {".zip"}
_UNSUPPORTED_ARCHIVES = {".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".cab", ".arj"}
_SILENT = {".ds_store", "thumbs.db", "desktop.ini"}  # clutter inside archives, never worth a line
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}

ADVICE = {
    ".doc": "这是旧版 Word 格式（.doc），请在 Word 中“另存为” .docx 后重新发送",
    ".wps": "这是 WPS 格式（.wps），请在 WPS 中“另存为” Word 文档（.docx）后重新发送",
    ".docm": "这是含宏的 Word 文档（.docm），出于安全考虑不予处理，请另存为 .docx 后重新发送",
    ".dotx": "这是 Word 模板（.dotx），请另存为 .docx 后重新发送",
    ".dot": "这是旧版 Word 模板（.dot），请另存为 .docx 后重新发送",
    ".rtf": "这是 RTF 文件，请在 Word 中“另存为” .docx 后重新发送",
    ".odt": "这是 ODT 文件，请在 WPS/LibreOffice 中“另存为” .docx 后重新发送",
    ".pdf": "PDF 文件无法编入简报，请发送 Word 文档（.docx）",
    ".txt": "纯文本文件无法编入简报，请把内容放入 Word 文档（.docx）后重新发送，或直接写在邮件正文中",
    ".dat": "这是 Outlook 以 RTF 格式发信时生成的 winmail.dat，附件被打包在其中无法读取：请在 Outlook 中把邮件格式"
            "改为 HTML 或纯文本后重新发送",
}
_IMAGE_ADVICE = "图片不能单独编入简报，请把图片插入 Word 稿件后重新发送"
_IMAGES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic"}
_ARCHIVE_ADVICE = "无法打开此类压缩包，请改用 .zip 格式压缩，或直接把 .docx 作为附件发送"
_OTHER_ADVICE = "不是 Word 文档（.docx），未收取；稿件请以 .docx 格式发送"


@dataclass(frozen=True)
class Item:
    """One file from a message: an attachment, or an entry of an attached .zip."""

    original: str  # the name as sent (for the receipt), '' when the client gave none
    name: str  # a safe file name
    data: bytes
    via: str = ""  # '' | 压缩包《x.zip》 | 转发邮件《subject》

    @property
    def label(self) -> str:
        shown = self.original or self.name
        return f"{shown}（{self.via}中）" if self.via else shown

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()


@dataclass(frozen=True)
class Placement:
    """Where a file goes. kind: draft (inputs/<month>/), quarantine (inputs/<month>/待核实/), refused."""

    kind: str
    reason: str = ""

    @property
    def subfolder(self) -> str:
        return QUARANTINE if self.kind == "quarantine" else ""


# -- names ---------------------------------------------------------------------------------------------------
def safe_name(name: str, fallback: str = "附件") -> str:
    """A file name that is only a name: no folders (either slash), no control or Windows-forbidden characters,
    no leading dots (hidden) or '~$' (Word lock files, skipped by intake), no reserved device names, the stem
    cut to MAX_NAME_CHARS characters (the extension kept)."""
    text = unicodedata.normalize("NFC", name or "")
    text = PureWindowsPath(text.replace("/", "\\")).name  # the last path part, whatever the separator
    text = _WINDOWS_FORBIDDEN.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    text = " ".join(text.split()).strip(" .")
    while text.startswith(("~$", ".", "~")):
        text = text.lstrip("~$.").strip()
    stem, dot, suffix = text.rpartition(".")
    if not dot or not stem or len(suffix) > 10 or not suffix.isascii():
        stem, suffix = text, ""
    stem = stem[:MAX_NAME_CHARS].rstrip(" .") or fallback
    if stem.lower() in _WINDOWS_RESERVED:
        stem = f"{stem}_"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def numbered(name: str, n: int) -> str:
    """name（n）.ext: the form Windows users know from 'copy (2)'."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return f"{name}（{n}）"
    return f"{stem}（{n}）.{suffix}"


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or name（2）, name（3）… : not in `taken` (compared case-insensitively, as Windows shares do)."""
    lowered = {t.lower() for t in taken}
    candidate, n = name, 1
    while candidate.lower() in lowered:
        n += 1
        candidate = numbered(name, n)
    return candidate


# -- archives ------------------------------------------------------------------------------------------------
def _entry_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:  # the UTF-8 flag: zipfile has decoded it already
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")  # zipfile's reading of a name without the flag
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def unpack_zip(data: bytes, label: str, max_entries: int) -> tuple[list[Item], list[tuple[str, str]]]:
    """(files, refusals) of a .zip: every entry is read within the limits; refusals are (entry, reason)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return [], [(label, "压缩包已损坏，无法打开，请重新压缩后发送，或直接把 .docx 作为附件发送")]
    infos = [i for i in infos if not _is_clutter(_entry_name(i))]
    if len(infos) > max_entries:
        return [], [(label, f"压缩包内有 {len(infos)} 个文件，超过上限 {max_entries} 个，未解压：请分几封邮件发送")]
    declared = sum(i.file_size for i in infos)
    if declared > MAX_ZIP_UNPACKED:
        return [], [(label, f"压缩包解压后将达 {declared // (1024 * 1024)} MB，超过上限，未解压")]
    items: list[Item] = []
    refusals: list[tuple[str, str]] = []
    via = f"压缩包《{label}》"
    for info in infos:
        entry = _entry_name(info)
        shown = PureWindowsPath(entry.replace("/", "\\")).name or entry
        parts = entry.replace("\\", "/").split("/")
        if entry.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", entry):
            refusals.append((f"{shown}（{via}中）", "压缩包中的路径不安全（指向压缩包以外），未解压"))
            continue
        if info.flag_bits & 0x1:
            refusals.append((f"{shown}（{via}中）", "压缩包设置了密码，无法解压：请不要加密，或直接把 .docx 作为附件发送"))
            continue
        if info.file_size > _RATIO_FROM and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            refusals.append((f"{shown}（{via}中）", "压缩比异常（疑似“压缩炸弹”），未解压"))
            continue
        try:
            content = _read_limited(archive, info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            refusals.append((f"{shown}（{via}中）", "压缩包中的此文件已损坏，无法解压"))
            continue
        items.append(Item(shown, safe_name(shown), content, via))
    return items, refusals


def _is_clutter(entry: str) -> bool:
    parts = entry.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or parts[-1].lower() in _SILENT or parts[-1].startswith("._")


def _read_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's bytes, never more than it declared (a lying header must not fill the memory)."""
    out = bytearray()
    with archive.open(info) as handle:
        while chunk := handle.read(1 << 20):
            out += chunk
            if len(out) > info.file_size:
                raise ValueError("entry larger than declared")
    return bytes(out)


# -- the decision -----------------------------------------------------------------------------------------------
def place(item: Item, *, sender_known: bool) -> Placement:
    """Where a file from the mailbox goes: the one place that decides (a returned task sheet, a notice table…
    would be recognised here). A .docx is a draft (in 待核实/ while its sender is not a known unit); anything
    else is refused with what to do instead."""
    suffix = item.suffix
    if suffix == ".docx":
        if item.data.startswith(OLE2_MAGIC):
            return Placement("refused", "这是设置了打开密码的文档或改了扩展名的旧版 .doc，无法读取：请取消密码，"
                                        "或在 Word/WPS 中“另存为” .docx 后重新发送")
        if not item.data.startswith(ZIP_MAGIC):
            return Placement("refused", "不是有效的 Word 文档（可能已损坏或是改了扩展名的其他文件），"
                                        "请在 Word 中另存为 .docx 后重新发送")
        return Placement("draft" if sender_known else "quarantine")
    if not item.data:
        return Placement("refused", "文件是空的（0 字节）")
    if suffix in ADVICE:
        return Placement("refused", ADVICE[suffix])
    if suffix in _IMAGES:
        return Placement("refused", _IMAGE_ADVICE)
    if suffix in _UNSUPPORTED_ARCHIVES:
        return Placement("refused", _ARCHIVE_ADVICE)
    return Placement("refused", _OTHER_ADVICE)


def is_archive(item: Item) -> bool:
    return item.suffix in _ARCHIVES


def digest(data: bytes) -> str:
    return sha256_bytes(data)
