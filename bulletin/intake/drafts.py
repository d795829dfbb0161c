"""One submitted .docx -> Draft: its title, contributing unit, body, and what is wrong with it.

Reading works on the cleaned body tree that screening parsed (see docxfile.py, sanitize.py), the way real
bulletins are written:

    【编者按】……                          an editor's note (before or right after the title): kept, printed in 楷体
    工作信息                               a generic label above the title: not the title
    我市强化“三双”机制                     the title: the consecutive title-like lines at the top (title style,
    精准有效推进污染防治攻坚战               centred, larger or bold; short; no sentence-ending punctuation)
    ——全市生态环境保护工作综述              a subtitle
    区生态环境分局 张三                     the unit line (a trailing person's name is split off)
    正文……
    （区医保局供稿 撰稿人：王五）             bylines, people and a closing unit-and-date block at the end

A title's lines are the author's: lines typed as paragraphs, and lines broken inside one paragraph with
Shift+Enter (w:br), are printed as the lines of one title paragraph (the author chose where a long title
breaks; the template never rewraps it). The one-line title of the contents list and the report joins the
pieces of a broken paragraph without a space (Chinese is wrapped anywhere, so a break often falls inside a
word: "农民工" / "就业创业"), keeping one only between two Latin letters or digits (join_broken_line); lines
typed as separate paragraphs are usually two clauses and keep the space between them (join_title).

The unit comes, in order, from the unit line, the roster name that opens the title, a byline, the sender's
registered mailbox, the file name, the author property. The body that goes into the bulletin is the tree
with every header and attribution line cut out; nothing cut is lost without a line in the report.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree

from ..core.textio import clean_text
from ..core.wordxml import text_of, w, xpath
from . import pictures
from .attribution import Attribution, is_date_line, is_unit_name, parse_attribution, resolve_unit, unit_at_start
from .docxfile import MAX_UNPACKED_BYTES, DocxPackage, DraftContent, PartCache, Refused, read_file, read_member, screen
from .roster import Roster, normalize
from .sanitize import CleanReport, clean_body, clean_notes

MAX_TITLE_CHARS = 80  # longer titles are flagged; an unformatted first paragraph this long is body text
MAX_FORMATTED_TITLE = 150  # a first paragraph formatted as a title (centred, large, bold) may be this long
MAX_TITLE_LINE = 50
MAX_TITLE_LINES = 3
_TITLE_STYLE_NAMES = {"title", "标题"}
_SENTENCE_END = re.compile(r"[。！？!?；;：:]$")
_NOTE = re.compile(r"^\s*(?:[【\[]\s*编者按\s*[】\]]|编者按\s*[:：])")
_SUBTITLE = re.compile(r"^\s*(?:[—–―]{1,2}|－{1,2}|-{2})\s*\S")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.、．])")
_LABELS = {"工作信息", "政务信息", "信息", "工作动态", "动态", "简报", "工作简报", "简报信息", "信息专报", "专报",
           "动态信息", "简报稿", "信息稿"}
_FILENAME_SPLIT = re.compile(r"\s*(?:[-_－—–]+|[：:])\s*|\s+")
_REVISION_MARK = re.compile(r"[（(\[【_\-\s]*(?:修改稿?|修订稿?|终稿|最终稿?|定稿|[vV]\s*\d+|第?[二三四五六七八九\d]稿)[）)\]】]?\s*$")
_CORE_MODIFIED = "{http://purl.org/dc/terms/}modified"
_CORE_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_NOTE_REFS = ".//w:footnoteReference|.//w:endnoteReference"
UNIT_SOURCES = ("line", "title", "byline", "mailbox", "filename", "author")


@dataclass
class Draft:
    path: Path
    sha256: str
    title: str  # the title lines joined (TOC, report)
    unit: str  # canonical unit name, "" when not found
    unit_source: str  # line | title | byline | mailbox | filename | author | "" (not found)
    unit_in_roster: bool
    drop: list[int]  # indices of body children cut out (title, unit, byline, blanks, ...)
    body_texts: list[str]
    warnings: list[str] = field(default_factory=list)  # need the office's attention: the draft is flagged
    notes: list[str] = field(default_factory=list)  # routine cleaning, reported only
    cleaned: CleanReport = field(default_factory=CleanReport)
    title_lines: tuple[str, ...] = ()  # as printed: one line each
    subtitle: str = ""
    editor_note: str = ""
    unit_in_title: bool = False  # the title opens with the unit (or an alias): the TOC names it once
    attribution: list[str] = field(default_factory=list)  # bylines, names, dates kept out of the body
    text_key: str = ""  # sha256 of the whole text with whitespace removed (same text = same draft)
    modified: datetime | None = None  # docProps/core.xml dcterms:modified
    mtime: float = 0.0
    content: DraftContent | None = field(default=None, repr=False, compare=False)
    column: str = ""  # the column (栏目) it was filed under: the name of its sub-folder of the month folder

    @property
    def name(self) -> str:
        """The file as the office finds it: "学习园地/x.docx" for a draft in a column's folder."""
        return f"{self.column}/{self.path.name}" if self.column else self.path.name

    @property
    def flagged(self) -> bool:
        return bool(self.warnings)


