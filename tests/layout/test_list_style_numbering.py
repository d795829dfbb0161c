"""Issue 23 item 12: a draft with a list style (numStyleLink / styleLink) composed into the bulletin.

Word writes a list style (a w:style of type "numbering") as two list definitions: the style's own, carrying
w:styleLink, and the one the paragraphs use, carrying w:numStyleLink to the style (ISO/IEC 29500-1 §17.9.21,
§17.9.27). Copying the second pulls in the style, whose numbering pulls in the first: both copies were given
the same new abstractNumId and nsid (and their w:num the same numId), which Word may report as unreadable.
"""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from docx.oxml import parse_xml
from lxml import etree
from ooxml_audit import assert_valid, dangling_references

pytestmark = [pytest.mark.slow]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_LEVEL = (
    '<w:lvl xmlns:w="{w}" w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
    '<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{left}" w:hanging="420"/></w:pPr>'
    "</w:lvl>"
)


def _abstract(anum_id: int, nsid: str, link: str, levels: bool) -> str:
    body = "".join(
        _LEVEL.format(w=W, ilvl=i, fmt=fmt, text=text, left=420 * (i + 1))
        for i, (fmt, text) in enumerate([("chineseCounting", "%1、"), ("decimal", "（%2）")])
    ) if levels else ""
    return (
        f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{anum_id}"><w:nsid w:val="{nsid}"/>'
        f'<w:multiLevelType w:val="multilevel"/><w:tmpl w:val="0409001D"/>{link}{body}</w:abstractNum>'
    )


def add_list_style_items(path, items: list[str]) -> None:
    """Items in a list style "政务列表" the way Word saves them: the numbering style (numId 30 -> abstractNum 40
    with styleLink) and the list the paragraphs use (numId 31 -> abstractNum 41 with numStyleLink)."""
    document = Document(str(path))
    styles = document.styles.element
    styles.append(parse_xml(
        f'<w:style xmlns:w="{W}" w:type="numbering" w:customStyle="1" w:styleId="ZhengWuList">'
        '<w:name w:val="政务列表"/><w:uiPriority w:val="99"/>'
        '<w:pPr><w:numPr><w:numId w:val="30"/></w:numPr></w:pPr></w:style>'
    ))
    numbering = document.part.numbering_part.element
    first_num = numbering.find(f"{{{W}}}num")
    for xml in (_abstract(40, "2A4B6C8D", '<w:styleLink w:val="ZhengWuList"/>', levels=True),
                _abstract(41, "7E1F3A5B", '<w:numStyleLink w:val="ZhengWuList"/>', levels=False)):
        first_num.addprevious(parse_xml(xml))
    for num_id, anum_id in ((30, 40), (31, 41)):
        numbering.append(parse_xml(
            f'<w:num xmlns:w="{W}" w:numId="{num_id}"><w:abstractNumId w:val="{anum_id}"/></w:num>'))
    for item in items:
        paragraph = document.add_paragraph(item)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="0"/><w:numId w:val="31"/></w:numPr>'))
    document.save(str(path))


def _numbering(path) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/numbering.xml"))


def _all(root, tag: str, attr: str) -> list[str]:
    return [e.get(f"{{{W}}}{attr}") for e in root.iter(f"{{{W}}}{tag}")]


def test_a_list_style_draft_gives_distinct_list_ids_and_a_valid_bulletin(office):
    path = office.draft("1-就业.docx", title="区人社局推进农民工就业创业", unit_line="区人社局",
                        paragraphs=["今年以来，区人社局新增城镇就业4120人。"])
    add_list_style_items(path, ["强化组织领导", "优化就业服务", "加强督导考核"])
    second = office.draft("2-财政.docx", title="区财政局兜牢“三保”底线", unit_line="区财政局",
                          paragraphs=["区财政局保障民生支出。"])
    add_list_style_items(second, ["保工资", "保运转"])

    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["1-就业.docx", "2-财政.docx"]

    numbering = _numbering(result.path)
    anum_ids, nsids, num_ids = _all(numbering, "abstractNum", "abstractNumId"), _all(numbering, "nsid", "val"), \
        _all(numbering, "num", "numId")
    assert len(anum_ids) == len(set(anum_ids)), anum_ids
    assert len(nsids) == len(set(nsids)), nsids
    assert len(num_ids) == len(set(num_ids)), num_ids
    # Styles are matched by name: both drafts' "政务列表" are the bulletin's one style, defined once (styleLink)
    # and used by each draft's own list (numStyleLink).
    assert _all(numbering, "styleLink", "val") == ["ZhengWuList"]
    assert _all(numbering, "numStyleLink", "val") == ["ZhengWuList", "ZhengWuList"]
    assert not dangling_references(result.path)
    assert_valid(result.path)
