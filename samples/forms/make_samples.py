"""Write the sample form data used by `dangan demo` and the tests (fictitious people and firms).

    python samples/forms/make_samples.py

维护派工单.csv is GBK-encoded with Chinese headers, the way Excel on Chinese Windows saves
"CSV (逗号分隔)"; list items use the numbered-column convention (维修项目1项目名称 …).
顾客投诉记录.xlsx has real Excel date cells.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ITEM_SUBS = ("项目名称", "收费", "数量", "单价", "金额")
MAX_ITEMS = 5

CUSTOMERS = [
    ("刘建国", "13901012345", "北京市朝阳区望京西园三区312号楼2单元501"),
    ("陈秀英", "13811028876", "北京市海淀区学院路甲5号院7号楼1102"),
    ("北京华信物业管理有限公司", "010-64381122", "北京市东城区东直门南大街9号"),
    ("王丽华", "13522876510", "北京市丰台区方庄芳城园一区16号楼803"),
    ("赵志强", "13601155432", "北京市通州区新华西街58号院3号楼602"),
    ("孙美玲", "15010234678", "北京市西城区德胜门外大街11号院4号楼"),
    ("周明 & 吴芳", "13910987654", "北京市昌平区回龙观龙泽苑东区21号楼"),
    ("北京绿源餐饮有限公司", "010-82345566", "北京市海淀区中关村大街27号地下一层"),
    ("郑海涛", "18610453322", "北京市大兴区黄村西大街36号院2号楼1201"),
    ("冯淑珍", "13701238890", "北京市石景山区鲁谷路74号院5号楼"),
]
STAFF = ["王强", "李军", "张磊", "刘洋"]
SERVICES = [
    (
        "上门维修",
        "净水器出水量小，检查后更换滤芯并冲洗管路",
        [("PP棉滤芯", "收费", 1, 45), ("活性炭滤芯", "收费", 1, 80), ("上门检测", "免费", 1, 0)],
    ),
    (
        "保养",
        "中央空调年度保养：清洗过滤网、检查冷媒压力",
        [("过滤网清洗", "免费", 4, 0), ("冷媒补充", "收费", 1, 260)],
    ),
    ("上门维修", "燃气热水器点火困难，更换点火针", [("点火针", "收费", 1, 65), ("人工费", "收费", 1, 50)]),
    (
        "安装",
        "新购壁挂炉安装调试，并讲解使用方法",
        [("壁挂炉安装", "免费", 1, 0), ("加长烟管", "收费", 2, 90), ("角阀", "收费", 3, 25), ("调试", "免费", 1, 0)],
    ),
    ("返厂维修", "洗碗机主板故障，带回工厂检修，留设备收条", [("主板检测", "免费", 1, 0)]),
    (
        "保养",
        "商用净水设备季度保养，更换五级滤芯",
        [
            ("PP棉滤芯", "收费", 2, 45),
            ("前置活性炭", "收费", 2, 80),
            ("后置活性炭", "收费", 1, 70),
            ("RO膜冲洗", "免费", 1, 0),
            ("水质检测", "免费", 1, 0),
        ],
    ),
]


def dispatch_rows() -> list[dict[str, str]]:
    rows = []
    for i in range(20):
        name, phone, address = CUSTOMERS[i % len(CUSTOMERS)]
        kind, content, items = SERVICES[i % len(SERVICES)]
        row = {
            "派工单号": f"PG-2024-{i + 101:04d}", "派工日期": f"2024/3/{i + 4}", "客户名称": name,
            "联系电话": phone, "地址": address, "维修人员": STAFF[i % len(STAFF)], "服务类别": kind,
            "服务内容": content,
        }  # fmt: skip
        fee = 0
        for n in range(1, MAX_ITEMS + 1):
            cells = ["", "", "", "", ""]
            if n <= len(items):
                item, charge, qty, price = items[n - 1]
                cells = [item, charge, str(qty), f"{price:.2f}", f"{qty * price:.2f}"]
                fee += qty * price if charge == "收费" else 0
            row.update({f"维修项目{n}{sub}": v for sub, v in zip(ITEM_SUBS, cells)})
        row["收费金额"] = f"{fee:.2f}"
        row["收据号"] = f"SJ{240300 + i + 1}" if fee else ""
        row["设备收条"] = "已收回" if kind == "返厂维修" else "无设备交还"
        row["顾客意见"] = ["服务及时，态度很好", "满意", "", "师傅讲解清楚，谢谢", "希望尽快修好送回"][i % 5]
        rows.append(row)
    return rows


def write_gbk_csv(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("gbk"))


def write_complaints(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "投诉"
    ws.append(["投诉编号", "投诉时间", "投诉人", "联系电话", "投诉对象", "严重程度", "投诉类别", "投诉内容及要求",
               "责任部门", "记录人", "原因调查", "解决方案", "通知顾客日期", "改进措施"])  # fmt: skip
    data = [
        ("TS-2024-001", datetime(2024, 3, 6, 9, 30), "陈秀英", "13811028876", "维修人员李军", "一般", "服务投诉",
         "约定上午上门，下午三点才到，要求说明原因", "售后服务部", "周静", "当天派单过多，未提前通知顾客改约",
         "向顾客道歉并免收本次上门费", datetime(2024, 3, 7), "派单时预留路程时间，迟到须提前电话告知"),
        ("TS-2024-002", datetime(2024, 3, 12, 14, 5), "北京绿源餐饮有限公司", "010-82345566", "商用净水设备", "严重",
         "产品质量投诉", "设备保养后一周内两次漏水，要求彻底检修并赔偿损失", "技术部", "周静",
         "滤瓶密封圈安装不到位", "更换密封圈并免费复检三个月", datetime(2024, 3, 12), "保养完成后增加保压测试"),
        ("TS-2024-003", datetime(2024, 3, 20, 10, 0), "郑海涛", "18610453322", "客服热线", "一般", "顾客提案与建议",
         "建议增加微信预约服务", "客服中心", "马晓", "", "纳入二季度改进计划", datetime(2024, 3, 22), ""),
    ]  # fmt: skip
    for row in data:
        ws.append(list(row))
    for col in ("B", "M"):
        for cell in ws[col][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm" if col == "B" else "yyyy-mm-dd"
    wb.save(path)


if __name__ == "__main__":
    write_gbk_csv(HERE / "维护派工单.csv", dispatch_rows())
    write_complaints(HERE / "顾客投诉记录.xlsx")
    print("wrote", HERE / "维护派工单.csv", HERE / "顾客投诉记录.xlsx")