@dataclass(frozen=True)
class _Style:
    name: str
    centred: bool | None
    size: int | None  # half-points
    bold: bool | None


@dataclass(frozen=True)
class _Block:
    index: int
    kind: str  # p | tbl | other
    text: str
    style_name: str
    has_content: bool  # text, a picture or a table
    look: tuple = ()  # (title style, centred, size, bold) of a paragraph
    element: etree._Element | None = field(default=None, compare=False, repr=False)
    lines: tuple[str, ...] = ()  # a paragraph's pieces between line breaks (Shift+Enter, w:br/w:cr)

    @property
    def title_look(self) -> bool:
        """Formatted as a title: title style, centred, larger than the body, or bold."""
        return bool(self.look) and (self.look[0] or self.look[1] or self.look[4] or self.look[3])


def read_draft(
    path: Path, roster: Roster, *, cache: PartCache | None = None, sender_unit: str | None = None
) -> Draft:
    """Read one draft; raise Refused (with a Chinese reason) when it cannot be used.

    The file is read once; the bytes and the parsed parts travel with the Draft (`content`) to the composer.
    sender_unit: the unit registered for the mailbox the draft came from, if it came by mail.
    """
    data = read_file(path)
    sha = hashlib.sha256(data).hexdigest()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    with screen(data, cache) as package:
        document = package.xml(package.main)
        styles = _related_xml(package, package.main, "/styles")
        core = _related_xml(package, "", "/core-properties")
        external = {rid for rid, _, target in package.relationships(package.main) if target is None}
        images = _image_sizes(package)
        cleaned_notes = clean_notes(package, package.main)  # footnotes/endnotes: same rules, same report
        content = DraftContent(data, sha, package.main, package.parsed())
    body = document.find(w("body")) if document is not None else None
    if body is None:
        raise Refused("文档没有正文部分，请在 Word 中打开后另存为 .docx 再提交")
    cleaned = clean_body(body, external).merge(cleaned_notes)
    styles_info, body_size = _styles(styles, cache)
    blocks = _blocks(body, styles_info, body_size)
    draft = _analyse(path, sha, blocks, roster, _author(core), cleaned, sender_unit)
    draft.content, draft.modified, draft.mtime = content, _modified(core), mtime
    _cut(body, draft)
    _note_pictures(body, images, draft)
    return draft


def _related_xml(package: DocxPackage, source: str, type_suffix: str) -> etree._Element | None:
    name = package.related(source, type_suffix)
    return package.xml(name) if name else None


