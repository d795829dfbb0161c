"""Hostile drafts built from a good one, part by part (issue 22, items 5, 6 and 10): a DOCTYPE declaring
entities in any XML part, embedded and linked OLE objects and ActiveX controls, and pictures whose header
declares more pixels than any bulletin needs (a decompression bomb inside a small .docx).

Every builder takes a good draft (draft_factory.make_draft) and writes the hostile copy; nothing here
fetches anything: the external targets point at a closed port on 127.0.0.1.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import draft_factory

ENTITY_TEXT = "实体展开的内容"
DOCTYPE = f'<!DOCTYPE root [<!ENTITY xxe "{ENTITY_TEXT}">]>'.encode()
EXTERNAL_OLE_URL = "http://127.0.0.1:9/finance/secret-report.xlsx"
OLE_BIN = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + b"Package\x00calc.exe\x00" * 16
ACTIVEX_BIN = b"\x00ActiveX-binary\x00" * 32
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OLE_REL = f"{REL}/oleObject"
PACKAGE_REL = f"{REL}/package"
CONTROL_REL = f"{REL}/control"
IMAGE_REL = f"{REL}/image"
ACTIVEX_BINARY_REL = "http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary"
_NS = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    f'xmlns:r="{REL}"'
)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_members(path: Path, parts: dict[str, bytes]) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


# --- item 5: a DOCTYPE in any XML part ----------------------------------------------------------------------

def with_doctype(good: Path, dst: Path, part: str, use_entity: str | None = None) -> Path:
    """`good` with a DOCTYPE declaring the entity `xxe` in `part`; with `use_entity`, `&xxe;` is written
    after that text (a w:t of the document), as an attacker's draft would use it."""
    parts = members(good)
    data = parts[part]
    declaration = re.match(rb"<\?xml[^>]*\?>", data)
    at = declaration.end() if declaration else 0
    data = data[:at] + DOCTYPE + data[at:]
    if use_entity is not None:
        marker = f"{use_entity}</w:t>".encode()
        assert marker in data, use_entity
        data = data.replace(marker, f"{use_entity}&xxe;</w:t>".encode(), 1)
    parts[part] = data
    return write_members(dst, parts)


# --- item 6: OLE objects, OLE links, ActiveX controls --------------------------------------------------------

def _object_paragraph(shape_id: str, image_rid: str | None, inner: str, *, with_shapetype: bool) -> str:
    shapetype = (
        '<v:shapetype id="_x0000_t75" coordsize="21600,21600" o:spt="75" o:preferrelative="t" '
        'path="m@4@5l@4@11@9@11@9@5xe" filled="f" stroked="f"><v:stroke joinstyle="miter"/>'
        '<v:path o:extrusionok="f" gradientshapeok="t" o:connecttype="rect"/>'
        '<o:lock v:ext="edit" aspectratio="t"/></v:shapetype>'
    ) if with_shapetype else ""
    preview = (f'<v:imagedata r:id="{image_rid}" o:title=""/>' if image_rid else "")
    return (
        f'<w:p {_NS}><w:r><w:object w:dxaOrig="1520" w:dyaOrig="960">{shapetype}'
        f'<v:shape id="{shape_id}" type="#_x0000_t75" style="width:76pt;height:48pt" o:ole="">{preview}'
        f'</v:shape>{inner}</w:object></w:r></w:p>'
    )


