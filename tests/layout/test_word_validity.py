"""Every bulletin validates against the OOXML specification (openxml-audit) and names nothing it lacks.

Issue 17: a stray `cp:lastModifiedBy` in the custom-properties namespace in every bulletin's core.xml, and
styles copied from Word drafts whose basedOn/link name styles that were not brought over.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

import draft_factory
import producers
from producers import LIBREOFFICE_DRAFT_FINDINGS
from repo_paths import REPO
from ooxml_audit import assert_valid, audit, dangling_references

from bulletin.cli import app

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CORE = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DC = "{http://purl.org/dc/elements/1.1/}"
OFFICE = "区“五型”政府建设领导小组办公室"


def _xml(path: Path, member: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(member))


def _styles(path: Path) -> dict[str, etree._Element]:
    return {s.get(f"{W}styleId"): s for s in _xml(path, "word/styles.xml").iter(f"{W}style")}


def _ref(style: etree._Element, tag: str) -> str | None:
    found = style.find(f"{W}{tag}")
    return None if found is None else found.get(f"{W}val")


# -- core.xml ------------------------------------------------------------------------------------------------

def test_core_properties_hold_each_property_once_in_its_own_namespace(office):
    office.draft("1.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局")
    result = office.compile()
    core = _xml(result.path, "docProps/core.xml")
    tags = [child.tag for child in core]
    assert len(tags) == len(set(tags)), tags
    assert all(tag.startswith((CORE, DC, "{http://purl.org/dc/terms/}")) for tag in tags), tags
    assert core.find(f"{CORE}lastModifiedBy").text == OFFICE
    assert core.find(f"{DC}creator").text == OFFICE
    assert core.find(f"{DC}title").text == "章贡区“五型”政府建设工作简报 第64期"
    assert core.find(f"{DC}subject").text == "2026年10月28日"
    assert not [f for f in audit(result.path) if f.part == "/docProps/core.xml"]


def test_core_properties_are_right_even_after_docxcompose_rebinds_the_cp_prefix(office):
    # docxcompose rebinds python-docx's process-wide nsmap["cp"]; compose after that has happened.
    import docxcompose.utils  # noqa: F401
    from docx.oxml.ns import nsmap

    assert nsmap["cp"].endswith("custom-properties")  # the trap is armed in this process
    office.draft("1.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局")
    result = office.compile()
    assert dangling_references(result.path) == []


# -- styles copied from Word drafts --------------------------------------------------------------------------

def test_styles_from_a_german_word_draft_bring_what_they_are_based_on_and_linked_to(office):
    producers.word_german_draft(office.month_dir() / "审批.docx", title="深化审批制度改革", unit_line="区行政审批局")
    result = office.compile()
    styles = _styles(result.path)
    # Names the template has map to the template's ids; the references of copied styles follow them.
    assert _ref(styles["ZitatZchn"], "link") == "Quote"
    assert _ref(styles["ZitatZchn"], "basedOn") == "DefaultParagraphFont"
    assert _ref(styles["Platzhaltertext"], "basedOn") == "DefaultParagraphFont"
    assert _ref(styles["Rastertabelle1hell-Akzent5"], "basedOn") == "TableNormal"
    assert "Absatz-Standardschriftart" not in styles and "NormaleTabelle" not in styles
    assert dangling_references(result.path) == []
    assert_valid(result.path)
    # The runs still use the copied character styles, and the text is all there.
    body = _xml(result.path, "word/document.xml")
    runs = {"".join(r.itertext()): r.find(f"{W}rPr/{W}rStyle") for r in body.iter(f"{W}r")}
    assert runs[producers.QUOTE_CHAR_TEXT].get(f"{W}val") == "ZitatZchn"
    assert runs[producers.PLACEHOLDER_TEXT].get(f"{W}val") == "Platzhaltertext"
    table_style = next(t.find(f"{W}tblPr/{W}tblStyle") for t in body.iter(f"{W}tbl"))
    assert table_style.get(f"{W}val") == "Rastertabelle1hell-Akzent5"


def test_a_copied_style_whose_base_the_template_lacks_brings_the_base_too(office):
    path = producers.word_german_draft(office.month_dir() / "审批.docx", title="深化审批制度改革", unit_line="区行政审批局")
    # A chain the template knows nothing of: run style -> 'Betont' (custom) -> 'Hervorhebung' (custom).
    _add_styles(path, [
        '<w:style w:type="character" w:customStyle="1" w:styleId="Hervorhebung"><w:name w:val="Hervorhebung"/>'
        '<w:basedOn w:val="Absatz-Standardschriftart"/><w:rPr><w:i/></w:rPr></w:style>',
        '<w:style w:type="character" w:customStyle="1" w:styleId="Betont"><w:name w:val="Betont"/>'
        '<w:basedOn w:val="Hervorhebung"/><w:link w:val="Fehlt"/><w:rPr><w:b/></w:rPr></w:style>',
    ], run_style="Betont")
    result = office.compile()
    styles = _styles(result.path)
    assert _ref(styles["Betont"], "basedOn") == "Hervorhebung"
    assert _ref(styles["Hervorhebung"], "basedOn") == "DefaultParagraphFont"
    assert _ref(styles["Betont"], "link") is None  # it named a style the draft itself does not have
    assert dangling_references(result.path) == []
    assert_valid(result.path)


def _add_styles(path: Path, styles_xml: list[str], run_style: str) -> None:
    """Add styles to a draft's styles.xml and give the last body paragraph's first run `run_style`."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    styles = etree.fromstring(parts["word/styles.xml"])
    for xml in styles_xml:
        styles.append(etree.fromstring(xml.replace("<w:style ", f"<w:style {ns} ", 1)))
    document = etree.fromstring(parts["word/document.xml"])
    run = [p for p in document.iter(f"{W}p") if p.find(f"{W}r") is not None][-1].find(f"{W}r")
    rpr = run.find(f"{W}rPr")
    if rpr is None:
        rpr = etree.SubElement(run, f"{W}rPr")
        run.insert(0, rpr)
    etree.SubElement(rpr, f"{W}rStyle").set(f"{W}val", run_style)
    rpr.insert(0, rpr[-1])
    parts["word/styles.xml"] = etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


