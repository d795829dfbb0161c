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
