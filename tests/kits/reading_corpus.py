"""A corpus of drafts written the way departments really write them, each with what reading must find.

    from reading_corpus import CASES, write_corpus, ROSTER_CSV
    paths = write_corpus(folder)        # every case as a .docx (python-docx; LibreOffice ones separately)

A case lists its paragraphs as (kind, text): "title" (centred, 方正小标宋 22 pt, as offices format titles),
"Title" (the Title style), "bold" (bold, left: a title typed without centring), "unit" (centred 楷体 body size,
the unit line), "body" (first-line indent), "right" (right-aligned, bylines and dates), "plain" (no
formatting at all), "note" (the editor's note, 楷体). Expected: the title lines, the unit and where it came
from, the first and last body paragraphs, and words the report must hold for the draft.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import draft_factory as f
from repo_paths import REPO
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

ROSTER_CSV = (REPO / "inputs" / "units.csv").read_text(encoding="utf-8")
BODY1 = "今年以来，我局坚持问题导向，细化工作举措，各项重点工作有序推进，取得阶段性成效。"
BODY2 = "截至10月底，已完成年度目标任务的86.5%，较去年同期提高4.2个百分点。"
BODY3 = "下一步，我局将进一步压实工作责任，确保全年目标任务圆满完成。"
LONG = ("今年以来，区人社局深入贯彻落实区委、区政府关于稳就业工作的决策部署，坚持把稳就业作为最大的民生工程，"
        "聚焦重点群体、企业用工和技能提升三个关键环节精准发力，") * 5 + "全区就业局势保持总体稳定。"
assert len(LONG) > 300


@dataclass
class Case:
    file: str
    paragraphs: list[tuple[str, str]]
    title: tuple[str, ...]
    unit: str
    source: str  # line | title | byline | mailbox | filename | author | ""
    first: str
    last: str
    report: tuple[str, ...] = ()  # words the report holds for this draft
    author: str = ""
    subtitle: str = ""
    note: str = ""
    in_title: bool = False  # the TOC names the title alone
    flagged: bool = False
    sender: str = ""  # the unit registered for the mailbox it came from
    footnote_on_title: str = ""


def _body(*extra: str) -> list[tuple[str, str]]:
    return [("body", BODY1), ("body", BODY2), *[("body", t) for t in extra], ("body", BODY3)]


CASES: list[Case] = [
    # -- titles over several lines, subtitles, editor's notes, labels ------------------------------------
    Case("01-两行标题.docx",
         [("title", "我市强化“三双”机制"), ("title", "精准有效推进污染防治攻坚战"), ("unit", "区生态环境分局"), *_body()],
         ("我市强化“三双”机制", "精准有效推进污染防治攻坚战"), "区生态环境分局", "line", BODY1, BODY3,
         ("我市强化“三双”机制 精准有效推进污染防治攻坚战", "标题分2行")),
    Case("02-三行标题.docx",
         [("title", "坚持“三个聚焦”"), ("title", "强化“四个保障”"), ("title", "全力推动稳就业工作提质增效"),
          ("unit", "区人社局"), *_body()],
         ("坚持“三个聚焦”", "强化“四个保障”", "全力推动稳就业工作提质增效"), "区人社局", "line", BODY1, BODY3,
         ("标题分3行",)),
    Case("03-标题样式两行.docx",
         [("Title", "深化“放管服”改革"), ("Title", "持续优化营商环境"), ("unit", "区行政审批局"), *_body()],
         ("深化“放管服”改革", "持续优化营商环境"), "区行政审批局", "line", BODY1, BODY3),
    Case("04-加粗标题两行.docx",
         [("bold", "聚焦群众急难愁盼"), ("bold", "扎实办好民生实事"), ("plain", "区民政局"), *_body()],
         ("聚焦群众急难愁盼", "扎实办好民生实事"), "区民政局", "line", BODY1, BODY3),
    Case("05-副标题.docx",
         [("title", "织密兜底保障网"), ("unit", "——全区社会救助工作综述"), ("unit", "区民政局"), *_body()],
         ("织密兜底保障网",), "区民政局", "line", BODY1, BODY3, ("副标题：——全区社会救助工作综述",),
         subtitle="——全区社会救助工作综述"),
    Case("区司法局-法治政府建设.docx",
         [("title", "法治政府建设再上新台阶"), ("unit", "——我区法治政府建设示范创建工作纪实"), *_body()],
         ("法治政府建设再上新台阶",), "区司法局", "filename", BODY1, BODY3, ("单位取自文件名",),
         subtitle="——我区法治政府建设示范创建工作纪实"),
    Case("07-编者按在前.docx",
         [("note", "【编者按】今年以来，区医保局创新监管方式，成效明显。现将其做法刊发，供各地学习借鉴。"),
          ("title", "织牢医保基金监管网"), ("unit", "区医保局"), *_body()],
         ("织牢医保基金监管网",), "区医保局", "line", BODY1, BODY3, ("编者按：【编者按】今年以来",),
         note="【编者按】今年以来，区医保局创新监管方式，成效明显。现将其做法刊发，供各地学习借鉴。"),
    Case("08-编者按在后.docx",
         [("title", "城市更新跑出加速度"), ("unit", "区住建局"),
          ("note", "编者按：城市更新是民生工程，区住建局的做法值得推广。"), *_body()],
         ("城市更新跑出加速度",), "区住建局", "line", BODY1, BODY3,
         note="编者按：城市更新是民生工程，区住建局的做法值得推广。"),
    Case("09-工作信息.docx",
         [("unit", "工作信息"), ("title", "多举措推进耕地保护"), ("unit", "区自然资源局"), *_body()],
         ("多举措推进耕地保护",), "区自然资源局", "line", BODY1, BODY3, ("“工作信息”不是标题",)),
    Case("区人社局-稳就业工作.docx", [("plain", LONG), *_body()],
         ("稳就业工作",), "区人社局", "filename", LONG, BODY3, ("稿件第一段是正文而不是标题",), flagged=True),
    Case("区财政局_预算绩效管理.docx", [("plain", "今年以来，我局全面实施预算绩效管理。"), *_body()],
         ("预算绩效管理",), "区财政局", "filename", "今年以来，我局全面实施预算绩效管理。", BODY3, flagged=True),
    Case("12-会议名称.docx",
         [("title", "全区安全生产工作再部署"), ("title", "2026年全区安全生产工作推进会召开"), ("unit", "区应急管理局"),
          *_body()],
         ("全区安全生产工作再部署", "2026年全区安全生产工作推进会召开"), "区应急管理局", "line", BODY1, BODY3,
         flagged=True),  # not in the roster
    Case("13-会议名称在单位行.docx",
         [("title", "全区安全生产工作再部署"), ("unit", "2026年全区安全生产工作推进会"), *_body(),
          ("right", "（区城管局供稿）")],
         ("全区安全生产工作再部署",), "区城管局", "byline", "2026年全区安全生产工作推进会", BODY3),
    # -- the unit inside the title ------------------------------------------------------------------------
    Case("14-标题含单位.docx", [("title", "区民政局多措并举提升养老服务水平"), *_body()],
         ("区民政局多措并举提升养老服务水平",), "区民政局", "title", BODY1, BODY3, ("单位取自标题开头",),
         in_title=True),
    Case("15-标题含名册外单位.docx", [("title", "市住建局积极推进城镇老旧小区改造"), *_body()],
         ("市住建局积极推进城镇老旧小区改造",), "市住建局", "title", BODY1, BODY3, ("不在单位名册",),
         in_title=True, flagged=True),
    Case("16-标题和单位行都有单位.docx",
         [("title", "区生态环境分局扎实推进大气污染防治"), ("unit", "区生态环境分局"), *_body()],
         ("区生态环境分局扎实推进大气污染防治",), "区生态环境分局", "line", BODY1, BODY3, in_title=True),
    Case("17-标题含单位全称.docx", [("title", "区医疗保障局推行医保服务“就近办”"), *_body()],
         ("区医疗保障局推行医保服务“就近办”",), "区医保局", "title", BODY1, BODY3, in_title=True),
    # -- unit lines ---------------------------------------------------------------------------------------
    Case("18-单位行带人名.docx", [("title", "技能人才培养见成效"), ("unit", "区人社局 张三"), *_body()],
         ("技能人才培养见成效",), "区人社局", "line", BODY1, BODY3, ("署名未印在简报上：张三",)),
    Case("19-单位行全角空格人名.docx", [("title", "惠企政策兑现提速"), ("unit", "区财政局\u3000李四"), *_body()],
         ("惠企政策兑现提速",), "区财政局", "line", BODY1, BODY3, ("署名未印在简报上：李四",)),
    Case("20-单位行人名相连.docx", [("title", "预算绩效管理提质"), ("unit", "区财政局李四"), *_body()],
         ("预算绩效管理提质",), "区财政局", "line", BODY1, BODY3, ("署名未印在简报上：李四",)),
    Case("21-单位行括号.docx", [("title", "公共法律服务更便民"), ("unit", "（区司法局）"), *_body()],
         ("公共法律服务更便民",), "区司法局", "line", BODY1, BODY3),
    Case("22-单位行破折号.docx", [("title", "外贸稳增长见实效"), ("unit", "——区商务局"), *_body()],
         ("外贸稳增长见实效",), "区商务局", "line", BODY1, BODY3),
    Case("23-供稿单位行.docx", [("title", "统计数据质量再提升"), ("unit", "供稿单位：区统计局"), *_body()],
         ("统计数据质量再提升",), "区统计局", "line", BODY1, BODY3),
    Case("24-单位行别名.docx", [("title", "“双减”工作落地见效"), ("unit", "区教育体育局"), *_body()],
         ("“双减”工作落地见效",), "区教体局", "line", BODY1, BODY3),
    # -- bylines at the end -------------------------------------------------------------------------------
    Case("25-供稿.docx", [("title", "财政资金监管有力"), *_body(), ("right", "（区财政局供稿）")],
         ("财政资金监管有力",), "区财政局", "byline", BODY1, BODY3, ("单位取自文末署名", "（区财政局供稿）")),
    Case("26-供稿单位括号.docx", [("title", "财政收入稳中有进"), *_body(), ("right", "（供稿单位：区财政局）")],
         ("财政收入稳中有进",), "区财政局", "byline", BODY1, BODY3),
    Case("27-供稿无括号.docx", [("title", "根治欠薪见成效"), *_body(), ("right", "区人社局供稿")],
         ("根治欠薪见成效",), "区人社局", "byline", BODY1, BODY3),
    Case("28-供稿撰稿人.docx", [("title", "医保便民服务再升级"), *_body(), ("right", "（区医保局供稿 撰稿人：王五）")],
         ("医保便民服务再升级",), "区医保局", "byline", BODY1, BODY3, ("撰稿人：王五",)),
    Case("29-落款单位日期.docx", [("title", "就业援助月活动启动"), *_body(), ("right", "区人社局"),
                                ("right", "2026年11月5日")],
         ("就业援助月活动启动",), "区人社局", "byline", BODY1, BODY3, ("区人社局；2026年11月5日",)),
    Case("30-撰稿审核.docx", [("title", "市场主体活力增强"), *_body(), ("right", "（区市场监管局供稿）"),
                             ("plain", "撰稿：王五 审核：李四")],
         ("市场主体活力增强",), "区市场监管局", "byline", BODY1, BODY3, ("撰稿：王五", "审核：李四")),
    Case("区卫健委-医疗质量提升.docx", [("title", "医疗质量持续提升"), *_body(), ("right", "（撰稿人：赵六）")],
         ("医疗质量持续提升",), "区卫健委", "filename", BODY1, BODY3, ("撰稿人：赵六",)),
    Case("区农业农村局-粮食生产.docx", [("title", "粮食生产再获丰收"), *_body(), ("right", "2026年10月20日")],
         ("粮食生产再获丰收",), "区农业农村局", "filename", BODY1, BODY3, ("2026年10月20日",)),
    Case("33-联系人电话.docx", [("title", "生活垃圾分类提质"), *_body(), ("right", "（区城管局供稿）"),
                              ("plain", "联系人：张三 电话：8199917")],
         ("生活垃圾分类提质",), "区城管局", "byline", BODY1, BODY3, ("联系人：张三", "电话：8199917")),
    # -- file names ---------------------------------------------------------------------------------------
    Case("区医保局\u3000医保基金监管.docx", [("title", "医保基金监管出实招"), *_body()],
         ("医保基金监管出实招",), "区医保局", "filename", BODY1, BODY3),
    Case("区人社局 技能培训.docx", [("title", "技能培训惠及万人"), *_body()],
         ("技能培训惠及万人",), "区人社局", "filename", BODY1, BODY3),
    Case("【区住建局】建筑施工安全.docx", [("title", "建筑施工安全专项整治"), *_body()],
         ("建筑施工安全专项整治",), "区住建局", "filename", BODY1, BODY3),
    Case("[区财政局]惠企政策.docx", [("title", "惠企政策直达快享"), *_body()],
         ("惠企政策直达快享",), "区财政局", "filename", BODY1, BODY3),
    Case("区司法局：矛盾纠纷化解.docx", [("title", "矛盾纠纷多元化解"), *_body()],
         ("矛盾纠纷多元化解",), "区司法局", "filename", BODY1, BODY3),
    Case("区统计局统计服务.docx", [("title", "统计服务更加精准"), *_body()],
         ("统计服务更加精准",), "区统计局", "filename", BODY1, BODY3),
    # -- mailbox, author, nothing ------------------------------------------------------------------------
    Case("40-邮件来稿.docx", [("title", "数字经济发展提速"), *_body()],
         ("数字经济发展提速",), "区工信局", "mailbox", BODY1, BODY3, ("单位取自发件邮箱",), sender="区工信局"),
    Case("41-作者属性.docx", [("title", "校园安全管理加强"), *_body()],
         ("校园安全管理加强",), "区教体局", "author", BODY1, BODY3, ("单位取自文档作者",), author="区教育局"),
    Case("42-无单位.docx", [("title", "工作推进有力有序"), *_body()],
         ("工作推进有力有序",), "", "", BODY1, BODY3, ("未能识别供稿单位",), author="Administrator", flagged=True),
    Case("43-标题脚注.docx", [("title", "招商引资成效明显"), ("unit", "区商务局"), *_body()],
         ("招商引资成效明显",), "区商务局", "line", BODY1, BODY3, ("标题或署名行中的脚注已移至正文第一段末尾",),
         footnote_on_title="数据来源：区商务局统计。"),
]

# Drafts written in LibreOffice and saved as .docx by LibreOffice (the Title style, its own paragraph styles).
LO_CASES: list[Case] = [
    Case("LO-两行标题.docx",
         [("Title", "推动文明城市创建"), ("Title", "常态长效走深走实"), ("unit", "赣江街道"), *_body()],
         ("推动文明城市创建", "常态长效走深走实"), "赣江街道", "line", BODY1, BODY3),
    Case("LO-编者按署名.docx",
         [("note", "【编者按】解放街道探索“网格+”治理模式，现予刊发。"), ("Title", "“网格+”激活基层治理"), *_body(),
          ("right", "（解放街道供稿 撰稿人：孙七）")],
         ("“网格+”激活基层治理",), "解放街道", "byline", BODY1, BODY3, ("撰稿人：孙七",),
         note="【编者按】解放街道探索“网格+”治理模式，现予刊发。"),
    Case("LO-标题含单位.docx", [("Title", "南外街道“一老一小”服务暖民心"), *_body(), ("right", "2026年10月28日")],
         ("南外街道“一老一小”服务暖民心",), "南外街道", "title", BODY1, BODY3, in_title=True),
]


# -- python-docx ----------------------------------------------------------------------------------------

def _paragraph(doc, kind: str, text: str):
    if kind == "Title":
        return doc.add_paragraph(text, style="Title")
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    if kind == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        f._east_asian(run, f.TITLE_FONT, size=22)
    elif kind == "bold":
        f._east_asian(run, f.TITLE_FONT, bold=True)
    elif kind in ("unit",):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        f._east_asian(run, f.UNIT_FONT)
    elif kind == "note":
        f._indent_first_line(paragraph)
        f._east_asian(run, f.UNIT_FONT)
    elif kind == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif kind == "body":
        f._indent_first_line(paragraph)
    return paragraph


def write_case(case: Case, folder: Path) -> Path:
    doc = Document(io.BytesIO(f._base_docx()))
    with f._core_properties(doc) as props:
        props.author = props.last_modified_by = case.author
    first_title = None
    for kind, text in case.paragraphs:
        paragraph = _paragraph(doc, kind, text)
        if first_title is None and kind in ("title", "Title", "bold"):
            first_title = paragraph
    if case.footnote_on_title:
        f._add_footnote(doc, first_title, case.footnote_on_title)
    path = folder / case.file
    folder.mkdir(parents=True, exist_ok=True)
    f._save_reproducibly(doc, path)
    return path


def write_corpus(folder: Path) -> list[Path]:
    return [write_case(case, folder) for case in CASES]


def set_modified(path: Path, stamp: str) -> Path:
    """Give a draft another docProps/core.xml dcterms:modified (as Word does on every save)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "docProps/core.xml":
                blob = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), blob)
            dst.writestr(info, blob)
    path.write_bytes(out.getvalue())
    return path


