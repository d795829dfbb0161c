"""Hostile files for the intake tests: broken zips, bombs, wrong formats, and a reader for every part of a
produced .docx (document, footnotes, headers, footers), by w:t text."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import draft_factory
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
JINJA = "{{ 7*7 }} {% for x in y %}x{% endfor %} {%p if a %} {_{ b }_} {# c #}"
SPECIALS = "& < > \" ' &amp; <w:t> ]]>"
HOSTILE = f"{JINJA} {SPECIALS}"


# --- reading a produced .docx ------------------------------------------------------------------------------


def part_texts(path: Path) -> dict[str, str]:
    """{member name: concatenated w:t text} for every XML part under word/."""
    texts = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                root = etree.fromstring(archive.read(name))
                texts[name] = "".join(t.text or "" for t in root.iter(f"{W}t"))
    return texts


def member_xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def members(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


# --- rewriting a good draft into a bad one -----------------------------------------------------------------


def rewrite(src: Path, dst: Path, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
            rename: dict[str, str] | None = None) -> Path:
    """Copy a .docx member by member, replacing, dropping or renaming members."""
    replace, rename = replace or {}, rename or {}
    out = io.BytesIO()
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            data = replace.get(info.filename, old.read(info))
            new.writestr(rename.get(info.filename, info.filename), data)
        for name, data in replace.items():
            if name not in old.namelist():
                new.writestr(name, data)
    dst.write_bytes(out.getvalue())
    return dst


def with_content_type(src: Path, dst: Path, content_type: str) -> Path:
    """The same draft with another main content type (what .docm / .dotx files carry)."""
    with zipfile.ZipFile(src) as archive:
        types = archive.read("[Content_Types].xml").decode()
    types = re.sub(r'(PartName="/word/document.xml" ContentType=")[^"]+', rf"\g<1>{content_type}", types)
    return rewrite(src, dst, {"[Content_Types].xml": types.encode()})


def truncated(src: Path, dst: Path, keep: float = 0.6) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


def damaged_member(src: Path, dst: Path, member: str = "word/document.xml") -> Path:
    """Flip bytes inside one member's compressed data: the zip directory is fine, the CRC is not."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 10, start + min(info.compress_size, 60)):
        data[offset] ^= 0x5A
    dst.write_bytes(bytes(data))
    return dst


def encrypted_docx(src: Path, dst: Path, password: str = "Zgq-2026") -> Path:
    """A real password-protected .docx as Word writes one: an OLE2 compound file with EncryptionInfo and
    EncryptedPackage (agile encryption, MS-OFFCRYPTO), made by msoffcrypto-tool from a good draft."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(src, "rb") as handle:
        OOXMLFile(handle).encrypt(password, out)
    dst.write_bytes(out.getvalue())
    return dst


def zip_flagged_encrypted(src: Path, dst: Path, member: str = "word/document.xml") -> Path:
    """The draft with one member's "encrypted" flag (general purpose bit 0) set, as zip tools that add a
    password (ZipCrypto) write it; only the flag is set, the data stays readable to show the check is the flag."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<H", data, info.header_offset + 6, info.flag_bits | 0x1)  # local file header
    position = 0
    name = member.encode()
    while True:  # the member's central directory record
        position = data.find(b"PK\x01\x02", position)
        length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46: position + 46 + length]) == name:
            struct.pack_into("<H", data, position + 8, info.flag_bits | 0x1)
            break
        position += 4
    dst.write_bytes(bytes(data))
    return dst


def recompressed(src: Path, dst: Path, method: int = zipfile.ZIP_LZMA) -> Path:
    """The draft with every member compressed by another method than Word's (stored/deflate)."""
    out = io.BytesIO()
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(out, "w", method) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
    dst.write_bytes(out.getvalue())
    return dst


def ole2_file(path: Path) -> Path:
    """What .doc files and password-protected .docx files start with."""
    path.write_bytes(OLE2 + b"\x00" * 504 + os.urandom(1024))
    return path


# --- zip bombs ---------------------------------------------------------------------------------------------


def zip_bomb(src: Path, dst: Path, megabytes: int = 400, declared: int | None = None) -> Path:
    """The draft with its word/document.xml followed by `megabytes` of spaces (still well-formed XML;
    deflate makes it ~1000:1). `declared`: write that uncompressed size into the zip directory instead of
    the true one, a bomb that lies (only inflating it shows the truth)."""
    with zipfile.ZipFile(src) as archive:
        document = archive.read("word/document.xml")
    rewrite(src, dst, drop=("word/document.xml",))
    chunk = b" " * (1024 * 1024)
    with zipfile.ZipFile(dst, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("word/document.xml", "w") as handle:
        handle.write(document)
        for _ in range(megabytes):
            handle.write(chunk)
    if declared is not None:
        _patch_declared_size(dst, "word/document.xml", declared)
    return dst


def _patch_declared_size(path: Path, member: str, size: int) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)  # local file header
    name, position = member.encode(), 0
    while True:  # the member's central directory record
        position = data.find(b"PK\x01\x02", position)
        length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46: position + 46 + length]) == name:
            struct.pack_into("<I", data, position + 24, size)
            break
        position += 4
    path.write_bytes(bytes(data))


_MEASURE = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    from bulletin.intake.intake import gather
    from bulletin.intake.roster import Roster

    def rss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB

    before = rss_mb()
    intake = gather(Path(sys.argv[1]), "2026-10", Roster())
    print(json.dumps({
        "growth_mb": rss_mb() - before,
        "peak_mb": rss_mb(),
        "accepted": [d.name for d in intake.accepted],
        "refused": {r.file: r.reason for r in intake.refused},
    }, ensure_ascii=False))
    """
)



def intake_peak_memory(folder: Path) -> dict:
    """Read a month folder in a fresh process and report the growth of its peak RSS (MB)."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(folder)], capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout)


def good_draft(path: Path, **kwargs) -> Path:
    return draft_factory.make_draft(path, **kwargs)


def zip_member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)
