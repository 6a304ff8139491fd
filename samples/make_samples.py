"""Generate the committed sample inbox for project BJ-2024-017 「安居花园3号楼」.

``dangan demo`` and the end-to-end test file these documents into a fresh archive.  They
cover 10 of the 16 items of the construction checklist (科技档案一览表), in every input
format dangan reads, so the demo shows filed items, missing items and who owes them, plus
a duplicate and a damaged file.  ``expected.json`` (written here too) records what should
become of each file.

Run from the repository root after changing anything below, and commit the result::

    /work/venv/bin/python samples/make_samples.py

The output is deterministic (fixed timestamps, no random ids), so an unchanged run leaves
git clean.  The texts are written for this sample; they are not copied from regulations.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

SAMPLES_DIR = Path(__file__).resolve().parent
# Run as a script, Python puts samples/ on sys.path, not the repository root that holds tests/.
if str(SAMPLES_DIR.parent) not in sys.path:
    sys.path.insert(0, str(SAMPLES_DIR.parent))

from dangan.archive.sample import SAMPLE_ROLES  # noqa: E402
from tests.docgen import make_docx, make_scan_image, make_scan_pdf, make_text_pdf, make_tiff  # noqa: E402

PROJECT_CODE = "BJ-2024-017"
PROJECT_NAME = "安居花园3号楼"
INBOX = SAMPLES_DIR / "inbox" / PROJECT_CODE
EXPECTED = SAMPLES_DIR / "expected.json"

ROLES = SAMPLE_ROLES  # one definition, shared with `dangan demo` and the tests

# A4 at 120 dpi: legible for OCR yet small enough to commit.
SCAN_SIZE = (992, 1403)
HEAD = f"工程名称：{PROJECT_NAME}\n工程编号：{PROJECT_CODE}"
BUILDER = "施工单位：北京宏建建筑工程有限公司"
CLIENT = "建设单位：安居置业有限公司"


# Each text: the printed heading first (the checklist words), project, date, body, signatures.
# Bodies avoid the keywords of other checklist items so that each file points at one item.

CONTRACT = [
    f"""建设工程施工合同书
{HEAD}
{CLIENT}（发包人）
{BUILDER}（承包人）
签订日期：2024年2月20日
第一条　工程概况：{PROJECT_NAME}为地上十一层、地下一层的钢筋混凝土剪力墙结构住宅，建筑面积约一万二千平方米。
第二条　承包范围：图纸所示土建、给排水及电气安装工程，不含室外园林。
第三条　工期：计划二〇二四年三月十日开工，总日历天数三百六十天。
第四条　质量标准：符合国家现行验收标准，一次验收合格。""",
    f"""第五条　合同价款：暂定人民币三千二百万元整，按月完成工程量的百分之七十五支付进度款。
第六条　双方应按约定履行义务，发生争议时先行协商，协商不成向工程所在地人民法院起诉。
第七条　本合同一式八份，发包人执四份，承包人执四份，自双方签字盖章之日起生效。
发包人代表：（签字）
承包人法定代表人：{ROLES["公司法人"]}（签字）
日期：2024年2月20日""",
]

START_REPORT = [
    f"""开工报告
{HEAD}
{BUILDER}
致：华诚工程监理有限公司
我方已完成开工前的各项准备工作：施工许可证已办理，现场三通一平完成，
临时设施搭设完毕，主要管理人员和机械设备已进场，测量控制点已交接复核。
计划开工日期：2024年3月10日
特申请开工，请予审查。
项目经理：{ROLES["项目经理"]}（签字）
日期：2024年3月5日
监理单位意见：同意开工。总监理工程师：（签字）"""
]

ORGANISATION = [
    f"""施工组织设计
{HEAD}
编制：{ROLES["项目技术负责人"]}　审核：{ROLES["项目经理"]}
编制日期：2024年2月28日
一、编制依据：施工合同、设计图纸、地质勘察报告及现行规范。
二、工程概况：本工程为剪力墙结构住宅，基础为筏板基础，埋深五点二米。
三、施工部署：按先地下后地上、先结构后装修的顺序组织流水作业，划分两个施工段。""",
    f"""四、主要施工方法：土方采用反铲挖掘机开挖，人工清底；钢筋在现场加工棚集中制作；
