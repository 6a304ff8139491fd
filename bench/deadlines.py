"""Service-deadline check of a busy centre's year against reading its rows, in the same run.

A service centre with N 派工单 a year (default 12,000, 1,000 a month), each followed by a
customer file and two follow-up calls (so 4 × N records), plus the weekly and monthly records.
Measured: ``deadlines()`` for the whole year (every periodic period, one customer file and two
calls per ticket) against the baseline of one SELECT of the same document columns, which any
report must at least read.  Records are inserted straight into a fresh catalog (setup, not timed).

Run from the repository root:  python bench/deadlines.py [--tickets 12000] [--repeat 3]
Prints medians; the machine may be shared, so compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from dangan.archive.catalog import Catalog  # noqa: E402
from dangan.archive.create import init_home  # noqa: E402
from dangan.archive.deadlines.obligations import deadlines  # noqa: E402
from dangan.archive.projects import add_project  # noqa: E402
from dangan.archive.schema import documents  # noqa: E402

ROLES = {"调度员": "王芳", "维修人员": "王强", "客服主管": "赵敏", "客服专员": "孙丽"}


def _row(n: int, item: str, day: date, customer: str | None) -> dict:
    return dict(
        sha256=f"{n:064d}", original_name=f"{n}.pdf", title=item, size=1, mime_type="application/pdf",
        project_code="SV-BJ", item_code=item, status="filed", document_date=day,
        filed_at=datetime.combine(day, datetime.min.time()), source="api", customer=customer, service_date=day,
    )  # fmt: skip


def populate(cat: Catalog, tickets: int) -> int:
    """Insert the year's records; returns how many."""
    rows, start = [], date(2024, 1, 1)
    for i in range(tickets):
        day, customer = start + timedelta(days=i * 365 // tickets), f"客户{i}"
        for item, offset in (("S01", 0), ("S12", 1), ("S13", 4), ("S13", 11)):
            rows.append(_row(len(rows), item, day + timedelta(days=offset), customer))
    for week in range(52):
        rows.append(_row(len(rows), "S04", start + timedelta(days=7 * week + 4), None))
    with cat.engine.begin() as conn:
        conn.execute(insert(documents), rows)
    return len(rows)


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=12000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home, _ = init_home(Path(tmp) / "home")
        with Catalog.open(home) as cat:
            add_project(cat, "SV-BJ", "北京服务中心", checklist="service", roles=ROLES)
            n = populate(cat, args.tickets)
            c = documents.c
            q = select(c.id, c.item_code, c.document_date, c.filed_at, c.customer, c.service_date).where(
                c.project_code == "SV-BJ"
            )

            def baseline():
                with cat.engine.connect() as conn:
                    return conn.execute(q).all()

            def check():
                return deadlines(cat, "SV-BJ", today=date(2025, 1, 10), first=date(2024, 1, 1), last=date(2024, 12, 31))

            report = check()
            base, ours = timed(baseline, args.repeat), timed(check, args.repeat)
    print(f"{n} records, {len(report.obligations)} obligations ({report.summary()[:60]}…)")
    print(f"baseline  SELECT of the rows       {base:8.3f} s")
    print(
        f"dangan    deadlines() for the year {ours:8.3f} s   ({ours / base:.1f}× the baseline, {n / ours:,.0f} records/s)"
    )


if __name__ == "__main__":
    main()
