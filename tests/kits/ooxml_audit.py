"""Check an Office file against the OOXML specification with an independent validator (openxml-audit).

    from ooxml_audit import assert_valid
    assert_valid(path)                                   # 0 errors and 0 warnings
    assert_valid(path, accepted={"Unexpected element…": "why this finding is a false positive"})

LibreOffice opens nearly anything and python-docx reads what it can; neither proves Word opens a file without
"unreadable content". openxml-audit validates against the schemas and Word's semantic rules. It is young:
a finding is accepted only with a reason written next to it and explained in docs/TESTING.md.

Results are cached by the file's sha256 (a bulletin takes about a second to validate).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from openxml_audit import FileFormat, OpenXmlValidator

_CACHE: dict[str, tuple["Finding", ...]] = {}


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning
    part: str
    description: str

    def __str__(self) -> str:
        return f"{self.severity} {self.part}: {self.description}"


def audit(path: Path) -> tuple[Finding, ...]:
    """Every finding (errors and warnings) for Microsoft 365, the strictest target."""
    data = Path(path).read_bytes()
    key = hashlib.sha256(data).hexdigest()
    if key not in _CACHE:
        result = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0).validate(str(path))
        _CACHE[key] = tuple(
            Finding(str(getattr(e.severity, "value", e.severity)).lower(), e.part_uri or "", e.description)
            for e in result.errors
        )
    return _CACHE[key]


def assert_valid(path: Path, accepted: dict[str, str] | None = None) -> None:
    """No finding at all, except those whose description starts with a key of `accepted` (value: why)."""
    accepted = accepted or {}
    for reason in accepted.values():
        assert reason.strip(), "an accepted finding needs its reason"
    left = [f for f in audit(path) if not any(f.description.startswith(key) for key in accepted)]
    assert not left, f"{Path(path).name}: {len(left)} OOXML finding(s):\n" + "\n".join(map(str, left))


# --- references inside the package, checked directly (what a copy from a draft must bring along) -------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CORE_NAMESPACES = {
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
}


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def dangling_references(path: Path) -> list[str]:
    """Styles, numbering and relationships that something in the package names but the package lacks."""
    import posixpath
    import zipfile

    from lxml import etree

    problems: list[str] = []
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        xml = {n: etree.fromstring(package.read(n)) for n in names if n.endswith((".xml", ".rels"))}
    styles = xml.get("word/styles.xml")
    style_ids = {s.get(_w("styleId")) for s in styles.iter(_w("style"))} if styles is not None else set()
    for style in styles.iter(_w("style")) if styles is not None else ():
        for tag in ("basedOn", "link", "next"):
            ref = style.find(_w(tag))
            if ref is not None and ref.get(_w("val")) not in style_ids:
                problems.append(f"style {style.get(_w('styleId'))}: {tag} {ref.get(_w('val'))} missing")
    numbering = xml.get("word/numbering.xml")
    num_ids = {n.get(_w("numId")) for n in numbering.iter(_w("num"))} if numbering is not None else set()
    abstract_ids = (
        {a.get(_w("abstractNumId")) for a in numbering.iter(_w("abstractNum"))} if numbering is not None else set()
    )
    for num in numbering.iter(_w("num")) if numbering is not None else ():
        abstract = num.find(_w("abstractNumId")).get(_w("val"))
        if abstract not in abstract_ids:
            problems.append(f"numbering: num {num.get(_w('numId'))} -> abstractNum {abstract} missing")
    for name, root in xml.items():
        if not name.startswith("word/") or name.endswith(".rels"):
            continue
        for tag in ("pStyle", "rStyle", "tblStyle"):
            for ref in root.iter(_w(tag)):
                if ref.get(_w("val")) not in style_ids:
                    problems.append(f"{name}: {tag} {ref.get(_w('val'))} missing")
        for ref in root.iter(_w("numId")):
            value = ref.get(_w("val"))
            if value != "0" and value not in num_ids:
                problems.append(f"{name}: numId {value} missing from numbering.xml")
        folder, base = posixpath.split(name)
        rels = xml.get(posixpath.join(folder, "_rels", base + ".rels"))
        rel_ids = {r.get("Id") for r in rels} if rels is not None else set()
        for element in root.iter():
            for attr, value in element.attrib.items():
                if attr.startswith(f"{{{_R}}}") and value not in rel_ids:
                    problems.append(f"{name}: relationship {value} ({attr.split('}')[1]}) missing")
    core = xml.get("docProps/core.xml")
    if core is not None:
        tags = [child.tag for child in core]
        problems += [f"core.xml: {tag} appears {tags.count(tag)} times" for tag in sorted(set(tags)) if tags.count(tag) > 1]
        problems += [f"core.xml: {tag} is not a core property" for tag in tags
                     if tag.split("}")[0].lstrip("{") not in _CORE_NAMESPACES]
    return problems


# openpyxl 3.1 writes every text cell as an inline string (<c t="inlineStr"><is><t>…), never a shared-strings
# part. ISO/IEC 29500-1 §18.3.1.4 (c, attribute t = ST_CellType "inlineStr") and §18.3.1.53 (is) allow it; Excel
# and LibreOffice read such files without a repair prompt and only convert them to shared strings when saving.
# openxml-audit warns about that rewrite: accepted for every workbook the product writes (see docs/TESTING.md).
XLSX_INLINE_STRINGS = {
    f"Worksheet sheet{n}.xml has": "openpyxl writes inline strings, valid per ISO/IEC 29500-1 §18.3.1.4"
    for n in range(1, 10)
}
