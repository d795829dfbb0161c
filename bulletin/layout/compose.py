"""Issue -> .docx: docxtpl renders the office's template, then docxcompose brings in each draft's body.

Draft text never passes through Jinja: the template is rendered first with plain string values (escaped,
and with braces written as character references so no later text replacement can turn them into tags),
and the bodies are inserted into the rendered document at marker paragraphs afterwards.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .composer import BulletinComposer, style_id_names
from ..core.errors import TemplateProblem
from .issue import Issue
from .restyle import restyle_body
from ..intake.sanitize import clean_body
from ..core.textio import clean_text
from ..core.wordxml import set_core_properties, text_of, w

ProgressFn = Callable[[int, int, str], None]


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
        "office": text(issue.office),
        "date_text": text(issue.date_text),
        "toc": [{"number": n, "text": text(line)} for n, line in issue.toc()],
        "articles": [
            {"title": text(a.title), "unit": text(a.unit), "body": marker}
            for a, marker in zip(issue.articles, markers)
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
    try:
        tpl = DocxTemplate(template)
        tpl.render(_context(issue, markers), jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    except TemplateError as exc:
        raise TemplateProblem(f"模板 {template.name} 中的标记有误（{exc.message}），请检查 {{{{ }}}} 和 {{% %}} 是否成对。") from None
    except Exception as exc:  # a broken or non-docx template file
        raise TemplateProblem(f"无法使用模板 {template.name}（{exc.__class__.__name__}），请确认它是完好的 .docx 文件。") from None
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
    style_ids = {s.name: s.style_id for s in document.styles}
    for number, (article, marker) in enumerate(zip(issue.articles, markers), start=1):
        if progress:
            progress(number, len(markers), article.source.name)
        draft, style_names = _prepared_draft(article, style_ids)
        anchor = by_marker[marker]
        composer.insert_before(anchor, draft, style_names=style_names)
        body.remove(anchor)
        del draft  # one draft open at a time
    composer.finish()


def _prepared_draft(article, style_ids: dict[str, str]) -> tuple[object, dict[str, str | None]]:
    """The draft as python-docx sees it, cleaned exactly as intake read it, without title and unit lines."""
    draft = Document(str(article.source))
    body = draft.element.body
    clean_body(body, {rid for rid, rel in draft.part.rels.items() if rel.is_external})
    drop = set(article.drop)
    keep = []
    for index, child in enumerate(list(body)):
        if child.tag == w("sectPr"):
            continue
        if index in drop:
            body.remove(child)
        else:
            keep.append(child)
    style_names = style_id_names(draft.styles.element)
    restyle_body(keep, style_names, style_ids)
    return draft, style_names
