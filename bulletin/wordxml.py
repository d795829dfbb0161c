"""WordprocessingML names and small helpers over lxml elements (no python-docx objects needed)."""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

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
