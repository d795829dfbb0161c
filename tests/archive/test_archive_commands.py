"""The archive through the real commands (issue 27): three months compiled and approved, one rejected; search,
near-duplicates at compile, the year's 汇编 (contents and unit index), rebuild from the approved files.

The drafts are written here in the style of a district's 工作简报; every expected value is worked out by hand
from them."""

from __future__ import annotations

import re
import sqlite3

import pytest
from docx import Document
from typer.testing import CliRunner
from workspace_kit import make_workspace

from bulletin.cli import app

runner = CliRunner()

WAGES = ("区人社局“三个到位”根治欠薪冬季攻坚", "区人社局",
         ["入冬以来，区人社局聚焦工程建设领域，全面开展根治欠薪冬季专项行动，切实保障农民工工资按时足额支付。",
          "一是排查到位。联合住建、交通等部门对全区在建项目开展拉网式排查，共检查项目86个，发现问题隐患12条。",
          "二是调处到位。畅通“12345”热线和线上投诉渠道，受理欠薪线索37件，已办结35件，为412名农民工追回工资638万元。",
          "三是惩戒到位。对拒不支付劳动报酬的2家企业移送公安机关，将3家企业列入拖欠农民工工资失信联合惩戒对象名单。"])
BUDGET = ("区财政局强化预算绩效管理 提升财政资金使用效益", "区财政局",
          ["今年以来，区财政局坚持“花钱必问效、无效必问责”，全面实施预算绩效管理。",
           "全年对128个项目开展事前绩效评估，核减预算资金2360万元；对重点民生项目开展绩效运行监控，督促整改问题19个。",
           "同时，区财政局统筹资金保障农民工工资专户运行，确保政府投资项目工资支付按月到位。"])
SCHOOL = ("区教体局扎实推进义务教育优质均衡发展", "区教体局",
          ["区教体局以创建国家义务教育优质均衡发展区为目标，新建改扩建学校6所，新增学位5400个。",
           "组建教育集团9个，推动城区优质学校与农村薄弱学校结对帮扶，交流轮岗教师218名。"])
PERMITS = ("区行政审批局推行“一件事一次办”", "区行政审批局",
           ["区行政审批局梳理企业开办、不动产登记等高频事项32项，推行“一件事一次办”集成服务。",
            "全年累计办件4.6万件，平均办理时限压缩62%，群众满意率99.8%。"])
HOUSING = ("区住建局加快老旧小区改造", "区住建局",
           ["区住建局统筹推进老旧小区改造，全年改造小区41个，惠及居民6800户。",
            "改造中同步加装电梯23部，新增停车位1100个，群众获得感明显增强。"])
# The 住建局 copies the 人社局's September article two months later: title, unit and a few words changed.
COPY = ("区住建局全力做好根治欠薪冬季攻坚工作", "区住建局",
        ["入冬以来，区住建局聚焦工程建设领域，全面开展根治欠薪冬季专项行动，切实保障农民工工资按时足额支付。",
         "一是排查到位。联合人社、交通等部门对全区在建项目开展拉网式排查，共检查项目86个，发现问题隐患12条。",
         "二是调处到位。畅通“12345”热线和线上投诉渠道，受理欠薪线索37件，已办结35件，为412名农民工追回工资638万元。",
         "三是惩戒到位。对拒不支付劳动报酬的2家企业移送公安机关，将3家企业列入拖欠农民工工资失信联合惩戒对象名单。"])

MONTHS = {  # month -> (date, drafts in the order their file names sort)
    "2026-09": ("2026-09-25", [WAGES, BUDGET]),
    "2026-10": ("2026-10-28", [SCHOOL, PERMITS]),
    "2026-11": ("2026-11-26", [HOUSING]),  # rejected
    "2026-12": ("2026-12-24", [COPY]),
}


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def write_month(office, month: str, drafts) -> None:
    for n, (title, unit, paragraphs) in enumerate(drafts, start=1):
        office.draft(f"{n:02d}-{unit}.docx", month=month, title=title, unit_line=unit, paragraphs=paragraphs)


@pytest.fixture
def year(tmp_path):
    """Sep, Oct approved; Nov rejected; Dec compiled (with the copy) and approved."""
    office = make_workspace(tmp_path / "office")
    ws = ["--workspace", str(office.root)]
    outputs = {}
    for month, (day, drafts) in MONTHS.items():
        write_month(office, month, drafts)
        outputs[month] = invoke("compile", *ws, "--month", month, "--date", day)
        if month == "2026-11":
            outputs[f"{month} decision"] = invoke("reject", *ws, "--month", month, "--by", "王主任",
                                                  "--comment", "数据待核实")
        else:
            outputs[f"{month} decision"] = invoke("approve", *ws, "--month", month, "--by", "王主任")
    return office, ws, outputs


