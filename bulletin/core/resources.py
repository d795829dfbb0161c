"""Files shipped with the product: the default template and the example workspace.

A wheel carries them under bulletin/_data; an editable checkout finds them at the repository root.
"""

from __future__ import annotations

from pathlib import Path

from .errors import BulletinError

_PACKAGE = Path(__file__).resolve().parents[1]  # bulletin/, from bulletin/core/
_DATA = _PACKAGE / "_data"
_REPO = _PACKAGE.parent


# The shipped layouts (bulletin init --layout): template file, and the [layout] settings written for it.
TEMPLATES = {"工作简报": "bulletin.docx", "政务信息": "政务信息.docx"}


def shipped_template(layout: str = "工作简报") -> Path:
    name = TEMPLATES[layout]
    for candidate in (_DATA / "templates" / name, _REPO / "templates" / name):
        if candidate.is_file():
            return candidate
    raise BulletinError(f"找不到软件自带的模板 templates/{name}：安装不完整，请按 README 重新安装（bash tools/setup.sh）。")


def example_workspace() -> Path:
    """A folder holding bulletin.toml and inputs/ of the example office."""
    for candidate in (_DATA / "example", _REPO):
        if (candidate / "bulletin.toml").is_file() and (candidate / "inputs").is_dir():
            return candidate
    raise BulletinError("找不到软件自带的示例工作目录（bulletin.toml 和 inputs/）：安装不完整，请按 README 重新安装。")
