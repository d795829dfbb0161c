"""An office's own template made before the layouts existed lacks their tags: the layout's column headings,
trailers, 专刊 line or 编者按 would silently not be printed. Name each one in the report instead."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .issue import Issue

_TAG_TEXT = re.compile(r"<[^>]+>")


def template_text(template: Path) -> str:
    """The tags of the template's body as Word stores them (tags sit inside one run, see templates/README)."""
    with zipfile.ZipFile(template) as package:
        return _TAG_TEXT.sub("", package.read("word/document.xml").decode("utf-8", "replace"))


def missing_layout_tags(template: Path, issue: Issue) -> list[str]:
    """One Chinese line per layout feature this issue uses that the template cannot print."""
    try:
        text = template_text(template)
    except (OSError, KeyError, zipfile.BadZipFile):
        return []  # compose names a broken template itself
    needs = []  # (the tag as README names it, a pattern that finds it, what is not printed without it)
    if any(a.column for a in issue.articles):
        needs.append(("{{ article.column_heading }}", r"\{\{\s*article\.column_heading\b", "栏目标题（◆栏目◆）未能印出"))
    if issue.layout.byline == "trailer":
        needs.append(("{{ article.byline }}", r"\{\{\s*article\.byline\b", "文末供稿行（XX供稿）未能印出"))
    if issue.special:
        needs.append(("{{ special }}", r"\{\{\s*special\b", f"“（{issue.special}）”未能印出"))
    if issue.signer:
        needs.append(("{{ signer }}", r"\{\{\s*signer\b", f"签发人“{issue.signer}”未能印出"))
    if issue.issue_note:
        needs.append(("{%p for paragraph in issue_note %}", r"\bin\s+issue_note\b", "整期编者按（编者按.txt）未能印出"))
    if issue.layout.toc == "none":
        needs.append(("{%p if toc %}", r"\{%-?p?\s*if\s+toc\b", "toc = \"none\" 时“目  录”二字仍会印出"))
    return [f"模板 {template.name} 中没有 {tag} 标记，{what}：请改用软件自带的模板，或按 templates/README.md 加上该标记"
            for tag, pattern, what in needs if not re.search(pattern, text)]
