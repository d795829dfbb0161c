"""docxfile.screen: every way a file can fail to be a .docx we can safely open, each with its exact Chinese
reason, and every limit at its boundary (a file exactly at a limit is read, one byte over is refused)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import draft_factory as f
import hostile_kit as k
import pytest

import bulletin.intake.docxfile as docxfile
from bulletin.intake.docxfile import Refused, check_archive, screen

MB = 1024 * 1024
RESAVE = "请在 Word 中打开后另存为 .docx 再提交"
CT_PATH = "[Content_Types].xml"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A draft with a picture (its part is typed by a Default content type, not an Override)."""
    return f.make_draft(tmp_path_factory.mktemp("good") / "good.docx", title="可用的稿件", unit_line="区人社局",
                        image=True)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _write(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _variant(good: Path, path: Path, replace: dict[str, bytes | None]) -> Path:
    members = _members(good)
    for name, data in replace.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    return _write(path, members)


def _reason(path: Path) -> str:
    with pytest.raises(Refused) as info:
        screen(path).close()
    return str(info.value)


def _accepted(path: Path) -> None:
    with screen(path) as package:
        assert package.xml(package.main) is not None


def _text(good: Path, name: str) -> str:
    return _members(good)[name].decode("utf-8")


# -- before the zip is opened ---------------------------------------------------------------------------------
def test_a_folder_named_like_a_draft(tmp_path):
    (tmp_path / "稿件.docx").mkdir()
    assert _reason(tmp_path / "稿件.docx") == "无法读取文件（Is a directory）"


def test_an_empty_file(tmp_path):
    (tmp_path / "a.docx").write_bytes(b"")
    assert _reason(tmp_path / "a.docx") == "文件是空的（0 字节），可能上传或复制没有完成，请重新提交"


def test_file_size_limit(tmp_path, monkeypatch, good):
    big = tmp_path / "big.docx"
    big.write_bytes(good.read_bytes() + os.urandom(2 * MB + 100 - good.stat().st_size))  # 2 MB and 100 bytes
    monkeypatch.setattr(docxfile, "MAX_UNPACKED_BYTES", 2 * MB + 99)
    assert _reason(big) == "文件过大（2 MB），请压缩图片后重新提交"
    monkeypatch.setattr(docxfile, "MAX_UNPACKED_BYTES", 2 * MB + 100)
    assert "文件过大" not in _reason(big)  # exactly at the limit: read (and refused later, for its tail)


def test_encryption_is_told_by_both_stream_names():
    info, package = "EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le")
    assert docxfile._is_encrypted_ooxml(docxfile.OLE2_MAGIC + bytes(600) + info + bytes(9) + package)
    assert not docxfile._is_encrypted_ooxml(docxfile.OLE2_MAGIC + bytes(600) + info)
    assert not docxfile._is_encrypted_ooxml(docxfile.OLE2_MAGIC + bytes(600) + package)


def test_old_doc_and_password_protected_docx_are_told_apart(tmp_path, good):
    assert _reason(k.ole2_file(tmp_path / "old.doc")) == (
        "这是旧版 Word 格式（.doc）或设置了打开密码的文档，无法读取：请取消密码，或在 Word/WPS 中“另存为” .docx 格式后重新提交")
    assert _reason(k.encrypted_docx(good, tmp_path / "locked.docx")) == (
        "这是设置了打开密码的 Word 文档，无法读取：请在 Word/WPS 中取消密码（文件 → 信息 → 保护文档 → "
        "用密码进行加密，清空密码），另存为 .docx 后重新提交")


def test_not_a_zip_and_a_broken_zip(tmp_path):
    (tmp_path / "text.docx").write_text("这是一段文字", encoding="utf-8")
    assert _reason(tmp_path / "text.docx") == (
        "不是有效的 Word 文档（可能是改了扩展名的其他文件或已损坏），请在 Word 中另存为 .docx 后重新提交")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04" + bytes(100))
    assert _reason(tmp_path / "broken.docx") == "文件已损坏（可能只复制或下载了一部分），请重新提交"


# -- the zip directory ------------------------------------------------------------------------------------------
def test_entry_count_limit(tmp_path, monkeypatch, good):
    count = len(_members(good))
    monkeypatch.setattr(docxfile, "MAX_ENTRIES", count)
    _accepted(good)
    monkeypatch.setattr(docxfile, "MAX_ENTRIES", count - 1)
    assert _reason(good) == f"文件内部条目过多（{count} 个），疑似异常文件，已拒收"


