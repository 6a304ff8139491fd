"""Evaluation of the learned model blended with the rules, on company forms written for it.

Each family is one company's own form that no checklist word names, filled in differently
each time; the archivist has filed five of each (the model's examples).  Scored: ten new
documents per family (filed to the family's item = right, review, filed elsewhere = wrong)
and documents that must NOT be filed by the model (an invoice or a meeting notice on the
same letterhead, a lease, a payroll sheet: the model filing any of them is wrong).

- tune part: the two families and two negatives the thresholds in ``archive/learning/blend.py``
  were chosen on (tests/test_learning.py's forms);
- held-out part: four families and four negatives written afterwards, only scored.

Run from the repository root:  python bench/learning_eval.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.learning import known_doc  # noqa: E402
from dangan.archive.checklist import load_checklist  # noqa: E402
from dangan.archive.intake.classify import classify_item  # noqa: E402
from dangan.archive.learning.blend import blend  # noqa: E402
from dangan.archive.learning.model import LearnedModel  # noqa: E402
from dangan.archive.learning.train import _train_head  # noqa: E402
from dangan.archive.projects import Project  # noqa: E402
from tests.test_learning import arrival_slip, patrol_sheet  # noqa: E402

NAMES = ["刘洋", "黄蕾", "郑伟", "邓超", "林芳", "谢军", "韩梅", "曹阳"]


def briefing(n: int) -> str:
    r = random.Random(2000 + n)
    return (
        f"宏达市政工程有限公司\n班前讲话记录\n日期：{r.randint(1, 12)}月{r.randint(1, 28)}日  班组：{r.choice(['木工班', '钢筋班', '架子工班'])}\n"
        f"讲话人：{r.choice(NAMES)}  参加人数：{r.randint(6, 30)}人\n今日作业内容：{r.choice(['支设二层梁模板', '绑扎柱钢筋', '搭设外架'])}\n"
        f"注意事项：{r.choice(['高处作业系好安全带', '用电设备一机一闸', '雨后检查架体'])}；{r.choice(['禁止酒后上岗', '材料堆放整齐'])}\n参加人员签名：见背面"
    )


def rebar_ledger(n: int) -> str:
    r = random.Random(3000 + n)
    rows = "\n".join(
        f"{r.randint(1, 28)}日 HRB400 Φ{r.choice([12, 16, 20, 25])} {r.randint(5, 40)}t 炉批号{r.randint(10000, 99999)} {r.choice(['沙钢', '鞍钢', '永钢'])}"
        for _ in range(r.randint(4, 8))
    )
    return f"钢筋进场登记台账\n项目部材料科  {r.randint(1, 12)}月\n日期 牌号 规格 数量 炉批号 厂家\n{rows}\n登记人：{r.choice(NAMES)}"


def pour_request(n: int) -> str:
    r = random.Random(4000 + n)
    return (
        f"混凝土浇灌申请书\n申请部位：{r.choice(['三层顶板', '地下室底板', '四层柱'])}  强度等级：C{r.choice([25, 30, 35])}\n"
        f"方量：{r.randint(20, 300)}m³  计划时间：{r.randint(1, 12)}月{r.randint(1, 28)}日{r.randint(6, 20)}时\n"
        f"准备情况：模板加固完毕，泵车已联系，试块模具{r.randint(3, 9)}组\n申请人：{r.choice(NAMES)}  技术负责人意见：同意"
    )


def crane_log(n: int) -> str:
    r = random.Random(5000 + n)
    return (
        f"Tower Crane Daily Run Sheet 塔机每日运转表\n机号：QTZ{r.choice([63, 80, 125])}-{r.randint(1, 9)}  司机：{r.choice(NAMES)}\n"
        f"开机 {r.randint(6, 8)}:00  停机 {r.randint(17, 20)}:00  吊次 {r.randint(40, 160)}\n"
        f"力矩限制器 {r.choice(['正常', '正常', '报警一次'])}  风速 {r.randint(1, 9)}m/s  交班情况：{r.choice(['无异常', '钢丝绳需润滑'])}"
    )


def invoice(n: int) -> str:
    r = random.Random(6000 + n)
    return f"增值税普通发票\n购买方：鑫源建设有限公司\n货物名称：{r.choice(['办公用品', '劳保用品', '打印纸'])}\n金额：{r.randint(1, 90)},000.00元\n开票日期：2024年{r.randint(1, 12)}月1日"


def payroll(n: int) -> str:
    r = random.Random(7000 + n)
    rows = "\n".join(f"{name} 出勤{r.randint(20, 31)}天 应发{r.randint(5, 12)}000元" for name in r.sample(NAMES, 5))
    return f"鑫源建设有限公司\n{r.randint(1, 12)}月农民工工资发放表\n{rows}\n制表：劳资员"


def notice(n: int) -> str:
    r = random.Random(8000 + n)
    return (
        f"鑫源建设有限公司安全部\n关于开展{r.randint(1, 12)}月安全巡查的通知\n各项目部：\n"
        f"公司定于本月{r.randint(10, 25)}日开展月度安全巡查，请各项目部提前自查脚手架、临边防护和消防器材，并准备好安全台账。\n安全部"
    )


def lease(n: int) -> str:
    r = random.Random(9000 + n)
    return (
        f"设备租赁协议\n出租方：{r.choice(['华安租赁', '永固机械'])}  承租方：宏达市政工程有限公司\n"
        f"租赁设备：{r.choice(['施工升降机', '塔式起重机'])}  租期：{r.randint(3, 12)}个月  月租金：{r.randint(2, 9)}万元\n双方签字盖章后生效。"
    )


def slogan_sheet(n: int) -> str:
    r = random.Random(9500 + n)
    return f"宏达市政工程有限公司\n{r.choice(['质量月', '安全月'])}活动宣传标语\n{r.choice(['安全第一，预防为主', '质量是企业的生命'])}\n工会 宣"


TUNE = {"families": {"C14": [patrol_sheet], "C06": [arrival_slip]}, "negatives": [invoice, payroll]}
HELD_OUT = {
    "families": {"C03": [briefing], "C06": [rebar_ledger], "C14": [pour_request], "C10": [crane_log]},
    "negatives": [notice, lease, slogan_sheet],
}


def train_model() -> LearnedModel:
    rows = [(f"k{n}.pdf", known_doc(n), _known_item(n), False) for n in range(80)]
    for part in (TUNE, HELD_OUT):
        for item, forms in part["families"].items():
            rows += [(f"scan_{f.__name__}_{n}.pdf", f(n), item, True) for f in forms for n in range(5)]
    return LearnedModel({"construction": _train_head("construction", rows)}, {})


def _known_item(n: int) -> str:
    return ["C14", "C02", "C07", "C08", "C05", "C03", "C09", "C04"][n % 8]


def score(project: Project, model: LearnedModel, part: dict) -> dict:
    out = {
        "right": 0,
        "review": 0,
        "wrong": 0,
        "negatives": 0,
        "negatives filed by the model": 0,
        "sims": [],
        "neg_sims": [],
    }
    head = model.head("construction")
    for item, forms in part["families"].items():
        for f in forms:
            for n in range(100, 110):
                name, text = f"scan_{n}.pdf", f(n)
                got = blend(project, name, text, classify_item(project, name, text), model)
                key = "review" if got.item is None else ("right" if got.item.code == item else "wrong")
                out[key] += 1
                out["sims"].append(next(g.similarity for g in head.predict(name, text) if g.item == item))
    for f in part["negatives"]:
        for n in range(100, 110):
            name, text = f"scan_{n}.pdf", f(n)
            got = blend(project, name, text, classify_item(project, name, text), model)
            out["negatives"] += 1
            out["neg_sims"].append(head.predict(name, text)[0].similarity)
            out["negatives filed by the model"] += int(got.item is not None and got.reason.startswith("learned"))
    return out


def main() -> None:
    project = Project("BJ-2024-017", "安居花园3号楼", load_checklist("construction"), {})
    model = train_model()
    for label, part in (("tune", TUNE), ("held-out", HELD_OUT)):
        s = score(project, model, part)
        total = s["right"] + s["review"] + s["wrong"]
        print(
            f"{label}: {total} family documents: {s['right']} right ({s['right'] / total:.0%}), {s['review']} review, "
            f"{s['wrong']} wrong; {s['negatives']} negatives, {s['negatives filed by the model']} filed by the model; "
            f"similarity to the right item min {min(s['sims']):.2f}, negatives' best max {max(s['neg_sims']):.2f}"
        )


if __name__ == "__main__":
    main()