混凝土采用商品混凝土，泵送浇筑，振捣密实，覆盖浇水养护不少于七天。
五、进度计划：基础工程四十五天，主体结构每层七天，装饰装修一百二十天。
六、安全文明施工：设专职安全员，临边洞口全部防护，施工现场封闭管理。
项目技术负责人：{ROLES["项目技术负责人"]}（签字）
日期：2024年2月28日""",
]

DRAWING_REVIEW = [
    "图纸会审纪要",
    f"工程名称：{PROJECT_NAME}　工程编号：{PROJECT_CODE}",
    "会审日期：2024年3月8日　地点：项目部会议室",
    "参加单位：建设单位、设计单位、监理单位、施工单位",
    "以上问题经设计单位答复，各方确认，作为施工依据，与施工图具有同等效力。",
    f"记录人：{ROLES['内业技术员']}　日期：2024年3月8日",
]
DRAWING_REVIEW_TABLE = [
    ["序号", "图纸编号", "提出问题", "设计答复"],
    ["1", "结施-03", "筏板厚度与剖面标注不一致", "以平面图标注八百毫米为准"],
    ["2", "建施-05", "卫生间降板高度未注明", "降板一百五十毫米"],
    ["3", "结施-07", "楼梯梁配筋缺少箍筋加密区", "两端各加密五百毫米"],
]

BRIEFING = f"""技术交底记录
{HEAD}
交底部位：地下室底板钢筋绑扎
交底日期：2024年3月10日
一、钢筋规格、数量和间距必须符合图纸要求，
绑扎前在垫层上弹出钢筋位置线。
二、底板上下层钢筋之间设置马凳筋，间距一米。
三、钢筋保护层厚度四十毫米，垫块梅花形布置。
交底人：{ROLES["内业技术员"]}
接收人：{ROLES["施工员"]}"""

DESIGN_CHANGE = [
    f"""设计变更通知单
{HEAD}
编号：BG-003
日期：2024年5月10日
变更内容：三层至十一层阳台栏杆高度
由一点零五米调整为一点一米，
做法详见修改后的大样图。
设计单位：（盖章）
内业技术员：{ROLES["内业技术员"]}""",
    f"""工程量核定单
{HEAD}
编号：HD-003
日期：2024年5月16日
因阳台栏杆加高增加不锈钢栏杆约
一百二十延米，经现场核实予以确认。
监理工程师：（签字）
内业技术员：{ROLES["内业技术员"]}""",
]

CERTIFICATE = f"""产品质量证明书
（钢材出厂合格证）
{HEAD}
产品名称：钢筋混凝土用热轧带肋钢筋
牌号：HRB400E
规格：直径二十毫米
炉批号：24C0815
数量：三十二点五吨
出厂日期：2024年3月14日
力学性能和化学成分检验合格，
符合国家标准要求，准予出厂。
生产厂家：河北津西钢铁集团（质检章）
收货日期：2024年3月18日
材料员：{ROLES["材料员"]}"""

TEST_REPORT = f"""原材料试验报告
（钢筋力学性能复试）
{HEAD}
委托单位：北京宏建建筑工程有限公司
试样名称：热轧带肋钢筋HRB400E
代表数量：三十二点五吨
屈服强度：四百四十五兆帕
抗拉强度：六百一十兆帕
断后伸长率：百分之二十三
结论：所检项目符合标准要求。
报告日期：2024年3月22日
试验员：{ROLES["试验员"]}"""

SURVEY = f"""施工定位测量记录
{HEAD}
测量日期：2024年3月12日
依据规划部门提供的红线桩和水准点，
使用全站仪测设建筑物主轴线和
高程控制点，共设控制桩八个。
经闭合复核，轴线偏差不大于三毫米，
高程偏差不大于两毫米，满足要求。
测量员：{ROLES["测量员"]}
复核人：{ROLES["项目技术负责人"]}"""

CONCEALED_TRADITIONAL = [
    f"""基礎及主體工程隱蔽記錄
工程名稱：安居花園3號樓
工程編號：{PROJECT_CODE}
隱蔽部位：地下室底板鋼筋
驗收日期：2024年4月16日
檢查內容：鋼筋品種、規格、數量、間距及錨固長度符合設計要求；
鋼筋綁紮牢固，保護層墊塊設置齊全，預埋套管位置正確。
檢查結論：同意隱蔽，進行下一道工序。
施工員：吳濤（簽字）
監理工程師：（簽字）
日期：2024年4月16日"""
]

SITE_DIARY = f"""施工日志
工程名称：{PROJECT_NAME}
工程编号：{PROJECT_CODE}

