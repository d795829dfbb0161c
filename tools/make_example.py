"""Write the example office's October 2026 drafts and notice sheet (inputs/2026-10/).

    /work/venv/bin/python tools/make_example.py            # into this repository (the example workspace)
    /work/venv/bin/python tools/make_example.py --root DIR # into another workspace folder

The outputs are committed; rerunning gives identical bytes. bulletin.toml, inputs/units.csv,
inputs/recipients.csv and inputs/README.md are plain text and edited by hand.

The first four drafts use the four ways a department says who wrote a draft, one each, so that the unit is
found only through that way:
  (a) a unit line under the title ("区人社局");
  (b) a closing byline "（区财政局供稿）";
  (c) the file name only: "区工信局-….docx";
  (d) the author property only, with an alias: "区教育局" (units.csv maps it to 区教体局).
Then the shapes real bulletins show (issue 9):
  (e) a title printed over two lines, with a unit line under it;
  (f) the unit only inside the title ("区民政局多措并举…"), with 撰稿/审核 names at the end;
  (g) a department's original and its 修改稿: same unit and title, edited text, saved later (the document's
      modified date says so): the revised version goes in, the report names the original as replaced.
The other drafts carry authors Word fills in on office PCs ("Administrator", "微软用户"), which name no unit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "kits"))  # the test kits: draft_factory, reading_corpus


from draft_factory import Heading, chart_png, make_draft, make_notice_sheet  # noqa: E402
from reading_corpus import set_modified  # noqa: E402

MONTH = "2026-10"


def write_drafts(folder: Path) -> list[Path]:
    written = []

    # (a) unit line; "一、" headings typed as offices do; a small table.
    written.append(make_draft(
        folder / "10月简报稿（稳就业）.docx",
        title="“三个聚焦”推动稳就业工作提质增效",
        unit_line="区人社局",
        author="Administrator",
        headings="plain",
        paragraphs=[
            "今年以来，我局紧扣“五型”政府建设要求，坚持把稳就业作为最大的民生工程，聚焦重点群体、企业用工和"
            "技能提升三个关键环节精准发力。1—10月，全区城镇新增就业3260人，完成年度目标任务的108.7%；城镇调查"
            "失业率控制在年度目标以内，全区就业局势保持总体稳定。",
            Heading("一、聚焦重点群体，兜牢就业底线"),
            "对离校未就业高校毕业生、农村劳动力、就业困难人员等重点群体建立“一人一档”实名制台账，落实“131”"
            "服务，即1次政策宣介、3次岗位推荐、1次职业指导。截至10月底，累计为1286名离校未就业高校毕业生提供"
            "就业服务，帮扶就业1173人，帮扶就业率达91.2%；通过公益性岗位托底安置就业困难人员214人，零就业家庭"
            "保持动态清零。",
            Heading("二、聚焦企业用工，搭建供需桥梁"),
            "从业务科室和街道抽调42名骨干组建“就业服务专员”队伍，对辖区386家重点企业开展用工监测和“点对点”"
            "服务，收集岗位需求5120个。9月15日至10月31日开展“金秋招聘月”活动，举办线下专场招聘会6场、直播带岗"
            "4场，参会企业218家，提供岗位4630个，现场达成就业意向1095人。",
            Heading("三、聚焦技能提升，增强就业本领"),
            "围绕电子信息、现代家政、电子商务等产业用工需求，开展“订单式”“项目制”培训。1—10月，共开展补贴性"
            "职业技能培训57期、培训2864人次，发放培训补贴186.4万元；在解放街道、南外街道等地新建3个“家门口”"
            "就业服务站，打造“15分钟就业服务圈”。",
            "下一步，我局将围绕年度目标持续发力，开展好“就业援助月”“春风行动”等专项服务活动，进一步织密就业"
            "服务网络，确保全年各项就业指标高质量完成。",
            "附：2026年1—10月全区就业主要指标完成情况",
        ],
        table=[
            ("指标", "10月", "1—10月累计"),
            ("城镇新增就业（人）", "412", "3260"),
            ("帮扶高校毕业生就业（人）", "138", "1173"),
            ("补贴性职业技能培训（人次）", "326", "2864"),
        ],
    ))

    # (b) byline at the end; a footnote.
    written.append(make_draft(
        folder / "简报信息（财政资金监管）.docx",
        title="强化财政资金监管 守好群众“钱袋子”",
        byline="（区财政局供稿）",
        author="微软用户",
        paragraphs=[
            "今年以来，我局把财政资金安全作为“五型”政府建设的重要内容，依托直达资金监控系统，构建事前审核、"
            "事中监控、事后评价的全链条监管体系，确保每一笔资金都用在刀刃上。1—10月，全区共下达直达资金5.86亿元，"
            "已支出5.12亿元，支出进度87.4%。",
            "一是压实监管责任。制定财政资金直达机制常态化管理实施细则，明确主管部门、预算单位和国库支付等环节的"
            "责任分工，将资金监管情况纳入部门绩效考核，形成“谁使用、谁负责”的责任链条。",
            "二是强化动态监控。对全区126家预算单位实行国库集中支付动态监控，设置大额现金提取、向关联企业转款等"
            "预警规则23条。1—10月共触发预警信息318条，均在3个工作日内核实处理，纠正不规范支付事项12笔、涉及资金"
            "86.3万元。",
            "三是突出绩效管理。对2026年度42个重点项目开展绩效运行监控，涉及资金3.27亿元；对绩效目标偏离较大的"
            "5个项目及时调整预算安排，收回低效无效资金1240万元，统筹用于民生项目。",
            "四是抓实问题整改。联合审计、纪检监察等部门开展惠民惠农补贴资金专项检查，发现问题27个，已整改26个，"
            "追回违规资金46.8万元；剩余1个问题已制定整改计划，将于11月底前整改到位。",
            "下一步，我局将持续完善财政资金监管长效机制，推动监管关口前移，切实守好群众的“钱袋子”。",
        ],
        footnote="直达资金监控系统：对直达资金从分配、拨付到使用实行全过程、穿透式监控的信息系统，"
        "各级财政部门和预算单位按权限使用。",
    ))

    # (c) the unit only in the file name; a bar chart.
    growth = (6.2, 6.8, 7.1, 7.5, 7.9, 8.2, 8.4, 8.7, 9.1)  # 2—10月 cumulative growth, as the text says
    written.append(make_draft(
        folder / "区工信局-“链”上发力推动工业经济稳中向好.docx",
        title="“链”上发力 推动工业经济稳中向好",
        author="",
        paragraphs=[
            "今年以来，我局以产业链链长制为抓手，聚焦电子信息、现代轻纺、新型材料三条重点产业链，推动工业经济"
            "运行稳中有进、稳中向好。1—10月，全区规模以上工业增加值同比增长9.1%，增速较一季度提高2.3个百分点；"
            "新增规模以上工业企业17家。",
            "强化运行调度。建立重点企业“一企一策”监测机制，对产值排名前50位的企业实行按月调度，协调解决用电、"
            "用工、融资等问题63个。10月份，重点监测企业产值同比增长11.6%，对全区规上工业增长的贡献率达72.4%。",
            "推进项目建设。工业项目实行“周调度、月通报”，全区28个在建工业项目完成投资21.7亿元，完成年度计划的"
            "89.3%；智能终端产业园二期等6个项目于10月底前竣工投产，预计年新增产值12亿元。",
            "助力企业纾困。联合金融机构开展“政银企”对接活动5场，帮助43家企业获得贷款3.85亿元；兑现工业发展"
            "扶持资金2160万元，惠及企业96家，平均兑现时间压缩至10个工作日。",
            "下一步，我局将紧盯全年目标，加强经济运行监测分析，全力以赴抓项目、稳企业、扩增量，确保全年规上工业"
            "增加值增长9%以上。",
            "附图：2026年2—10月全区规模以上工业增加值累计增速（%）",
        ],
        image=chart_png(growth, width=480, height=270),
    ))

    # (d) the unit only in the author property, under an alias.
    written.append(make_draft(
        folder / "教育工作简报稿.docx",
        title="深化“双减”提质增效 办好人民满意教育",
        author="区教育局",
        paragraphs=[
            "今年以来，我局围绕“五型”政府建设要求，持续深化“双减”工作，扩大优质教育资源供给，群众教育获得感"
            "不断增强。",
            "课后服务提质扩面。全区68所义务教育学校实现课后服务全覆盖，开设科技、体育、艺术等特色课程1260门，"
            "参与学生5.3万人、参与率达96.8%；秋季学期起在12所学校试点“周末托管”服务，惠及学生2100余人。",
            "校外培训规范治理。联合市场监管、公安等部门开展校外培训专项治理行动，排查各类培训机构137家，查处"
            "违规培训行为9起，均已整改到位；全区非学科类校外培训机构全部纳入监管平台管理。",
            "优质学位持续扩容。新建、改扩建学校4所，于9月1日秋季开学前全部投入使用，新增学位5400个；推进集团化"
            "办学，组建教育集团11个，覆盖学校46所，城区学校“大班额”保持清零。",
            "教师队伍持续加强。2026年新招聘教师286名，开展“青蓝工程”师徒结对312对；组织教师全员培训4200人次，"
            "评选区级骨干教师150名，教师队伍结构进一步优化。",
            "下一步，我局将持续巩固“双减”成果，深化教育领域综合改革，加快推进义务教育优质均衡发展，努力办好"
            "人民满意的教育。",
        ],
    ))
    # (e) a title over two lines.
    written.append(make_draft(
        folder / "生态环境信息.docx",
        title="我区强化“三双”机制\n精准有效推进污染防治攻坚战",
        unit_line="区生态环境分局",
        author="Administrator",
        paragraphs=[
            "今年以来，我局坚持“双随机、双公开”监管与“双向服务”相结合，以更高标准打好蓝天、碧水、净土保卫战，"
            "全区生态环境质量持续改善。1—10月，全区空气质量优良天数比例达97.4%，PM2.5平均浓度同比下降6.1%；"
            "国控、省控断面水质优良率保持100%。",
            "强化精准监管。建立重点排污单位“一企一档”，开展“双随机”检查186家次，对发现的23个问题实行清单化"
            "整改，已全部整改到位；推行非现场执法，利用在线监控、用电监控等手段发现并督促整改异常问题41个。",
            "深化服务帮扶。组建环保技术服务队，为企业提供“送政策、送技术、送服务”上门服务72次，帮助17家企业"
            "完成治理设施提标改造；优化环评审批，报告表类项目平均审批时间压缩至8个工作日。",
            "下一步，我局将持续深入打好污染防治攻坚战，推动全区生态环境质量持续向好。",
        ],
    ))

    # (f) the unit only inside the title; the names of the writer and reviewer at the end stay out of print.
    written.append(make_draft(
        folder / "养老服务工作信息.docx",
        title="区民政局多措并举提升养老服务水平",
        author="微软用户",
        paragraphs=[
            "今年以来，区民政局聚焦老年人急难愁盼问题，加快构建居家社区机构相协调、医养康养相结合的养老服务体系，"
            "全区养老服务水平稳步提升。",
            "完善设施网络。新建街道综合养老服务中心2个、社区嵌入式养老服务站点9个，全区社区养老服务设施覆盖率"
            "达100%；改造提升特困人员供养服务设施3所，新增护理型床位260张。",
            "丰富服务供给。为1268户特殊困难老年人家庭实施居家适老化改造，开展“助餐、助洁、助医”等上门服务"
            "3.6万人次；新建老年助餐点14个，日均服务老年人1800余人次。",
            "下一步，区民政局将持续推进养老服务提质增效，让老年人生活得更加安心、舒心。",
            "撰稿：刘洋　审核：陈静",
        ],
    ))

    # (g) an original and its revised version: the 修改稿 is saved later and replaces the original.
    medical = [
        "今年以来，区医保局坚持把维护医保基金安全作为首要任务，织密扎牢医保基金监管网，守护好群众的“看病钱”"
        "“救命钱”。",
        "开展专项整治。联合卫健、公安、市场监管等部门开展医保基金专项整治，检查定点医药机构{checked}家，"
        "追回医保基金{money}万元。",
        "推进智能监控。医保智能监控系统覆盖全部定点医药机构，1—10月审核结算数据46.8万条，拒付不合理费用"
        "{refused}万元。",
        "下一步，区医保局将持续保持打击欺诈骗保高压态势，确保医保基金安全高效运行。",
    ]
    for name, figures, saved in (
        ("区医保局-织牢医保基金监管网.docx", {"checked": 152, "money": 186.3, "refused": 42.7}, "2026-10-18T09:00:00Z"),
        ("区医保局-织牢医保基金监管网（修改稿）.docx", {"checked": 163, "money": 203.5, "refused": 45.1},
         "2026-10-22T16:30:00Z"),
    ):
        path = make_draft(
            folder / name, title="织牢医保基金监管网 守护群众“救命钱”", unit_line="区医保局", author="Administrator",
            paragraphs=[text.format(**figures) for text in medical],
        )
        written.append(set_modified(path, saved))
    return written


NOTICES = [
    ("区行政审批局", "10月份政务服务“好差评”满意率达100%", "通报表扬", ""),
    ("区医保局", "10月份12345热线工单按时办结率、群众满意率均为100%", "通报表扬", ""),
    ("区人社局", "10月份报送“五型”政府建设工作信息5篇，被采用3篇", "通报表扬", ""),
    ("区住建局", "未按时报送10月份“五型”政府建设工作信息", "通报批评", "已督促整改"),
    ("区城管局", "10月份12345热线工单超期办结2件", "通报批评", "限11月10日前整改到位"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="workspace folder (default: this repository)")
    args = parser.parse_args(argv)
    folder = args.root / "inputs" / MONTH
    for path in [*write_drafts(folder), make_notice_sheet(folder / "notices.xlsx", NOTICES)]:
        print(path.relative_to(args.root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
