"""Layouts (issue 14): columns (栏目), contents numbered / bulleted / none, trailers, editor's notes, 专刊.

Every bulletin is compiled from python-docx drafts through compile_month and read back with python-docx;
the expected paragraphs are written out in full.
"""

from __future__ import annotations

import zipfile

import draft_factory as f
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx_read import body_paragraphs
from ooxml_audit import assert_valid, dangling_references
from typer.testing import CliRunner
from workspace_kit import SETTINGS, make_workspace

from bulletin.cli import app
from bulletin.core.errors import ConfigError

runner = CliRunner()
TOC_STYLES = ("TOC Heading", "TOC Column", "TOC Entry")

ZHENGWU = SETTINGS + """
[layout]
name = "政务信息"
toc = "bullets"
byline = "trailer"
unit_in_toc = false
columns = ["学习园地", "工作进展"]
"""


def office_with(tmp_path, layout: str):
    return make_workspace(tmp_path / "ws", settings=SETTINGS + "\n[layout]\n" + layout)


def columns_month(office) -> None:
    """A month folder as a 政务信息 office fills it: one lead article, two columns, an empty column, a
    reserved folder, and a column folder with a sub-folder that is not read."""
    month = office.month_dir()
    f.make_draft(month / "头条.docx", title="全区经济运行稳中有进", unit_line="区统计局",
                 paragraphs=["头条正文。"])
    f.make_draft(month / "工作进展" / "1-江港合作.docx", title="我市落实《粤港合作框架协议》推动江港合作有新发展",
                 unit_line="区发改委", paragraphs=["江港合作正文。"])
    f.make_draft(month / "工作进展" / "2-污染防治.docx", title="我市强化“三双”机制 精准有效推进污染防治攻坚战",
                 unit_line="区生态环境分局", paragraphs=["污染防治正文。"])
    f.make_draft(month / "学习园地" / "暖企.docx", title="江门市织密三级“暖企”网 推动工业经济迅速企稳回升",
                 unit_line="区工业和信息化局", paragraphs=["暖企正文。"])
    (month / "空栏目").mkdir()
    (month / "空栏目" / "说明.pdf").write_bytes(b"%PDF-1.4 not a draft")
    f.make_draft(month / "反馈" / "回执.docx", title="保留文件夹里的稿件", unit_line="区人社局")
    f.make_draft(month / "工作进展" / "旧稿" / "x.docx", title="栏目里的子文件夹", unit_line="区人社局")


def toc_and_body(path):
    paragraphs = body_paragraphs(path)
    toc = [(style, text) for style, text in paragraphs if style in TOC_STYLES]
    return paragraphs, toc


def test_zhengwu_layout_columns_bullets_and_trailers(tmp_path):
    office = make_workspace(tmp_path / "ws", settings=ZHENGWU)
    columns_month(office)
    result = office.compile()
    paragraphs, toc = toc_and_body(result.path)

    assert toc == [
        ("TOC Entry", "●全区经济运行稳中有进"),
        ("TOC Column", "【学习园地】"),
        ("TOC Entry", "●江门市织密三级“暖企”网 推动工业经济迅速企稳回升"),
        ("TOC Column", "【工作进展】"),
        ("TOC Entry", "●我市落实《粤港合作框架协议》推动江港合作有新发展"),
        ("TOC Entry", "●我市强化“三双”机制 精准有效推进污染防治攻坚战"),
    ]
    articles = [(s, t) for s, t in paragraphs
                if s in ("Column Heading", "Article Title", "Article Unit", "Article Byline", "Normal") and t]
    assert articles == [
        ("Article Title", "全区经济运行稳中有进"),
        ("Normal", "头条正文。"),
        ("Article Byline", "（区统计局供稿）"),
        ("Column Heading", "◆学习园地◆"),
        ("Article Title", "江门市织密三级“暖企”网 推动工业经济迅速企稳回升"),
        ("Normal", "暖企正文。"),
        ("Article Byline", "（区工信局供稿）"),  # the roster's name for 区工业和信息化局
        ("Column Heading", "◆工作进展◆"),
        ("Article Title", "我市落实《粤港合作框架协议》推动江港合作有新发展"),
        ("Normal", "江港合作正文。"),
        ("Article Byline", "（区发改委供稿）"),
        ("Article Title", "我市强化“三双”机制 精准有效推进污染防治攻坚战"),
        ("Normal", "污染防治正文。"),
        ("Article Byline", "（区生态环境分局供稿）"),
    ]
    texts = [t for _, t in paragraphs]
    assert "◆空栏目◆" not in texts and "【空栏目】" not in texts  # an empty column is not printed
    assert "保留文件夹里的稿件" not in texts and "栏目里的子文件夹" not in texts
    assert [(r.file, r.reason) for r in result.intake.refused] == [
        ("工作进展/旧稿", "是栏目“工作进展”中的子文件夹，其中的文件未读取：栏目文件夹中请直接放稿件"),
        ("空栏目/说明.pdf", "PDF 文件无法编入简报，请提交 Word 文档（.docx）"),
    ]
    assert [d.name for d in result.intake.accepted] == [
        "头条.docx", "学习园地/暖企.docx", "工作进展/1-江港合作.docx", "工作进展/2-污染防治.docx"]

    document = Document(str(result.path))
    byline = document.styles["Article Byline"]
    assert byline.element.pPr.find(qn("w:jc")).get(qn("w:val")) == "right"
    assert byline.element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    assert document.core_properties.title == "章贡区“五型”政府建设工作简报 第64期"
    assert_valid(result.path)
    assert dangling_references(result.path) == []


