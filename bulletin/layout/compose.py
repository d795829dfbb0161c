"""Issue -> .docx: docxtpl renders the office's template, then docxcompose brings in each draft's body.

Draft text never passes through Jinja: the template is rendered first with plain string values (escaped,
and with braces written as character references so no later text replacement can turn them into tags),
and the bodies are inserted into the rendered document at marker paragraphs afterwards.

The bodies are what intake read: each draft's python-docx Document is built from the bytes and parsed trees
intake kept (`open_document`, sha256 checked), never from the path again, already cleaned and cut.
"""

from __future__ import annotations

import io
import logging
import secrets
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from .composer import BulletinComposer, style_id_names, style_name_ids
from ..core.errors import BulletinError, TemplateProblem
from ..core.progress import ProgressFn
from .issue import Article, Issue
from .restyle import restyle_body
from ..intake import pictures
from ..intake.docxfile import XML_PARSER, Refused, open_document, screen
from ..intake.sanitize import NOTE_PARTS, clean_body
from ..core.textio import clean_text
from ..core.wordxml import set_core_properties, text_of, w, xpath

log = logging.getLogger(__name__)


class Literal(str):
    """A template value that Jinja prints as text, never as markup or template syntax."""

    def __new__(cls, value: object) -> "Literal":
        return super().__new__(cls, clean_text(str(value)))

    def __html__(self) -> str:
        # docxtpl turns "{_{" back into "{{" after rendering; character references survive that.
        return (
            escape(str(self), quote=True)
            .replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")
        )


class Lines(Literal):
    """Several lines of one paragraph (a title printed over two lines): docxtpl turns each newline in a
    value into a line break (w:br) of the same run."""

    def __new__(cls, lines) -> "Lines":
        return str.__new__(cls, "\n".join(clean_text(str(line)) for line in lines if clean_text(str(line))))


def render_issue(issue: Issue, template: Path, progress: ProgressFn | None = None) -> bytes:
    nonce = secrets.token_hex(8)
    markers = [f"BULLETIN-ARTICLE-{nonce}-{n}" for n in range(len(issue.articles))]
    document = _render_template(issue, template, markers)
    _insert_bodies(document, issue, markers, progress)
    _set_properties(document, issue)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_properties(document, issue: Issue) -> None:
    """File > Properties shows this issue, not the template's."""
    set_core_properties(
        document.part.package.core_properties._element,
        title=f"{issue.masthead_top}{issue.masthead} 第{issue.number}期",
        subject=issue.date_text,
        creator=issue.office,
        lastModifiedBy=issue.office,
        description="",
        when=datetime.now(timezone.utc).replace(microsecond=0),
    )


def _context(issue: Issue, markers: list[str]) -> dict:
    text = Literal
    return {
        "masthead_top": text(issue.masthead_top),
        "masthead": text(issue.masthead),
        "issue_number": issue.number,
        "special": text(issue.special),
        "office": text(issue.office),
        "date_text": text(issue.date_text),
        "signer": text(issue.signer),  # 签发人 ([layout] signer), escaped like every office text
        "issue_note": [text(paragraph) for paragraph in issue.issue_note],
        "toc": [{"number": e.number, "mark": text(e.mark), "text": text(e.text), "column": text(e.column)}
                for e in issue.toc()],
        "articles": [
            {"title": Lines(a.lines), "unit": text(issue.unit_line(a)), "subtitle": text(a.subtitle),
             "note": text(a.editor_note), "body": marker, "column_heading": text(heading),
             "byline": text(issue.byline(a))}
            for a, marker, heading in zip(issue.articles, markers, issue.column_headings())
        ],
        "notices": {
            "heading": text(issue.notice_heading),
            "rows": [
                {"index": r.index, "unit": text(r.unit), "matter": text(r.matter),
                 "category": text(r.category), "remark": text(r.remark)}
                for r in issue.notices
            ],
        } if issue.notices else None,
        "report_to": text(issue.report_to),
        "send_to": text(issue.send_to),
        "phone": text(issue.phone),
        "email": text(issue.email),
    }


