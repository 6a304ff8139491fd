"""The statistics page: the year in numbers (``dangan stats``) as charts and 年报-like tables.

``/stats?year=2025`` draws holdings by project, 门类, 保管期限, carrier and year, documents
filed per month, completeness across projects, overdue service records, use and disposals
as server-side SVG (:mod:`dangan.web.charts`: no script, no CDN), with the figures in tables
beside them.  ``?format=json`` is the same view as JSON: the figures are computed once by
:func:`dangan.archive.stats.stats` and either rendered or sent, so the two cannot disagree.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dangan.archive.stats import stats
from dangan.indexer.errors import UsageError
from dangan.indexer.messages import say
from dangan.web.api import as_json
from dangan.web.base import call, page, render, state
from dangan.web.charts import bar_chart, line_chart

HOLDINGS = (("project", "馆藏：按项目（件）"), ("group", "馆藏：按门类（件）"), ("retention", "馆藏：按保管期限（件）"),
            ("carrier", "馆藏：按载体（件）"), ("year", "馆藏：按年度（件）"))  # fmt: skip


def year_of(params) -> int:
    """``?year=`` (default: this year); a 400 saying so in Chinese when it is not a year."""
    raw = (params.get("year") or "").strip()
    if not raw:
        return date.today().year
    if not raw.isdigit() or not 1900 <= int(raw) <= 9999:
        raise HTTPException(400, say(UsageError("--year {year}: give a year like 2025", year=raw)))
    return int(raw)


def charts(f: dict) -> list[tuple[str, Markup]]:
    """Every chart of the page, (anchor id, SVG), from the figures alone."""
    out = [(f"holdings-{key}", bar_chart(title, [(r["key"], r["documents"]) for r in f["holdings"][key]], "件"))
           for key, title in HOLDINGS]  # fmt: skip
    months = f["filed_per_month"]
    out.append(("filed", line_chart(f"{f['year']}年每月归档（件）", [m["month"][5:] for m in months],
                                    {"归档件数": [m["documents"] for m in months]})))  # fmt: skip
    out.append(("completeness", bar_chart("各项目归档齐全率（%）", [
        (c["project"], round(100 * (c["filed"] + c["waived"]) / c["items"]) if c["items"] else 0)
        for c in f["completeness"]], "%")))  # fmt: skip
    out.append(("service", bar_chart(f"{f['year']}年服务记录逾期未交（件）",
                                     [(s["project"], s["overdue"]) for s in f["service"]], "件")))  # fmt: skip
    u = f["uses"]
    out.append(("uses", bar_chart(f"{f['year']}年利用登记（次）",
                                  [(a["key"], a["count"]) for a in u["by_action"]], "次")))  # fmt: skip
    out.append(("purposes", bar_chart(f"{f['year']}年利用：按利用目的（次）",
                                      [(p["key"], p["count"]) for p in u["by_purpose"]], "次")))  # fmt: skip
    d = f["disposals"]
    out.append(("disposals", bar_chart(f"{f['year']}年销毁：按项目（件）",
                                       [(p["key"], p["documents"]) for p in d["by_project"]], "件")))  # fmt: skip
    return out


def summary(f: dict) -> list[tuple[str, object]]:
    """The 年报-like overview table: (指标, 数值)."""
    held = f["holdings"]["project"]
    v, u, d = f["volumes"], f["uses"], f["disposals"]
    return [
        ("馆藏文件（件）", sum(r["documents"] for r in held)), ("馆藏页数（页）", sum(r["pages"] for r in held)),
        ("案卷（卷）", v["volumes"]), ("其中已封卷（卷）", v["sealed"]), ("案卷页数（页）", v["pages"]),
        (f"{f['year']}年归档（件）", sum(m["documents"] for m in f["filed_per_month"])),
        ("利用登记（条）", u["records"]), ("利用（次）", u["uses"]), ("借出（次）", u["loans"]),
        ("其中案卷（次）", u["volume_loans"]), ("其中文件（次）", u["document_loans"]), ("外借（次）", u["outside"]),
        ("在线查阅（次）", u["views"]), ("在线下载（次）", u["downloads"]), ("利用人数（人）", u["people"]),
        ("鉴定延长（件）", d["decisions"]["keep"]), ("鉴定开放（件）", d["decisions"]["open"]),
        ("鉴定销毁（件）", d["decisions"]["destroy"]), ("销毁（件）", d["destroyed"]), ("销毁页数（页）", d["pages"]),
    ]  # fmt: skip


@page("whole")
async def stats_page(request: Request) -> Response:
    """The statistics of ``?year=``; ``?format=json`` gives the same figures as JSON."""
    year = year_of(request.query_params)
    figures = await call(stats, state(request).cat, year)
    if request.query_params.get("format") == "json":
        return as_json(figures)
    return render(request, "stats.html", f=figures, charts=charts(figures), summary=summary(figures),
                  holdings=HOLDINGS)  # fmt: skip


routes = [Route("/stats", stats_page)]