def test_columns_in_the_numbered_layout_and_the_report(tmp_path):
    office = office_with(tmp_path, 'columns = ["学习园地", "工作进展"]\n')
    columns_month(office)
    result = office.compile()
    paragraphs, toc = toc_and_body(result.path)
    assert toc == [
        ("TOC Heading", "目  录"),
        ("TOC Entry", "1.\t区统计局：全区经济运行稳中有进"),
        ("TOC Column", "【学习园地】"),
        ("TOC Entry", "2.\t区工信局：江门市织密三级“暖企”网 推动工业经济迅速企稳回升"),
        ("TOC Column", "【工作进展】"),
        ("TOC Entry", "3.\t区发改委：我市落实《粤港合作框架协议》推动江港合作有新发展"),
        ("TOC Entry", "4.\t区生态环境分局：我市强化“三双”机制 精准有效推进污染防治攻坚战"),
    ]
    styles = [s for s, _ in paragraphs]
    assert styles.count("Column Heading") == 2 and "Article Byline" not in styles  # no trailers
    assert [t for s, t in paragraphs if s == "Article Unit"] == ["区统计局", "区工信局", "区发改委", "区生态环境分局"]
    report = result.report_path.read_bytes().decode("utf-8-sig")
    assert "  【学习园地】\r\n  2. 区工信局：江门市织密三级“暖企”网 推动工业经济迅速企稳回升\r\n     文件：学习园地/暖企.docx" in report
    assert_valid(result.path)


def test_order_txt_orders_columns_and_their_drafts(tmp_path):
    office = office_with(tmp_path, "")  # no configured columns: order.txt decides, then the rest by name
    month = office.month_dir()
    for column, name, title in [("乙栏", "a.docx", "乙栏甲稿"), ("乙栏", "b.docx", "乙栏乙稿"),
                                ("甲栏", "c.docx", "甲栏稿件"), ("丙栏", "d.docx", "丙栏稿件")]:
        f.make_draft(month / column / name, title=title, unit_line="区人社局", paragraphs=[f"{title}正文。"])
    (month / "order.txt").write_text("【乙栏】\nb.docx\na\n【甲栏】\n", encoding="utf-8")
    result = office.compile()
    _, toc = toc_and_body(result.path)
    assert [t for _, t in toc] == ["目  录", "【乙栏】", "1.\t区人社局：乙栏乙稿", "2.\t区人社局：乙栏甲稿",
                                   "【甲栏】", "3.\t区人社局：甲栏稿件", "【丙栏】", "4.\t区人社局：丙栏稿件"]


