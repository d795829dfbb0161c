"""The draft door against an attacker (issue 22 items 5, 6 and 10): hostile parts inside an otherwise good
.docx, put in the month folder next to good drafts and compiled as the office compiles.

- a DOCTYPE (declaring entities) in any XML part: the draft is refused with its reason (未采用), the others
  compile and the bulletin opens;
- embedded OLE packages, OLE links that Word updates from an outside address, ActiveX controls: removed, the
  picture Word shows for them kept, nothing left dangling, a note in the report;
- a picture whose header declares more pixels than Pillow's decompression-bomb limit: dropped before anything
  decodes it, the article kept, the draft flagged with the picture's size; compile stays under 300 MB.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import draft_factory as f
import hostile_parts_kit as h
import pytest
from docx import Document
from docx_read import all_text
from lxml import etree
from ooxml_audit import assert_valid, dangling_references

from bulletin.intake.intake import gather
from bulletin.intake.roster import Roster

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PARAGRAPHS = ["第一段。", "第二段。"]


def _doctype_reason(part: str) -> str:
    return (f"文件内部的 {part} 含有文档类型定义（DOCTYPE），Word 保存的文档不会有，可能是恶意构造的文件，已拒收；"
            "如确为本单位稿件，请在 Word 中另存为 .docx 后重新提交")


@pytest.fixture
def good(tmp_path) -> Path:
    return f.make_draft(tmp_path / "good-source.docx", title="带实体的稿件", unit_line="区人社局",
                        paragraphs=PARAGRAPHS, footnote="脚注", header_text="页眉")


# --- item 5: DOCTYPE ----------------------------------------------------------------------------------------

DOCTYPE_PARTS = [
    "word/document.xml", "word/styles.xml", "word/numbering.xml", "word/footnotes.xml", "word/header1.xml",
    "word/settings.xml", "word/fontTable.xml", "word/theme/theme1.xml", "docProps/core.xml",
    "[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels",
]


@pytest.mark.parametrize("part", DOCTYPE_PARTS)
def test_a_doctype_in_any_xml_part_refuses_the_draft_with_its_reason(tmp_path, good, part):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    h.with_doctype(good, folder / "实体.docx", part, use_entity="第一段。" if part == "word/document.xml" else None)
    f.make_draft(folder / "好稿.docx", title="可用的稿件", unit_line="区财政局", paragraphs=PARAGRAPHS)
    intake = gather(folder, "2026-10", Roster())
    assert [d.name for d in intake.accepted] == ["好稿.docx"]
    assert {r.file: r.reason for r in intake.refused} == {"实体.docx": _doctype_reason(part)}


def test_a_draft_using_an_entity_is_left_out_and_the_bulletin_opens(office, good):
    h.with_doctype(good, office.month_dir() / "实体.docx", "word/document.xml", use_entity="第一段。")
    office.draft("好稿.docx", title="可用的稿件", unit_line="区财政局", paragraphs=["财政正文。"])
    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["好稿.docx"]
    report = result.report_path.read_text(encoding="utf-8")
    assert f"× 实体.docx：{_doctype_reason('word/document.xml')}" in report
    assert "未采用 1 份" in report
    with zipfile.ZipFile(result.path) as bulletin:
        everything = b"".join(bulletin.read(n) for n in bulletin.namelist())
    assert b"&xxe;" not in everything and b"<!DOCTYPE" not in everything
    Document(result.path)  # python-docx reopens it (it raised XMLSyntaxError "Entity 'xxe' not defined")
    text = all_text(result.path)
    assert "财政正文。" in text and h.ENTITY_TEXT not in text and "带实体的稿件" not in text


@pytest.mark.libreoffice
@pytest.mark.slow
def test_the_bulletin_of_a_month_with_an_entity_draft_opens_in_libreoffice(office, good, tmp_path):
    from libreoffice import pdf_text, to_pdf

    h.with_doctype(good, office.month_dir() / "实体.docx", "word/document.xml", use_entity="第一段。")
    office.draft("好稿.docx", title="可用的稿件", unit_line="区财政局", paragraphs=["财政正文。"])
    result = office.compile()
    assert "财政正文。" in pdf_text(to_pdf(result.path, tmp_path / "pdf"))


# --- item 6: OLE objects, OLE links, ActiveX --------------------------------------------------------------

def test_ole_objects_links_and_activex_are_removed_their_pictures_kept(office, good):
    source = office.root / "ole-source.docx"
    h.with_ole_objects(good, source)
    source.rename(office.month_dir() / "对象.docx")
    office.draft("好稿.docx", title="可用的稿件", unit_line="区财政局", paragraphs=["财政正文。"])
    result = office.compile()

    drafts = {d.name: d for d in result.intake.accepted}
    assert sorted(drafts) == ["好稿.docx", "对象.docx"]
    assert drafts["对象.docx"].notes == [
        "已删除嵌入的 OLE 对象 1 个（保留其显示图片）",
        "已删除链接外部文件的 OLE 对象 1 个（保留其显示图片；打开简报时不会再访问外部地址）",
        "已删除 ActiveX 控件 1 个（保留其显示图片）",
    ]
    assert not drafts["对象.docx"].flagged
    report = result.report_path.read_text(encoding="utf-8")
    assert "     · 已删除嵌入的 OLE 对象 1 个（保留其显示图片）" in report

    with zipfile.ZipFile(result.path) as bulletin:
        names = bulletin.namelist()
        parts = {n: bulletin.read(n) for n in names}
    assert not [n for n in names if n.startswith(("word/embeddings/", "word/activeX/"))], names
    everything = b"".join(parts.values())
    for gone in (b"OLEObject", b"oleObject", b"activeX", b"w:control", b"w:object", b"127.0.0.1", b"o:ole="):
        assert gone not in everything, gone
    # Three pictures (one per object) show the preview, from one copied image part.
    body = etree.fromstring(parts["word/document.xml"])
    rels = {rel.get("Id"): rel.get("Target") for rel in etree.fromstring(parts["word/_rels/document.xml.rels"])}
    shown = [rels[image.get(f"{R}id")] for image in body.iter(f"{V}imagedata")]
    assert len(shown) == 3 and len(set(shown)) == 1
    assert parts["word/" + shown[0]] == f.chart_png(width=120, height=80)
    assert all(image.getparent().getparent().tag == f"{W}pict" for image in body.iter(f"{V}imagedata"))
    assert dangling_references(result.path) == []
    assert_valid(result.path)
    Document(result.path)


def test_an_ole_object_without_a_picture_is_removed_and_flagged(office, good):
    source = office.root / "ole-source.docx"
    h.with_ole_objects(good, source, linked=False, activex=False)
    parts = h.members(source)  # the object without its v:imagedata (some producers write none)
    parts["word/document.xml"] = re.sub(rb'<v:imagedata r:id="rId901"[^>]*/>', b"", parts["word/document.xml"])
    h.write_members(office.month_dir() / "无图对象.docx", parts)
    result = office.compile()
    (draft,) = result.intake.accepted
    assert draft.notes == []
    assert draft.warnings == ["有1个嵌入的 OLE 对象没有显示图片，已删除（请把其内容粘贴为文字或图片）"]
    with zipfile.ZipFile(result.path) as bulletin:
        assert not [n for n in bulletin.namelist() if "embeddings" in n]
        assert b"w:object" not in bulletin.read("word/document.xml")
    assert dangling_references(result.path) == []


# --- item 10: pictures over Pillow's decompression-bomb limit -------------------------------------------

_COMPILE = textwrap.dedent(
    """
    import json, sys
    from datetime import date
    from pathlib import Path
    from bulletin.core.workspace import Workspace
    from bulletin.office.compile import compile_month

    result = compile_month(Workspace.at(Path(sys.argv[1])), "2026-10", issue_date=date(2026, 10, 28))
    print(json.dumps({
        # VmHWM, not ru_maxrss: Linux carries the parent's (pytest's) RSS at fork into ru_maxrss across exec
        "peak_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024,
        "accepted": {d.name: {"warnings": d.warnings, "notes": d.notes} for d in result.intake.accepted},
        "path": str(result.path),
    }, ensure_ascii=False))
    """
)


@pytest.mark.slow
def test_pictures_over_the_pixel_limit_are_dropped_before_decoding(office):
    """13000×13000 (over Pillow's limit, under twice it: only a warning) used to take compile to 1 GB;
    15000×15000 (over twice it: Pillow raises) went into the bulletin unshrunk and unreported."""
    office.draft("大图.docx", title="带大图的稿件", unit_line="区人社局", paragraphs=["大图稿正文。"],
                 image=h.bomb_png(13000, 13000))
    office.draft("更大图.docx", title="带更大图的稿件", unit_line="区财政局", paragraphs=["更大图稿正文。"],
                 image=h.bomb_png(15000, 15000))
    office.draft("好图.docx", title="带普通图的稿件", unit_line="区教体局", paragraphs=["普通图稿正文。"], image=True)
    assert all(p.stat().st_size < 20_000 for p in office.month_dir().glob("*大图.docx"))

    done = subprocess.run([sys.executable, "-c", _COMPILE, str(office.root)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["accepted"] == {
        "大图.docx": {"warnings": ["图片过大（13000×13000 像素）已删除"], "notes": []},
        "更大图.docx": {"warnings": ["图片过大（15000×15000 像素）已删除"], "notes": []},
        "好图.docx": {"warnings": [], "notes": []},
    }
    assert seen["peak_mb"] < 300, seen
    bulletin = Path(seen["path"])
    with zipfile.ZipFile(bulletin) as archive:
        media = {n: archive.read(n) for n in archive.namelist() if n.startswith("word/media/")}
    assert list(media.values()) == [f.chart_png()]  # only the ordinary picture
    text = all_text(bulletin)
    assert "大图稿正文。" in text and "更大图稿正文。" in text
    assert dangling_references(bulletin) == []
    report = (bulletin.parent / "收稿报告.txt").read_text(encoding="utf-8-sig")
    assert "     ！需核对：图片过大（13000×13000 像素）已删除" in report