def with_ole_objects(good: Path, dst: Path, *, embedded: bool = True, linked: bool = True, activex: bool = True,
                     preview: bytes | None = None, after_text: str = "第二段。") -> Path:
    """`good` with, after the paragraph ending `after_text`: an embedded OLE package (oleObject1.bin) shown
    as a picture, an OLE link to EXTERNAL_OLE_URL that Word updates on every open (UpdateMode="Always"),
    and an ActiveX check box (activeX1.xml + activeX1.bin); each with a VML preview picture (`preview`
    PNG bytes, default a small chart) as Word writes them."""
    preview = preview or draft_factory.chart_png(width=120, height=80)
    parts = members(good)
    rels = parts["word/_rels/document.xml.rels"].decode()
    types = parts["[Content_Types].xml"].decode()
    document = parts["word/document.xml"].decode()
    new_rels, paragraphs = [], []
    new_rels.append(f'<Relationship Id="rId901" Type="{IMAGE_REL}" Target="media/ole_preview.png"/>')
    parts["word/media/ole_preview.png"] = preview
    if "Extension=\"png\"" not in types:
        types = types.replace("<Default ", '<Default Extension="png" ContentType="image/png"/><Default ', 1)
    if embedded:
        new_rels.append(f'<Relationship Id="rId902" Type="{OLE_REL}" Target="embeddings/oleObject1.bin"/>')
        parts["word/embeddings/oleObject1.bin"] = OLE_BIN
        types = types.replace(
            "</Types>", '<Override PartName="/word/embeddings/oleObject1.bin" '
            'ContentType="application/vnd.openxmlformats-officedocument.oleObject"/></Types>')
        paragraphs.append(_object_paragraph(
            "_x0000_i1025", "rId901",
            '<o:OLEObject Type="Embed" ProgID="Package" ShapeID="_x0000_i1025" DrawAspect="Icon" '
            'ObjectID="_1790001" r:id="rId902"/>', with_shapetype=True))
    if linked:
        new_rels.append(f'<Relationship Id="rId903" Type="{OLE_REL}" Target="{EXTERNAL_OLE_URL}" '
                        'TargetMode="External"/>')
        paragraphs.append(_object_paragraph(
            "_x0000_i1026", "rId901",
            '<o:OLEObject Type="Link" ProgID="Excel.Sheet.12" ShapeID="_x0000_i1026" DrawAspect="Content" '
            'r:id="rId903" UpdateMode="Always"><o:LinkType>EnhancedMetaFile</o:LinkType>'
            '<o:LockedField>false</o:LockedField></o:OLEObject>', with_shapetype=not embedded))
    if activex:
        new_rels.append(f'<Relationship Id="rId904" Type="{CONTROL_REL}" Target="activeX/activeX1.xml"/>')
        parts["word/activeX/activeX1.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
            '<ax:ocx ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}" ax:persistence="persistStorage" '
            f'r:id="rId1" xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" xmlns:r="{REL}"/>'
        ).encode()
        parts["word/activeX/_rels/activeX1.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ACTIVEX_BINARY_REL}" Target="activeX1.bin"/></Relationships>'
        ).encode()
        parts["word/activeX/activeX1.bin"] = ACTIVEX_BIN
        types = types.replace(
            "</Types>",
            '<Override PartName="/word/activeX/activeX1.xml" ContentType="application/vnd.ms-office.activeX+xml"/>'
            '<Override PartName="/word/activeX/activeX1.bin" ContentType="application/vnd.ms-office.activeX"/>'
            "</Types>")
        paragraphs.append(_object_paragraph(
            "_x0000_i1027", "rId901", '<w:control r:id="rId904" w:name="CheckBox1" w:shapeid="_x0000_i1027"/>',
            with_shapetype=not (embedded or linked)))
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", "".join(new_rels) + "</Relationships>").encode()
    parts["[Content_Types].xml"] = types.encode()
    marker = f"{after_text}</w:t></w:r></w:p>"
    assert marker in document, after_text
    parts["word/document.xml"] = document.replace(marker, marker + "".join(paragraphs), 1).encode()
    return write_members(dst, parts)


# --- item 10: pictures that declare too many pixels -----------------------------------------------------------

def bomb_png(width: int, height: int) -> bytes:
    """A grey-scale PNG of width×height black pixels: a few hundred KB for 13000×13000 (a zip around it
    squeezes it to tens of KB). Written row by row: the test never holds the decoded image."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one byte per pixel
    compressed = [packer.compress(row) for _ in range(height)]
    compressed.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(compressed))
            + chunk(b"IEND", b""))
