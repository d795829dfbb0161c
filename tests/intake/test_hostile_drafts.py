"""Drafts as they really arrive: broken, wrong format, twice, huge, full of revisions or template syntax.
The bulletin is built from the good ones; every file left out is named in the report with a Chinese reason."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import threading
import zipfile
from pathlib import Path

import draft_factory as f
import hostile_kit as k
import pytest
from docx import Document
from docx_read import all_text, table_rows

from bulletin.intake.docxfile import MAX_UNPACKED_BYTES
from bulletin.intake.intake import gather
from bulletin.core.ledger import Ledger
from bulletin.intake.roster import Roster

CJK = re.compile(r"[\u4e00-\u9fff]")
DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOTX = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"


def _copy(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


def _xlsx_as_docx(src: Path, dst: Path) -> Path:
    f.make_notice_sheet(dst.with_suffix(".tmp.xlsx"), [("区人社局", "事项", "通报表扬")])
    return Path(shutil.move(dst.with_suffix(".tmp.xlsx"), dst))


def _broken_xml(src: Path, dst: Path) -> Path:
    with zipfile.ZipFile(src) as archive:
        xml = archive.read("word/document.xml")
    return k.rewrite(src, dst, {"word/document.xml": xml[: len(xml) // 2]})


# name -> (builder(good_draft, target), words the reason must contain)
BAD_FILES = {
    "空文件.docx": (lambda g, p: p.write_bytes(b""), "0 字节"),
    "文本改名.docx": (lambda g, p: p.write_text("这是一段文字，不是 Word 文档。", encoding="utf-8"), "改了扩展名"),
    "截断.docx": (k.truncated, "已损坏"),
    "坏压缩包.docx": (lambda g, p: p.write_bytes(b"PK\x03\x04" + os.urandom(3000)), "已损坏"),
    "数据损坏.docx": (lambda g, p: k.damaged_member(g, p), "已损坏"),
    "加密文档.docx": (lambda g, p: k.encrypted_docx(g, p), "设置了打开密码的 Word 文档"),
    "加密压缩包.docx": (lambda g, p: k.zip_flagged_encrypted(g, p), "文件内部数据被加密"),
    "其他压缩方式.docx": (lambda g, p: k.recompressed(g, p), "Word 不支持的压缩方式"),
    "旧版文档.doc": (lambda g, p: k.ole2_file(p), "另存为"),
    "含宏.docm": (_copy, "含宏"),
    "含宏改名.docx": (lambda g, p: k.with_content_type(g, p, DOCM), "含宏"),
    "模板.dotx": (_copy, "模板"),
    "模板改名.docx": (lambda g, p: k.with_content_type(g, p, DOTX), "模板"),
    "WPS文字.wps": (lambda g, p: k.ole2_file(p), "WPS"),
    "扫描件.pdf": (lambda g, p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), "PDF"),
    "现场照片.png": (lambda g, p: p.write_bytes(f.chart_png()), "图片"),
    "说明.txt": (lambda g, p: p.write_text("说明", encoding="utf-8"), "不是 Word 稿件"),
    "表格改名.docx": (_xlsx_as_docx, "Excel"),
    "缺样式部件.docx": (lambda g, p: k.rewrite(g, p, drop=("word/styles.xml",)), "缺失"),
    "正文XML损坏.docx": (_broken_xml, "XML 格式错误"),
    "空白文档.docx": (lambda g, p: f.make_draft(p, title="", paragraphs=[]), "没有任何文字"),
    "只有标题.docx": (lambda g, p: f.make_draft(p, title="只有标题的稿件", unit_line="区人社局", paragraphs=[]),
                    "只有标题"),
}


@pytest.fixture
def good(tmp_path) -> Path:
    return f.make_draft(tmp_path / "good-source.docx", title="可用的稿件", unit_line="区人社局")


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_refused_with_a_chinese_reason(tmp_path, good, name):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    build, words = BAD_FILES[name]
    build(good, folder / name)
    _copy(good, folder / "好稿.docx")
    intake = gather(folder, "2026-10", Roster())
    assert [d.name for d in intake.accepted] == ["好稿.docx"]
    reasons = {r.file: r.reason for r in intake.refused}
    assert list(reasons) == [name]
    assert words in reasons[name] and CJK.search(reasons[name])


def test_doc_and_encrypted_docx_are_refused_with_save_as_advice_not_converted(office):
    """Decision: OLE2 files (.doc, password-protected .docx) are refused with advice; no LibreOffice
    conversion, so nothing the office did not write goes into the bulletin."""
    k.ole2_file(office.month_dir() / "旧版.doc")
    office.draft("好稿.docx", title="好稿", unit_line="区人社局")
    k.encrypted_docx(office.month_dir() / "好稿.docx", office.month_dir() / "加密.docx")
    result = office.compile()
    reasons = {r.file: r.reason for r in result.intake.refused}
    assert set(reasons) == {"旧版.doc", "加密.docx"}
    assert all("另存为" in r and ".docx" in r for r in reasons.values())
    assert "密码" in reasons["加密.docx"]
    assert sorted(p.name for p in office.month_dir().iterdir()) == ["加密.docx", "好稿.docx", "旧版.doc"]


def test_bulletin_is_built_from_the_good_ones_and_every_other_file_is_reported(office, good):
    folder = office.month_dir()
    for name, (build, _) in BAD_FILES.items():
        build(good, folder / name)
    office.draft("1-就业.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["就业正文。"])
    office.draft("2-财政.docx", title="财政保障有力", unit_line="区财政局", paragraphs=["财政正文。"])
    _copy(folder / "1-就业.docx", folder / "~$就业.docx")  # Word's lock file beside an open draft
    (folder / ".~lock.2-财政.docx#").write_text("LibreOffice lock", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (folder / "._1-就业.docx").write_bytes(b"\0\5\26\7")  # macOS resource fork on a shared drive
    (folder / "Thumbs.db").write_bytes(b"\0")

    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["1-就业.docx", "2-财政.docx"]
    text = all_text(result.path)
    assert "稳就业工作见成效" in text and "财政正文。" in text
    assert {r.file for r in result.intake.refused} == set(BAD_FILES)

    report = result.report_path.read_text(encoding="utf-8")
    for refusal in result.intake.refused:
        assert f"× {refusal.file}：{refusal.reason}" in report
    for quiet in ("~$", ".DS_Store", "._1", "Thumbs.db", ".~lock"):
        assert quiet not in report
    with Ledger(office.ws.ledger_path) as ledger:
        rows = ledger.last_compile(office.month).drafts
    assert sorted(r["file"] for r in rows if r["status"] == "refused") == sorted(BAD_FILES)


def test_main_part_under_another_name_is_read(office, good):
    """Office 365 sometimes writes word/document2.xml; python-docx follows the relationship, so do we."""
    source = f.make_draft(office.root / "src.docx", title="正文部件改名的稿件", unit_line="区人社局",
                          paragraphs=["正文在 document2.xml 中。"])
    with zipfile.ZipFile(source) as archive:
        rels = archive.read("_rels/.rels").replace(b"word/document.xml", b"word/document2.xml")
        types = archive.read("[Content_Types].xml").replace(b"/word/document.xml", b"/word/document2.xml")
    k.rewrite(source, office.month_dir() / "document2.docx",
              {"_rels/.rels": rels, "[Content_Types].xml": types},
              rename={"word/document.xml": "word/document2.xml",
                      "word/_rels/document.xml.rels": "word/_rels/document2.xml.rels"})
    result = office.compile()
    assert [d.title for d in result.intake.accepted] == ["正文部件改名的稿件"]
    assert "正文在 document2.xml 中。" in all_text(result.path)


def test_same_content_twice_is_included_once_and_reported(office):
    office.draft("1-原稿.docx", title="稳就业工作见成效", unit_line="区人社局", paragraphs=["第一稿。"])
    _copy(office.month_dir() / "1-原稿.docx", office.month_dir() / "2-原稿 - 副本.docx")
    resent = office.draft("3-再次报送.docx", title="稳就业工作见成效", unit_line="区人力资源和社会保障局",
                          paragraphs=["修改后又报了一次。"])  # same title, same unit under its alias
    os.utime(resent, (resent.stat().st_atime, resent.stat().st_mtime + 600))  # saved ten minutes later
    office.draft("4-另一篇.docx", title="稳就业工作见成效", unit_line="区财政局", paragraphs=["别的单位。"])
    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["3-再次报送.docx", "4-另一篇.docx"]
    duplicates = {d.file: d for d in result.intake.duplicates}
    assert set(duplicates) == {"2-原稿 - 副本.docx"}
    assert "内容完全相同" in duplicates["2-原稿 - 副本.docx"].reason
    (replaced,) = result.intake.replaced  # a revision: the newer one goes in, the report names both
    assert (replaced.file, replaced.by) == ("1-原稿.docx", "3-再次报送.docx")
    assert replaced.reason == "已被《3-再次报送.docx》（较新版本）替换：文件的修改时间较晚"
    text = all_text(result.path)
    assert "第一稿。" not in text and text.count("修改后又报了一次。") == 1
    report = result.report_path.read_text(encoding="utf-8")
    assert "2-原稿 - 副本.docx" in report and "× 1-原稿.docx：已被《3-再次报送.docx》（较新版本）替换" in report


@pytest.mark.slow
def test_zip_bombs_are_refused_with_bounded_memory(tmp_path, good):
    """A 400 MB part in a ~400 KB file: refused from the zip directory; one that lies about its size is
    refused when bounded inflation meets the CRC. Peak RSS of the reading process must not grow 300 MB
    (inflating the lying part whole, as zipfile.read does, grows it by about 800 MB)."""
    folder = tmp_path / "2026-10"
    folder.mkdir()
    bomb = k.zip_bomb(good, folder / "炸弹.docx", megabytes=400)
    with zipfile.ZipFile(good) as archive:
        real = archive.getinfo("word/document.xml").file_size
    liar = k.zip_bomb(f.make_draft(tmp_path / "other.docx", title="另一篇"), folder / "谎报大小.docx",
                      megabytes=400, declared=real)
    _copy(good, folder / "好稿.docx")
    assert bomb.stat().st_size < 1024 * 1024 and liar.stat().st_size < 1024 * 1024

    seen = k.intake_peak_memory(folder)
    assert seen["accepted"] == ["好稿.docx"]
    assert "压缩炸弹" in seen["refused"]["炸弹.docx"]
    assert f"{MAX_UNPACKED_BYTES // 2**20} MB" in seen["refused"]["炸弹.docx"]
    assert "已损坏" in seen["refused"]["谎报大小.docx"]
    assert seen["growth_mb"] < 300, seen


def test_comments_and_tracked_changes_are_resolved_not_flagged(office):
    office.draft("修订.docx", title="带修订和批注的稿件", unit_line="区人社局", tracked_changes=True,
                 comment="这里的数字请再核实 {{ 7*7 }}")
    result = office.compile()
    draft = result.intake.accepted[0]
    assert not draft.flagged and not result.intake.flagged
    assert "已接受稿件中的修订" in draft.notes and "已删除批注" in draft.notes

    xml = k.member_xml(result.path, "word/document.xml")
    for mark in ("<w:ins ", "<w:del ", "w:delText", "commentRangeStart", "commentRangeEnd", "commentReference"):
        assert mark not in xml, mark
    assert not [m for m in k.members(result.path) if "comments" in m.lower()]
    assert "comments" not in k.member_xml(result.path, "word/_rels/document.xml.rels")
    text = k.part_texts(result.path)["word/document.xml"]
    assert f.TRACKED_BEFORE + f.TRACKED_INSERTED + f.TRACKED_AFTER in text
    assert f.TRACKED_DELETED not in text.replace(f.TRACKED_INSERTED, "")
    assert "核实" not in "".join(k.part_texts(result.path).values())

    report = result.report_path.read_text(encoding="utf-8")
    assert "· 已接受稿件中的修订" in report and "需核对 0 篇" in report
    row = next(r for r in _ledger_rows(office) if r["file"] == "修订.docx")
    assert row["status"] == "accepted" and "已删除批注" in row["notes"] and row["reason"] == ""


def test_section_breaks_and_landscape_pages_keep_one_page_setup_and_footer(office):
    paragraphs = [f"第{n}段正文。" for n in range(1, 7)]
    with open(office.root / "bulletin.toml", "a", encoding="utf-8") as settings:  # two units, one text: not
        settings.write("\n[intake]\nnear_duplicate = 0\n")  # what this test is about (疑似重复: tests/archive)
    office.draft("横版.docx", title="带横向页的稿件", unit_line="区人社局", paragraphs=paragraphs, landscape=True)
    office.draft("分节.docx", title="带分节符的稿件", unit_line="区财政局", paragraphs=paragraphs,
                 section_break=True)
    result = office.compile()
    document = Document(str(result.path))
    assert len(document.sections) == 1
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    assert section.orientation == 0  # portrait
    assert "— " in "".join(p.text for p in section.footer.paragraphs)  # the template's page number
    assert len(re.findall("<w:sectPr", k.member_xml(result.path, "word/document.xml"))) == 1
    text = all_text(result.path)
    assert all(text.count(p) == 2 for p in paragraphs)
    assert all("已去除分节符（统一使用简报版式）" in d.notes and not d.flagged for d in result.intake.accepted)


def test_template_syntax_and_xml_characters_appear_literally_everywhere(office_factory):
    pid_note = "{{ cycler.__init__.__globals__.os.getpid() }}"
    office = office_factory(settings=_SETTINGS_WITH_SYNTAX)
    office.draft("1-页眉.docx", title=f"标题 {k.HOSTILE}", unit_line="区<&>{{x}}局",
                 paragraphs=[f"正文 {k.HOSTILE}", "第二段 {%p endfor %}"], footnote=pid_note,
                 header_text="页眉{{ 7*7 }}HEADERMARK", table=[("{{ 7*7 }}", "&<>"), ("{% for %}", "'\"")])
    office.draft("2-脚注.docx", title="未闭合的标签", unit_line="区人社局", footnote="{% unclosed", paragraphs=["正文。"])
    office.notices([("区{{ 7*7 }}局", "事项{% for x in y %}<&>", "通报表扬", "{# 备注 #}&")])
    result = office.compile()

    parts = k.part_texts(result.path)
    body = parts["word/document.xml"]
    for literal in (f"标题 {k.HOSTILE}", "区<&>{{x}}局", f"正文 {k.HOSTILE}", "第二段 {%p endfor %}", "{% for %}",
                    "区{{ 7*7 }}局", "事项{% for x in y %}<&>", "{# 备注 #}&",
                    "{{ 7*7 }} & <报头>", "办公室{% if 1 %}甲{% endif %}", "区委办 & <区政府>", "{#c#}8199917",
                    pid_note):
        assert literal in body, literal
    notes = [t for name, t in parts.items() if "footnotes" in name]
    assert notes and pid_note in notes[0] and "{% unclosed" in notes[0]
    assert str(os.getpid()) not in notes[0].replace(pid_note, "")
    assert not any("HEADERMARK" in t or "页眉" in t for t in parts.values())  # draft headers stay out
    assert table_rows(result.path, 0)[:2] == [["{{ 7*7 }}", "&<>"], ["{% for %}", "'\""]]
    assert "区<&>{{x}}局" in result.report_path.read_text(encoding="utf-8")


_SETTINGS_WITH_SYNTAX = """\
[bulletin]
title = "{{ 7*7 }} & <报头> 工作简报"
office = "办公室{% if 1 %}甲{% endif %}"
phone = "{#c#}8199917"
email = "office@zgq.example.cn"
first_issue = 64
report_to = "区委办 & <区政府>"
send_to = "{{ cycler.__init__.__globals__.os.getpid() }}"
"""


def test_unusual_file_names(office):
    long_stem = "区人社局-" + "关于进一步做好稳就业工作的情况报告" * 4  # ~220 bytes of UTF-8
    names = ["区人社局 10月 稿件 (1).docx", "区财政局－１０月份“三保”工作（定稿）.docx", f"{long_stem}.docx",
             "{{ 7*7 }} & <稿件>.docx"]
    assert len(names[2].encode()) < 255
    for n, name in enumerate(names):
        office.draft(name, title=f"第{n}篇稿件", unit_line="区工信局")
    result = office.compile()
    assert sorted(d.name for d in result.intake.accepted) == sorted(names)
    report = result.report_path.read_text(encoding="utf-8")
    assert all(f"文件：{name}" in report for name in names)
    assert {r["file"] for r in _ledger_rows(office)} == set(names)


def test_order_file_and_links_cannot_reach_outside_the_month_folder(office, tmp_path):
    secret = f.make_draft(office.month_dir("2026-09") / "机密.docx", title="不应出现的上月稿件", unit_line="区人社局")
    outside = f.make_draft(tmp_path / "外部.docx", title="不应出现的外部稿件", unit_line="区人社局")
    office.draft("a.docx", title="甲稿", unit_line="区人社局")
    office.draft("b.docx", title="乙稿", unit_line="区财政局")
    (office.month_dir() / "order.txt").write_text(
        "\n".join(["../2026-09/机密.docx", str(outside), "..\\2026-09\\机密", "C:机密.docx", "..", "b", "a.docx"]),
        encoding="utf-8")
    (office.month_dir() / "链接.docx").symlink_to(secret)
    # A sub-folder is a column (issue 14); a link to a folder elsewhere is not, nor a link inside a column.
    f.make_draft(tmp_path / "外部文件夹" / "外部栏目稿.docx", title="不应出现的外部栏目稿", unit_line="区人社局")
    (office.month_dir() / "外部栏目").symlink_to(tmp_path / "外部文件夹", target_is_directory=True)
    f.make_draft(office.month_dir() / "工作进展" / "栏目稿.docx", title="栏目稿", unit_line="区人社局")
    (office.month_dir() / "工作进展" / "链接.docx").symlink_to(secret)

    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["b.docx", "a.docx", "工作进展/栏目稿.docx"]
    text = all_text(result.path)
    assert "不应出现" not in text
    path_notes = [n for n in result.intake.notes if "含有路径" in n]
    assert len(path_notes) == 5 and "第1行" in path_notes[0]
    reasons = {r.file: r.reason for r in result.intake.refused}
    assert reasons == {
        "链接.docx": "是指向本月文件夹以外的链接（快捷方式），未读取：请把稿件文件本身放入本月文件夹",
        "外部栏目": "是指向本月文件夹以外的链接（快捷方式），未读取：请把稿件文件本身放入本月文件夹",
        "工作进展/链接.docx": "是指向本月文件夹以外的链接（快捷方式），未读取：请把稿件文件本身放入本月文件夹",
    }
    report = result.report_path.read_text(encoding="utf-8")
    assert "order.txt 第1行“../2026-09/机密.docx”含有路径" in report


@pytest.mark.libreoffice
def test_linked_content_is_never_fetched_and_the_bulletin_opens_in_libreoffice(office, tmp_path):
    """External pictures and INCLUDEPICTURE fields point at a local server that records requests: neither
    compiling nor opening the bulletin in LibreOffice may touch it."""
    from libreoffice import pdf_text, to_pdf

    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(f.chart_png())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        source = f.make_draft(tmp_path / "src.docx", title="外链图片{{ 7*7 }} & <稿>", unit_line="区人社局",
                              paragraphs=["外链图片在下面。", "第二段。"], external_image=True,
                              tracked_changes=True, comment="批注", landscape=True,
                              footnote="{{ cycler.__init__.__globals__.os.getpid() }}")
        with zipfile.ZipFile(source) as archive:
            rels = archive.read("word/_rels/document.xml.rels").decode()
            xml = archive.read("word/document.xml").decode()
        field = (f'<w:fldSimple w:instr=" INCLUDEPICTURE &quot;{url}/field.png&quot; \\d ">'
                 "<w:r><w:t>域结果</w:t></w:r></w:fldSimple>")
        xml = xml.replace("外链图片在下面。</w:t></w:r>", f"外链图片在下面。</w:t></w:r>{field}", 1)
        k.rewrite(source, office.month_dir() / "外链.docx",
                  {"word/_rels/document.xml.rels": rels.replace(f.EXTERNAL_IMAGE_URL, f"{url}/linked.png").encode(),
                   "word/document.xml": xml.encode()})
        result = office.compile()
        draft = result.intake.accepted[0]
        assert draft.flagged and any("外链图片" in w for w in draft.warnings)

        bulletin = zipfile.ZipFile(result.path)
        everything = b"".join(bulletin.read(name) for name in bulletin.namelist())
        assert b"127.0.0.1" not in everything and b"example.invalid" not in everything
        assert b"r:link=" not in bulletin.read("word/document.xml")
        assert b"INCLUDEPICTURE" not in everything and "域结果" in all_text(result.path)

        pdf = to_pdf(result.path, tmp_path / "pdf")
        shown = pdf_text(pdf)
        assert "{{ 7*7 }} & <" in shown and "os.getpid()" in shown
        assert requests == []
    finally:
        server.shutdown()


def _ledger_rows(office) -> list[dict]:
    with Ledger(office.ws.ledger_path) as ledger:
        return ledger.last_compile(office.month).drafts


def test_an_unexpected_error_on_one_draft_does_not_stop_the_month(office, monkeypatch):
    import bulletin.intake.intake

    office.draft("1.docx", title="好稿", unit_line="区人社局")
    office.draft("2.docx", title="会出错的稿件", unit_line="区财政局")
    real = bulletin.intake.intake.read_draft

    def flaky(path, roster, **options):
        if path.name == "2.docx":
            raise IndexError("odd file")
        return real(path, roster, **options)

    monkeypatch.setattr(bulletin.intake.intake, "read_draft", flaky)
    result = office.compile()
    assert [d.name for d in result.intake.accepted] == ["1.docx"]
    (refusal,) = result.intake.refused
    assert refusal.file == "2.docx" and "读取时出错（IndexError）" in refusal.reason


def test_spreadsheets_and_links_named_like_notice_sheets(office, tmp_path):
    office.draft("1.docx", title="好稿", unit_line="区人社局")
    f.make_notice_sheet(office.month_dir() / "10月统计表.xlsx", [("区住建局", "事项", "通报批评")])
    f.make_notice_sheet(office.month_dir() / "10月通报表.xlsx", [("区住建局", "本月事项", "通报批评")])
    outside = f.make_notice_sheet(tmp_path / "外部.xlsx", [("区住建局", "外部事项", "通报批评")])
    (office.month_dir() / "notices.xlsx").symlink_to(outside)
    result = office.compile()
    reasons = {r.file: r.reason for r in result.intake.refused}
    assert "请在文件名中写明“通报”" in reasons["10月统计表.xlsx"]
    assert "链接" in reasons["notices.xlsx"]
    assert result.notices.source.name == "10月通报表.xlsx"  # any sheet whose name says 通报
    assert [r.matter for r in result.notices.rows] == ["本月事项"]
