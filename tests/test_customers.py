"""The customer register on the command line: add, edit, class, warranty, list, show, import."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

pytestmark = pytest.mark.both_catalogs  # the register's tables on SQLite and on PostgreSQL

IMPORT_HEADER = "客户名称,地址,联系人,联系电话,别名,年度,类别,原因,产品,保修开始,保修结束\n"


def test_add_show_and_list_a_key_customer_with_warranty(cli):
    r = cli("customer", "add", "清源市瑞丰大酒店有限公司", "--contact", "王经理", "--phone", "0531-8812345",
            "--alias", "瑞丰大酒店")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "added customer #1 清源市瑞丰大酒店有限公司"
    r = cli("customer", "edit", "瑞丰大酒店", "--class", "重点", "--year", "2026", "--reason", "上年销售额620万",
            "--install", "冷水机组LS-300", "--warranty-from", "2025-07-01", "--warranty-to", "2026-06-30")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "  2026: 重点顾客 (上年销售额620万)" in r.stdout.splitlines()
    assert "  保修 warranty: 冷水机组LS-300 2025-07-01 … 2026-06-30" in r.stdout.splitlines()
    r = cli("customer", "list", "--year", "2026", "--class", "重点", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [(c["name"], c["class"], c["aliases"]) for c in rows] == [
        ("清源市瑞丰大酒店有限公司", "重点", ["瑞丰大酒店"])
    ]
    # Traditional characters, spaces and the company form do not make another customer.
    r = cli("customer", "show", "清源市瑞豐大酒店 有限公司", "--year", "2026", "--json", "--today", "2026-03-01")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["class"] == "重点"


def test_the_same_customer_twice_and_unknown_ones_are_refused_with_one_line(cli):
    assert cli("customer", "add", "瑞丰大酒店").exit_code == 0
    r = cli("customer", "add", "瑞豐大酒店有限公司")
    assert r.exit_code == 7
    assert r.stderr.strip().endswith(
        "the name 瑞豐大酒店有限公司 is already customer 瑞丰大酒店's; link it there or choose another name; "
        "`dangan customer show` shows that customer"
    )
    r = cli("customer", "show", "金山宾馆")
    assert r.exit_code == 5
    assert "no customer 金山宾馆 in the register; `dangan customer list` lists them" in r.stderr
    r = cli("customer", "edit", "瑞丰大酒店", "--class", "重点", "--year", "2026")
    assert r.exit_code == 2
    assert (
        "a key customer needs the reason (上年销售额≥500万, 销售部指定 …); e.g. --reason 上年销售额≥500万" in r.stderr
    )
    r = cli("customer", "edit", "瑞丰大酒店", "--class", "VIP", "--year", "2026")
    assert r.exit_code == 2
    assert "class 'VIP' is not 重点 or 一般; write 重点 or 一般" in r.stderr
    r = cli("customer", "edit", "瑞丰大酒店", "--install", "空调", "--warranty-from", "2026-05-01",
            "--warranty-to", "2026-04-30")  # fmt: skip
    assert r.exit_code == 2
    assert "the warranty of 空调 ends (2026-04-30) before it starts (2026-05-01); check the two dates" in r.stderr
    r = cli("customer", "add", "  ")
    assert r.exit_code == 2 and "name is empty; write the customer's name" in r.stderr


def test_import_a_gbk_csv_merges_rows_of_one_customer_and_is_idempotent(cli, tmp_path):
    path = tmp_path / "主要客户档案.csv"
    path.write_bytes((IMPORT_HEADER
        + "瑞丰大酒店,清源市东关路8号,王经理,0531-8812345,瑞丰酒店、瑞丰,2026,重点,上年销售额620万,冷水机组,2025-07-01,2026-06-30\n"
        + "瑞丰大酒店,,,,,,,,锅炉,2026/1/1,2027年12月31日\n"
        + "金山宾馆,清源市北环路1号,李主任,13905311234,,2026,一般,,,,\n").encode("gbk"))  # fmt: skip
    r = cli("customer", "import", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "2 added, 0 updated, 2 class(es), 2 installation(s)"
    r = cli("customer", "import", str(path))
    assert r.stdout.strip() == "0 added, 0 updated, 0 class(es), 0 installation(s)"
    shown = json.loads(cli("customer", "show", "瑞丰酒店", "--json", "--year", "2026", "--today", "2026-03-01").stdout)
    assert [i["product"] for i in shown["customer"]["installations"]] == ["冷水机组", "锅炉"]
    assert shown["customer"]["installations"][1]["warranty_end"] == "2027-12-31"


def test_an_xlsx_with_bad_rows_imports_nothing_and_names_each_row_and_column(cli, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["顾客名称", "联系电话", "年度", "类别", "原因", "产品", "保修开始", "保修结束"])
    ws.append(["瑞丰大酒店", "0531-8812345", 2026, "重点", "上年销售额620万", "", "", ""])
    ws.append(["金山宾馆", "", 2026, "VIP", "", "", "", ""])
    ws.append(["", "", "", "", "", "", "", ""])
    ws.append(["东方电子厂", "", "", "", "", "空压机", "2026-02-30", "2027-01-01"])
    ws.append(["南湖学校", "", 2026, "重点", "", "", "", ""])
    path = tmp_path / "客户.xlsx"
    wb.save(path)
    r = cli("customer", "import", str(path))
    assert r.exit_code == 4
    errors = r.stderr.splitlines()
    assert "row 3, 类别: class 'VIP' is not 重点 or 一般; write 重点 or 一般" in errors
    assert "row 5, 保修开始: 保修开始 '2026-02-30' is not a date; write YYYY-MM-DD, e.g. 2026-03-01" in errors
    assert "row 6, 原因: a key customer needs the reason (上年销售额≥500万, 销售部指定 …)" in errors
    assert errors[-1].endswith(
        "3 row(s) cannot be imported (row 3, 类别: class 'VIP' is not 重点 or 一般; write 重点 or 一般); "
        "nothing was imported, fix them and import again"
    )
    assert json.loads(cli("customer", "list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        ("地址,电话\n东关路,123\n".encode(), "no 客户名称 column"),
        ("客户名称\n".encode(), "no customer rows under the header"),
        (None, "no such file; check the path given to dangan customer import"),
    ],
)
def test_unusable_import_files_are_refused(cli, tmp_path, content, message):
    path = tmp_path / "客户.csv"
    if content is not None:
        path.write_bytes(content)
    r = cli("customer", "import", str(path))
    assert r.exit_code == 4
    assert message in r.stderr


def test_an_unmatched_name_is_listed_until_linked(cli, cat, tmp_path):
    from dangan.archive.customers.unlinked import unmatched
    from dangan.archive.deadlines.servicedata import record_service_data
    from dangan.archive.intake.ingest import file_document

    assert cli("customer", "add", "清源市瑞丰大酒店").exit_code == 0
    assert cli("project", "add", "SV-QY", "--name", "清源服务中心", "--checklist", "service").exit_code == 0
    path = tmp_path / "call.txt"
    path.write_text("跟踪服务电话记录表\n客户名称：瑞丰酒店    联系人：王经理\n回访日期：2026-03-10", encoding="utf-8")
    doc = file_document(cat, path, project="SV-QY", item="S13", source="api").doc_id
    record_service_data(cat, doc, customer="瑞丰酒店", service_date=None)
    r = cli("customer", "unmatched", "--json")
    assert json.loads(r.stdout) == [{"name": "瑞丰酒店", "records": 1, "documents": [doc]}]
    r = cli("customer", "link", "瑞丰酒店", "清源市瑞丰大酒店")
    assert r.stdout.strip() == "瑞丰酒店 now means customer #1 清源市瑞丰大酒店"
    assert unmatched(cat) == []
    r = cli("customer", "link", "瑞丰酒店", "清源市瑞丰大酒店")
    assert r.exit_code == 7 and "瑞丰酒店 is already linked to this customer; nothing to do" in r.stderr


def test_a_follow_up_is_matched_to_its_ticket_by_number_before_its_name(cli, cat, tmp_path):
    """Two tickets of one hotel on one day; the call quoting the second fulfils only the second,
    and a call naming the hotel only by a nickname is linked through the ticket it quotes."""
    from datetime import date, datetime

    from dangan.archive.deadlines.obligations import deadlines
    from dangan.archive.deadlines.servicedata import record_received
    from dangan.archive.intake.ingest import file_document

    assert cli("customer", "add", "清源市瑞丰大酒店", "--alias", "瑞丰大酒店").exit_code == 0
    assert cli("project", "add", "SV-QY", "--name", "清源服务中心", "--checklist", "service").exit_code == 0
    texts = [
        (
            "S01",
            "2026-03-02",
            "维护派工单\n派工单号：PG-0301\n客户名称：瑞丰大酒店    地址：东关路8号\n派工日期：2026-03-02",
        ),
        ("S01", "2026-03-02", "维护派工单\n派工单号：PG-0302\n客户名称：清源市瑞丰大酒店\n派工日期：2026-03-02"),
        ("S13", "2026-03-06", "跟踪服务电话记录表\n客户名称：瑞丰老店\n原派工单号：PG-0302\n回访日期：2026-03-06"),
    ]
    for n, (item, day, text) in enumerate(texts, 1):
        path = tmp_path / f"{n}.txt"
        path.write_text(text, encoding="utf-8")
        assert (
            file_document(
                cat, path, project="SV-QY", item=item, document_date=date.fromisoformat(day), source="api"
            ).doc_id
            == n
        )
        record_received(cat, n, datetime.fromisoformat(day + "T12:00"), reason="当天交回")
    report = deadlines(cat, "SV-QY", today=date(2026, 3, 20), first=date(2026, 3, 1), last=date(2026, 3, 31))
    calls = {o.trigger: (o.customer, o.status, o.documents) for o in report.obligations if o.item == "S13"}
    assert calls == {1: ("清源市瑞丰大酒店", "overdue", []), 2: ("清源市瑞丰大酒店", "on-time", [3])}
    assert json.loads(cli("customer", "unmatched", "--json").stdout) == []