2024年3月15日　星期五　晴　气温3～14℃
今日完成基坑土方开挖约六百立方米，人工清底至设计标高。
进场钢筋三十二点五吨，已按规定见证取样送检。
安全：基坑周边防护栏杆搭设完成，无事故。

2024年3月16日　星期六　多云　气温4～15℃
基底钎探完成，地基土质与勘察报告一致。
垫层模板支设完成，计划明日浇筑垫层混凝土。

记录人：{ROLES["施工员"]}
"""

BROKEN_SOURCE = [
    f"""施工总结
{HEAD}
本文件在下载时中断，只剩前半部分，用来演示损坏文件的处理。"""
]


# --------------------------------------------------------------------------- builders


def _docx_review(path: Path) -> Path:
    return make_docx(path, DRAWING_REVIEW, DRAWING_REVIEW_TABLE)


def _broken_pdf(path: Path) -> Path:
    """A real PDF cut in half, as a download interrupted halfway leaves it."""
    whole = make_text_pdf(path, BROKEN_SOURCE).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _copy_of(original: str) -> Callable[[Path], Path]:
    """A byte-identical copy, as Windows names it when a file is pasted twice."""

    def build(path: Path) -> Path:
        shutil.copyfile(path.parent / original, path)
        return path

    return build


def _gbk_text(path: Path) -> Path:
    """A text file as Chinese Windows Notepad saves it by default ("ANSI", i.e. GBK)."""
    path.write_bytes(SITE_DIARY.encode("gb18030"))
    return path


@dataclass(frozen=True)
class Sample:
    """One file of the sample inbox: its name, how to build it, what should become of it."""

    name: str
    build: Callable[[Path], Path]
    expected: dict


SAMPLES = [
    Sample("施工合同书.pdf", lambda p: make_text_pdf(p, CONTRACT), {"item": "C01"}),
    Sample("开工报告.pdf", lambda p: make_text_pdf(p, START_REPORT), {"item": "C02"}),
    Sample("图纸会审纪要.docx", _docx_review, {"item": "C03"}),
    Sample("IMG_2050.jpg", lambda p: make_scan_image(p, BRIEFING, size=SCAN_SIZE), {"item": "C03"}),
    Sample("施工组织设计.pdf", lambda p: make_text_pdf(p, ORGANISATION), {"item": "C04"}),
    Sample("scan_0015.tif", lambda p: make_tiff(p, DESIGN_CHANGE, size=SCAN_SIZE), {"item": "C05"}),
    Sample("scan_0007.png", lambda p: make_scan_image(p, CERTIFICATE, size=SCAN_SIZE), {"item": "C06"}),
    Sample("scan_0003.pdf", lambda p: make_scan_pdf(p, [TEST_REPORT], size=SCAN_SIZE, dpi=120), {"item": "C07"}),
    Sample("IMG_2041.jpg", lambda p: make_scan_image(p, SURVEY, rotate=2.0, size=SCAN_SIZE), {"item": "C08"}),
    Sample("基礎及主體工程隱蔽記錄.pdf", lambda p: make_text_pdf(p, CONCEALED_TRADITIONAL), {"item": "C09"}),
    Sample("施工日志.txt", _gbk_text, {"item": "C14"}),
    Sample("scan_0003 - 副本.pdf", _copy_of("scan_0003.pdf"), {"duplicate_of": "scan_0003.pdf"}),
    Sample("broken.pdf", _broken_pdf, {"failed": True}),
]


def build_all(inbox: Path = INBOX, expected: Path = EXPECTED) -> list[Path]:
    """(Re)write every sample file into ``inbox`` and the outcomes into ``expected``.

    Files in ``inbox`` that are not samples any more are removed, so the folder always
    matches ``expected.json`` exactly.
    """
    inbox.mkdir(parents=True, exist_ok=True)
    names = {sample.name for sample in SAMPLES}
    for stale in inbox.iterdir():
        if stale.name not in names:
            stale.unlink()
    written = [sample.build(inbox / sample.name) for sample in SAMPLES]
    outcomes = {sample.name: sample.expected for sample in SAMPLES}
    expected.write_text(json.dumps(outcomes, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return written


def main() -> None:
    """Build the samples and print each file with its size."""
    for path in build_all():
        print(f"{path.stat().st_size:>8,}  {path.relative_to(SAMPLES_DIR)}")


if __name__ == "__main__":
    main()
