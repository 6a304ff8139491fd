"""Documents for the filing evaluation (bench/filing.py), written fresh for it.

Two fictional holders of archives that appear nowhere else in the repository: a school
building site (project HY-3 恒远小学综合楼, built by several contractors in turn) and an
after-sales service centre (SV-QY 清源服务中心).  Each template draws one document of a kind
with the seeded random source: company, people, numbers, dates, layout and file name vary,
so a rule that fits one wording does not fit the set.  Every document carries what an
archivist would answer: the checklist item (or ``None``: belongs to no item) and its date.

Layouts: letterhead first or title first, document number above the title, two fields on a
line, tables as "label：value" cells, notes citing other documents, signature blocks, 2-page
PDFs repeating the header.  Formats: text PDF, Word, phone photo / scan (through OCR) and
drawings with a title block.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

BUILDERS = [
    "恒通建设集团有限公司",
    "明川建工有限公司",
    "远桥市政建设有限公司",
    "鼎盛建筑安装工程公司",
    "安和土木工程有限公司",
]
SUPERVISORS = ["华衡工程监理有限公司", "正诚建设监理咨询公司", "立信项目管理有限公司"]
OWNERS = ["恒远区教育局", "恒远区城市建设投资公司"]
SUPPLIERS = ["北岭钢铁股份有限公司", "青川水泥有限公司", "东港防水材料厂", "蓝湾管业有限公司", "金石砂石场"]
LABS = ["恒远区建设工程质量检测中心", "信达检测技术有限公司", "中科建材检验所"]
PEOPLE = [
    "郑明远",
    "钱晓东",
    "罗文静",
    "邓志强",
    "谢丽华",
    "韩立新",
    "冯雪",
    "曹宇航",
    "彭佳",
    "苏建国",
    "蒋海燕",
    "潘磊",
]
CUSTOMERS = [
    "清源市瑞丰大酒店",
    "清源第二人民医院",
    "金桥物流园有限公司",
    "清源市实验中学",
    "绿洲商贸城",
    "安泰养老院",
    "东湖花园物业管理处",
]
PRODUCTS = ["螺杆式冷水机组", "中央空调末端风机盘管", "变频供水设备", "燃气热水锅炉", "精密空调"]
MATERIALS = [
    ("热轧带肋钢筋", "HRB400E Φ16"),
    ("普通硅酸盐水泥", "P.O 42.5"),
    ("SBS改性沥青防水卷材", "4mm"),
    ("PPR给水管", "DN25"),
    ("烧结多孔砖", "MU10"),
]


@dataclass
class Doc:
    """One evaluation document: how to draw it and what the right answer is."""

    key: str  # stable id: template name + number (the split hashes it)
    project: str  # HY-3 or SV-QY
    expected: str | None  # checklist item code, None when it belongs to no item
    day: date  # the document's own date
    fmt: str  # pdf | pdf2 | docx | photo | drawing
    name: str  # file name as it arrives
    lines: list[str]
    drawing: dict | None = None  # title block of a drawing


def ymd(d: date, style: int) -> str:
    """A date written one of the ways people write them."""
    return [
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y-%m-%d}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d:%Y/%m/%d}",
        f"{d.year} 年 {d.month:02d} 月 {d.day:02d} 日",
    ][style % 5]


class Ctx:
    """The random source and the shared helpers of one template instance."""

    def __init__(self, rng: random.Random, n: int):
        self.r, self.n = rng, n
        self.base = date(2026, 3, 2) + timedelta(days=rng.randrange(0, 250))
        self.style = rng.randrange(5)

    def pick(self, seq):
        return self.r.choice(seq)

    def d(self, day: date) -> str:
        return ymd(day, self.style)

    def later(self, lo: int, hi: int) -> date:
        return self.base + timedelta(days=self.r.randrange(lo, hi))

    def person(self) -> str:
        return self.pick(PEOPLE)

    def no(self, prefix: str) -> str:
        return f"{prefix}-2026-{self.r.randrange(1, 300):03d}"

    def pair(self, a: str, b: str) -> str:
        """Two form fields on one line, separated the way Word tables turn into text."""
        return a + self.pick(["    ", "\t", "  ", "　　"]) + b

    def head(self, title: str, company: str) -> list[str]:
        """The top of a form: letterhead, number and title in one of several orders."""
        number = f"编号：{self.no(self.pick(['HT', 'MC', 'JL', 'QY']))}"
        return self.pick([[title, number], [company, title, number], [number, title], [company, title]])

    def fname(self, words: str, ext: str) -> str:
        """A file name as it arrives: descriptive, a scanner's counter or a phone's stamp."""
        choice = self.r.randrange(4)
        if choice == 0:
            return f"scan_{self.r.randrange(1, 9999):04d}.{ext}"
        if choice == 1:
            return (
                f"IMG_2026{self.base:%m%d}_{self.r.randrange(1000, 2400)}.{ext}"
                if ext == "jpg"
                else f"文档{self.n}.{ext}"
            )
        return f"{words}{self.pick(['', '-终版', '(盖章)', '_' + str(self.n)])}.{ext}"


# --------------------------------------------------------------------------- construction
# Each template returns (expected item, document date, lines, words for the file name).


def t_contract(c: Ctx):
    signed, start = c.base, c.later(20, 60)
    title = c.pick(["建设工程施工合同", "施工总承包合同书", "工程施工承包合同", "建设工程施工合同书"])
    lines = [
        title,
        f"合同编号：{c.no('HYJ')}",
        f"发包人：{c.pick(OWNERS)}",
        f"承包人：{c.pick(BUILDERS)}",
        "工程名称：恒远小学综合楼",
        f"计划开工日期：{c.d(start)}",
        f"计划竣工日期：{c.d(start + timedelta(days=400))}",
        "合同价款：人民币叁仟贰佰万元整。承包人按图纸和规范施工，发包人按月支付进度款。",
        "本合同一式八份，双方各执四份，自双方签字盖章之日起生效。",
        c.pair(f"发包人代表：{c.person()}", f"承包人代表：{c.person()}"),
        f"签订日期：{c.d(signed)}",
    ]
    return "C01", signed, lines, "施工合同"


def t_start_report(c: Ctx):
    day, planned = c.base, c.later(5, 20)
    title = c.pick(["开工报告", "工程开工报审表", "单位工程开工报告", "开工申请报告"])
    label = c.pick(["申请日期", "报告日期", "填报日期"])
    lines = [
        *c.head(title, c.pick(BUILDERS)),
        "工程名称：恒远小学综合楼",
        f"计划开工日期：{c.d(planned)}",
        "施工准备情况：施工图已会审，施工组织设计已审批，主要材料已进场，测量控制网已复核。",
        "施工许可证已办理，现场具备开工条件，请予审查。",
        c.pair(f"项目经理：{c.person()}", f"{label}：{c.d(day)}"),
        f"监理单位意见：同意开工。总监理工程师：{c.person()}",
    ]
    return "C02", day, lines, title


def t_disclosure(c: Ctx):
    day = c.base
    part = c.pick(["钢筋工程", "模板工程", "脚手架搭设", "屋面防水", "砌体工程"])
    title = c.pick([f"{part}技术交底记录", f"{part}安全技术交底", "技术交底记录表"])
    lines = [
        title,
        c.pair("工程名称：恒远小学综合楼", f"交底部位：{part}"),
        f"交底内容：依据已审批的施工方案和施工组织设计，{part}按规范施工，班组作业前检查工具和材料。",
        "质量要求：偏差控制在允许范围内；安全要求：高处作业系好安全带。",
        c.pair(f"交底人：{c.person()}", f"接受交底人：{c.person()}"),
        f"交底日期：{c.d(day)}",
    ]
    # a file named after the scheme the disclosure is based on: the title must decide
    return "C03", day, lines, c.pick([f"{part}施工方案交底", f"{part}交底"])


def t_drawing_review(c: Ctx):
    day = c.base
    lines = [
        c.pick(["图纸会审纪要", "图纸会审记录", "施工图会审纪要"]),
        "工程名称：恒远小学综合楼",
        f"会审时间：{c.d(day)}",
        f"参加单位：{c.pick(OWNERS)}、{c.pick(SUPERVISORS)}、{c.pick(BUILDERS)}",
        "一、建施-05 楼梯平台标高与结施-08 不一致，设计院答复以结施为准。",
        "二、屋面排水坡度按百分之二施工，设计变更另行下发。",
        f"记录人：{c.person()}",
    ]
    return "C03", day, lines, "图纸会审"


def t_scheme(c: Ctx):
    day = c.base
    kind = c.pick(["施工组织设计", "脚手架专项施工方案", "深基坑支护专项方案", "冬季施工方案", "模板工程施工方案"])
    lines = [
        c.pick(BUILDERS),
        kind,
        "工程名称：恒远小学综合楼",
        c.pair(f"编制人：{c.person()}", f"审核人：{c.person()}"),
        f"编制日期：{c.d(day)}",
        "第一章 编制依据",
        "本方案依据施工合同、施工图纸和现行施工质量验收规范编制。",
        f"第二章 工程概况 计划开工日期 {c.d(c.later(10, 30))}，工期三百六十日历天。",
        "第三章 施工部署 技术交底逐级进行，隐蔽工程验收合格后方可进入下道工序。",
    ]
    return "C04", day, lines, kind


def t_change(c: Ctx):
    day = c.base
    title = c.pick(["设计变更通知单", "工程变更核定单", "工程洽商记录", "设计变更单"])
    lines = [
        *c.head(title, "恒远建筑设计研究院"),
        "工程名称：恒远小学综合楼",
        f"图号：{c.pick(['建施-04', '结施-06', '水施-02'])}",
        "变更内容：三层走廊吊顶标高由3.10米调整为2.95米，其余不变。",
        "变更原因：避让通风管道。",
        c.pair("设计单位：恒远建筑设计研究院", f"签发日期：{c.d(day)}"),
    ]
    return "C05", day, lines, title


def t_certificate(c: Ctx):
    day = c.base
    mat, spec = c.pick(MATERIALS)
    title = c.pick(["产品质量证明书", "质保书", "出厂合格证", "质量证明书", "产品合格证明"])
    lines = [
        c.pick(SUPPLIERS),
        title,
        c.pair(f"产品名称：{mat}", f"规格型号：{spec}"),
        f"批号：{c.no('PH')}",
        f"生产日期：{c.d(day - timedelta(days=8))}",
        "检验结论：经检验，本批产品符合国家标准要求，准予出厂。",
        f"出厂日期：{c.d(day)}",
        "质检员：" + c.person(),
    ]
    return "C06", day, lines, f"{mat}{title}"


def t_test_report(c: Ctx):
    day, sent = c.base, c.base - timedelta(days=c.r.randrange(3, 9))
    mat, spec = c.pick(MATERIALS)
    title = c.pick([f"{mat}检验报告", f"{mat}检测报告", "原材料试验报告", f"{mat}复试报告", "建筑材料检验报告"])
    lines = [
        c.pick(LABS),
        title,
        f"报告编号：{c.no('JC')}",
        "委托单位：" + c.pick(BUILDERS),
        "工程名称：恒远小学综合楼",
        c.pair(f"样品名称：{mat}", f"规格：{spec}"),
        f"送检日期：{c.d(sent)}",
        "检验依据：现行国家标准。检验结论：所检项目符合标准要求。",
        c.pair(f"批准：{c.person()}", f"报告日期：{c.d(day)}"),
    ]
    return "C07", day, lines, c.pick([title, "检测报告"])


def t_survey(c: Ctx):
    day = c.base
    title = c.pick(["施工定位测量记录", "工程定位测量放线记录", "建筑物定位放线记录", "定位测量记录表"])
    lines = [
        title,
        "工程名称：恒远小学综合楼",
        "引测依据：规划红线桩 K1、K2 及水准点 BM3。",
        "测量结果：轴线闭合差2毫米，标高误差在允许范围内。",
        c.pair(f"测量员：{c.person()}", f"复核人：{c.person()}"),
        f"测量日期：{c.d(day)}",
    ]
    return "C08", day, lines, title


def t_hidden(c: Ctx):
    day = c.base
    part = c.pick(["基础钢筋", "二层梁板钢筋", "地下室防水", "独立基础垫层"])
    title = c.pick(["隐蔽工程验收记录", "隐蔽工程检查记录", f"{part}隐蔽验收记录"])
    lines = [
        *c.head(title, c.pick(BUILDERS)),
        c.pair("工程名称：恒远小学综合楼", f"隐蔽部位：{part}"),
        "隐蔽内容：钢筋规格、间距、保护层厚度符合设计要求，见原材料试验报告 JC-2026-018。",
        f"施工单位自检意见：合格。  施工员：{c.person()}",
        f"监理单位验收意见：同意隐蔽。  监理工程师：{c.person()}",
        f"验收日期：{c.d(day)}",
    ]
    return "C09", day, lines, title


def t_quality(c: Ctx):
    day = c.base
    title = c.pick(["分部工程质量验收记录", "分项工程质量评定表", "单位工程质量评定表", "质量事故处理报告"])
    lines = [
        title,
        "工程名称：恒远小学综合楼",
        f"分部工程：{c.pick(['主体结构', '地基与基础', '屋面', '装饰装修'])}",
        "检查项目：共十二项，合格十二项。质量控制资料齐全，观感质量好。",
        "评定等级：合格",
        c.pair(f"项目质检员：{c.person()}", f"评定日期：{c.d(day)}"),
    ]
    return "C10", day, lines, title


def t_handover_cert(c: Ctx):
    day = c.base
    title = c.pick(["交工验收证明书", "单位工程交工验收证明书", "工程交工验收证书"])
    lines = [
        title,
        "工程名称：恒远小学综合楼",
        f"施工单位：{c.pick(BUILDERS)}",
        f"开工日期：{c.d(day - timedelta(days=420))}",
        f"竣工日期：{c.d(day - timedelta(days=10))}",
        "验收意见：工程已按合同和设计完成，质量合格，同意交工。",
        c.pair(f"建设单位：{c.pick(OWNERS)}", f"验收日期：{c.d(day)}"),
    ]
    return "C11", day, lines, title


def t_summary(c: Ctx):
    day = c.base
    title = c.pick(["施工总结", "工程技术总结", "项目施工技术总结"])
    lines = [
        c.pick(BUILDERS),
        title,
        "恒远小学综合楼",
        f"本工程于{c.d(day - timedelta(days=400))}开工，签订施工合同后即编制施工组织设计和专项施工方案。",
        "施工中共下发设计变更通知单六份，完成技术交底三十余次，隐蔽工程验收记录齐全。",
        "原材料均有出厂质量证明书和试验报告，施工日志逐日记录，竣工报告已报建设单位。",
        f"编写人：{c.person()}",
        f"编写日期：{c.d(day)}",
    ]
    return "C12", day, lines, title


def t_completion(c: Ctx):
    day = c.base
    title = c.pick(["竣工报告", "工程竣工报告", "停工报告", "复工报告", "工程复工申请表"])
    lines = [
        *c.head(title, c.pick(BUILDERS)),
        "工程名称：恒远小学综合楼",
        f"原计划复工日期：{c.d(day + timedelta(days=7))}" if "工" in title else "",
        "情况说明：主体及装饰工程已全部完成，各项资料齐全。"
        if "竣工" in title
        else "情况说明：因雨季停工后现场已恢复施工条件。",
        c.pair(f"项目经理：{c.person()}", f"报告日期：{c.d(day)}"),
    ]
    return "C13", day, [ln for ln in lines if ln], title


def t_log(c: Ctx):
    day = c.base
    if c.r.random() < 0.5:
        lines = [
            "施工日志",
            c.pair(f"日期：{c.d(day)}", f"天气：{c.pick(['晴', '多云', '小雨'])}"),
            "施工内容：三层柱钢筋绑扎，质检员检查合格；商品混凝土进场两车。",
            f"计划明日：{c.d(day + timedelta(days=1))}浇筑三层柱混凝土。",
            f"记录人：{c.person()}",
        ]
        return "C14", day, lines, c.pick(["施工日志", "日志"])
    lines = [
        "工程大事记",
        "恒远小学综合楼",
        f"{c.d(day - timedelta(days=90))} 基础工程开工。",
        f"{c.d(day - timedelta(days=40))} 主体结构封顶。",
        f"编制人：{c.person()}",
        f"编制日期：{c.d(day)}",
    ]
    return "C14", day, lines, "大事记"


def t_drawing(c: Ctx):
    day = c.base
    structural = c.r.random() < 0.5
    sheet = f"{'结施' if structural else '建施'}-{c.r.randrange(1, 20):02d}"
    name = c.pick(
        ["基础平面布置图", "二层梁配筋图", "柱定位图"]
        if structural
        else ["一层平面图", "南立面图", "1-1剖面图", "屋顶平面图"]
    )
    notes = [
        "说明：",
        "1. 本图尺寸以毫米计，标高以米计。",
        f"2. 依据设计变更通知单 BG-{c.r.randrange(1, 30):02d} 修改。",
        "3. 施工时应与相关专业图纸配合。",
    ]
    block = {
        "图名": name,
        "图号": sheet,
        "工程名称": "恒远小学综合楼",
        "比例": c.pick(["1:100", "1:50"]),
        "出图日期": c.d(day - timedelta(days=300)),
        "设计": c.person(),
    }
    stamp = ["竣工图", f"施工单位：{c.pick(BUILDERS)}", f"编制人：{c.person()}", f"编制日期：{c.d(day)}"]
    return (
        ("D02" if structural else "D01"),
        day,
        notes,
        c.pick([sheet, f"{name}", "竣工图"]),
        {"block": block, "stamp": stamp},
    )


# --------------------------------------------------------------------------- belongs to no item


def t_supervisor_notice(c: Ctx):
    day = c.base
    lines = [
        c.pick(SUPERVISORS),
        c.pick(["监理通知单", "监理工程师通知单", "监理整改通知"]),
        f"编号：{c.no('JL')}",
        "致：" + c.pick(BUILDERS) + "恒远小学综合楼项目部",
        c.pick(
            [
                "事由：施工组织设计未按审批意见修改",
                "事由：脚手架专项施工方案未报审即施工",
                "事由：原材料试验报告未及时报验",
            ]
        ),
        "内容：请于三日内按要求整改，并将施工组织设计修改稿报监理部审查。",
        f"总监理工程师：{c.person()}",
        f"签发日期：{c.d(day)}",
    ]
    return None, day, lines, c.pick(["监理通知", "关于施工组织设计的通知"])


def t_crane_lease(c: Ctx):
    day = c.base
    lines = [
        c.pick(["塔吊租赁合同书", "塔式起重机租赁合同", "施工升降机租赁合同书"]),
        f"出租方：{c.pick(['宏力机械租赁公司', '顺达起重设备有限公司'])}",
        f"承租方：{c.pick(BUILDERS)}",
        "使用地点：恒远小学综合楼工地",
        f"租赁期限：自{c.d(day + timedelta(days=5))}起至{c.d(day + timedelta(days=300))}止，月租金贰万捌仟元。",
        "承租方负责司机和指挥人员的安全教育，出租方负责设备的安装、检测和维修。",
        c.pair(f"出租方代表：{c.person()}", f"承租方代表：{c.person()}"),
        f"签订日期：{c.d(day)}",
    ]
    return None, day, lines, c.pick(["塔吊租赁合同", "合同书"])


def t_purchase(c: Ctx):
    day = c.base
    mat, _ = c.pick(MATERIALS)
    lines = [
        c.pick(["材料采购合同", "物资买卖合同", "钢材购销合同书"]),
        f"供方：{c.pick(SUPPLIERS)}",
        f"需方：{c.pick(BUILDERS)}",
        f"标的：{mat}一百二十吨，随货提供质量证明书。",
        f"交货日期：{c.d(day + timedelta(days=15))}",
        f"签订日期：{c.d(day)}",
    ]
    return None, day, lines, "采购合同"


def t_invoice(c: Ctx):
    day = c.base
    lines = [
        c.pick(["增值税专用发票", "增值税普通发票", "发票"]),
        f"发票号码：{c.r.randrange(10**7, 10**8)}",
        f"开票日期：{c.d(day)}",
        f"购买方：{c.pick(BUILDERS + CUSTOMERS)}",
        f"销售方：{c.pick(SUPPLIERS)}",
        f"货物或应税劳务名称：{c.pick(MATERIALS)[0]}",
        "价税合计（大写）：壹拾贰万叁仟元整",
        f"开票人：{c.person()}",
    ]
    return None, day, lines, c.pick(["发票", "invoice"])


def t_payroll(c: Ctx):
    day = c.base
    month = date(day.year, day.month, 1)
    lines = [
        c.pick(["农民工工资发放表", "工资表", "员工工资明细表"]),
        f"所属月份：{month.year}年{month.month}月",
        "姓名  出勤天数  应发工资  实发工资  签字",
        *(
            f"{p}  {c.r.randrange(20, 31)}  {c.r.randrange(5, 9)}800  {c.r.randrange(5, 9)}500"
            for p in c.r.sample(PEOPLE, 4)
        ),
        f"制表人：{c.person()}",
        f"制表日期：{c.d(day)}",
    ]
    return None, day, lines, "工资表"


def t_meeting(c: Ctx):
    day, meet = c.base, c.later(2, 6)
    lines = [
        c.pick(["会议通知", "关于召开质量安全例会的通知"]),
        "各参建单位：",
        f"定于{c.d(meet)}上午九点在项目部会议室召开例会，讨论施工方案调整和竣工资料整理。",
        "请各单位负责人准时参加。",
        c.pick(BUILDERS + ["清源服务中心办公室"]),
        c.d(day),
    ]
    return None, day, lines, "会议通知"


def t_supervisor_log(c: Ctx):
    day = c.base
    lines = [
        "监理日志",
        c.pair(f"日期：{c.d(day)}", "天气：晴"),
        "监理工作：巡视三层模板支设，检查施工日志记录情况。",
        "发现问题：部分扣件未拧紧，已口头要求整改。",
        f"监理员：{c.person()}",
    ]
    return None, day, lines, "监理日志"


# --------------------------------------------------------------------------- service centre


def _customer(c: Ctx) -> list[str]:
    """The customer block of a service form: two fields on a line, as Word tables come out."""
    cust, who = c.pick(CUSTOMERS), c.person()
    return [
        c.pair(f"客户名称：{cust}", f"联系人：{who}"),
        c.pair(f"联系电话：139{c.r.randrange(10**7, 10**8)}", f"设备：{c.pick(PRODUCTS)}"),
    ]


def t_dispatch(c: Ctx):
    day = c.base
    lines = [
        *c.head(c.pick(["维护派工单", "维修派工单", "服务派工单"]), "清源服务中心"),
        f"派工单号：PG{c.r.randrange(1000, 9999)}",
        *_customer(c),
        "故障描述：机组高压报警，无法启动。",
        f"预约上门时间：{c.d(day + timedelta(days=1))} 上午",
        c.pair(f"派工人：{c.person()}", f"维修人员：{c.person()}"),
        f"派工日期：{c.d(day)}",
    ]
    return "S01", day, lines, c.pick(["派工单", "维修派工"])


def t_phone_dispatch(c: Ctx):
    q = c.r.randrange(1, 4)
    start = date(2026, 3 * q - 2, 1)
    period = c.pick([f"2026年第{'一二三四'[q - 1]}季度", f"{c.d(start)}至{c.d(date(2026, 3 * q, 28))}"])
    rows = [
        f"{c.d(start + timedelta(days=c.r.randrange(0, 80)))}  {c.pick(CUSTOMERS)}  派工单PG{c.r.randrange(1000, 9999)}  {c.person()}"
        for _ in range(4)
    ]
    lines = [
        c.pick(["电话派工记录", "电话派工登记表"]),
        f"记录期间：{period}",
        "来电日期  客户  派工单号  接线员",
        *rows,
        f"调度员：{c.person()}",
    ]
    return "S02", start, lines, c.pick(["电话派工记录", "电话派工"])


def t_receipt(c: Ctx):
    day = c.base
    lines = [
        c.pick(["设备收条", "收条", "设备接收单"]),
        f"今收到{c.pick(CUSTOMERS)}送修{c.pick(PRODUCTS)}控制板一块，外观完好。",
        "维修完成后凭此条取回。",
        f"收件人：{c.person()}",
        f"日期：{c.d(day)}",
    ]
    return "S03", day, lines, c.pick(["收条", "设备收条"])


def t_week_stats(c: Ctx):
    monday = c.base - timedelta(days=c.base.weekday())
    sunday = monday + timedelta(days=6)
    period = c.pick(
        [f"{monday:%Y-%m-%d} 至 {sunday:%m-%d}", f"{c.d(monday)}—{c.d(sunday)}", f"{monday:%Y.%m.%d}-{sunday:%m.%d}"]
    )
    lines = [
        c.pick(["服务记录统计表", "记录统计表", "周服务记录统计表"]),
        f"统计周期：{period}",
        "受理  派工  完工  回访  投诉",
        f"{c.r.randrange(20, 60)}  {c.r.randrange(15, 50)}  {c.r.randrange(10, 45)}  {c.r.randrange(5, 30)}  {c.r.randrange(0, 3)}",
        c.pair(f"填报人：{c.person()}", f"填报日期：{c.d(sunday + timedelta(days=1))}"),
    ]
    return "S04", monday, lines, c.pick(["统计表", "记录统计"])


def t_month_report(c: Ctx):
    first = date(c.base.year, c.base.month, 1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    lines = [
        c.pick(["客服质量月度报表", "客户服务质量月度报表", "客服质量月报"]),
        c.pick(
            [f"报表月份：{first.year}年{first.month}月", f"统计月份：{first:%Y-%m}", f"{first.year}年{first.month}月份"]
        ),
        "回访满意率 96%，投诉处理及时率 100%，上门及时率 93%。",
        f"编制：{c.person()}",
        f"报送日期：{c.d(nxt + timedelta(days=1))}",
    ]
    return "S05", first, lines, "月度报表"


def t_weekly_business(c: Ctx):
    monday = c.base - timedelta(days=c.base.weekday())
    sunday = monday + timedelta(days=6)
    lines = [
        c.pick(["营业周报", "业务周报", "服务中心营业周报"]),
        f"周期：{c.d(monday)}至{c.d(sunday)}",
        "本周营业收入三万二千元，维修二十八台次，配件销售九千元。",
        f"下周计划：{c.d(sunday + timedelta(days=3))}前完成配件盘点。",
        f"报告人：{c.person()}",
        f"报告日期：{c.d(sunday - timedelta(days=1))}",
    ]
    return "S06", monday, lines, "周报"


def t_request(c: Ctx):
    day = c.base
    lines = [
        c.pick(["顾客服务需求表", "顾客服务要求表", "客户服务需求登记表"]),
        *_customer(c),
        "需求内容：机组年度保养。",
        f"约定上门时间：{c.d(day + timedelta(days=2))}",
        c.pair(f"受理人：{c.person()}", f"受理日期：{c.d(day)}"),
    ]
    return "S11", day, lines, "服务需求"


def t_customer_file(c: Ctx):
    day = c.base
    lines = [
        c.pick(["客户档案基本资料表", "客户档案资料表"]),
        *_customer(c),
        f"安装日期：{c.d(day - timedelta(days=200))}",
        f"保修期至：{c.d(day + timedelta(days=500))}",
        f"建档人：{c.person()}",
        f"建档日期：{c.d(day)}",
    ]
    return "S12", day, lines, "客户档案"


def t_followup(c: Ctx, second: bool):
    served = c.base
    day = served + timedelta(days=c.r.randrange(3, 8) + (10 if second else 0))
    nth = c.pick(["第二次", "二次"]) if second else c.pick(["第一次", "首次"])
    lines = [
        c.pick(["跟踪服务电话记录表", "回访电话记录", "客户回访记录"]),
        c.pair(f"回访类别：{nth}回访", f"派工单号：PG{c.r.randrange(1000, 9999)}"),
        *_customer(c),
        f"服务日期：{c.d(served)}",
        "回访内容：设备运行正常，客户对维修人员态度满意。",
        c.pair(f"回访人：{c.person()}", f"回访日期：{c.d(day)}"),
    ]
    return ("S14" if second else "S13"), day, lines, c.pick([f"{nth}回访", "回访记录"])


def t_complaint(c: Ctx):
    day = c.base
    lines = [
        c.pick(["重大投诉记录", "重大投诉记录表", "客户重大投诉记录"]),
        *_customer(c),
        f"投诉编号：{c.no('TS')}",
        "投诉内容：维修后一周内同一故障再次发生，客户要求更换机组。",
        "投诉级别：重大",
        c.pair(f"记录人：{c.person()}", f"记录日期：{c.d(day)}"),
    ]
    return "S15", day, lines, "投诉记录"


def t_complaint_report(c: Ctx):
    complained = c.base
    day = complained + timedelta(days=c.r.randrange(0, 2))
    lines = [
        c.pick(["重大投诉上报单", "重大投诉上报表", "重大投诉情况上报"]),
        "上报单位：清源服务中心",
        f"投诉日期：{c.d(complained)}",
        f"关联重大投诉记录：{c.no('TS')}",
        *_customer(c),
        "处理建议：派技术主管上门复查，必要时更换压缩机。",
        c.pair(f"上报人：{c.person()}", f"上报日期：{c.d(day)}"),
    ]
    return "S16", day, lines, "投诉上报"


def t_training(c: Ctx):
    day = c.base
    lines = [
        c.pick(["员工培训签到表", "安全培训签到表"]),
        f"培训日期：{c.d(day)}",
        "培训内容：冷水机组维修安全规程",
        *(f"{i + 1}  {p}" for i, p in enumerate(c.r.sample(PEOPLE, 5))),
        f"组织人：{c.person()}",
    ]
    return None, day, lines, "签到表"


def t_parts_order(c: Ctx):
    day = c.base
    lines = [
        c.pick(["配件采购申请单", "备件领用单"]),
        "申请部门：清源服务中心",
        f"配件：{c.pick(PRODUCTS)}压缩机 一台",
        f"用途：派工单PG{c.r.randrange(1000, 9999)}维修",
        f"申请人：{c.person()}",
        f"申请日期：{c.d(day)}",
    ]
    return None, day, lines, "采购申请"


CONSTRUCTION = [
    t_contract,
    t_start_report,
    t_disclosure,
    t_drawing_review,
    t_scheme,
    t_change,
    t_certificate,
    t_test_report,
    t_survey,
    t_hidden,
    t_quality,
    t_handover_cert,
    t_summary,
    t_completion,
    t_log,
    t_drawing,
    t_drawing,
    t_supervisor_notice,
    t_crane_lease,
    t_purchase,
    t_invoice,
    t_payroll,
    t_meeting,
    t_supervisor_log,
]
SERVICE = [
    t_dispatch,
    t_phone_dispatch,
    t_receipt,
    t_week_stats,
    t_month_report,
    t_weekly_business,
    t_request,
    t_customer_file,
    lambda c: t_followup(c, False),
    lambda c: t_followup(c, True),
    t_complaint,
    t_complaint_report,
    t_training,
    t_parts_order,
    t_invoice,
    t_payroll,
    t_meeting,
]


def documents(per_template: int = 4, seed: int = 2026, sets: dict | None = None, prefix: str = "") -> list[Doc]:
    """The whole evaluation set, the same every run (seeded); ``sets`` other templates per project."""
    rng = random.Random(seed)
    docs = []
    for project, templates in (sets or {"HY-3": CONSTRUCTION, "SV-QY": SERVICE}).items():
        for t_no, template in enumerate(templates):
            for k in range(per_template):
                c = Ctx(rng, len(docs))
                expected, day, lines, words, *drawing = template(c)
                if drawing:
                    fmt = "drawing"
                else:
                    fmt = rng.choices(["pdf", "pdf2", "docx", "photo"], weights=[45, 10, 30, 15])[0]
                ext = {"docx": "docx", "photo": rng.choice(["jpg", "png"])}.get(fmt, "pdf")
                docs.append(
                    Doc(
                        f"{prefix}{project}-{t_no:02d}-{k}",
                        project,
                        expected,
                        day,
                        fmt,
                        c.fname(words, ext),
                        lines,
                        drawing[0] if drawing else None,
                    )
                )
    return docs