def _image_sizes(package: DocxPackage) -> dict[str, tuple[tuple[int, int] | None, bool]]:
    """Pixel size of each embedded picture of the body, and whether it is over the decoding limit
    (pictures.over_limit), by relationship id (headers are not copied). Headers only: nothing is decoded."""
    sizes = {}
    for rid, kind, target in package.relationships(package.main):
        if target and kind.endswith("/image"):
            blob = read_member(package.zip, target, MAX_UNPACKED_BYTES)
            sizes[rid] = (pictures.pixel_size(blob), pictures.over_limit(blob) is not None) if blob else (None, False)
    return sizes


def _styles(styles: etree._Element | None, cache: PartCache | None) -> tuple[dict[str, _Style], int]:
    """{style id: name and look (basedOn resolved)}, and the body text size; once per distinct styles part."""
    if styles is None:
        return {}, 21
    key = ("styles", id(styles))
    if cache is not None and key in cache.derived:
        return cache.derived[key]
    raw: dict[str, tuple] = {}
    default_para = None
    for style in styles.iter(w("style")):
        sid = style.get(w("styleId"))
        name = style.find(w("name"))
        jc = style.find(f"{w('pPr')}/{w('jc')}")
        sz = style.find(f"{w('rPr')}/{w('sz')}")
        bold = style.find(f"{w('rPr')}/{w('b')}")
        based = style.find(w("basedOn"))
        raw[sid] = (
            (name.get(w("val")) if name is not None else "") or "",
            None if jc is None else jc.get(w("val")) in ("center", "centre"),
            None if sz is None else _int(sz.get(w("val"))),
            None if bold is None else _on(bold),
            based.get(w("val")) if based is not None else None,
        )
        if style.get(w("type")) == "paragraph" and style.get(w("default")) in ("1", "true", "on"):
            default_para = sid
    resolved: dict[str, _Style] = {}

    def resolve(sid: str, depth: int = 0) -> _Style:
        if sid in resolved:
            return resolved[sid]
        name, centred, size, bold, based = raw[sid]
        if based in raw and depth < 10:
            parent = resolve(based, depth + 1)
            centred = parent.centred if centred is None else centred
            size = parent.size if size is None else size
            bold = parent.bold if bold is None else bold
        resolved[sid] = _Style(name, centred, size, bold)
        return resolved[sid]

    for sid in raw:
        resolve(sid)
    default_size = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('sz')}")
    body_size = _int(default_size.get(w("val"))) if default_size is not None else None
    if default_para in resolved and resolved[default_para].size:
        body_size = resolved[default_para].size
    result = (resolved, body_size or 21)
    resolved[""] = resolved.get(default_para) or _Style("", None, None, None)
    if cache is not None:
        cache.derived[key] = result
    return result


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _on(element: etree._Element) -> bool:
    return element.get(w("val"), "true") not in ("0", "false", "off")


def _author(core: etree._Element | None) -> str:
    if core is None:
        return ""
    creator = core.find(_CORE_CREATOR)
    return clean_text(creator.text or "") if creator is not None else ""