def test_each_approval_archives_its_issue_and_a_rejection_does_not(year):
    office, ws, outputs = year
    assert "已归档：工作简报 2026-09 共 2 篇文章" in outputs["2026-09 decision"]
    assert "已归档：工作简报 2026-10 共 2 篇文章" in outputs["2026-10 decision"]
    assert "已归档" not in outputs["2026-11 decision"]
    with sqlite3.connect(office.root / ".bulletin" / "ledger.sqlite3") as db:
        rows = db.execute("SELECT month, number, position, unit, title FROM archive_articles "
                          "ORDER BY month, position").fetchall()
    assert rows == [
        ("2026-09", 64, 1, "区人社局", WAGES[0]), ("2026-09", 64, 2, "区财政局", BUDGET[0]),
        ("2026-10", 65, 1, "区教体局", SCHOOL[0]), ("2026-10", 65, 2, "区行政审批局", PERMITS[0]),
        ("2026-12", 67, 1, "区住建局", COPY[0]),
    ]


def test_search_finds_a_two_character_word_with_issue_date_unit_title_and_sentence(year):
    office, ws, _ = year
    out = invoke("search", "欠薪", *ws)
    # 欠薪 is in the September article (title and text) and in the December copy; not in the 财政局 one
    assert out.splitlines()[0] == "找到 2 篇："
    # both hold 欠薪 in the title and twice in the text: the newer issue first
    assert "1. 第67期（2026年12月24日）区住建局：区住建局全力做好根治欠薪冬季攻坚工作" in out
    assert "2. 第64期（2026年9月25日）区人社局：区人社局“三个到位”根治欠薪冬季攻坚" in out
    assert "入冬以来，区人社局聚焦工程建设领域，全面开展根治欠薪冬季专项行动，切实保障农民工工资按时足额支付。" in out


def test_search_ranks_the_exact_phrase_first(year):
    office, ws, _ = year
    # "农民工 工资": 人社局 and 住建局 write 农民工工资 side by side; the 财政局 writes 农民工工资专户 too — and
    # the 教体局 article has neither word. Then "绩效 管理" : only the 财政局, its title holds 绩效管理.
    out = invoke("search", "农民工", "工资", *ws, "--year", "2026")
    lines = [line for line in out.splitlines() if re.match(r"\d+\. ", line)]
    assert len(lines) == 3
    out = invoke("search", "预算", "管理", *ws)
    assert "1. 第64期（2026年9月25日）区财政局：区财政局强化预算绩效管理 提升财政资金使用效益" in out
    # phrase typed as one word vs the words apart: 工资按时 stands as such only in the two 欠薪 articles
    out = invoke("search", "工资按时足额", *ws)
    assert out.splitlines()[0] == "找到 2 篇："
    out = invoke("search", "保障", "工资", *ws, "--unit", "财政")
    assert out.splitlines()[0] == "找到 1 篇："
    assert "同时，区财政局统筹资金保障农民工工资专户运行，确保政府投资项目工资支付按月到位。" in out


def test_exact_phrase_ranks_before_words_apart(year):
    office, ws, _ = year
    # "工资 支付": the 财政局 (September) writes 工资支付 side by side; the 人社局 (September) and the 住建局
    # (December) have both words five times but never together. The phrase first, although older.
    out = invoke("search", "工资", "支付", *ws)
    lines = [line for line in out.splitlines() if re.match(r"\d+\. ", line)]
    assert [line.split("）", 1)[1].split("：")[0] for line in lines] == ["区财政局", "区住建局", "区人社局"]
    assert "确保政府投资项目工资支付按月到位" in out.split("2. ")[0]
    out = invoke("search", "欠薪", "攻坚", *ws, "--year", "2026", "--unit", "人社")
    assert out.splitlines()[0] == "找到 1 篇："


def test_the_rewritten_copy_is_marked_near_duplicate_with_the_earlier_issue(year):
    office, ws, outputs = year
    report = (office.root / "outputs" / "2026-12" / "收稿报告.txt").read_text(encoding="utf-8-sig")
    line = next(line for line in report.splitlines() if "疑似重复" in line)
    assert "与第64期（2026年9月25日）区人社局《区人社局“三个到位”根治欠薪冬季攻坚》相似度" in line
    similarity = float(re.search(r"相似度 (\d\.\d\d)", line).group(1))
    assert 0.8 <= similarity < 1.0
    assert "区住建局全力做好根治欠薪冬季攻坚工作" in report  # never dropped: it is in the issue
    assert "编入 1 篇" in report
    # the other months: nothing alike
    for month in ("2026-09", "2026-10", "2026-11"):
        text = (office.root / "outputs" / month / "收稿报告.txt").read_text(encoding="utf-8-sig")
        assert "疑似重复" not in text


def test_a_draft_like_another_units_draft_of_the_same_month_is_marked_both_ways(tmp_path):
    office = make_workspace(tmp_path / "office")
    ws = ["--workspace", str(office.root)]
    write_month(office, "2026-10", [WAGES, COPY, SCHOOL])
    out = invoke("compile", *ws, "--month", "2026-10")
    report = (office.root / "outputs" / "2026-10" / "收稿报告.txt").read_text(encoding="utf-8-sig")
    marks = [line for line in report.splitlines() if "疑似重复" in line]
    assert len(marks) == 2
    assert "与本期（文件 02-区住建局.docx）区住建局《区住建局全力做好根治欠薪冬季攻坚工作》" in marks[0]
    assert "与本期（文件 01-区人社局.docx）区人社局《区人社局“三个到位”根治欠薪冬季攻坚》" in marks[1]
    assert "编入 3 篇" in out


