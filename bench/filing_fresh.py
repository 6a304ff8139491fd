"""A second held-out part: document kinds written after the rules were tuned, never tuned on.

The main set (bench/filing_docs.py) splits instances of the same templates between the tune
and held-out parts, so its held-out part measures robustness to wording, layout and format,
not to kinds of document the rules have never seen.  These templates were written once,
after the tuning, and scored as they came out (bench/filing.py prints them as "unseen").
"""

from __future__ import annotations

from datetime import timedelta

from filing_docs import BUILDERS, CUSTOMERS, LABS, PRODUCTS, SUPERVISORS, Ctx


def f_start_form(c: Ctx):
    day = c.base
    lines = [
        c.pick(BUILDERS),
        "单位工程开工申请表",
        f"工程名称：恒远小学综合楼（{c.pick(['A', 'B'])}区）",
        f"拟开工日期：{c.d(day + timedelta(days=9))}",
        "附件：施工许可证复印件、施工组织设计审批表、测量放线成果。",
        f"申请单位（章）  {c.d(day)}",
    ]
    return "C02", day, lines, "开工申请"


def f_design_disclosure(c: Ctx):
    day = c.base
    lines = [
        "设计交底记录",
        f"主持单位：{c.pick(['恒远建筑设计研究院', '东城设计院'])}",
        "交底要点：基础持力层为中风化泥岩，承载力特征值一千二百千帕。",
        "图纸会审中提出的问题已在本次交底中答复。",
        f"参加人员：{c.person()}、{c.person()}、{c.person()}",
        f"交底日期：{c.d(day)}",
    ]
    return "C03", day, lines, "设计交底"


def f_high_formwork(c: Ctx):
    day = c.base
    lines = [
        "高大模板支撑系统",
        "安全专项施工方案",
        f"编制单位：{c.pick(BUILDERS)}",
        f"编制：{c.person()}  审核：{c.person()}  批准：{c.person()}",
        f"{c.d(day)}",
        "1 编制依据",
        "2 工程概况：报告厅层高九点六米，梁截面八百乘一千六百毫米。",
    ]
    return "C04", day, lines, "高支模方案"


def f_weld_test(c: Ctx):
    day = c.base
    lines = [
        c.pick(LABS),
        "钢筋焊接接头力学性能检验报告",
        f"委托编号：WT{c.r.randrange(1000, 9999)}",
        f"委托日期：{c.d(day - timedelta(days=5))}",
        "接头类型：电渣压力焊  代表数量：三百个",
        "结论：合格",
        f"签发日期：{c.d(day)}",
    ]
    return "C07", day, lines, "焊接检验"


def f_floor_layout(c: Ctx):
    day = c.base
    lines = [
        f"{c.pick(['三', '四', '五'])}层楼层放线记录",
        "放线依据：首层轴线控制桩及内控点。",
        "放线内容：轴线、墙柱边线、门窗洞口线。",
        f"放线人：{c.person()}  复核人：{c.person()}",
        f"放线日期：{c.d(day)}",
    ]
    return "C08", day, lines, "放线记录"


def f_trench_check(c: Ctx):
    day = c.base
    lines = [
        "地基验槽记录",
        "工程名称：恒远小学综合楼",
        "槽底土质：中风化泥岩，与勘察报告一致，无软弱下卧层。",
        f"勘察单位：{c.person()}  设计单位：{c.person()}  监理单位：{c.person()}",
        f"验槽日期：{c.d(day)}",
    ]
    return "C09", day, lines, "验槽"


def f_batch_accept(c: Ctx):
    day = c.base
    lines = [
        "检验批质量验收记录",
        f"检验批名称：{c.pick(['砖砌体', '钢筋安装', '模板安装'])}",
        "主控项目：全部符合；一般项目：合格率九十五%。",
        f"专业监理工程师：{c.person()}",
        f"验收日期：{c.d(day)}",
    ]
    return "C10", day, lines, "检验批"