def _padded(good: Path, path: Path, name: str, total: int, counted) -> Path:
    """The draft with `name` padded (spaces after its XML, or bytes for a binary part) so that the sum of
    file sizes of the members `counted` selects is exactly `total`."""
    members = _members(good)
    others = sum(len(data) for member, data in members.items() if counted(member) and member != name)
    members[name] = members[name] + b" " * (total - others - len(members[name]))
    return _write(path, members)


def test_unpacked_size_limit(tmp_path, monkeypatch, good):
    bomb = _padded(good, tmp_path / "bomb.docx", "word/media/image1.png", 5 * MB, lambda m: True)
    monkeypatch.setattr(docxfile, "MAX_UNPACKED_BYTES", 5 * MB)
    _accepted(bomb)
    monkeypatch.setattr(docxfile, "MAX_UNPACKED_BYTES", 4 * MB)
    assert _reason(bomb) == ("文件解压后将达 5 MB，超过上限 4 MB，疑似异常文件（压缩炸弹），已拒收；"
                             "如确有大量图片，请压缩图片后重新提交")


def test_part_size_limit(tmp_path, monkeypatch, good):
    name = "word/document.xml"
    size = 2 * MB + 100
    big = _padded(good, tmp_path / "part.docx", name, size, lambda m: m == name)
    monkeypatch.setattr(docxfile, "MAX_PART_BYTES", size)
    _accepted(big)
    monkeypatch.setattr(docxfile, "MAX_PART_BYTES", size - 1)
    assert _reason(big) == "文件内部的 word/document.xml 过大（2 MB），疑似异常文件，已拒收"


def test_xml_total_limit_counts_xml_and_rels_parts(tmp_path, monkeypatch, good):
    total = 3 * MB + 100
    big = _padded(good, tmp_path / "xml.docx", "word/document.xml", total, lambda m: m.endswith((".xml", ".rels")))
    monkeypatch.setattr(docxfile, "MAX_XML_BYTES", total)
    _accepted(big)
    monkeypatch.setattr(docxfile, "MAX_XML_BYTES", total - 1)
    assert _reason(big) == "文件的文字部分过大（3 MB），疑似异常文件，已拒收"


def test_zip_level_encryption_and_other_compression(tmp_path, good):
    assert _reason(k.zip_flagged_encrypted(good, tmp_path / "enc.docx")) == (
        "文件内部数据被加密，无法读取：请取消密码后另存为 .docx 再提交")
    assert _reason(k.recompressed(good, tmp_path / "lzma.docx")) == f"文件使用了 Word 不支持的压缩方式，{RESAVE}"
    _accepted(_write(tmp_path / "stored.docx", _members(good), zipfile.ZIP_STORED))


def test_duplicate_members(tmp_path, good):
    members = _members(good)
    path = tmp_path / "dup.docx"
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("word/document.xml", members["word/document.xml"])
    assert _reason(path) == f"文件内部有重复的部件（文件已损坏），{RESAVE}"


# -- relationships and content types -------------------------------------------------------------------------------
def test_package_relationships(tmp_path, good):
    assert _reason(_variant(good, tmp_path / "a.docx", {"_rels/.rels": b"<Relationships"})) == (
        f"文件已损坏（内部结构无法读取），{RESAVE}")
    assert _reason(_variant(good, tmp_path / "b.docx", {"_rels/.rels": None})) == (
        f"不是有效的 Word 文档（缺少内部关系说明），{RESAVE}")
    rels = _text(good, "_rels/.rels")
    external = rels.replace('Target="word/document.xml"', 'Target="word/document.xml" TargetMode="External"')
    assert external != rels
    assert _reason(_variant(good, tmp_path / "c.docx", {"_rels/.rels": external.encode()})) == (
        f"不是有效的 Word 文档（找不到正文部分），{RESAVE}")


def test_content_types(tmp_path, good):
    assert _reason(_variant(good, tmp_path / "a.docx", {CT_PATH: b"<Types"})) == f"文件已损坏（内部结构无法读取），{RESAVE}"
    assert _reason(_variant(good, tmp_path / "b.docx", {CT_PATH: None})) == (
        "不是有效的 Word 文档（缺少内容类型说明），请在 Word 中另存为 .docx 后重新提交")
    types = _text(good, CT_PATH)
    assert 'Extension="png"' in types and "image1.png" not in types  # the picture is typed by its Default
    upper = types.replace('Extension="png"', 'Extension="PNG"').replace('PartName="/word/document.xml"',
                                                                         'PartName="/WORD/Document.xml"')
    _accepted(_variant(good, tmp_path / "upper.docx", {CT_PATH: upper.encode()}))  # names compare without case
    untyped = types.replace('<Default Extension="png" ContentType="image/png"/>', "")
    assert untyped != types
    assert _reason(_variant(good, tmp_path / "c.docx", {CT_PATH: untyped.encode()})) == (
        f"文件已损坏（内部的 word/media/image1.png 没有内容类型），{RESAVE}")