# -- LibreOffice: its own document, saved as .docx by LibreOffice ---------------------------------------------

_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <style:style style:name="PUnit" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center"/></style:style>
  <style:style style:name="PRight" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="end"/></style:style>
  <style:style style:name="PBody" style:family="paragraph" style:parent-style-name="Text_20_body">
   <style:paragraph-properties fo:text-indent="0.28in"/></style:style>
 </office:automatic-styles>
 <office:body><office:text>
{body}
 </office:text></office:body>
</office:document>
"""
_LO_STYLE = {"Title": "Title", "unit": "PUnit", "right": "PRight", "body": "PBody", "note": "PBody", "plain": "Standard"}


def write_libreoffice_cases(folder: Path) -> list[Path]:
    """LO_CASES as .docx files saved by LibreOffice (one soffice run for all of them)."""
    from libreoffice import FONTS_CONF, require_soffice

    soffice = require_soffice()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for number, case in enumerate(LO_CASES):
            body = "\n".join(f'<text:p text:style-name="{_LO_STYLE[kind]}">{escape(text, quote=False)}</text:p>'
                             for kind, text in case.paragraphs)
            source = Path(tmp) / f"lo{number}.fodt"
            source.write_text(_FODT.format(body=body), encoding="utf-8")
            sources.append(source)
        env = {"FONTCONFIG_FILE": str(FONTS_CONF), "HOME": tmp, "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "docx",
             "--outdir", tmp, *map(str, sources)], capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stderr
        paths = []
        for number, case in enumerate(LO_CASES):
            target = folder / case.file
            target.write_bytes((Path(tmp) / f"lo{number}.docx").read_bytes())
            paths.append(target)
    return paths
