"""Duties owed per customer, in the deadline engine of service.toml (``per`` items).

``per = "key-customer"``: each customer classed 重点 in the year (a yearly survey, a visit);
``per = "warranty"``: each customer with an installation whose warranty runs during the part
of the year.  ``times`` splits the year into that many equal parts (2 → 2026-H1 Jan–Jun and
2026-H2 Jul–Dec); one record of the item (or of its ``satisfied_by`` items) for that customer
dated inside the part fulfils it.  A warranty that covers any day of a part makes that part
owed; a warranty ending in May owes the H1 回访 and not the H2 one.
"""

from __future__ import annotations

from datetime import date, timedelta

from dangan.archive.customers.register import Customer, list_customers
from dangan.archive.deadlines.periods import Period
from dangan.archive.deadlines.rules import parse_rule
from dangan.archive.deadlines.timing import split_codes

PART_NAMES = {1: "", 2: "H", 3: "T", 4: "Q", 6: "B", 12: "M"}


def parts_of_year(year: int, times: int) -> list[tuple[str, date, date]]:
    """(key, first day, last day) of each of ``times`` equal parts of ``year``."""
    months = 12 // times
    out = []
    for n in range(times):
        start = date(year, 1 + n * months, 1)
        end_month = (n + 1) * months
        end = date(year + (end_month == 12), end_month % 12 + 1, 1) - timedelta(days=1)
        key = str(year) if times == 1 else f"{year}-{PART_NAMES[times]}{n + 1}"
        if times == 12:
            key = f"{year}-{n + 1:02d}"
        out.append((key, start, end))
    return out


def owes(customer: Customer, per: str, year: int, start: date, end: date) -> bool:
    """Whether ``customer`` is owed a ``per`` duty in the part ``start``…``end`` of ``year``."""
    if per == "key-customer":
        return customer.klass(year) == "重点"
    return customer.under_warranty(start, end)


def customer_duties(ctx, cat, it, first: date, last: date) -> list:
    """One obligation per owed customer and part of year overlapping ``first``…``last``."""
    if getattr(ctx, "customers", None) is None:
        ctx.customers = list_customers(cat)
    rule = parse_rule(it.due)
    fulfils = {it.code, *split_codes(it.satisfied_by)}
    out = []
    for year in range(first.year, last.year + 1):
        for key, start, end in parts_of_year(year, it.times):
            if end < first or start > last or start > ctx.today:
                continue
            for customer in ctx.customers:
                if owes(customer, it.per, year, start, end):
                    out.append(
                        _one(ctx, it, rule.due_for(Period(start, end, "year")), key, customer, fulfils, start, end)
                    )
    return out


def _one(ctx, it, due: date, key: str, customer: Customer, fulfils: set[str], start: date, end: date):
    ob = ctx._new(it, "customer", due, period=key, customer=customer.name, earliest=start)
    found = [d for d in ctx.docs if d.item in fulfils and d.customer_id == customer.id and start <= d.day <= end]
    if not found:
        return ctx._unfiled(ob, ctx.waived.get((it.code, key), ctx.waived.get((it.code, "*"))))
    first = min(found, key=lambda d: (d.day, d.id))
    ob.documents, ob.done_on = [d.id for d in found], first.day
    ob.days = max((first.filed - due).days, 0)
    ob.status = "late" if ob.days else "on-time"
    return ob
