"""The shipped layouts `bulletin init --layout` offers: the [layout] section each writes into bulletin.toml,
and how the example month is arranged for it (columns are sub-folders of the month folder)."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import BulletinError
from ..core.resources import TEMPLATES

_COMMENT = """
# 版式：name 选软件自带的模板（"工作简报" 或 "政务信息"；[bulletin] template 指定了自己的模板时不起作用）。
# toc：目录样式，"numbered"（1. 单位：标题）、"bullets"（●标题，按栏目分组）或 "none"（不印目录）。
# column_heading：正文中每个栏目开头印的栏目名，{name} 处换成栏目名（栏目 = 本月文件夹下的子文件夹）。
# byline："none"（单位印在标题下）或 "trailer"（每篇文末右侧印“（XX供稿）”）。
# unit_in_toc：目录中是否写单位名。special：如 "专刊"，印在报头下方，也写进文件名；平常期留空。
# columns：栏目顺序（子文件夹名）；未列出的栏目按 order.txt 中的【栏目】行，再按名称排在后面。
"""

SECTIONS = {
    "工作简报": """[layout]
name = "工作简报"
toc = "numbered"
column_heading = "◆{name}◆"
byline = "none"
unit_in_toc = true
special = ""
columns = []
""",
    "政务信息": """[layout]
name = "政务信息"
toc = "bullets"
column_heading = "◆{name}◆"
byline = "trailer"
unit_in_toc = false
special = ""
columns = ["工作进展", "经验交流"]
""",
}

# The example month as a 政务信息 office files it: drafts whose name holds a key go to that column.
_EXAMPLE_COLUMNS = {"政务信息": (("区工信局", "经验交流"), ("生态环境", "经验交流"), ("财政资金", "经验交流"))}
_DEFAULT_COLUMN = {"政务信息": "工作进展"}


def check_layout(name: str) -> None:
    if name not in TEMPLATES:
        raise BulletinError(f"没有名为“{name}”的版式：可选 {'、'.join(TEMPLATES)}。")


def layout_section(name: str) -> str:
    return _COMMENT + SECTIONS[name]


# The example office's masthead in each layout (the rest of bulletin.toml stays the example's).
_TITLES = {"政务信息": "章贡区 政务信息"}


def example_settings(toml: str, name: str) -> str:
    """The example bulletin.toml for a layout: its masthead, and the [layout] section."""
    if name in _TITLES:
        lines = toml.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("title = "))
        lines[at] = f'title = "{_TITLES[name]}"'
        toml = "\n".join(lines)
    return toml.rstrip("\n") + "\n" + layout_section(name)


def arrange_example(inputs: Path, name: str) -> None:
    """Move the example month's drafts into column folders for a layout with columns."""
    default = _DEFAULT_COLUMN.get(name)
    if default is None:
        return
    for month in (p for p in inputs.iterdir() if p.is_dir()):
        for draft in sorted(month.glob("*.docx")):
            column = next((c for key, c in _EXAMPLE_COLUMNS[name] if key in draft.name), default)
            (month / column).mkdir(exist_ok=True)
            draft.rename(month / column / draft.name)