def _modified(core: etree._Element | None) -> datetime | None:
    node = core.find(_CORE_MODIFIED) if core is not None else None
    if node is None or not (node.text or "").strip():
        return None
    try:
        return datetime.fromisoformat(node.text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _look(paragraph: etree._Element, style: _Style, body_size: int) -> tuple:
    ppr = paragraph.find(w("pPr"))
    jc = ppr.find(w("jc")) if ppr is not None else None
    centred = jc.get(w("val")) in ("center", "centre") if jc is not None else bool(style.centred)
    sizes, bolds = [], []
    for run in paragraph.iter(w("r")):
        if run.find(w("t")) is None:
            continue
        rpr = run.find(w("rPr"))
        sz = rpr.find(w("sz")) if rpr is not None else None
        b = rpr.find(w("b")) if rpr is not None else None
        sizes.append(_int(sz.get(w("val"))) if sz is not None else None)
        bolds.append(_on(b) if b is not None else bool(style.bold))
    size = max((s for s in sizes if s), default=None) or style.size or body_size
    bold = bool(bolds) and all(bolds)
    title_style = style.name.lower() in _TITLE_STYLE_NAMES
    return (title_style, centred, size, bold, size > body_size)


def _blocks(body: etree._Element, styles: dict[str, _Style], body_size: int) -> list[_Block]:
    blocks = []
    default = styles.get("") or _Style("", None, None, None)
    for index, child in enumerate(body):
        if child.tag == w("sectPr"):
            continue
        raw = text_of(child)
        text = clean_text(raw)
        if child.tag == w("p"):
            style_ids = xpath(child, "./w:pPr/w:pStyle/@w:val")
            style = styles.get(style_ids[0]) if style_ids else default
            style = style or _Style(style_ids[0], None, None, None)
            visual = bool(xpath(child, ".//w:drawing|.//w:pict|.//w:object"))
            lines = tuple(line for line in map(clean_text, raw.split("\n")) if line)
            blocks.append(_Block(index, "p", text, style.name, bool(text) or visual,
                                 _look(child, style, body_size), child, lines))
        elif child.tag == w("tbl"):
            blocks.append(_Block(index, "tbl", text, "", True, (), child))
        else:  # content controls, custom XML: keep, judge by text
            blocks.append(_Block(index, "other", text, "", bool(text), (), child))
    return blocks


# -- what a line is ---------------------------------------------------------------------------------------

def _sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text)) or "。" in text


def _titleish(block: _Block, limit: int) -> bool:
    return block.kind == "p" and bool(block.text) and len(block.text) <= limit and not _sentence(block.text) \
        and not _NOTE.match(block.text) and not is_date_line(block.text)


def _is_subtitle(text: str, roster: Roster) -> bool:
    """A "——" line under the title: a subtitle ("——记区就业服务中心的一天"), unless it names a roster unit
    ("——区人社局"), which makes it the unit line."""
    if not _SUBTITLE.match(text):
        return False
    found = parse_attribution(text, roster)
    return found is None or not (found.in_roster or found.people)


def _continues_title(block: _Block, first: _Block, roster: Roster) -> bool:
    return (
        _titleish(block, MAX_TITLE_LINE) and first.title_look and block.look == first.look
        and not _HEADING.match(block.text) and not _SUBTITLE.match(block.text)
        and parse_attribution(block.text, roster) is None
    )


def join_title(lines: list[str] | tuple[str, ...]) -> str:
    """One line for the TOC and the report: lines joined by a space where they were split between words
    (no space next to full-width punctuation, which carries its own)."""
    joined = ""
    for line in lines:
        if joined and not (joined[-1] in "，、：；“‘（《—-" or line[0] in "，、。：；”’）》—"):
            joined += " "
        joined += line
    return joined


def join_broken_line(pieces: list[str] | tuple[str, ...]) -> str:
    """The pieces of one paragraph split by line breaks (Shift+Enter), as one line: joined without a space,
    except between two Latin letters or digits ("Smart" / "City" -> "Smart City"). Word wraps a Chinese line
    anywhere, so an author breaks a long title where it looks balanced, often inside a word ("农民工" /
    "就业创业"): a space there would be a space in the middle of the word."""
    joined = ""
    for piece in pieces:
        if joined and _latin_or_digit(joined[-1]) and _latin_or_digit(piece[0]):
            joined += " "
        joined += piece
    return joined


def _latin_or_digit(char: str) -> bool:
    char = unicodedata.normalize("NFKC", char)  # full-width Ａ and １ are Latin letters and digits too
    return len(char) == 1 and char.isascii() and char.isalnum()


def _title_pieces(block: _Block) -> list[str]:
    """The printed lines of one title paragraph: its pieces between line breaks, or its text."""
    return list(block.lines) or [block.text]


# -- the analysis -----------------------------------------------------------------------------------------

