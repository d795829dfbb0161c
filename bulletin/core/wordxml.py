"""WordprocessingML names and small helpers over lxml elements (no python-docx objects needed)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from lxml import etree

from .textio import clean_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {
    "w": W_NS,
    "r": R_NS,
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
}


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def r(tag: str) -> str:
    return f"{{{R_NS}}}{tag}"


@lru_cache(maxsize=256)
def _compiled(expr: str) -> etree.XPath:
    return etree.XPath(expr, namespaces=NS)


def xpath(element: etree._Element, expr: str) -> list:
    """XPath with our prefixes; works on plain lxml and on python-docx elements (which override .xpath)."""
    return _compiled(expr)(element)


def text_of(element: etree._Element) -> str:
    """Visible text: w:t (not w:delText), tabs as spaces, breaks as newlines.

    python-docx's Paragraph.text skips runs inside w:ins; reading w:t directly does not.
    """
    parts: list[str] = []
    for node in element.iter(w("t"), w("tab"), w("br"), w("cr")):
        if node.tag == w("t"):
            parts.append(node.text or "")
        elif node.tag == w("tab"):
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def unwrap(element: etree._Element) -> None:
    """Replace an element by its children (keeps the tail text placement irrelevant for WordML)."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)


# -- docProps/core.xml --------------------------------------------------------------------------------------
CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_CORE_TEXT = {"title": "dc", "subject": "dc", "creator": "dc", "description": "dc", "keywords": "cp",
              "lastModifiedBy": "cp", "category": "cp"}


def set_core_properties(core: etree._Element, when: datetime | None = None, **values: str) -> None:
    """Set core properties on the core.xml root with their real namespaces.

    Not python-docx's `core_properties.x = …`: importing docxcompose (docxtpl does) rebinds python-docx's
    process-wide prefix "cp" to the custom-properties namespace, after which python-docx appends a second,
    invalid `cp:lastModifiedBy` instead of setting the real one (docxcompose #101, python-docx #1037), and
    Word reports unreadable content. `when` sets dcterms:created and dcterms:modified (UTC).
    """
    for name, value in values.items():
        _core_child(core, _CORE_TEXT[name], name).text = clean_text(value)  # lxml refuses control characters
    if when is not None:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        for name in ("created", "modified"):
            child = _core_child(core, "dcterms", name)
            child.set(_XSI_TYPE, "dcterms:W3CDTF")
            child.text = stamp


def _core_child(core: etree._Element, prefix: str, name: str) -> etree._Element:
    tag = f"{{{CORE_NS[prefix]}}}{name}"
    found = core.find(tag)
    if found is None:
        found = etree.SubElement(core, tag, nsmap={prefix: CORE_NS[prefix]} if prefix not in (core.nsmap or {}) else None)
    return found


_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"


def drop_stale_parts(document) -> None:
    """A python-docx Document made from its default template carries parts Word 2013+ no longer writes
    (stylesWithEffects, an empty customXml, a thumbnail of another document): an OOXML validator flags them.
    Parts no longer reachable through a relationship are not saved."""
    for rel in list(document.part.rels.values()):
        if rel.reltype in (_CUSTOM_XML, _STYLES_WITH_EFFECTS):
            del document.part.rels[rel.rId]
    package_rels = document.part.package.rels
    for rel in list(package_rels.values()):
        if rel.reltype == _THUMBNAIL:
            del package_rels[rel.rId]
