"""Done when: a generated year of a service centre, its obligation rows worked out by hand.

清源服务中心 SV-QY, 2026, checked on 2027-01-10 month by month.  Four customers:

* A 清源市瑞丰大酒店有限公司 (written 瑞丰大酒店 on paper): 重点; warranty to 2026-06-30.
* B 金山宾馆: 一般; warranty from 2026-03-01 (covers both halves of the year).
* C 东方电子厂: 重点; no warranty; answers a survey 不满意 in March; a 一般 complaint in August.
* D 南湖学校: 一般; no warranty; one survey in November.

The periodic records of the centre (S01–S06) are waived here: this story is about customers.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from dangan.archive import completeness
from dangan.archive.customers import register as reg
from dangan.archive.customers.actions import close_action
from dangan.archive.deadlines.servicedata import record_received
from dangan.archive.intake.ingest import file_document
from dangan.archive.projects import add_project

TODAY = "2027-01-10"
A, B, C, D = "清源市瑞丰大酒店有限公司", "金山宾馆", "东方电子厂", "南湖学校"
ROLES = {"调度员": "王芳", "维修人员": "王强", "客服主管": "赵敏", "客服专员": "孙丽"}


def _survey(customer: str, answers: tuple) -> str:
    labels = ("产品设计", "产品质量", "交货期", "交货数量", "包装", "服务与沟通", "价格", "与同行相比")
    return f"顾客满意度调查表\n顾客名称：{customer}\n" + "\n".join(f"{k}：{v}" for k, v in zip(labels, answers))


# (item, day, text); numbered #1… in this order.
RECORDS = [
    ("S21", "2026-03-15", _survey("东方电子厂", ("满意", "不满意", "满意", "满意", "一般", "满意", "一般", "相当"))),
    ("S13", "2026-02-10", "跟踪服务电话记录表\n顾客名称：瑞丰大酒店    联系人：王经理\n回访日期：2026-02-10"),
    ("S23", "2026-03-20", "满意度调查表发放登记 2026年第一季度"),
    ("S22", "2026-04-08", "顾客走访记录表\n顾客名称：瑞丰大酒店\n走访日期：2026-04-08"),
    ("S13", "2026-05-06", "跟踪服务电话记录表\n顾客名称：金山宾馆\n回访日期：2026-05-06"),
    ("S21", "2026-05-20", _survey("东方电子厂", ("满意",) * 7 + ("优于同行",))),
    ("S23", "2026-06-15", "满意度调查表发放登记 2026年第二季度"),
    (
        "S21",
        "2026-06-10",
        _survey("瑞丰大酒店", ("很满意", "很满意", "满意", "很满意", "满意", "很满意", "一般", "优于同行")),
    ),
    ("S15", "2026-08-10", "顾客投诉记录\n顾客名称：东方电子厂\n严重程度：一般\n投诉内容：交货包装破损"),
    ("S22", "2026-08-12", "顾客走访记录表\n顾客名称：东方电子厂\n走访日期：2026-08-12"),
    ("S27", "2026-08-14", "纠正和预防措施处理单\n顾客名称：东方电子厂\n问题描述：包装破损"),
    ("S15", "2026-10-05", "顾客投诉记录\n顾客名称：瑞丰大酒店\n严重程度：重大\n投诉内容：冷水机组停机"),
    ("S16", "2026-10-05", "重大投诉上报\n顾客名称：瑞丰大酒店\n上报日期：2026-10-05"),
    ("S27", "2026-10-09", "纠正和预防措施处理单\n顾客名称：瑞丰大酒店\n问题描述：停机"),
    ("S23", "2026-12-10", "满意度调查表发放登记 2026年第四季度"),
    ("S21", "2026-11-05", _survey("南湖学校", ("满意", "一般", "不满意", "满意", "满意", "一般", "满意", "不如同行"))),
]


@pytest.fixture
def year(cat, cli, tmp_path):
    add_project(cat, "SV-QY", "清源服务中心", checklist="service", roles=ROLES)
    for item in ("S01", "S02", "S03", "S04", "S05", "S06"):
        completeness.waive(cat, "SV-QY", item, "本中心的派工和统计记录另行归档")
    reg.add_customer(cat, A, aliases=["瑞丰大酒店"])
    for name in (B, C, D):
        reg.add_customer(cat, name)
    reg.set_class(cat, A, 2026, "重点", "上年销售额620万")
    reg.set_class(cat, C, 2026, "重点", "销售部指定的战略客户")
    reg.set_class(cat, B, 2026, "一般", "")
    reg.add_installation(cat, A, "冷水机组LS-300", date(2025, 7, 1), date(2026, 6, 30))
    reg.add_installation(cat, B, "锅炉GL-2", date(2026, 3, 1), date(2028, 2, 29))
    for n, (item, day, text) in enumerate(RECORDS, 1):
        path = tmp_path / f"{n:02d}.txt"
        path.write_text(text, encoding="utf-8")
        doc = file_document(cat, path, project="SV-QY", item=item, document_date=date.fromisoformat(day), source="api")
        assert doc.doc_id == n
        record_received(cat, n, datetime.fromisoformat(day + "T17:00"), reason="纸质件当天交回")
    close_action(cat, 14, by="赵敏", on=date(2026, 10, 20), result="已更换控制板并复查合格", told_on=date(2026, 10, 21))
    return cli


def _yearly(first_half: bool) -> set[tuple]:
    """The rows owed per customer that every month of the year shows."""
    rows = {
        ("S21", "2026", A, "on-time", 0, (8,)),
        ("S21", "2026", C, "on-time", 0, (1, 6)),
        ("S22", "2026", A, "on-time", 0, (4,)),
        ("S22", "2026", C, "on-time", 0, (10,)),
    }
    if first_half:  # A's warranty ended on June 30th: no second-half 回访 is owed to A
        return rows | {("S24", "2026-H1", A, "on-time", 0, (2,)), ("S24", "2026-H1", B, "on-time", 0, (5,))}
    return rows | {("S24", "2026-H2", B, "overdue", 10, ())}  # due 12-31, 10 days before 2027-01-10


QUARTER = {
    1: ("S23", "2026-Q1", None, "on-time", 0, (3,)),
    2: ("S23", "2026-Q2", None, "on-time", 0, (7,)),
    3: ("S23", "2026-Q3", None, "overdue", 102, ()),  # due 09-30: 31 + 30 + 31 + 10 days
    4: ("S23", "2026-Q4", None, "on-time", 0, (15,)),
}
EVENTS = {
    # the 不满意 survey of March: another survey within 90 days (May 20th)
    3: {("S25", "2026-03-15", C, "on-time", 0, (6,))},
    # a 一般 complaint: no 4-hour report; visit and corrective action within 7 days
    8: {("S26", "2026-08-10", C, "on-time", 0, (10,)), ("S27", "2026-08-10", C, "on-time", 0, (11,))},
    # a 重大 complaint: reported the same day; no visit since (due 10-12: 90 days overdue)
    10: {
        ("S16", "2026-10-05", A, "on-time", 0, (13,)),
        ("S26", "2026-10-05", A, "overdue", 90, ()),
        ("S27", "2026-10-05", A, "on-time", 0, (14,)),
    },
    # D's survey answers 交货期 不满意: another survey is owed by 2027-02-03, not yet due
    11: {("S25", "2026-11-05", D, "open", 0, ())},
}


def _row(o: dict) -> tuple:
    return (o["item"], o["period"] or o["trigger_date"], o["customer"], o["status"], o["days"], tuple(o["documents"]))


@pytest.mark.parametrize("month", range(1, 13))
def test_every_row_of_each_month_is_the_one_worked_out_by_hand(year, month):
    r = year("check", "SV-QY", "--period", f"2026-{month:02d}", "--json", "--today", TODAY)
    report = json.loads(r.stdout)
    rows = [o for o in report["obligations"] if o["status"] != "waived"]
    assert {o["item"] for o in report["obligations"] if o["status"] == "waived"} <= {
        "S01",
        "S02",
        "S03",
        "S04",
        "S05",
        "S06",
    }
    expected = _yearly(month <= 6) | {QUARTER[(month - 1) // 3 + 1]} | EVENTS.get(month, set())
    assert sorted(map(_row, rows), key=str) == sorted(expected, key=str)
    assert len(rows) == len(expected)
    assert r.exit_code == (3 if any(e[3] == "overdue" for e in expected) else 0)


def test_the_satisfaction_statistics_equal_the_hand_computed_ones(year, tmp_path):
    r = year("customer", "satisfaction", "--year", "2026", "--json", "--xlsx", str(tmp_path / "s.xlsx"))
    assert r.exit_code == 0, r.output
    stats = json.loads(r.stdout)
    assert stats["surveys"] == 4
    # Scores 4/3/2/1; 物流 averages its three questions per survey first.
    overall = {k: (v["mean"], v["surveys"], v["satisfied"]) for k, v in stats["overall"].items()}
    assert overall == {
        "设计": (3.25, 4, 1.0),  # 3, 3, 4, 3
        "产品实物质量": (2.5, 4, 0.5),  # 1, 3, 4, 2
        "物流": (2.83, 4, 0.8333),  # (8/3 + 3 + 10/3 + 7/3) / 4 = 34/12; 10 of 12 answers ≥ 3
        "服务与沟通": (3.0, 4, 0.75),  # 3, 3, 4, 2
        "价格": (2.5, 4, 0.5),  # 2, 3, 2, 3
        "与竞争对手比较": (3.0, 4, 0.75),  # 3, 4, 4, 1
    }
    assert stats["by_class"]["重点"]["设计"]["mean"] == 3.33  # C 3, C 3, A 4
    assert stats["by_class"]["一般"]["设计"]["mean"] == 3.0  # D
    assert [stats["by_quarter"][q]["产品实物质量"]["mean"] for q in ("Q1", "Q2", "Q3", "Q4")] == [1.0, 3.5, None, 2.0]
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "s.xlsx").active
    assert [c.value for c in sheet[2]][:4] == ["设计", 3.25, 4, 1.0]


def test_show_gives_the_key_customers_year_and_the_open_action(year):
    r = year("customer", "show", "东方电子厂", "--year", "2026", "--today", TODAY)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "2026: 重点顾客" in lines
    assert "  满意度调查 surveys: #1 2026-03-15, #6 2026-05-20" in lines
    assert "  complaint #9 2026-08-10 一般 → visit #10 → action #11 → overdue (due 2026-09-13)" in lines
    r = year("customer", "show", "瑞丰大酒店", "--year", "2026", "--today", TODAY)
    assert (
        "  complaint #12 2026-10-05 重大 → visit — → action #14 → closed 2026-10-20 by 赵敏, told 2026-10-21"
        in r.stdout.splitlines()
    )
    r = year("customer", "actions", "--open", "--json", "--today", TODAY)
    assert [(a["document"], a["customer"], a["status"]) for a in json.loads(r.stdout)] == [(11, C, "overdue")]


def test_due_by_customer_and_check_by_customer(year):
    r = year("due", "SV-QY", "--customer", "金山宾馆", "--json", "--today", TODAY)
    assert r.exit_code == 0, r.output
    entries = json.loads(r.stdout)
    assert [(e["item"], e["period"], e["customer"], e["status"]) for e in entries] == [("S24", "2026-H2", B, "overdue")]
    r = year("check", "SV-QY", "--period", "2026-10", "--by", "customer", "--today", TODAY)
    assert r.exit_code == 3
    customers_in_order = [line for line in r.stdout.splitlines() if "2026-10-05" in line]
    assert customers_in_order and all(A[:4] in line or "瑞丰" in line for line in customers_in_order)


def test_closing_actions_and_setting_seriousness_refuse_bad_input(year):
    r = year(
        "customer",
        "close-action",
        "14",
        "--by",
        "赵敏",
        "--on",
        "2026-10-22",
        "--result",
        "再次复查",
        "--told-on",
        "2026-10-23",
    )
    assert r.exit_code == 7
    assert "corrective action #14 is already closed (verified by 赵敏); nothing to do" in r.stderr
    r = year(
        "customer",
        "close-action",
        "9",
        "--by",
        "赵敏",
        "--on",
        "2026-10-22",
        "--result",
        "x",
        "--told-on",
        "2026-10-23",
    )
    assert r.exit_code == 2
    assert (
        "#9 is not a filed 纠正和预防措施处理单; give the number of one; `dangan customer actions` lists them"
        in r.stderr
    )
    r = year(
        "customer",
        "close-action",
        "11",
        "--by",
        "赵敏",
        "--on",
        "2026-08-01",
        "--result",
        "x",
        "--told-on",
        "2026-08-02",
    )
    assert r.exit_code == 2
    assert "the days are out of order: verified 2026-08-01 must be on or after the action (2026-08-14)" in r.stderr
    r = year(
        "customer",
        "close-action",
        "11",
        "--by",
        "赵敏",
        "--on",
        "2026-8-32",
        "--result",
        "x",
        "--told-on",
        "2026-09-01",
    )
    assert r.exit_code == 2 and "--on '2026-8-32' is not a date" in r.stderr
    r = year("customer", "complaint", "9", "--severity", "很严重")
    assert r.exit_code == 2 and "seriousness '很严重' is not 重大 or 一般; write 重大 or 一般" in r.stderr
    # Marking the August complaint 重大 makes it owe the 4-hour report, which nobody filed.
    assert year("customer", "complaint", "9", "--severity", "重大").stdout.strip() == "#9 is a 重大 complaint"
    rows = json.loads(year("check", "SV-QY", "--period", "2026-08", "--json", "--today", TODAY).stdout)["obligations"]
    assert [(o["item"], o["status"]) for o in rows if o["item"] == "S16"] == [("S16", "overdue")]
    r = year("customer", "action-due", "11", "--due", "2027-02-01")
    assert r.stdout.strip() == "corrective action #11 is due 2027-02-01"
    r = year("customer", "actions", "--open", "--today", TODAY)
    assert r.stdout.strip() == "#11 2026-08-14 东方电子厂  open (due 2027-02-01)"
