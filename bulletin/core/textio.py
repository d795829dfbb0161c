"""Text from offices: files saved from Excel or Notepad (UTF-8 with or without BOM, or GB18030), and one-line
display text cleaned of what Word cannot hold."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import BulletinError


def read_office_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BulletinError(f"{path.name} 的编码无法识别：请用 Excel 或记事本另存为 UTF-8 编码的 CSV。")


# Characters Word cannot hold in XML; they never reach the template.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """One line of display text: no control characters, runs of whitespace folded."""
    return " ".join(_XML_INVALID.sub("", text).split())


# What may not reach a terminal from outside text (mail subjects, file names, sender names): C0 and C1 control
# characters (ESC starts the sequences that clear the screen, set the window title or hide text), DEL, and the
# bidirectional controls that make "txt.exe" read as "exe.txt" (Trojan Source). Line breaks and tabs stay.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """`text` without control characters (except line breaks and tabs) and bidirectional overrides: what may be
    printed on a terminal or put into a mail header. A carriage return is dropped too (it rewrites the line)."""
    return _UNPRINTABLE.sub("", str(text))


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters of `text`, "……" marking a cut."""
    return text if len(text) <= limit else text[:limit] + "……"
