"""Service deadlines on a service centre with a fixed "today": periods, events, waivers."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest

from dangan.archive.customers.reading import customer_from_text
from dangan.archive.deadlines.obligations import deadlines
from dangan.archive.deadlines.servicedata import record_received, unwaive_period, waive_period
from dangan.archive.projects import add_project
from dangan.indexer.errors import ConflictError, UsageError

ROLES = {"调度员": "王芳", "维修人员": "王强", "客服主管": "赵敏", "客服专员": "孙丽"}


@pytest.fixture
def svc(cat):
    """Service centre SV-BJ on the shipped service checklist."""
    return add_project(cat, "SV-BJ", "北京服务中心", checklist="service", roles=ROLES)


def put(
    cat, item: str, day: str, filed: str, customer: str | None = None, *, text: str = "", service: str | None = None
) -> int:
    """A filed record of ``item`` dated ``day`` that entered the archive on ``filed``."""
    values = dict(
        sha256=hashlib.sha256(f"{item}{day}{filed}{customer}{text}".encode()).hexdigest(), original_name=f"{item}.pdf",
        title=item, size=1, mime_type="application/pdf", project_code="SV-BJ", item_code=item, status="filed",
        document_date=date.fromisoformat(day), filed_at=datetime.fromisoformat(filed + "T09:00:00"), source="api",
        customer=customer, service_date=date.fromisoformat(service) if service else None,
    )  # fmt: skip
    with cat.engine.begin() as conn:
        return cat.add_document(conn, values, text)


def find(report, item: str, label: str | None = None):
    [o] = [o for o in report.obligations if o.item == item and (label is None or o.label == label)]
    return o


def test_a_month_of_tickets_on_time_late_and_overdue(cat, svc):
    put(cat, "S01", "2025-02-14", "2025-03-02")  # February's tickets, handed in on the 2nd: on time
    put(cat, "S01", "2025-03-31", "2025-04-01")  # March: one on time …
    put(cat, "S01", "2025-03-05", "2025-04-05")  # … and one 3 days after the 2nd: the month is late
    r = deadlines(cat, "SV-BJ", today=date(2025, 4, 10), first=date(2025, 2, 1), last=date(2025, 4, 10))
    feb, mar, apr = (find(r, "S01", k) for k in ("2025-02", "2025-03", "2025-04"))
    assert (feb.status, feb.due) == ("on-time", date(2025, 3, 2))
    assert (mar.status, mar.days, mar.due, len(mar.documents)) == ("late", 3, date(2025, 4, 2), 2)
    assert (apr.status, apr.due) == ("open", date(2025, 5, 2))
    receipts = find(r, "S03", "2025-03")  # equipment receipts of March: nothing filed
    assert (receipts.status, receipts.days, receipts.owner) == ("overdue", 8, "王强")


def test_the_period_comes_from_the_document_date_not_the_filing_time(cat, svc):
    put(cat, "S01", "2025-03-31", "2025-04-02")  # the last day of March, filed in April: March's
    r = deadlines(cat, "SV-BJ", today=date(2025, 4, 28), first=date(2025, 3, 1), last=date(2025, 4, 30))
    assert find(r, "S01", "2025-03").status == "on-time"
    assert find(r, "S01", "2025-04").status == "due-soon"  # due 2025-05-02, within 7 days


def test_quarter_boundary_of_telephone_dispatch_records(cat, svc):
    put(cat, "S02", "2025-03-31", "2025-04-02")
    put(cat, "S02", "2025-04-01", "2025-04-03")
    r = deadlines(cat, "SV-BJ", today=date(2025, 7, 3), first=date(2025, 1, 1), last=date(2025, 6, 30))
    q1, q2 = find(r, "S02", "2025-Q1"), find(r, "S02", "2025-Q2")
    assert (q1.status, q1.due) == ("on-time", date(2025, 4, 2))
    assert (q2.status, q2.due) == ("on-time", date(2025, 7, 2))  # the record dated 04-01 belongs to Q2


def test_weekly_statistics_are_due_the_next_tuesday_across_a_year_end(cat, svc):
    put(cat, "S04", "2024-12-27", "2024-12-31")  # week 52: due Tuesday 2024-12-31, on time
    put(cat, "S04", "2025-01-03", "2025-01-08")  # week 1 of 2025 (Dec 30–Jan 5): due Jan 7, one day late
    r = deadlines(cat, "SV-BJ", today=date(2025, 1, 20), first=date(2024, 12, 23), last=date(2025, 1, 12))
    w52, w01, w02 = (find(r, "S04", k) for k in ("2024-W52", "2025-W01", "2025-W02"))
    assert (w52.status, w52.due) == ("on-time", date(2024, 12, 31))
    assert (w01.status, w01.due, w01.days) == ("late", date(2025, 1, 7), 1)
    assert (w02.status, w02.due, w02.days) == ("overdue", date(2025, 1, 14), 6)


def test_a_waived_period_is_not_overdue_and_the_waiver_can_be_undone(cat, svc):
    assert waive_period(cat, "SV-BJ", "S03", "2025-02", "春节停业，无设备收回") == ("S03", "2025-02")
    r = deadlines(cat, "SV-BJ", today=date(2025, 4, 10), first=date(2025, 2, 1), last=date(2025, 3, 31))
    feb = find(r, "S03", "2025-02")
    assert (feb.status, feb.reason) == ("waived", "春节停业，无设备收回")
    assert find(r, "S03", "2025-03").status == "overdue"
    assert [e["action"] for e in cat.events(project="SV-BJ")][-1] == "period-waived"
    unwaive_period(cat, "SV-BJ", "S03", "2025-02")
    r = deadlines(cat, "SV-BJ", today=date(2025, 4, 10), first=date(2025, 2, 1), last=date(2025, 2, 28))
    assert find(r, "S03", "2025-02").status == "overdue"
    with pytest.raises(
        ConflictError, match=r"^period 2025-02 of item S03 on project SV-BJ is not waived; nothing to undo$"
    ):
        unwaive_period(cat, "SV-BJ", "S03", "2025-02")


def test_waiving_a_period_needs_a_periodic_item_and_a_reason(cat, svc):
    with pytest.raises(UsageError, match=r"^item S13 第一次回访电话记录 is not periodic; waive it without --period$"):
        waive_period(cat, "SV-BJ", "S13", "2025-02", "x")
    with pytest.raises(UsageError, match=r"^a waiver needs a reason"):
        waive_period(cat, "SV-BJ", "S03", "2025-02", " ")


def test_the_follow_up_chain_of_one_dispatch_ticket(cat, svc):
    ticket = put(cat, "S01", "2025-03-04", "2025-03-04", "刘建国")
    put(cat, "S12", "2025-03-05", "2025-03-05", "刘建国")  # customer file within 2 days: on time
    first = put(cat, "S13", "2025-03-09", "2025-03-09", "劉建國")  # Traditional spelling: same customer
    second = put(cat, "S13", "2025-03-20", "2025-03-20", "刘建国")  # due 7 days after the first: 4 days late
    r = deadlines(cat, "SV-BJ", today=date(2025, 3, 25), first=date(2025, 3, 1), last=date(2025, 3, 31))
    cf, call1, call2 = find(r, "S12"), find(r, "S13"), find(r, "S14")
    assert (cf.status, cf.trigger, cf.due) == ("on-time", ticket, date(2025, 3, 6))
    assert (call1.status, call1.documents, call1.earliest, call1.due) == (
        "on-time",
        [first],
        date(2025, 3, 7),
        date(2025, 3, 11),
    )
    assert (call2.status, call2.documents, call2.trigger, call2.due, call2.days) == (
        "late",
        [second],
        first,
        date(2025, 3, 16),
        4,
    )
    assert call2.label == "刘建国 2025-03-09" and call2.owner == "孙丽"  # the ticket's customer, the first call's day


def test_follow_ups_that_were_never_made_are_overdue_and_a_call_too_early_is_flagged(cat, svc):
    put(cat, "S01", "2025-03-04", "2025-03-04", "陈秀英")
    put(cat, "S13", "2025-03-05", "2025-03-05", "陈秀英")  # one day after the service: before day 3
    put(cat, "S01", "2025-03-10", "2025-03-10", "王丽华")
    r = deadlines(cat, "SV-BJ", today=date(2025, 3, 20), first=date(2025, 3, 1), last=date(2025, 3, 31))
    early = find(r, "S13", "陈秀英 2025-03-04")
    assert (early.status, early.days) == ("early", 2)
    missing = find(r, "S13", "王丽华 2025-03-10")
    assert (missing.status, missing.due, missing.days) == ("overdue", date(2025, 3, 17), 3)
    assert find(r, "S12", "王丽华 2025-03-10").status == "overdue"
    second = find(r, "S14", "陈秀英 2025-03-05")  # even an early first call starts the second one's clock
    assert (second.status, second.due) == ("overdue", date(2025, 3, 12))
    # 孙丽: two customer files, one first call, one second call; 赵敏: three weeks of two weekly reports.
    assert r.owing() == [("赵敏", 6), ("孙丽", 4)]


def test_a_service_date_counts_before_the_ticket_date_and_text_gives_the_customer(cat, svc):
    put(
        cat,
        "S01",
        "2025-03-01",
        "2025-03-01",
        None,
        text="维护派工单\n客户名称\t周明\t联系电话\t139",
        service="2025-03-03",
    )
    put(cat, "S01", "2025-03-02", "2025-03-02", None, text="派工单（客户栏空白）")
    r = deadlines(cat, "SV-BJ", today=date(2025, 3, 4), first=date(2025, 3, 1), last=date(2025, 3, 31))
    call = find(r, "S13")
    assert (call.customer, call.trigger_date, call.due, call.status) == (
        "周明",
        date(2025, 3, 3),
        date(2025, 3, 10),
        "due-soon",
    )
    assert len(r.untracked) == 1


def test_a_serious_complaint_is_reported_within_four_hours_checked_to_the_day(cat, svc):
    put(cat, "S15", "2025-03-10", "2025-03-10", "北京华信物业")
    put(cat, "S16", "2025-03-10", "2025-03-10", "北京华信物业")
    put(cat, "S15", "2025-03-12", "2025-03-12", "郑海涛")
    put(cat, "S16", "2025-03-13", "2025-03-13", "郑海涛")
    r = deadlines(cat, "SV-BJ", today=date(2025, 3, 20), first=date(2025, 3, 1), last=date(2025, 3, 31))
    assert find(r, "S16", "北京华信物业 2025-03-10").status == "on-time"
    late = find(r, "S16", "郑海涛 2025-03-12")
    assert (late.status, late.days) == ("late", 1)


def test_a_service_request_is_filed_the_same_day(cat, svc):
    put(cat, "S11", "2025-03-10", "2025-03-10", "冯淑珍")
    put(cat, "S11", "2025-03-10", "2025-03-12", "郑海涛")
    r = deadlines(cat, "SV-BJ", today=date(2025, 3, 20), first=date(2025, 3, 1), last=date(2025, 3, 31))
    assert find(r, "S11", "冯淑珍 2025-03-10").status == "on-time"
    assert (find(r, "S11", "郑海涛 2025-03-10").status, find(r, "S11", "郑海涛 2025-03-10").days) == ("late", 2)


def test_the_received_time_of_back_filed_paper_decides_lateness(cat, svc):
    doc = put(cat, "S01", "2025-03-05", "2025-05-20")
    r = deadlines(cat, "SV-BJ", today=date(2025, 5, 21), first=date(2025, 3, 1), last=date(2025, 3, 31))
    assert find(r, "S01", "2025-03").status == "late"
    record_received(cat, doc, datetime(2025, 4, 1, 17, 0), reason="纸质派工单4月1日交回，5月扫描")
    r = deadlines(cat, "SV-BJ", today=date(2025, 5, 21), first=date(2025, 3, 1), last=date(2025, 3, 31))
    assert find(r, "S01", "2025-03").status == "on-time"
    [ev] = [e for e in cat.events(document=doc) if e["action"] == "received-at-set"]
    assert ev["detail"]["reason"] == "纸质派工单4月1日交回，5月扫描"


def test_the_default_range_runs_from_the_first_record_to_today(cat, svc):
    put(cat, "S01", "2024-11-20", "2024-12-01")
    r = deadlines(cat, "SV-BJ", today=date(2025, 1, 10))
    assert (r.first, r.last) == (date(2024, 11, 20), date(2025, 1, 10))
    assert [o.period for o in r.obligations if o.item == "S01"] == ["2024-11", "2024-12", "2025-01"]


@pytest.mark.parametrize(
    "text, name",
    [
        ("维护派工单\n客户名称\t刘建国\t联系电话\t139", "刘建国"),
        ("顧客名稱：ABC Trading 公司\n", "ABC Trading 公司"),
        ("客户: 周明\n", "周明"),
        ("顾客意见\t很好\n顾客签字：＿＿＿＿", None),
        ("", None),
    ],
)
def test_customer_from_text(text, name):
    assert customer_from_text(text) == name


def test_an_ingested_scan_of_a_ticket_is_classified_and_its_customer_read_from_its_text(cat, svc, tmp_path):
    from dangan.archive.intake.ingest import file_document
    from tests.conftest import write_text_doc

    path = write_text_doc(
        tmp_path,
        "scan.txt",
        "维护派工单\n派工单号：PG-2025-0301\n派工日期：2025-03-04\n客户名称：周明\n服务内容：更换滤芯\n",
    )
    rec = file_document(cat, path, project="SV-BJ")
    assert rec.item.code == "S01"
    r = deadlines(cat, "SV-BJ", today=date(2025, 3, 10), first=date(2025, 3, 1), last=date(2025, 3, 31))
    call = find(r, "S13")
    assert (call.customer, call.trigger, call.status) == ("周明", rec.doc_id, "due-soon")
