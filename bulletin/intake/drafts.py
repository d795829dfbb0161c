"""One submitted .docx -> Draft: its title, contributing unit, body, and what is wrong with it.

Reading works on the cleaned lxml body (see sanitize.py). `Draft.drop` lists the body children that are not
article text; the composer cleans the same way and drops those, so title, unit and 供稿 lines never repeat.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..core.atomic import sha256_file
from .docxfile import DocxPackage, Refused, screen
from .roster import Roster, byline_unit
from .sanitize import CleanReport, clean_body
from ..core.textio import clean_text
from ..core.wordxml import text_of, w, xpath

MAX_TITLE_CHARS = 80
_TITLE_STYLE_NAMES = {"title", "标题"}
_FILENAME_SPLIT = re.compile(r"\s*(?:[-_－—–]+|[：:])\s*")
@dataclass
class Draft:
    path: Path
    sha256: str
    title: str
    unit: str  # canonical unit name, "" when not found
    unit_source: str  # line | byline | filename | author | "" (not found)
    unit_in_roster: bool
    drop: list[int]  # indices of body children that are not article body (title, unit, 供稿 line, blanks)
    body_texts: list[str]
    warnings: list[str] = field(default_factory=list)  # need the office's attention: the draft is flagged
    notes: list[str] = field(default_factory=list)  # routine cleaning, reported only
    cleaned: CleanReport = field(default_factory=CleanReport)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def flagged(self) -> bool:
        return bool(self.warnings)


@dataclass(frozen=True)
class _Block:
    index: int
    kind: str  # p | tbl | other
    text: str
    style_name: str
    has_content: bool  # text, a picture or a table


def read_draft(path: Path, roster: Roster) -> Draft:
    """Read one draft; raise Refused (with a Chinese reason) when it cannot be used."""
    with screen(path) as package:
        data_hash = sha256_file(path)
        document = package.xml(package.main)
        styles = _related_xml(package, package.main, "/styles")
        core = _related_xml(package, "", "/core-properties")
        external = {rid for rid, _, target in package.relationships(package.main) if target is None}
    body = document.find(w("body")) if document is not None else None
    if body is None:
        raise Refused("文档没有正文部分，请在 Word 中打开后另存为 .docx 再提交")
    cleaned = clean_body(body, external)
    style_names = _style_names(styles)
    blocks = _blocks(body, style_names)
    return _analyse(path, data_hash, blocks, roster, _author(core), cleaned)


def _related_xml(package: DocxPackage, source: str, type_suffix: str) -> etree._Element | None:
    name = package.related(source, type_suffix)
    return package.xml(name) if name else None


def _style_names(styles: etree._Element | None) -> dict[str, str]:
    if styles is None:
        return {}
    names = {}
    for style in styles.iter(w("style")):
        name = style.find(w("name"))
        names[style.get(w("styleId"))] = (name.get(w("val")) if name is not None else "") or ""
    return names


def _author(core: etree._Element | None) -> str:
    if core is None:
        return ""
    creator = core.find("{http://purl.org/dc/elements/1.1/}creator")
    return clean_text(creator.text or "") if creator is not None else ""


def _blocks(body: etree._Element, style_names: dict[str, str]) -> list[_Block]:
    blocks = []
    for index, child in enumerate(body):
        if child.tag == w("sectPr"):
            continue
        text = clean_text(text_of(child))
        if child.tag == w("p"):
            style_ids = xpath(child, "./w:pPr/w:pStyle/@w:val")
            style_name = style_names.get(style_ids[0], style_ids[0]) if style_ids else ""
            visual = bool(xpath(child, ".//w:drawing|.//w:pict|.//w:object"))
            blocks.append(_Block(index, "p", text, style_name, bool(text) or visual))
        elif child.tag == w("tbl"):
            blocks.append(_Block(index, "tbl", text, "", True))
        else:  # content controls, custom XML: keep, judge by text
            blocks.append(_Block(index, "other", text, "", bool(text)))
    return blocks


def _analyse(
    path: Path, sha: str, blocks: list[_Block], roster: Roster, author: str, cleaned: CleanReport
) -> Draft:
    content = [b for b in blocks if b.has_content]
    if not content:
        raise Refused("稿件没有任何文字，请检查是否提交了空白文档")
    warnings = cleaned.warnings()
    drop: set[int] = set()

    title_block = _find_title(content)
    file_unit, file_title = _split_file_name(path, roster)
    if title_block is None:
        if not file_title:
            raise Refused("找不到标题：稿件第一行应是文章标题")
        title = file_title
        warnings.append("稿件开头不是文字标题，已使用文件名中的标题")
        rest = content
    else:
        title = title_block.text
        drop.add(title_block.index)
        rest = [b for b in content if b.index > title_block.index]
        if len(title) > MAX_TITLE_CHARS:
            warnings.append(f"标题长达 {len(title)} 字，可能缺少标题（稿件第一段被当作标题），请核对")

    unit, source, in_roster = "", "", False
    if rest and rest[0].kind == "p":
        found = roster.match(rest[0].text)
        if found:
            (unit, in_roster), source = found, "line"
            drop.add(rest[0].index)
            rest = rest[1:]
    if rest and rest[-1].kind == "p":
        named = byline_unit(rest[-1].text)
        if named:
            drop.add(rest[-1].index)
            rest = rest[:-1]
            if not unit:
                known = roster.resolve(named)
                unit, source, in_roster = known or named, "byline", bool(known)
    if not unit and file_unit:
        unit, in_roster = file_unit
        source = "filename"
    if not unit and author:
        found = roster.match(author)
        if found:
            (unit, in_roster), source = found, "author"

    if not rest:
        raise Refused("稿件只有标题，没有正文")
    if not unit:
        warnings.append("未能识别供稿单位：请在标题下一行写明单位，或在文末注明“（XX供稿）”")
    elif roster and not in_roster:
        warnings.append(f"供稿单位“{unit}”不在单位名册（inputs/units.csv）中，请核对名称")

    first, last = rest[0].index, rest[-1].index
    drop.update(b.index for b in blocks if b.index < first or b.index > last)
    return Draft(
        path=path,
        sha256=sha,
        title=title,
        unit=unit,
        unit_source=source,
        unit_in_roster=in_roster,
        drop=sorted(drop),
        body_texts=[b.text for b in blocks if b.index not in drop and b.text],
        warnings=warnings,
        notes=cleaned.notes(),
        cleaned=cleaned,
    )


def _find_title(content: list[_Block]) -> _Block | None:
    head = content[:3]
    for block in head:
        if block.kind == "p" and block.text and block.style_name.lower() in _TITLE_STYLE_NAMES:
            return block
    first = content[0]
    return first if first.kind == "p" and first.text else None


def _split_file_name(path: Path, roster: Roster) -> tuple[tuple[str, bool] | None, str]:
    """("区工信局-标题.docx") -> ((unit, in_roster), title); (None, "") when the name carries no unit."""
    stem = unicodedata.normalize("NFKC", path.stem).strip()
    stem = re.sub(r"^[【\[](.+?)[】\]]\s*", r"\1-", stem)
    stem = re.sub(r"^\d{1,3}(?:[.．、\s_-]+|(?=\D))", "", stem)  # "03-", "3." or "3" numbering for order
    parts = _FILENAME_SPLIT.split(stem, maxsplit=1)
    if len(parts) != 2:
        return None, ""
    found = roster.match(parts[0])
    if not found:
        return None, ""
    return found, clean_text(parts[1])