def _render_template(issue: Issue, template: Path, markers: list[str]):
    """Render the office's template. What a bad template raises (a file that is no .docx, Jinja syntax or a
    sandbox refusal, XML that the rendered tags broke) becomes a Chinese TemplateProblem, with the traceback
    kept in the log; anything else is a bug and propagates as it is."""
    try:
        screen(template).close()  # the same screening as a draft: a broken file is named with its reason
    except Refused as exc:
        raise TemplateProblem(f"无法使用模板 {template.name}：{exc}。") from None
    try:
        tpl = DocxTemplate(template)
        tpl.render(_context(issue, markers), jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    except TemplateError as exc:
        log.warning("template %s: Jinja refused it", template, exc_info=True)
        raise TemplateProblem(
            f"模板 {template.name} 中的标记有误（{exc.message}），请检查 {{{{ }}}} 和 {{% %}} 是否成对、是否只用了模板说明中的变量。"
        ) from None
    except etree.LxmlError as exc:
        log.warning("template %s: rendered XML is broken", template, exc_info=True)
        raise TemplateProblem(
            f"模板 {template.name} 渲染后的内容不是有效的 Word 文档（{exc.__class__.__name__}）：标记可能把段落或表格拆坏了，"
            "请检查 {%p %}、{%tr %} 标记是否各占一段/一行。"
        ) from None
    return tpl.docx


def _insert_bodies(document, issue: Issue, markers: list[str], progress: ProgressFn | None) -> None:
    body = document.element.body
    by_marker = {}
    for paragraph in body.iter(w("p")):
        text = text_of(paragraph).strip()
        if text.startswith("BULLETIN-ARTICLE-"):
            by_marker[text] = paragraph
    missing = [m for m in markers if m not in by_marker]
    if missing:
        raise TemplateProblem("模板中缺少文章正文位置 {{ article.body }}（应在 {%p for article in articles %} 循环内单独成段）。")

    # docxcompose's Composer, linear in the number of drafts (bench/README.md); finish() renumbers
    # bookmark/drawing ids and writes the footnotes part once, after the last draft.
    composer = BulletinComposer(document)
    style_ids = style_name_ids(document.styles.element)
    names_by_styles: dict[int, dict] = {}  # drafts from one Word template share one parsed styles part
    for number, (article, marker) in enumerate(zip(issue.articles, markers), start=1):
        if progress:
            progress(number, len(markers), article.source.name)
        draft, style_names = _prepared_draft(article, style_ids, names_by_styles)
        anchor = by_marker[marker]
        composer.insert_before(anchor, draft, style_names=style_names)
        body.remove(anchor)
        del draft  # one draft open at a time
    composer.finish()


def _prepared_draft(
    article: Article, style_ids: dict[str, str], names_by_styles: dict[int, dict] | None = None
) -> tuple[object, dict[str, str | None]]:
    """The draft as python-docx sees it, built from what intake read (cleaned, title and unit lines cut)."""
    if article.content is None:
        raise BulletinError(f"稿件 {article.source.name} 没有读取内容，无法编排。")
    try:
        draft = open_document(article.content)
    except ValueError:
        raise BulletinError(f"稿件 {article.source.name} 在读取后发生了变化，请重新编排。") from None
    body = draft.element.body
    _clean_note_parts(draft)  # notes are parts python-docx keeps as bytes: intake cleaned its own copy
    keep = [child for child in body if child.tag != w("sectPr")]
    styles = draft.styles.element
    cache = names_by_styles if names_by_styles is not None else {}
    if id(styles) not in cache:
        cache[id(styles)] = style_id_names(styles)
    style_names = cache[id(styles)]
    restyle_body(keep, style_names, style_ids)
    _shrink_pictures(draft)
    return draft, style_names


def _shrink_pictures(draft) -> None:
    """Pictures over pictures.MAX_PIXELS on the long side become a smaller, recompressed copy (intake has
    noted them in the report); the draft's original part stays unreferenced and is not copied.

    A picture over the decoding limit (pictures.over_limit) is never decoded here: intake has removed it from
    the body and said so; should one still be found, it is removed too rather than copied unshrunk."""
    part = draft.part
    shrunk: dict[str, str] = {}
    oversized: dict[str, tuple[int, int]] = {}
    for blip in xpath(draft.element.body, ".//a:blip[@r:embed]"):
        rid = blip.get(_EMBED)
        if rid not in shrunk:
            shrunk[rid] = rid
            image = part.related_parts.get(rid)
            if image is not None and (size := pictures.over_limit(image.blob)) is not None:
                oversized[rid] = size
            elif image is not None and pictures.needs_shrinking(pictures.pixel_size(image.blob)):
                smaller = pictures.shrink(image.blob)
                if smaller is not None:
                    new_part = part.package.get_or_add_image_part(io.BytesIO(smaller[0]))
                    shrunk[rid] = part.relate_to(new_part, RT.IMAGE)
        blip.set(_EMBED, shrunk[rid])
    if oversized:
        removed = pictures.drop_oversized(draft.element.body, oversized)
        log.warning("a draft still had %d picture(s) over the pixel limit at compose: removed", len(removed))


_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


def _clean_note_parts(draft) -> None:
    """Footnotes and endnotes are copied with the body (composer.py): clean them with the body's rules.
    python-docx keeps them as plain parts (bytes), which the composer parses when it copies a note."""
    for rel in list(draft.part.rels.values()):
        if rel.is_external or not rel.reltype.endswith(NOTE_PARTS):
            continue
        part = rel.target_part
        root = etree.fromstring(part.blob, XML_PARSER)
        clean_body(root, {rid for rid, r in part.rels.items() if r.is_external})
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
