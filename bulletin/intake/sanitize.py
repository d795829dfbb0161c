"""Make a draft safe to compose: what Word would otherwise call damage, or what could fetch or run.

Works on lxml elements, so intake (reading the parts straight from the zip) and compose (python-docx) clean
the same way and agree on which paragraph is the title. Every part that is copied into the bulletin is
cleaned with the same rules: the body, and the footnotes and endnotes (NOTE_PARTS), whose changes are
reported with the same lines as the body's.

OLE objects and ActiveX controls (issue 22, item 6) go: an embedded package (oleObject1.bin) is a program or
file the reader is invited to double-click, an OLE link with UpdateMode="Always" makes Word fetch its
outside target on every open, an ActiveX control is code. Word stores with each a picture of what it shows
(a VML v:shape/v:imagedata, or a w:drawing, inside w:object): that picture stays, as a plain picture
(w:pict), so the page looks the same. Only the elements go; the parts they named are then referenced by
nothing the composer copies (it copies the parts an element's r:id names), so the bulletin never gets them
and has no dangling relationship.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from lxml import etree

from ..core.wordxml import r, remove, unwrap, w, xpath

_EMBED = r("embed")
_LINK = r("link")
# Revisions: deleted content goes, inserted content stays (the draft as its author last saw it accepted).
_DROP_WITH_CONTENT = ("del", "moveFrom")
_UNWRAP = ("ins", "moveTo")
_REVISION_MARKS = (
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblGridChange", "trPrChange", "tcPrChange",
    "numberingChange", "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd", "customXmlMoveToRangeStart",
    "customXmlMoveToRangeEnd", "cellIns", "cellDel", "cellMerge",
)
# The comments part is not carried over, so anchors left behind would make Word report damage.
_COMMENT_ANCHORS = ("commentRangeStart", "commentRangeEnd", "commentReference")
# Parts copied with a draft's body, by relationship type suffix (the composer copies the notes it references).
NOTE_PARTS = ("/footnotes", "/endnotes")
# Field codes that make Word (or LibreOffice) read another file or address when the bulletin is opened.
_O = "{urn:schemas-microsoft-com:office:office}"
_V = "{urn:schemas-microsoft-com:vml}"
# What makes an object an OLE object or an ActiveX control (VML form, and Word 2010+'s w:objectEmbed/Link).
_OLE_TAGS = (f"{_O}OLEObject", w("objectEmbed"), w("objectLink"))
_CONTROL_TAGS = (w("control"),)
_DANGEROUS_FIELD = re.compile(r"^\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT|AUTOTEXT|DATABASE)\b", re.IGNORECASE)


@dataclass
class CleanReport:
    """What cleaning changed, for the intake report."""

    revisions: int = 0
    comments: int = 0
    section_breaks: int = 0
    external_images: int = 0
    fields: int = 0
    embedded_documents: int = 0
    ole_embedded: int = 0  # removed, the picture Word shows for it kept
    ole_linked: int = 0  # the same, for links to another file or address
    activex: int = 0
    ole_unshown: int = 0  # removed with nothing to show in their place (no picture stored)
    activex_unshown: int = 0

    def merge(self, other: "CleanReport") -> "CleanReport":
        """Add another part's counts to these (one report per draft, whatever part the change was in)."""
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))
        return self

    def notes(self) -> list[str]:
        """Routine changes: the office is told, but the draft needs no checking for them."""
        said = []
        if self.revisions:
            said.append("已接受稿件中的修订")
        if self.comments:
            said.append("已删除批注")
        if self.section_breaks:
            said.append("已去除分节符（统一使用简报版式）")
        if self.fields:
            said.append("已去除引用外部文件的域代码（保留显示的内容）")
        if self.ole_embedded:
            said.append(f"已删除嵌入的 OLE 对象 {self.ole_embedded} 个（保留其显示图片）")
        if self.ole_linked:
            said.append(f"已删除链接外部文件的 OLE 对象 {self.ole_linked} 个（保留其显示图片；打开简报时不会再访问外部地址）")
        if self.activex:
            said.append(f"已删除 ActiveX 控件 {self.activex} 个（保留其显示图片）")
        return said

    def warnings(self) -> list[str]:
        """Content left out of the bulletin: the office should look at the draft."""
        said = []
        if self.external_images:
            said.append(f"有{self.external_images}张外链图片未插入（请将图片直接粘贴进文档）")
        if self.embedded_documents:
            said.append(f"有{self.embedded_documents}处嵌入的外部文档片段未插入")
        if self.ole_unshown:
            said.append(f"有{self.ole_unshown}个嵌入的 OLE 对象没有显示图片，已删除（请把其内容粘贴为文字或图片）")
        if self.activex_unshown:
            said.append(f"有{self.activex_unshown}个 ActiveX 控件没有显示图片，已删除")
        return said