def test_threshold_from_bulletin_toml(tmp_path):
    office = make_workspace(tmp_path / "office")
    toml = office.root / "bulletin.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[intake]\nnear_duplicate = 0.99\n", encoding="utf-8")
    write_month(office, "2026-10", [WAGES, COPY])
    invoke("compile", "--workspace", str(office.root), "--month", "2026-10")
    report = (office.root / "outputs" / "2026-10" / "收稿报告.txt").read_text(encoding="utf-8-sig")
    assert "疑似重复" not in report


def test_rebuild_reads_the_approved_files_again(year):
    office, ws, _ = year
    db = office.root / ".bulletin" / "ledger.sqlite3"
    with sqlite3.connect(db) as conn:  # as if approved before the archive existed
        conn.execute("DELETE FROM archive_articles")
        conn.execute("INSERT INTO archive_fts(archive_fts) VALUES ('delete-all')")
        conn.execute("DELETE FROM archive_issues")
    assert invoke("search", "欠薪", *ws).startswith("没有找到")
    out = invoke("archive", "rebuild", *ws)
    assert "已归档 3 期" in out
    assert "工作简报 2026-11" in out and "未通过" in out
    assert "2. 第64期（2026年9月25日）区人社局" in invoke("search", "欠薪", *ws)
    with sqlite3.connect(db) as conn:
        text = conn.execute("SELECT text FROM archive_articles WHERE month = '2026-10' AND position = 2").fetchone()[0]
    assert text == "\n".join(PERMITS[2])


def _compendium(office, ws):
    out = invoke("compendium", *ws, "--year", "2026")
    path = office.root / "outputs" / "汇编" / "2026年章贡区“五型”政府建设工作简报汇编.docx"
    assert str(path) in out.replace("\n", "")
    return out, path, [p.text for p in Document(path).paragraphs]


def _section(texts: list[str], start: str, stop: str) -> list[str]:
    begin = texts.index(start)
    end = next(i for i in range(begin + 1, len(texts)) if texts[i] == stop)
    return texts[begin + 1:end]


@pytest.mark.slow
@pytest.mark.libreoffice
def test_compendium_holds_exactly_the_approved_issues_with_contents_and_unit_index(year):
    from libreoffice import pdf_text, require_soffice, to_pdf
    from ooxml_audit import assert_valid

    require_soffice()
    office, ws, _ = year
    out, path, texts = _compendium(office, ws)
    assert "3 期，5 篇文章" in out
    assert "未收入（未审核通过）：2026年11月（第66期）" in out
    assert_valid(path)
    contents = _section(texts, "目 录", "第64期（2026年9月25日）")
    pages = {}
    entries = []
    for line in contents:
        if "\t" in line:
            text, page = line.split("\t")
            pages[text] = int(page)
            entries.append(text)
        else:
            entries.append(line)
    assert entries == [
        "第64期 2026年9月25日", WAGES[0], BUDGET[0],
        "第65期 2026年10月28日", SCHOOL[0], PERMITS[0],
        "第67期 2026年12月24日", COPY[0],
        "未收入本汇编（未审核通过）：2026年11月（第66期）",
    ]
    body = texts[texts.index("第64期（2026年9月25日）"):texts.index("单位索引")]
    titles = [t for t in body if t in {a[0] for a in (WAGES, BUDGET, SCHOOL, PERMITS, HOUSING, COPY)}]
    assert titles == [WAGES[0], BUDGET[0], SCHOOL[0], PERMITS[0], COPY[0]]  # 住建局's November article: out
    assert HOUSING[2][0] not in texts
    assert all(p in texts for p in WAGES[2] + PERMITS[2] + COPY[2])
    index = texts[texts.index("单位索引") + 1:]
    assert [line.split("\t")[0] for line in index] == [
        "区人社局", f"第64期 {WAGES[0]}", "区财政局", f"第64期 {BUDGET[0]}",
        "区教体局", f"第65期 {SCHOOL[0]}", "区行政审批局", f"第65期 {PERMITS[0]}",
        "区住建局", f"第67期 {COPY[0]}",
    ]
    # the page numbers are those of the laid-out file: each title stands on the page the contents name
    pdf = to_pdf(path, path.parent / "check")
    page_texts = pdf_text(pdf).split("\f")
    for title, page in pages.items():
        assert "".join(title.split()) in "".join(page_texts[page - 1].split()), (title, page)
    assert pages[WAGES[0]] == 3 and pages[COPY[0]] > pages[PERMITS[0]] >= pages[SCHOOL[0]] > pages[BUDGET[0]] - 1
    assert [int(line.split("\t")[1]) for line in index if "\t" in line] == [
        pages[WAGES[0]], pages[BUDGET[0]], pages[SCHOOL[0]], pages[PERMITS[0]], pages[COPY[0]]]
