"""The demo's service month: a service centre's March, checked on April 3rd.

Three 派工单 from the sample spreadsheet and their follow-up calls are rendered and filed
through the same library calls as `forms render --file-into`; the other records (weekly
statistics and reports, the quarter's telephone dispatch record, the monthly quality report,
customer files) are small text stand-ins for scans.  Paper reaches a service centre on a
day of its own, so each record's received time is set to the day it was handed in; then
`check SV-BJ --period 2024-03` is printed as of 2024-04-03; then one key customer's year so
far (`customer show`): a survey answered 不满意 owes another survey, a visit was made.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import click

from dangan.archive.catalog import Catalog
from dangan.archive.customers import register as reg
from dangan.archive.customers.year import customer_year
from dangan.archive.deadlines.obligations import deadlines
from dangan.archive.deadlines.servicedata import record_received
from dangan.archive.forms import check_rows, find_form, load_manifest, read_rows
from dangan.archive.forms.fileinto import render_and_file
from dangan.archive.intake.ingest import file_document
from dangan.archive.projects import add_project
from dangan.commands.common import console
from dangan.commands.customers import print_year
from dangan.commands.deadlines import print_deadlines

CENTRE, CENTRE_NAME = "SV-BJ", "北京服务中心"
CENTRE_ROLES = {"调度员": "王芳", "维修人员": "王强", "客服主管": "赵敏", "客服专员": "陈晨"}
TODAY = date(2024, 4, 3)
CUSTOMERS = (("刘建国", "13901012345", date(2024, 3, 4)), ("陈秀英", "13811028876", date(2024, 3, 5)),
             ("北京华信物业管理有限公司", "010-64381122", date(2024, 3, 6)))  # fmt: skip


def _stand_ins() -> list[tuple[str, str, date, date]]:
    """(item, text, document date, handed in) of the records that are not rendered forms."""
    out = [("S02", "电话派工记录 2024年第一季度", date(2024, 3, 31), date(2024, 4, 2)),
           ("S05", "客服质量月度报表 2024年3月", date(2024, 3, 31), date(2024, 4, 2)),
           ("S23", "满意度调查表发放登记 2024年第一季度", date(2024, 3, 29), date(2024, 3, 29))]  # fmt: skip
    monday = date(2024, 2, 26)
    while monday <= date(2024, 3, 25):
        out.append(
            ("S04", f"记录统计表 {monday.isoformat()}起一周", monday + timedelta(days=4), monday + timedelta(days=8))
        )
        out.append(
            ("S06", f"营业周报 {monday.isoformat()}起一周", monday + timedelta(days=5), monday + timedelta(days=5))
        )
        monday += timedelta(days=7)
    for name, phone, day in CUSTOMERS:
        out.append(
            (
                "S12",
                f"客户档案基本资料表\n客户名称：{name}\n联系电话：{phone}",
                day + timedelta(days=1),
                day + timedelta(days=1),
            )
        )
    return out


def _calls() -> list[dict]:
    rows = []
    for n, (name, phone, day) in enumerate(CUSTOMERS, 1):
        for k, (round_, offset) in enumerate((("第一次", 4), ("第二次", 11))):
            rows.append({"record_no": f"HF-{n}{k}", "customer": name, "phone": phone, "service_date": day.isoformat(),
                         "call_date": (day + timedelta(days=offset)).isoformat(), "round": round_, "caller": "陈晨"})  # fmt: skip
    return rows


def _render_and_file(cat: Catalog, form_key: str, rows: list, out: Path) -> list[int]:
    form = find_form(load_manifest(cat.home.templates_dir), form_key)
    done = render_and_file(cat, form, check_rows(form, rows), out, CENTRE, jobs=1)
    return [int(o.split()[0][1:]) for o in done.filed.values() if o.startswith("#")]


def service_month(cat: Catalog, samples: Path, out_dir: Path, step: str) -> Path:
    """Run the service-month step; returns the folder of the forms it rendered."""
    click.echo("")
    console().rule(f"[bold]{step}. A service month: which records of March are missing or late, and whose are they[/]")
    add_project(cat, CENTRE, CENTRE_NAME, checklist="service", roles=CENTRE_ROLES)
    click.echo(f"Service centre {CENTRE} {CENTRE_NAME}: " + ", ".join(f"{r}={p}" for r, p in CENTRE_ROLES.items()))
    received: list[tuple[int, date]] = []
    tickets = read_rows(samples / "forms" / "维护派工单.csv")[: len(CUSTOMERS)]
    received += [(d, date(2024, 4, 1)) for d in _render_and_file(cat, "维护派工单", tickets, out_dir / "派工单")]
    calls = _calls()
    for doc_id, row in zip(_render_and_file(cat, "跟踪服务电话记录表", calls, out_dir / "回访"), calls):
        received.append((doc_id, date.fromisoformat(row["call_date"])))
    stand_ins = out_dir / "scans"
    stand_ins.mkdir(parents=True, exist_ok=True)
    for n, (item, text, day, handed) in enumerate(_stand_ins()):
        path = stand_ins / f"{n:02d}_{item}.txt"
        path.write_text(text, encoding="utf-8")
        filed = file_document(cat, path, project=CENTRE, item=item, document_date=day, source="api")
        assert filed.doc_id is not None  # filed: a duplicate would have raised
        received.append((filed.doc_id, handed))
    for doc_id, handed in received:
        record_received(
            cat, doc_id, datetime.combine(handed, datetime.min.time().replace(hour=17)), reason="demo: 纸质件交回日期"
        )
    click.echo(
        f"{len(received)} records filed; each marked received on the day its paper was handed in. No 设备收条 for March."
    )
    click.echo(f"$ dangan check {CENTRE} --period 2024-03   (as of {TODAY.isoformat()})")
    report = deadlines(cat, CENTRE, today=TODAY, first=date(2024, 3, 1), last=date(2024, 3, 31))
    print_deadlines(report, by_person=False)
    chase = [o for o in report.obligations if o.status == "overdue"]
    click.echo(
        "Who to chase: " + "; ".join(f"{o.owner} owes {o.title} {o.label} (due {o.due.isoformat()})" for o in chase)
    )
    _one_customer(cat, out_dir / "scans")
    return out_dir


def _one_customer(cat: Catalog, scans: Path) -> None:
    """One key customer's year so far: classed, a warranty, a survey answered 不满意, a visit."""
    name = CUSTOMERS[2][0]
    reg.add_customer(cat, name, contact="周经理", phone=CUSTOMERS[2][1], aliases=["华信物业"])
    reg.set_class(cat, name, 2024, "重点", "上年销售额560万")
    reg.add_installation(cat, name, "中央空调机组", date(2023, 9, 1), date(2025, 8, 31))
    records = [("S21", date(2024, 3, 20), "顾客满意度调查表\n顾客名称：华信物业\n产品设计：满意\n产品质量：不满意\n价格：一般"),
               ("S22", date(2024, 3, 22), "顾客走访记录表\n顾客名称：北京华信物业管理有限公司\n走访日期：2024-03-22")]  # fmt: skip
    for n, (item, day, text) in enumerate(records):
        path = scans / f"customer_{n}.txt"
        path.write_text(text, encoding="utf-8")
        filed = file_document(cat, path, project=CENTRE, item=item, document_date=day, source="api")
        assert filed.doc_id is not None  # filed: a duplicate would have raised
        record_received(cat, filed.doc_id, datetime.combine(day, datetime.min.time().replace(hour=17)),
                        reason="demo: 纸质件交回日期")  # fmt: skip
    click.echo(f"$ dangan customer show {name} --year 2024   (as of {TODAY.isoformat()})")
    print_year(customer_year(cat, name, 2024, today=TODAY), TODAY)