def test_no_contents_list_and_titles_that_open_with_the_unit(tmp_path):
    office = office_with(tmp_path, 'toc = "none"\n')
    office.draft("a.docx", title="区人社局多措并举促进农民工就业创业", paragraphs=["就业正文。"])
    office.draft("b.docx", title="区财政局扎实做好财政资金监管", paragraphs=["监管正文。"])
    result = office.compile()
    paragraphs, toc = toc_and_body(result.path)
    assert toc == []
    assert [(s, t) for s, t in paragraphs if t][:5] == [
        ("Masthead Top", "章贡区“五型”政府建设"),
        ("Masthead", "工作简报"),
        ("Issue Line", "第64期"),
        ("Office Line", "区“五型”政府建设领导小组办公室\t2026年10月28日"),
        ("Article Title", "区人社局多措并举促进农民工就业创业"),
    ]
    assert "Article Unit" not in [s for s, _ in paragraphs]  # the unit is in the title: not printed twice
    assert "Notice Heading" not in [s for s, _ in paragraphs]
    assert_valid(result.path)


def test_the_contents_list_is_text_not_a_field(tmp_path):
    """The contents are right when the file is opened: no TOC field for Word to update, no update prompt."""
    for n, layout in enumerate(['toc = "numbered"\n', 'toc = "bullets"\n', 'toc = "none"\n']):
        office = make_workspace(tmp_path / f"ws{n}", settings=SETTINGS + "\n[layout]\n" + layout)
        office.draft("a.docx", title="稿件标题", unit_line="区人社局")
        result = office.compile()
        with zipfile.ZipFile(result.path) as package:
            document = package.read("word/document.xml").decode()
            settings = package.read("word/settings.xml").decode()
        assert "fldChar" not in document and "instrText" not in document and "fldSimple" not in document
        assert "updateFields" not in settings


def test_special_issue_under_the_masthead_and_in_the_file_name(tmp_path):
    office = office_with(tmp_path, 'special = "专刊"\n')
    office.draft("a.docx", title="稿件标题", unit_line="区人社局")
    result = office.compile()
    assert result.path.name == "工作简报第64期（专刊）.docx"
    paragraphs = [(s, t) for s, t in body_paragraphs(result.path) if t]
    assert paragraphs[1:4] == [("Masthead", "工作简报"), ("Special Line", "（专刊）"), ("Issue Line", "第64期")]
    # a recompile as a regular issue replaces it: one bulletin per month
    (office.root / "bulletin.toml").write_text(SETTINGS, encoding="utf-8")
    again = office.compile()
    assert sorted(p.name for p in again.path.parent.glob("*.docx")) == ["工作简报第64期.docx"]


def test_issue_note_is_printed_after_the_masthead_as_text(tmp_path):
    office = office_with(tmp_path, "")
    office.draft("a.docx", title="稿件标题", unit_line="区人社局")
    (office.month_dir() / "编者按.txt").write_text(
        "本期集中刊发各单位优化营商环境的做法。{{ 7*7 }}\r\n\r\n<b>请各单位结合实际参阅。</b>\r\n", encoding="gb18030")
    result = office.compile()
    paragraphs = [(s, t) for s, t in body_paragraphs(result.path) if t]
    at = paragraphs.index(("Office Line", "区“五型”政府建设领导小组办公室\t2026年10月28日"))
    assert paragraphs[at + 1:at + 4] == [
        ("Issue Note", "【编者按】本期集中刊发各单位优化营商环境的做法。{{ 7*7 }}"),
        ("Issue Note", "<b>请各单位结合实际参阅。</b>"),
        ("TOC Heading", "目  录"),
    ]
    assert [r.file for r in result.intake.refused] == []  # 编者按.txt is not a draft
    assert "本期编者按（编者按.txt）已编入，共 2 段" in result.intake.notes
    assert_valid(result.path)