def clean_body(body: etree._Element, external_rids: set[str] = frozenset()) -> CleanReport:
    """Clean a w:body in place. `external_rids`: relationship ids whose target is external."""
    report = CleanReport()
    report.revisions = _accept_revisions(body)
    report.comments = _drop_comments(body)
    report.section_breaks = _drop_inner_sections(body)
    report.external_images = _drop_external_images(body, external_rids)
    report.fields = _defuse_fields(body)
    _drop_objects(body, report)
    _unwrap_obsolete_markup(body)
    for chunk in xpath(body, ".//w:altChunk|.//w:subDoc"):
        remove(chunk)
        report.embedded_documents += 1
    return report


def clean_notes(package, source: str) -> CleanReport:
    """Clean, in place, the footnotes and endnotes parts of `source` (a DocxPackage and its main part name:
    the trees it caches are the ones cleaned). Same rules and same report as the body."""
    report = CleanReport()
    for suffix in NOTE_PARTS:
        name = package.related(source, suffix)
        if name is None:
            continue
        external = {rid for rid, _, target in package.relationships(name) if target is None}
        report.merge(clean_body(package.xml(name), external))
    return report


def _unwrap_obsolete_markup(body: etree._Element) -> None:
    """Smart tags and custom XML markup (Word 2003/2007, older WPS) are gone from Word 2010 on: the schema
    Word checks has no w:smartTag, so it calls a file that has one damaged. Keep their text, drop the tags,
    as Word itself does when it opens such a draft."""
    for tag in ("smartTag", "customXml"):
        for node in list(body.iter(w(tag))):
            for props in node.findall(w(f"{tag}Pr")):
                node.remove(props)
            unwrap(node)


def _accept_revisions(body: etree._Element) -> int:
    count = 0
    for tag in _DROP_WITH_CONTENT:
        for node in list(body.iter(w(tag))):
            parent = node.getparent()
            if parent.tag == w("trPr"):  # a deleted table row: the row goes
                remove(parent.getparent())
            else:  # deleted content, or a deleted paragraph mark (in w:rPr): the mark goes, the text stays
                remove(node)
            count += 1
    for tag in _UNWRAP:
        for node in list(body.iter(w(tag))):
            unwrap(node)  # inserted content stays; an inserted paragraph or row mark is empty and goes
            count += 1
    for tag in _REVISION_MARKS:
        for node in list(body.iter(w(tag))):
            remove(node)
            count += 1
    return count


def _drop_comments(body: etree._Element) -> int:
    count = 0
    for tag in _COMMENT_ANCHORS:
        for node in list(body.iter(w(tag))):
            run = node.getparent()
            remove(node)
            count += 1
            if run is not None and run.tag == w("r") and not [c for c in run if c.tag != w("rPr")]:
                remove(run)
    return count


def _drop_inner_sections(body: etree._Element) -> int:
    """A section break inside a draft would give part of the bulletin the draft's page setup and no footer."""
    nodes = xpath(body, ".//w:pPr/w:sectPr")
    for node in nodes:
        remove(node)
    return len(nodes)


