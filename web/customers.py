"""The customers in the browser: the register with unmatched names to link, satisfaction by
indicator, and one customer's year at a glance.

``/customers`` lists the register with each customer's class of the year, the names on
service records the register does not know (one click links each to a customer), and the
year's satisfaction by indicator as a chart; ``/customers/N`` is one customer's year: surveys,
visits, calls, complaints followed through to their corrective action, open actions and the
duties owed, like ``dangan customer show``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.customers.answers import INDICATORS
from dangan.archive.customers.register import link_name, list_customers
from dangan.archive.customers.satisfaction import satisfaction
from dangan.archive.customers.unlinked import suggest, unmatched
from dangan.archive.customers.year import KIND_NAMES, customer_year
from dangan.indexer.errors import UsageError
from dangan.web.base import call, catalog_for, page, render, state
from dangan.web.charts import bar_chart, line_chart
from dangan.web.deadlines import STATUS_LABELS, today_of

CLASS_NAMES = {"重点": "重点顾客", "一般": "一般顾客"}


def _year(params, default: int) -> int:
    raw = (params.get("year") or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise UsageError("year '{value}' is not a year; write it like 2026", value=raw)
    return int(raw)


def _overview(cat, year: int, today) -> dict:
    customers = list_customers(cat)
    stats = satisfaction(cat, year)
    chart = bar_chart(
        f"{year}年顾客满意度（平均分，满分4）", [(i, f.mean) for i, f in stats.overall.items() if f.mean is not None]
    )
    by_class = bar_chart(
        f"{year}年各指标平均分：重点顾客",
        [(i, f.mean) for i, f in stats.by_class["重点"].items() if f.mean is not None],
    )
    quarters = ("Q1", "Q2", "Q3", "Q4")
    trend = line_chart(
        f"{year}年各季度平均分",
        ["一季度", "二季度", "三季度", "四季度"],
        {
            i: [stats.by_quarter[q][i].mean or 0 for q in quarters]
            for i in INDICATORS
            if stats.overall[i].mean is not None
        },
    )
    names = unmatched(cat)
    for u in names:
        u["suggested"] = suggest(u["name"], customers)
    return {
        "customers": customers,
        "unmatched": names,
        "stats": stats,
        "chart": chart,
        "by_class": by_class,
        "trend": trend,
    }


@page("whole")
async def overview(request: Request) -> Response:
    """The register, unmatched names with a link button, the year's satisfaction."""
    params = request.query_params
    today = today_of(params)
    year = _year(params, today.year)
    data = await call(_overview, state(request).cat, year, today)
    return render(request, "customers.html", **data, year=year, today=today, indicators=list(INDICATORS),
                  class_names=CLASS_NAMES, linked=params.get("linked") or "")  # fmt: skip


@page("whole")
async def one(request: Request) -> Response:
    """One customer's year at a glance."""
    params = request.query_params
    today = today_of(params)
    year = _year(params, today.year)
    cy = await call(customer_year, state(request).cat, f"#{request.path_params['cid']}", year, today=today)
    return render(request, "customer.html", cy=cy, year=year, today=today, kinds=KIND_NAMES,
                  class_names=CLASS_NAMES, status=lambda o: STATUS_LABELS[o.status].format(days=o.days, reason=o.reason or ""))  # fmt: skip


@page("forms")  # the service desk's right: the desk keeps the customer register
async def link(request: Request) -> Response:
    """Link a written name to the chosen customer (one click from the unmatched list)."""
    form = await request.form()
    name, customer = str(form.get("name", "")).strip(), str(form.get("customer", "")).strip()
    if not name or not customer:
        raise UsageError("choose the customer the name {name} belongs to", name=name)
    await call(link_name, catalog_for(request), name, "#" + customer if customer.isdigit() else customer)
    return RedirectResponse("/customers?" + urlencode({"linked": name}), status_code=303)


routes = [
    Route("/customers", overview),
    Route("/customers/link", link, methods=["POST"]),
    Route("/customers/{cid:int}", one),
]