def test_editor_notes_before_or_after_the_title_precede_it_in_kaiti(tmp_path):
    office = office_with(tmp_path, "")
    before = Document()
    before.add_paragraph("【编者按】日前，省府办公厅《粤府信息》以粤信条目形式编辑刊登了政务信息。现全文刊载如下，供参阅学习。")
    before.add_paragraph("江门市织密三级“暖企”网")
    before.add_paragraph("区工信局")
    before.add_paragraph("暖企正文。")
    before.save(str(office.month_dir() / "a.docx"))
    f.make_draft(office.month_dir() / "b.docx", title="区医保局织牢医保基金监管网",
                 paragraphs=["编者按：区医保局的做法值得借鉴。", "监管正文。"])
    result = office.compile()
    paragraphs = [(s, t) for s, t in body_paragraphs(result.path) if t and s not in TOC_STYLES]
    start = next(i for i, (s, _) in enumerate(paragraphs) if s == "Editor Note")
    assert paragraphs[start:start + 7] == [
        ("Editor Note", "【编者按】日前，省府办公厅《粤府信息》以粤信条目形式编辑刊登了政务信息。现全文刊载如下，供参阅学习。"),
        ("Article Title", "江门市织密三级“暖企”网"),
        ("Article Unit", "区工信局"),
        ("Normal", "暖企正文。"),
        ("Editor Note", "编者按：区医保局的做法值得借鉴。"),
        ("Article Title", "区医保局织牢医保基金监管网"),
        ("Normal", "监管正文。"),
    ]
    note_style = Document(str(result.path)).styles["Editor Note"]
    assert note_style.element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"


def test_layout_settings_are_checked_in_chinese(tmp_path):
    office = office_with(tmp_path, 'toc = "list"\ncolumns = ["../外部"]\n')
    office.draft("a.docx", title="稿件标题", unit_line="区人社局")
    with pytest.raises(ConfigError) as error:
        office.compile()
    assert "layout.toc：只能是 \"numbered\", \"bullets\" 或 \"none\"，现在是 \"list\"" in str(error.value)
    assert "栏目名“../外部”不能含有 / \\ : * ? \" < > | 等字符（栏目名就是子文件夹名）" in str(error.value)


def test_init_with_the_zhengwu_layout_compiles_columns(tmp_path):
    target = tmp_path / "新工作目录"
    result = runner.invoke(app, ["init", str(target), "--layout", "政务信息"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    toml = (target / "bulletin.toml").read_text(encoding="utf-8")
    assert '[layout]\nname = "政务信息"\ntoc = "bullets"\n' in toml
    month = next(p for p in (target / "inputs").iterdir() if p.is_dir())
    assert sorted(p.name for p in month.iterdir() if p.is_dir()) == ["工作进展", "经验交流"]
    compiled = runner.invoke(app, ["compile", "-w", str(target), "--month", month.name, "--no-notices"],
                             catch_exceptions=False)
    assert compiled.exit_code in (0, 2), compiled.output
    bulletin = next((target / "outputs" / month.name).glob("政务信息第*期.docx"))  # the layout names its file
    _, toc = toc_and_body(bulletin)
    assert toc[0] == ("TOC Column", "【工作进展】") and toc[1][1].startswith("●")
    assert ("TOC Column", "【经验交流】") in toc
    assert_valid(bulletin)


def test_init_refuses_an_unknown_layout(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "x"), "--layout", "公告"])
    assert result.exit_code != 0
    assert "公告" in result.output and "工作简报" in result.output and "政务信息" in result.output
    assert not (tmp_path / "x").exists()


def test_an_old_template_without_the_layout_tags_is_named_in_the_report(tmp_path):
    """A template made before the layouts (no column or trailer tags) prints what it can; the report says
    what it could not print."""
    import shutil

    from bulletin.core.resources import shipped_template

    old = tmp_path / "old.docx"
    shutil.copy(shipped_template(), old)
    with zipfile.ZipFile(old) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    xml = parts["word/document.xml"].decode()
    for tag in ("{{ article.column_heading }}", "{{ article.byline }}"):
        xml = xml.replace(tag, "")
    parts["word/document.xml"] = xml.encode()
    with zipfile.ZipFile(old, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    office = make_workspace(tmp_path / "ws", settings=SETTINGS.replace(
        "[bulletin]\n", f'[bulletin]\ntemplate = "{old}"\n') + '\n[layout]\nbyline = "trailer"\n')
    f.make_draft(office.month_dir() / "工作进展" / "a.docx", title="稿件标题", unit_line="区人社局")
    result = office.compile()
    assert result.intake.notes[-2:] == [
        "模板 old.docx 中没有 {{ article.column_heading }} 标记，栏目标题（◆栏目◆）未能印出：请改用软件自带的模板，或按 templates/README.md 加上该标记",
        "模板 old.docx 中没有 {{ article.byline }} 标记，文末供稿行（XX供稿）未能印出：请改用软件自带的模板，或按 templates/README.md 加上该标记",
    ]