def _drop_external_images(body: etree._Element, external_rids: set[str]) -> int:
    count = 0
    for blip in xpath(body, ".//a:blip[@r:link]"):
        # An r:link picture is fetched from its address when the document opens: never keep one.
        if blip.get(_EMBED) and blip.get(_EMBED) not in external_rids:
            del blip.attrib[_LINK]
            continue
        _remove_drawing_of(blip)
        count += 1
    for image in xpath(body, ".//v:imagedata"):
        rid = image.get(r("id")) or image.get(r("href"))
        if rid in external_rids or image.get("src"):
            _remove_drawing_of(image)
            count += 1
    for blip in xpath(body, ".//a:blip[@r:embed]"):
        if blip.get(_EMBED) in external_rids:
            _remove_drawing_of(blip)
            count += 1
    return count


def _remove_drawing_of(node: etree._Element) -> None:
    holder = node
    while holder is not None and holder.tag not in (w("drawing"), w("pict"), w("object")):
        holder = holder.getparent()
    if holder is not None:
        remove(holder)


def _drop_objects(body: etree._Element, report: CleanReport) -> None:
    """Remove OLE objects (embedded and linked) and ActiveX controls; keep the picture each one shows."""
    for node in list(body.iter(*_OLE_TAGS, *_CONTROL_TAGS)):
        holder = node.getparent()
        control = node.tag in _CONTROL_TAGS
        linked = node.tag == w("objectLink") or (node.get("Type") or "").lower() == "link"
        remove(node)
        if _keep_picture_of(holder):
            if control:
                report.activex += 1
            elif linked:
                report.ole_linked += 1
            else:
                report.ole_embedded += 1
        elif control:
            report.activex_unshown += 1
        else:
            report.ole_unshown += 1


def _keep_picture_of(holder: etree._Element | None) -> bool:
    """Turn what held an object (w:object, or w:pict for a control) into a plain picture; False, and the
    holder removed, when it stores no picture."""
    if holder is None or holder.tag not in (w("object"), w("pict")):
        return False
    drawings = holder.findall(w("drawing"))
    if holder.tag == w("object") and drawings:  # Word 2010+: a DrawingML picture of the object
        for drawing in drawings:
            holder.addprevious(drawing)
        remove(holder)
        return True
    if not any(shape.find(f"{_V}imagedata") is not None for shape in holder.iter(f"{_V}shape")):
        remove(holder)
        return False
    if holder.tag == w("object"):
        holder.tag = w("pict")  # the same VML shapes, without what made them an object
        holder.attrib.clear()  # w:dxaOrig/w:dyaOrig belong to w:object
    for shape in holder.iter(f"{_V}shape"):
        shape.attrib.pop(f"{_O}ole", None)
    return True


def _defuse_fields(body: etree._Element) -> int:
    """Keep the shown result of fetching fields, drop their instructions."""
    count = 0
    for simple in list(body.iter(w("fldSimple"))):
        instr = simple.get(w("instr"))
        if instr and _DANGEROUS_FIELD.match(instr):
            unwrap(simple)
            count += 1
    # Complex fields: begin, instrText..., separate, result..., end (possibly nested).
    stack: list[dict] = []
    for node in list(body.iter(w("fldChar"), w("instrText"))):
        if node.tag == w("fldChar"):
            kind = node.get(w("fldCharType"))
            if kind == "begin":
                stack.append({"nodes": [node], "instr": ""})
            elif stack:
                stack[-1]["nodes"].append(node)
                if kind == "end":
                    frame = stack.pop()
                    if _DANGEROUS_FIELD.match(frame["instr"]):
                        for part in frame["nodes"]:
                            remove(part)
                        count += 1
        elif stack:
            stack[-1]["nodes"].append(node)
            stack[-1]["instr"] += node.text or ""
    return count