@dataclass
class _Reading:
    drop: set[int] = field(default_factory=set)
    attribution: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _analyse(
    path: Path, sha: str, blocks: list[_Block], roster: Roster, author: str, cleaned: CleanReport,
    sender_unit: str | None = None,
) -> Draft:
    content = [b for b in blocks if b.has_content]
    if not content:
        raise Refused("稿件没有任何文字，请检查是否提交了空白文档")
    reading = _Reading(warnings=cleaned.warnings())
    file_unit, file_title = split_file_name(path, roster)

    i, note = 0, ""
    if content[0].kind == "p" and _NOTE.match(content[0].text):
        note, i = content[0].text, 1
        reading.drop.add(content[0].index)
    start = _title_start(content, i)
    for block in content[i:start]:  # labels ("工作信息") and lines above a title-styled paragraph
        reading.drop.add(block.index)
        reading.notes.append(f"稿件开头的“{block.text}”不是标题，未编入")
    i = start

    title_lines: list[str] = []
    title_paragraphs: list[str] = []  # one line each: a paragraph's pieces joined (join_broken_line)
    first = content[i] if i < len(content) else None
    if first is not None and _titleish(first, MAX_FORMATTED_TITLE if first.title_look else MAX_TITLE_CHARS):
        title_lines += _title_pieces(first)
        title_paragraphs.append(join_broken_line(_title_pieces(first)))
        reading.drop.add(first.index)
        i += 1
        while i < len(content) and len(title_paragraphs) < MAX_TITLE_LINES \
                and _continues_title(content[i], first, roster):
            title_lines += _title_pieces(content[i])
            title_paragraphs.append(join_broken_line(_title_pieces(content[i])))
            reading.drop.add(content[i].index)
            i += 1
    else:
        if not file_title:
            raise Refused("找不到标题：稿件第一行应是文章标题（第一段太长，是正文），文件名中也没有标题")
        title_lines = title_paragraphs = [file_title]
        reason = "稿件第一段是正文而不是标题" if first is not None and first.kind == "p" and first.text \
            else "稿件开头不是文字标题"
        reading.warnings.append(f"{reason}，已使用文件名中的标题“{file_title}”，请核对")

    # Under the title: a subtitle, the unit line, a date, an editor's note (each at most once).
    subtitle, top, date = "", None, ""
    while i < len(content) and content[i].kind == "p" and content[i].text:
        text = content[i].text
        if not subtitle and top is None and _is_subtitle(text, roster):
            subtitle = text
        elif top is None and (found := parse_attribution(text, roster)) is not None:
            top = found
            if found.people or normalize(text) != normalize(found.unit):  # more than the plain unit name
                reading.attribution.append(text)
        elif not date and is_date_line(text):
            date = text
            reading.attribution.append(text)
        elif not note and _NOTE.match(text):
            note = text
        else:
            break
        reading.drop.add(content[i].index)
        i += 1

    rest = content[i:]
    tail: list[Attribution] = []  # from the last line up
    tail_texts: list[str] = []
    while len(rest) > 1 and rest[-1].kind == "p" and len(tail) < 5:
        text = rest[-1].text
        if is_date_line(text):
            found = Attribution(date=text)
        else:
            found = parse_attribution(text, roster)
            if found is None:
                break
        tail.append(found)
        tail_texts.append(text)
        reading.drop.add(rest[-1].index)
        rest = rest[:-1]
    reading.attribution += tail_texts[::-1]
    if not rest:
        raise Refused("稿件只有标题，没有正文")

    unit, source, in_roster = _choose_unit(
        top, title_lines, tail, sender_unit, file_unit, author, roster
    )
    people = [p for a in ([top] if top else []) + tail for p in a.people]
    if people:
        reading.notes.append("署名未印在简报上：" + "、".join(people))
    if not unit:
        reading.warnings.append("未能识别供稿单位：请在标题下一行写明单位，或在文末注明“（XX供稿）”")
    elif roster and not in_roster:
        reading.warnings.append(f"供稿单位“{unit}”不在单位名册（inputs/units.csv）中，请核对名称")

    title = join_title(title_paragraphs)
    if len(title) > MAX_TITLE_CHARS:
        reading.warnings.append(f"标题长达 {len(title)} 字，请核对")
    first_i, last_i = rest[0].index, rest[-1].index
    reading.drop.update(b.index for b in blocks if b.index < first_i or b.index > last_i)
    kept = [b for b in blocks if b.index not in reading.drop]
    text_key = hashlib.sha256(normalize("".join(b.text for b in content)).encode("utf-8")).hexdigest()
    return Draft(
        path=path,
        sha256=sha,
        title=title,
        unit=unit,
        unit_source=source,
        unit_in_roster=in_roster,
        drop=sorted(reading.drop),
        body_texts=[b.text for b in kept if b.text],
        warnings=reading.warnings,
        notes=cleaned.notes() + reading.notes,
        cleaned=cleaned,
        title_lines=tuple(title_lines),
        subtitle=subtitle,
        editor_note=note,
        unit_in_title=bool(unit) and _opens_with(title, unit, roster),
        attribution=reading.attribution,
        text_key=text_key,
    )