@pytest.mark.parametrize(
    ("content_type", "reason"),
    [
        ("application/vnd.ms-word.document.macroEnabled.main+xml",
         "这是含宏的 Word 文档（.docm），出于安全考虑不予处理，请另存为 .docx 后重新提交"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
         "这是 Word 模板（.dotx），请用它新建文档并另存为 .docx 后重新提交"),
        ("application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
         "这是含宏的 Word 模板（.dotm），出于安全考虑不予处理，请另存为 .docx 后重新提交"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
         "不是 Word 文档（可能是 Excel、PowerPoint 等文件改成了 .docx 扩展名），请提交 Word 文档（.docx）"),
    ],
)
def test_main_part_content_type(tmp_path, good, content_type, reason):
    assert _reason(k.with_content_type(good, tmp_path / "x.docx", content_type)) == reason


def test_every_related_part_must_exist_inflate_and_parse(tmp_path, good):
    assert _reason(_variant(good, tmp_path / "a.docx", {"word/styles.xml": None})) == (
        f"文件已损坏（内部引用的 word/styles.xml 缺失），{RESAVE}")
    assert _reason(_variant(good, tmp_path / "b.docx", {"word/styles.xml": b"<w:styles"})) == (
        f"文件内部的 word/styles.xml 已损坏（XML 格式错误），{RESAVE}")
    assert _reason(k.damaged_member(good, tmp_path / "c.docx", "word/media/image1.png")) == (
        "文件已损坏（内部的 word/media/image1.png 无法解压，可能只复制或下载了一部分），请重新提交")


def test_parts_after_an_external_relationship_are_still_checked(tmp_path, good):
    """An external hyperlink listed first must not end the walk over the document's relationships."""
    rels = _text(good, "word/_rels/document.xml.rels")
    head, _, tail = rels.partition("<Relationship ")
    external = ('<Relationship Id="rIdLink" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/hyperlink" Target="https://www.gov.cn/" TargetMode="External"/>')
    rels = head + external + "<Relationship " + tail
    broken = _variant(good, tmp_path / "a.docx", {"word/_rels/document.xml.rels": rels.encode(),
                                                  "word/styles.xml": b"<w:styles"})
    assert _reason(broken) == f"文件内部的 word/styles.xml 已损坏（XML 格式错误），{RESAVE}"


def test_an_xml_part_not_named_xml_is_still_bounded(tmp_path, good):
    """The directory check bounds parts named .xml; a main part under another name is bounded when read."""
    members = _members(good)
    members["_rels/.rels"] = members["_rels/.rels"].replace(b"word/document.xml", b"word/document.main")
    members["word/_rels/document.main.rels"] = members.pop("word/_rels/document.xml.rels")
    members[CT_PATH] = members[CT_PATH].replace(b"/word/document.xml", b"/word/document.main")
    document = members.pop("word/document.xml")
    members["word/document.main"] = document
    _accepted(_write(tmp_path / "main.docx", members))
    members["word/document.main"] = document + b" " * (docxfile.MAX_PART_BYTES + 1 - len(document))
    assert _reason(_write(tmp_path / "big.docx", members)) == "文件内部的 word/document.main 过大，疑似异常文件，已拒收"

def test_relationship_targets_resolve_like_python_docx():
    assert docxfile.resolve_target("word/document.xml", "media/image1.png") == "word/media/image1.png"
    assert docxfile.resolve_target("word/document.xml", "../customXml/item1.xml") == "customXml/item1.xml"
    assert docxfile.resolve_target("", "/word/document.xml") == "word/document.xml"
    assert docxfile.rels_name("word/document.xml") == "word/_rels/document.xml.rels"
    assert docxfile.rels_name("") == "_rels/.rels"


def test_relationships_list_ids_types_and_targets(good):
    with screen(good) as package:
        found = {rid: (kind.rsplit("/", 1)[1], target) for rid, kind, target in package.relationships(package.main)}
        assert package.related("", "/officeDocument") == "word/document.xml"
        assert package.related(package.main, "/no-such-type") is None
        assert package.relationships("word/media/image1.png") == []
    assert ("styles", "word/styles.xml") in found.values() and ("image", "word/media/image1.png") in found.values()


def test_check_archive_for_spreadsheets(tmp_path):
    sheet = f.make_notice_sheet(tmp_path / "notices.xlsx", [("区人社局", "事项", "通报表扬")])
    check_archive(sheet)
    damaged = k.damaged_member(sheet, tmp_path / "damaged.xlsx", "xl/worksheets/sheet1.xml")
    with pytest.raises(Refused) as info:
        check_archive(damaged)
    assert str(info.value) == "文件已损坏（可能只复制或下载了一部分），请重新提交"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(5):
            archive.writestr(f"x{n}.xml", "<a/>")
    (tmp_path / "many.xlsx").write_bytes(buffer.getvalue())
    check_archive(tmp_path / "many.xlsx")


