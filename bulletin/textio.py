"""Reading text files that offices save from Excel or Notepad (UTF-8 with or without BOM, or GB18030)."""

from __future__ import annotations

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