def _title_start(content: list[_Block], i: int) -> int:
    """Where the title starts: after a generic label ("工作信息") that sits above a title, or at a paragraph
    in a title style among the first three."""
    head = content[i:i + 3]
    for offset, block in enumerate(head):
        if block.kind == "p" and block.text and block.style_name.lower() in _TITLE_STYLE_NAMES:
            if all(b.kind == "p" and len(b.text) <= 20 and not _sentence(b.text) for b in head[:offset]):
                return i + offset
            break
    if len(head) > 1 and head[0].kind == "p" and normalize(head[0].text) in _LABELS and _titleish(head[1], MAX_TITLE_CHARS):
        return i + 1
    return i


def _choose_unit(
    top: Attribution | None, title_lines: list[str], tail: list[Attribution], sender_unit: str | None,
    file_unit: tuple[str, bool] | None, author: str, roster: Roster,
) -> tuple[str, str, bool]:
    """(unit, source, in_roster), in the order the issue sets; ("", "", False) when nothing names one."""
    if top is not None and top.unit:
        return _ordered(top.unit, "line", top.in_roster, roster)
    opening = unit_at_start("".join(title_lines), roster)
    if opening:
        return opening[0], "title", True
    for found in tail:
        if found.unit:
            return _ordered(found.unit, "byline", found.in_roster, roster)
    if sender_unit:
        known = roster.canonical.get(normalize(sender_unit))
        return known or sender_unit, "mailbox", bool(known)
    if file_unit:
        return file_unit[0], "filename", file_unit[1]
    if author:
        found = resolve_unit(author, roster)
        if found:
            return found[0], "author", found[1]
    looked = _unit_by_look("".join(title_lines))
    if looked:
        return looked, "title", False
    return "", "", False


def _canonical(unit: str, in_roster: bool, roster: Roster) -> tuple[str, bool]:
    known = roster.canonical.get(normalize(unit))
    return (known, True) if known else (unit, in_roster)


def _ordered(unit: str, source: str, in_roster: bool, roster: Roster) -> tuple[str, str, bool]:
    name, known = _canonical(unit, in_roster, roster)
    return name, source, known


def _unit_by_look(title: str) -> str | None:
    """A unit not in the roster that opens the title by its look: 区/市/县 … 局/委/办/中心/分局."""
    name = normalize(title)
    if not name.startswith(("区", "市", "县")):
        return None
    for end in range(3, min(len(name), 16) + 1):
        candidate = name[:end]
        if candidate.endswith(("局", "委", "办", "中心", "办公室")) and is_unit_name(candidate) \
                and not name[end:].startswith(("局", "委", "办", "中心", "分局")):
            return candidate
    return None


def _opens_with(title: str, unit: str, roster: Roster) -> bool:
    name = normalize(title)
    names = {normalize(unit)} | {alias for alias, canonical in roster.canonical.items() if canonical == unit}
    return any(name.startswith(n) for n in names if n)


# -- cutting the body -------------------------------------------------------------------------------------