# -- numbering copied from drafts ------------------------------------------------------------------------------

def _edit(path: Path, member: str, edit) -> None:
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    root = etree.fromstring(parts[member])
    edit(root)
    parts[member] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _numbered(text: str, num_id: int) -> str:
    return (f'<w:p xmlns:w="{W[1:-1]}"><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
            f"</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>")


def test_two_lists_in_one_table_keep_two_lists_and_an_undefined_list_is_dropped(office):
    path = office.draft("1.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局", table=True)

    def numbering(root):  # two list definitions the template does not have: num 71 -> abstractNum 70 (decimal), 81 -> 80 (bullet)
        for num_id, anum_id, fmt in ((71, 70, "decimal"), (81, 80, "bullet")):
            abstract = etree.fromstring(
                f'<w:abstractNum xmlns:w="{W[1:-1]}" w:abstractNumId="{anum_id}"><w:nsid w:val="000000{num_id}"/>'
                f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="%1."/>'
                '<w:lvlJc w:val="start"/></w:lvl></w:abstractNum>')
            root.insert(0, abstract)
            root.append(etree.fromstring(
                f'<w:num xmlns:w="{W[1:-1]}" w:numId="{num_id}"><w:abstractNumId w:val="{anum_id}"/></w:num>'))

    def document(root):
        cells = list(root.iter(f"{W}tc"))
        cells[0].append(etree.fromstring(_numbered("甲项", 71)))
        cells[1].append(etree.fromstring(_numbered("乙项", 81)))
        body = root.find(f"{W}body")
        body.insert(len(body) - 1, etree.fromstring(_numbered("未定义编号的段落", 99)))

    _edit(path, "word/numbering.xml", numbering)
    _edit(path, "word/document.xml", document)
    result = office.compile()

    body = _xml(result.path, "word/document.xml")
    num_of = {"".join(p.itertext()): p.find(f"{W}pPr/{W}numPr/{W}numId") for p in body.iter(f"{W}p")}
    first, second = num_of["甲项"].get(f"{W}val"), num_of["乙项"].get(f"{W}val")
    assert first != second
    assert num_of["未定义编号的段落"] is None  # text kept, the reference to nothing removed
    numbering_xml = _xml(result.path, "word/numbering.xml")
    formats = {}
    for num in numbering_xml.iter(f"{W}num"):
        anum = num.find(f"{W}abstractNumId").get(f"{W}val")
        abstract = next(a for a in numbering_xml.iter(f"{W}abstractNum") if a.get(f"{W}abstractNumId") == anum)
        formats[num.get(f"{W}numId")] = abstract.find(f"{W}lvl/{W}numFmt").get(f"{W}val")
        assert abstract.find(f"{W}lvl/{W}lvlJc").get(f"{W}val") in ("left", "center", "right")
    assert (formats[first], formats[second]) == ("decimal", "bullet")
    assert dangling_references(result.path) == []
    assert_valid(result.path)


# -- the validator over every kind of bulletin the tests make --------------------------------------------------