def f_unstamped_drawing(c: Ctx):
    day = c.base
    sheet = f"建施-{c.r.randrange(1, 20):02d}"
    notes = ["说明：", "1. 门窗尺寸以洞口尺寸计。", "2. 本图为施工图，未经审查不得施工。"]
    block = {
        "图名": c.pick(["二层平面图", "东立面图"]),
        "图号": sheet,
        "工程名称": "恒远小学综合楼",
        "比例": "1:100",
        "日期": c.d(day),
        "设计": c.person(),
    }
    return None, day, notes, sheet, {"block": block, "stamp": ["审图合格", f"审查日期：{c.d(day + timedelta(days=3))}"]}


def f_settlement(c: Ctx):
    day = c.base
    lines = [
        "沉降观测记录",
        "观测点：J1～J8",
        f"本次观测日期：{c.d(day)}",
        f"上次观测日期：{c.d(day - timedelta(days=30))}",
        "累计沉降量最大三点二毫米，速率正常。",
        f"观测人：{c.person()}",
    ]
    return None, day, lines, "沉降观测"


def f_payment(c: Ctx):
    day = c.base
    lines = [
        "工程款支付申请表",
        f"致：{c.pick(SUPERVISORS)}",
        "我方已完成三层主体结构，按施工合同约定申请支付进度款。",
        "附件：已完工程量清单、质量验收记录。",
        f"承包单位：{c.pick(BUILDERS)}",
        f"日期：{c.d(day)}",
    ]
    return None, day, lines, "支付申请"


def f_safety_bulletin(c: Ctx):
    day = c.base
    lines = [
        f"关于{c.pick(['十月份', '第三季度'])}安全检查情况的通报",
        "各项目部：",
        "检查发现部分工地施工日志填写不全、隐蔽工程验收记录滞后。",
        "请各项目部限期整改。",
        "公司安全部",
        c.d(day),
    ]
    return None, day, lines, "安全通报"


def f_dispatch_onsite(c: Ctx):
    day = c.base
    lines = [
        "上门服务派工单",
        f"单号：SM{c.r.randrange(10000, 99999)}",
        c.pair(f"客户名称：{c.pick(CUSTOMERS)}", f"联系人：{c.person()}"),
        f"报修内容：{c.pick(PRODUCTS)}漏水",
        f"派单时间：{c.d(day)} 09:30",
        f"完工时间：{c.d(day + timedelta(days=1))} 16:00",
        f"派单人：{c.person()}",
    ]
    return "S01", day, lines, "上门派工"


def f_second_call(c: Ctx):
    served = c.base
    day = served + timedelta(days=15)
    lines = [
        "回访记录（第二次）",
        c.pair(f"客户：{c.pick(CUSTOMERS)}", f"电话：138{c.r.randrange(10**7, 10**8)}"),
        f"原服务日期：{c.d(served)}",
        "客户反馈：运行平稳。",
        f"回访人：{c.person()}",
        f"回访日期：{c.d(day)}",
    ]
    return "S14", day, lines, "二次回访"


def f_major_complaint(c: Ctx):
    day = c.base
    lines = [
        c.pick(["清源服务中心", "客服部"]),
        "重大投诉登记表",
        c.pair(f"顾客名称：{c.pick(CUSTOMERS)}", f"联系人：{c.person()}"),
        "投诉事由：保修期内机组三次停机，影响营业。",
        f"登记人：{c.person()}",
        f"登记日期：{c.d(day)}",
    ]
    return "S15", day, lines, "投诉登记"


def f_survey(c: Ctx):
    day = c.base
    lines = [
        "顾客满意度调查表",
        c.pair(f"顾客名称：{c.pick(CUSTOMERS)}", f"填表人：{c.person()}"),
        "设计  产品实物质量  物流  服务与沟通  价格",
        "5  4  5  4  3",
        f"填表日期：{c.d(day)}",
    ]
    # No checklist item held it when this was written; issue 27 added S21 顾客满意度调查表 to the
    # service checklist, which is where it now belongs.
    return "S21", day, lines, "满意度调查"


FRESH = {
    "HY-3": [
        f_start_form,
        f_design_disclosure,
        f_high_formwork,
        f_weld_test,
        f_floor_layout,
        f_trench_check,
        f_batch_accept,
        f_unstamped_drawing,
        f_settlement,
        f_payment,
        f_safety_bulletin,
    ],
    "SV-QY": [f_dispatch_onsite, f_second_call, f_major_complaint, f_survey],
}
