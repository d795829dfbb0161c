"""Benchmarks of the archive (issue 27): search over five years, and what the near-duplicate check adds to a
compile of 120 drafts against that archive.

    .venv/bin/python bench/archive.py              # both, figures printed and written to results/archive.json
    .venv/bin/python bench/archive.py --search     # only the search timings

The archive is generated here (`generated_archive`): 5 years × 12 issues × 30 articles = 1,800 articles in the
style of a district's 工作简报 — thirty units, each with its own topics, articles of four to six paragraphs
(an opening, measures with places and figures, results, a closing), about 500–800 characters each; a handful
mention 欠薪 or 农民工工资. Articles are written straight into the archive's tables (store.Archive), as an
approval would. Search timings are in-process (the database opened, the query run and ranked, the hits
formatted), median of 30 after one warm-up; a whole `bulletin search` process is timed once for reference.
The compile is `compile_month` over 120 realistic drafts (bench/common.py), best of 3, once with an empty
archive and once with the generated one; the check alone is also timed.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import MONTH, REPO, RESULTS, WORK, compile_workspace

from bulletin.archive.duplicates import archive_path, mark_near_duplicates
from bulletin.archive.store import Archive, ArchivedArticle, ArchivedIssue
from bulletin.core.workspace import Workspace
from bulletin.office.archive import hit_lines, search

UNITS = {
    "区人社局": ["根治欠薪", "稳岗就业", "技能人才培养", "社保扩面"],
    "区财政局": ["预算绩效管理", "国有资产管理", "政府采购监管", "直达资金监控"],
    "区教体局": ["义务教育优质均衡", "校园安全", "课后服务", "全民健身"],
    "区卫健委": ["家庭医生签约", "医共体建设", "爱国卫生运动", "妇幼健康服务"],
    "区住建局": ["老旧小区改造", "建筑施工安全", "保障性住房", "燃气安全整治"],
    "区行政审批局": ["一件事一次办", "企业开办", "工程建设项目审批", "政务服务好差评"],
    "区市场监管局": ["食品安全", "特种设备安全", "知识产权保护", "价格监督检查"],
    "区应急管理局": ["安全生产大检查", "防汛备汛", "森林防灭火", "应急演练"],
    "区民政局": ["养老服务", "社会救助", "婚姻登记", "基层政权建设"],
    "区司法局": ["法治政府建设", "人民调解", "社区矫正", "公共法律服务"],
    "区自然资源局": ["耕地保护", "不动产登记", "土地节约集约利用", "地质灾害防治"],
    "区生态环境分局": ["大气污染防治", "河湖长制", "土壤污染防治", "环境执法"],
    "区农业农村局": ["粮食生产", "高标准农田建设", "和美乡村建设", "农产品质量安全"],
    "区商务局": ["招商引资", "促消费", "外贸稳增长", "电子商务进农村"],
    "区统计局": ["统计数据质量", "经济普查", "统计执法", "统计服务"],
    "区城管局": ["市容环境整治", "生活垃圾分类", "违法建设治理", "城市照明"],
    "区交通运输局": ["农村公路建设", "道路运输安全", "公交优先", "治超治限"],
    "区水利局": ["水利工程建设", "农村饮水安全", "水土保持", "河道采砂管理"],
    "区文广新旅局": ["文旅融合", "公共文化服务", "文物保护", "旅游市场整治"],
    "区退役军人事务局": ["双拥共建", "退役军人就业", "优抚帮扶", "英烈褒扬"],
    "区医保局": ["医保基金监管", "医保便民服务", "长期护理保险", "集采药品落地"],
    "区工信局": ["工业稳增长", "企业技术改造", "数字经济", "中小企业服务"],
    "区发改委": ["重大项目建设", "营商环境优化", "社会信用体系", "价格监测"],
    "区信访局": ["信访积案化解", "领导干部接访", "网上信访", "矛盾纠纷排查"],
    "解放街道": ["基层治理", "社区服务", "平安建设", "文明创建"],
    "南外街道": ["老旧小区改造", "一老一小服务", "网格化管理", "社区微更新"],
    "赣江街道": ["平安建设", "社区服务", "河湖长制", "文明城市创建"],
    "水南镇": ["乡村振兴", "产业发展", "人居环境整治", "村级集体经济"],
    "沙石镇": ["蔬菜产业", "乡村振兴", "矛盾纠纷调处", "人居环境整治"],
    "水东镇": ["基层党建", "乡村治理", "项目建设", "森林防火"],
}
PLACES = ["章江新区", "水西片区", "沙河工业园", "赣州西站片区", "蟠龙镇", "潭口镇", "城东社区", "和平社区",
          "东升村", "长岭村", "营角上社区", "濂溪路", "红旗大道", "厚德路", "黄金岭片区", "杨梅渡公园"]
LEADS = ["多措并举", "“三个聚焦”", "精准发力", "“四个强化”", "靶向施策", "创新机制", "提速提效", "“三个坚持”",
         "“五个一”工作法", "点线面结合", "清单化管理", "“三张清单”"]
VERBS = ["推动", "助力", "全力推进", "扎实推进", "纵深推进", "高位推动", "持续深化", "加力推进"]
RESULTS_ = ["提质增效", "见行见效", "取得新成效", "再上新台阶", "跑出加速度", "落地见效", "走深走实", "成效明显"]
OPENINGS = [
    "今年以来，{unit}紧紧围绕区委、区政府中心工作，把{topic}作为{year}年度重点任务，坚持问题导向，压实工作责任。",
    "{month}月以来，{unit}聚焦群众急难愁盼，以{topic}为抓手，在{place}先行先试，各项工作有力有序推进。",
    "为深入贯彻落实上级关于{topic}的部署要求，{unit}成立工作专班，制定实施方案，明确时间表和路线图。",
    "{unit}坚持“一把手”抓总、分管领导具体抓，将{topic}纳入年度绩效考核，形成上下联动、齐抓共管的工作格局。",
]
MEASURES = [
    "在{place}召开现场推进会{n1}次，协调解决{topic}中的堵点难点问题{n2}个，形成可复制的经验做法{n3}条。",
    "出台《{topic}工作实施方案》，细化任务清单{n1}项，逐项明确责任单位、完成时限和验收标准。",
    "组织业务骨干深入{place}等地走访调研{n1}次，收集意见建议{n2}条，已办结{n3}条，办结率达{pct}%。",
    "统筹各类资金{money}万元，实施{topic}项目{n1}个，其中{n3}个已完工投用，其余项目均按计划节点推进。",
    "推行“线上+线下”服务模式，依托政务服务网和“赣服通”平台办理业务{n4}件，平均办理时限压缩{pct}%。",
    "联合公安、市场监管等部门开展专项检查{n1}轮，检查经营主体{n2}家，发现问题{n3}个，已全部整改到位。",
    "开展{topic}业务培训{n1}期，培训干部职工{n4}人次，编印工作手册{n2}册，干部履职能力明显增强。",
    "建立“周调度、月通报、季考核”机制，对进度滞后的{n1}个单位下发督办函，推动工作提速增效。",
    "围绕{topic}开展政策宣传进社区、进企业、进学校活动{n1}场次，发放宣传资料{n4}份，群众知晓率达{pct}%。",
    "引入第三方机构对{place}的{topic}工作开展评估，梳理问题清单{n2}项，制定整改措施{n3}条。",
    "探索“党建+{topic}”模式，组建党员先锋队{n1}支，在{place}开展志愿服务{n2}场次，服务群众{n4}人次。",
    "在{place}设立示范点{n1}个，以点带面推动{topic}全域覆盖，示范效应逐步显现。",
]
WAGES = [
    "畅通欠薪投诉渠道，受理欠薪线索{n2}件，为{n4}名农民工追回工资{money}万元，实现欠薪案件动态清零。",
    "对工程建设领域在建项目开展拉网式排查，督促{n1}个项目落实农民工工资专户和实名制管理。",
]
CLOSINGS = [
    "下一步，{unit}将持续巩固工作成效，补短板、强弱项，确保全年目标任务圆满完成。",
    "下一步，{unit}将进一步压实责任、完善机制，推动{topic}再上新台阶，为全区高质量发展贡献力量。",
    "下一步，{unit}将对标先进地区经验做法，持续创新工作举措，不断提升群众获得感和满意度。",
    "下阶段，{unit}将紧盯薄弱环节，强化跟踪问效，以钉钉子精神抓好各项任务落实。",
]


def article(rng: random.Random, unit: str, year: int, month: int) -> ArchivedArticle:
    topic = rng.choice(UNITS[unit])
    def fill(text: str) -> str:
        return text.format(unit=unit, topic=topic, year=year, month=month, place=rng.choice(PLACES),
                           n1=rng.randint(3, 60), n2=rng.randint(10, 300), n3=rng.randint(2, 40),
                           n4=rng.randint(500, 30000), pct=rng.randint(15, 98), money=rng.randint(50, 9000))
    measures = rng.sample(MEASURES, rng.randint(6, 9))
    if topic == "根治欠薪" or rng.random() < 0.01:
        measures.insert(1, rng.choice(WAGES))
    paragraphs = [fill(rng.choice(OPENINGS))]
    paragraphs += [f"{n}. " + "".join(fill(m) for m in pair) for n, pair in
                   enumerate(zip(measures[::2], measures[1::2] + [""]), start=1)]
    paragraphs.append(fill(rng.choice(CLOSINGS)))
    title = f"{unit}{rng.choice(LEADS)}{rng.choice(VERBS)}{topic}{rng.choice(RESULTS_)}"
    return ArchivedArticle(title, unit, "", "\n".join(paragraphs))


def generated_archive(root: Path, years=range(2021, 2026), per_issue: int = 30, seed: int = 27) -> Workspace:
    """A workspace whose archive holds len(years) × 12 issues × per_issue articles."""
    if root.exists():
        shutil.rmtree(root)
    ws = compile_workspace(120, root, kind="realistic")
    ws = Workspace.at(ws)
    rng = random.Random(seed)
    number = 1
    with Archive(archive_path(ws)) as archive:
        for year in years:
            for month in range(1, 13):
                issue = ArchivedIssue("", f"{year}-{month:02d}", number, f"{year}-{month:02d}-25", "工作简报",
                                      f"outputs/{year}-{month:02d}/工作简报第{number}期.docx", "0" * 64, "bench")
                units = rng.sample(list(UNITS), per_issue)
                archive.replace_issue(issue, [article(rng, unit, year, month) for unit in units])
                number += 1
    return ws


QUERIES = [
    ("欠薪", {}), ("农民工工资", {}), ("老旧小区 改造", {}), ("河湖", {}), ("一件事一次办", {"year": 2024}),
    ("安全生产", {"unit": "应急"}), ("推进", {}),
]


def bench_search(ws: Workspace) -> list[dict]:
    rows = []
    for query, options in QUERIES:
        words = query.split()
        hits, total = search(ws, words, **options)
        hit_lines(hits, total, words)
        times = []
        for _ in range(30):
            start = time.perf_counter()
            hits, total = search(ws, words, **options)
            hit_lines(hits, total, words)
            times.append(time.perf_counter() - start)
        rows.append({"query": query, "options": options, "matches": total,
                     "median_ms": round(statistics.median(times) * 1000, 2),
                     "max_ms": round(max(times) * 1000, 2)})
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bulletin.cli", "search", "欠薪", "--workspace", str(ws.root)],
                   check=True, capture_output=True, cwd=REPO)
    rows.append({"query": "欠薪 (whole `bulletin search` process)", "options": {}, "matches": None,
                 "median_ms": round((time.perf_counter() - start) * 1000, 1), "max_ms": None})
    return rows


def _compile_seconds(ws: Workspace, rounds: int = 3) -> float:
    from bulletin.office.compile import compile_month

    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        compile_month(ws, MONTH)
        best = min(best, time.perf_counter() - start)
    return best


def bench_compile(archived: Workspace) -> dict:
    empty = Workspace.at(compile_workspace(120, WORK / "archive-empty", kind="realistic"))
    without = _compile_seconds(empty)
    with_archive = _compile_seconds(archived)
    from bulletin.intake.intake import gather
    from bulletin.intake.roster import Roster

    intake = gather(archived.month_inputs(MONTH), MONTH, Roster.load(archived.roster_path))
    times = []
    for _ in range(3):
        for draft in intake.accepted:
            draft.warnings = [w for w in draft.warnings if not w.startswith("疑似重复")]
        start = time.perf_counter()
        marked = mark_near_duplicates(archived, MONTH, intake)
        times.append(time.perf_counter() - start)
    return {"drafts": 120, "archived_articles": 1800, "compile_empty_archive_s": round(without, 2),
            "compile_with_archive_s": round(with_archive, 2),
            "added_percent": round((with_archive - without) / without * 100, 1),
            "check_alone_s": round(min(times), 3), "drafts_marked": marked}


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    ws = generated_archive(WORK / "archive-5y")
    built = time.perf_counter() - start
    with Archive(archive_path(ws)) as archive:
        count, chars = archive.conn.execute("SELECT COUNT(*), SUM(LENGTH(text)) FROM archive_articles").fetchone()
    size = archive_path(ws).stat().st_size
    print(f"archive: {count} articles, {chars} characters, ledger file {size / 1e6:.1f} MB, built in {built:.1f} s")
    result = {"articles": count, "characters": chars, "ledger_mb": round(size / 1e6, 1), "search": bench_search(ws)}
    for row in result["search"]:
        print(f"  {row['query']:<40} {str(row['options']):<18} matches {row['matches']!s:>5}  "
              f"median {row['median_ms']} ms  max {row['max_ms']} ms")
    if "--search" not in sys.argv:
        result["compile"] = bench_compile(ws)
        print(result["compile"])
    (RESULTS / "archive.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