def test_the_example_bulletin_validates(tmp_path):
    """`bulletin init` + `bulletin compile`: what the README's first command makes."""
    workspace = tmp_path / "office"
    for args in (["init", str(workspace)], ["compile", "-w", str(workspace), "--month", "2026-10"]):
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    bulletin = workspace / "outputs" / "2026-10" / "工作简报第64期.docx"
    assert dangling_references(bulletin) == []
    assert_valid(bulletin)


def test_the_shipped_templates_validate():
    assert_valid(REPO / "templates" / "bulletin.docx")
    assert_valid(REPO / "templates" / "政务信息.docx")


def test_the_shipped_templates_are_what_make_template_builds(tmp_path):
    """templates/*.docx are generated: a change to make_template.py must be followed by a rebuild."""
    import sys
    import zipfile

    sys.path.insert(0, str(REPO / "templates"))
    try:
        import make_template
    finally:
        sys.path.pop(0)
    for name, shipped in make_template.LAYOUTS.items():
        built = make_template.build(tmp_path / shipped.name, name)
        with zipfile.ZipFile(built) as new, zipfile.ZipFile(shipped) as old:
            for part in ("word/document.xml", "word/styles.xml"):
                assert new.read(part) == old.read(part), f"{shipped.name} {part}: run templates/make_template.py"


def test_drafts_of_each_producer_validate_on_their_own(tmp_path):
    """So that a finding in a bulletin is the composer's, not the draft's."""
    assert_valid(producers.word_german_draft(tmp_path / "de.docx", title="区民政局多措并举提升养老服务水平"))
    assert_valid(draft_factory.make_draft(
        tmp_path / "rich.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局", headings=True, image=True,
        table=True, numbered_list=True, footnote="数据截至10月底。", comment="请核实", tracked_changes=True,
        landscape=True, external_image=True, header_text="区人社局"))


def test_a_bulletin_from_python_docx_drafts_with_every_construct_validates(office):
    office.draft("1.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局", headings=True,
                 image=True, table=True, numbered_list=True, footnote="数据截至10月底。", header_text="区人社局")
    office.draft("2.docx", title="区财政局兜牢“三保”底线", byline="（区财政局供稿）", comment="请核实",
                 tracked_changes=True, section_break=True, landscape=True, external_image=True)
    office.draft("3.docx", title="区教体局推进义务教育优质均衡", unit_line="区教体局", title_style="Title",
                 headings="plain", numbered_list=True, footnote="另见附件。")
    office.notices([("区行政审批局", "政务服务满意率100%", "通报表扬", ""),
                    ("区住建局", "信访件办理超期2件", "通报批评", "已督促整改")])
    result = office.compile()
    assert dangling_references(result.path) == []
    assert_valid(result.path)


@pytest.fixture(scope="module")
def libreoffice_draft_file(tmp_path_factory):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed (bash tools/setup.sh --test installs it)")
    return producers.libreoffice_draft(tmp_path_factory.mktemp("lo") / "住建.docx",
                                       title="区住建局加快推进老旧小区改造", unit_line="区住建局")


@pytest.mark.libreoffice
def test_a_libreoffice_draft_validates_and_so_does_its_bulletin(office, libreoffice_draft_file):
    assert_valid(libreoffice_draft_file, accepted=LIBREOFFICE_DRAFT_FINDINGS)
    shutil.copyfile(libreoffice_draft_file, office.month_dir() / "住建.docx")
    office.draft("1.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局", numbered_list=True)
    result = office.compile()
    assert {d.name: d.title for d in result.intake.accepted}["住建.docx"] == "区住建局加快推进老旧小区改造"
    text = "".join(_xml(result.path, "word/document.xml").itertext())
    for expected in (*producers.LO_PARAGRAPHS, *producers.LO_LIST_ITEMS, "老旧小区改造"):
        assert expected in text, expected
    notes = "".join(_xml(result.path, "word/footnotes.xml").itertext())
    assert producers.LO_FOOTNOTE in notes
    assert dangling_references(result.path) == []
    assert_valid(result.path)


@pytest.mark.libreoffice
def test_a_bulletin_from_drafts_of_all_producers_together_validates(office, libreoffice_draft_file):
    shutil.copyfile(libreoffice_draft_file, office.month_dir() / "住建.docx")
    producers.word_german_draft(office.month_dir() / "审批.docx", title="深化审批制度改革", unit_line="区行政审批局")
    office.draft("人社.docx", title="区人社局“三个聚焦”推动稳就业", unit_line="区人社局", numbered_list=True,
                 footnote="数据截至10月底。", image=True, table=True)
    result = office.compile()
    assert len(result.intake.accepted) == 3
    assert dangling_references(result.path) == []
    assert_valid(result.path)