def test_every_xml_part_is_parsed_whatever_types_it(tmp_path, good):
    """settings.xml (typed by an Override, parsed and let go) and a custom XML part (typed by the Default for
    .xml) must parse too: a broken one is named."""
    assert _reason(_variant(good, tmp_path / "a.docx", {"word/settings.xml": b"<w:settings"})) == (
        f"文件内部的 word/settings.xml 已损坏（XML 格式错误），{RESAVE}")
    rels = _text(good, "word/_rels/document.xml.rels").replace("</Relationships>", (
        '<Relationship Id="rIdCx" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"'
        ' Target="../customXml/item1.xml"/></Relationships>'))
    types = _text(good, CT_PATH)
    assert '<Default Extension="xml" ContentType="application/xml"/>' in types
    broken = _variant(good, tmp_path / "b.docx", {"word/_rels/document.xml.rels": rels.encode(),
                                                  "customXml/item1.xml": b"<b:Sources"})
    assert _reason(broken) == f"文件内部的 customXml/item1.xml 已损坏（XML 格式错误），{RESAVE}"
    _accepted(_variant(good, tmp_path / "c.docx", {"word/_rels/document.xml.rels": rels.encode(),
                                                   "customXml/item1.xml": b"<b:Sources xmlns:b='urn:x'/>"}))
    assert _reason(k.damaged_member(good, tmp_path / "d.docx", "word/styles.xml")) == (
        "文件已损坏（内部的 word/styles.xml 无法解压，可能只复制或下载了一部分），请重新提交")


def test_a_relationship_back_to_its_own_part_ends_the_walk(tmp_path, good):
    rels = _text(good, "word/_rels/document.xml.rels").replace("</Relationships>", (
        '<Relationship Id="rIdSelf" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'subDocument" Target="document.xml"/></Relationships>'))
    _accepted(_variant(good, tmp_path / "loop.docx", {"word/_rels/document.xml.rels": rels.encode()}))


def test_entities_in_a_part_are_not_expanded(tmp_path, good):
    """Issue 22 item 5: never expanded, and the draft refused (an unexpanded reference broke the bulletin)."""
    xml = _text(good, "word/document.xml")
    xml = xml.replace("?>", '?><!DOCTYPE w:document [<!ENTITY secret "展开了的实体">]>', 1)
    xml = xml.replace("可用的稿件", "可用的稿件&secret;", 1)
    with pytest.raises(Refused, match="文件内部的 word/document.xml 含有文档类型定义（DOCTYPE）"):
        screen(_variant(good, tmp_path / "entity.docx", {"word/document.xml": xml.encode()}))


# -- memory: parts that lie about their size are inflated in bounded chunks (tracemalloc, in this process) --------
def _lying(good: Path, path: Path, member: str, megabytes: int) -> Path:
    """`member` followed by `megabytes` of zero bytes, its declared size left as it was (only inflating
    shows the truth)."""
    members = _members(good)
    real = len(members[member])
    members[member] = members[member] + bytes(megabytes * MB)
    _write(path, members)
    k._patch_declared_size(path, member, real)
    return path


def _peak_mb(action) -> float:
    import tracemalloc

    tracemalloc.start()
    try:
        action()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / MB


@pytest.mark.parametrize("member", ["word/document.xml", "word/media/image1.png"])
def test_a_part_that_lies_about_its_size_costs_little_memory(tmp_path, good, member):
    liar = _lying(good, tmp_path / "liar.docx", member, 120)
    reasons = []
    peak = _peak_mb(lambda: reasons.append(_reason(liar)))
    assert reasons == [f"文件已损坏（内部的 {member} 无法解压，可能只复制或下载了一部分），请重新提交"]
    assert peak < 40, peak  # inflating the part whole takes 120 MB and more


def test_a_spreadsheet_that_lies_about_its_size_costs_little_memory(tmp_path):
    sheet = f.make_notice_sheet(tmp_path / "notices.xlsx", [("区人社局", "事项", "通报表扬")])
    liar = _lying(sheet, tmp_path / "liar.xlsx", "xl/worksheets/sheet1.xml", 120)
    errors = []

    def check():
        try:
            check_archive(liar)
        except Refused as exc:
            errors.append(str(exc))

    assert _peak_mb(check) < 40
    assert errors == ["文件已损坏（可能只复制或下载了一部分），请重新提交"]