def _cut(body: etree._Element, draft: Draft) -> None:
    """Remove every cut block from the tree; a footnote referenced from a cut line (usually the title) moves
    to the end of the first body paragraph, so no note is lost."""
    children = list(body)
    drop = set(draft.drop)
    kept_p = next((c for i, c in enumerate(children) if i not in drop and c.tag == w("p")), None)
    moved = 0
    for index in sorted(drop):
        child = children[index]
        if child.tag == w("sectPr"):
            continue
        refs = xpath(child, _NOTE_REFS)
        if refs and kept_p is not None:
            for ref in refs:
                run = ref.getparent()
                if run.tag == w("r"):
                    kept_p.append(run)
                    moved += 1
        body.remove(child)
    if moved:
        draft.notes.append("标题或署名行中的脚注已移至正文第一段末尾")


def _note_pictures(body: etree._Element, images: dict[str, tuple[tuple[int, int] | None, bool]], draft: Draft) -> None:
    oversized = {rid: size for rid, (size, over) in images.items() if over and size}
    for width, height in pictures.drop_oversized(body, oversized):  # never decoded: the article stays
        draft.warnings.append(f"图片过大（{width}×{height} 像素）已删除")
    fitted = pictures.fit_extents(body)
    if fitted:
        draft.notes.append(f"有{fitted}张图片超出版心，已按比例缩小到版心以内")
    large = {rid for rid in xpath(body, ".//a:blip/@r:embed") if pictures.needs_shrinking(images.get(rid, (None,))[0])}
    if large:
        draft.notes.append(
            f"有{len(large)}张图片超过{pictures.MAX_PIXELS}像素，已缩小并重新压缩（简报文件更小，便于邮件发送）"
        )


# -- the file name ------------------------------------------------------------------------------------------

def split_file_name(path: Path, roster: Roster) -> tuple[tuple[str, bool] | None, str]:
    """("区工信局-标题.docx") -> ((unit, in_roster), title). Separators: - _ － — ： space, full-width space,
    or brackets (【区人社局】标题); a roster name run into the title also counts. The title is the stem
    without unit, numbering and revision marks when the name carries no unit."""
    stem = unicodedata.normalize("NFKC", path.stem).strip()  # NFKC: full-width space -> space
    stem = re.sub(r"^\d{1,3}(?:[.．、\s_-]+|(?=\D))", "", stem)  # "03-", "3." or "3" numbering for order
    bracket = re.match(r"^[【\[（(]\s*([^】\]）)]+?)\s*[】\]）)]\s*(.+)$", stem)
    if bracket:
        found = resolve_unit(bracket.group(1), roster)
        if found:
            return found, _file_title(bracket.group(2))
    parts = _FILENAME_SPLIT.split(stem, maxsplit=1)
    if len(parts) == 2:
        found = resolve_unit(parts[0], roster)
        if found:
            return found, _file_title(parts[1])
    opening = unit_at_start(stem, roster)
    if opening and len(normalize(stem)) > len(opening[1]):
        return (opening[0], True), _file_title(normalize(stem)[len(opening[1]):])
    return None, _file_title(stem)


def _file_title(text: str) -> str:
    return clean_text(_REVISION_MARK.sub("", text.strip(" -_"))) or clean_text(text)


def revision_rank(name: str) -> tuple[int, int]:
    """How clearly a file name says "newer version": (mark, number). 终稿/定稿/最终 rank highest, then
    修改/修订 and v2, v3…, then no mark."""
    stem = unicodedata.normalize("NFKC", Path(name).stem)
    if re.search(r"终稿|定稿|最终", stem):
        return 3, 0
    version = re.search(r"[vV]\s*(\d+)|第\s*(\d+)\s*稿|修[改订]稿?\s*(\d+)", stem)
    if version:
        return 2, int(next(g for g in version.groups() if g))
    if re.search(r"修改|修订|第[二三四五六七八九]稿|[二三]稿", stem):
        return 2, 1
    return 0, 0
