"""Service deadlines in the browser: the morning list, one project's check by period, the .ics.

``/deadlines`` is the 客服主管's morning list (overdue, then what falls due in the next N
days, optionally for one person or one customer of the register) over every project whose
checklist has deadlines, with a summary per project, and the overdue loans with their
borrowers as `dangan due` lists them (for the roles that see loans); ``/deadlines/CODE`` is ``dangan check CODE --period …`` by item or by
person; ``/deadlines.ics`` the same morning list as a calendar a phone imports.  ``?today=``
looks at the deadlines as they stood (or will stand) on another day, like the CLI's
``--today``.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.customers.register import list_customers
from dangan.archive.days import today
from dangan.archive.deadlines.duelist import as_deadline, date_range, morning_list
from dangan.archive.deadlines.ical import calendar
from dangan.archive.deadlines.obligations import deadlines, has_deadlines
from dangan.archive.lending import loan_deadline, overdue_loans
from dangan.archive.projects import get_project
from dangan.indexer.errors import UsageError
from dangan.web.base import call, page, render, state
from dangan.web.limits import check_day

STATUS_LABELS = {
    "on-time": "✔ 按时", "late": "⚠ 迟交 {days} 天", "early": "⚠ 提前 {days} 天", "overdue": "✘ 逾期 {days} 天",
    "due-soon": "… 将到期", "open": "· 未到期", "waived": "– 免交（{reason}）",
}  # fmt: skip


def today_of(params) -> date:
    """``?today=`` if given, else $DANGAN_TODAY (as the CLI reads it), else the real today."""
    return check_day(today(params.get("today"), "today"), "日期")


def day_count(params) -> int:
    raw = params.get("days") or "7"
    if not raw.isdigit() or int(raw) > 366:
        raise UsageError(f"天数“{raw}”不正确：请填 0 至 366 之间的整数。")
    return int(raw)


def person_param(params) -> str | None:
    """The ``person`` filter (a person's name or a role), None when empty."""
    return (params.get("person") or "").strip() or None


def customer_param(params) -> str | None:
    """The ``customer`` filter (a customer of the register), None when empty."""
    return (params.get("customer") or "").strip() or None


def _morning(cat, today: date, days: int, person: str | None, customer: str | None, loans: bool) -> dict:
    """The page's figures, all from the library: the morning list (one customer's if chosen),
    the overdue loans as `dangan due` lists them (for a role that sees loans), the customers."""
    reports, entries = morning_list(cat, today=today, days=days, person=person, customer=customer)
    late = overdue_loans(cat, day=today, person=person, customer=customer) if loans else []
    return {"reports": reports, "entries": entries, "late_loans": late,
            "customers": [c.name for c in list_customers(cat)]}  # fmt: skip


@page("whole")
async def morning(request: Request) -> Response:
    """Every service project's summary, what is overdue or due in the next days, overdue loans."""
    params = request.query_params
    today, days, person, customer = today_of(params), day_count(params), person_param(params), customer_param(params)
    loans = request.state.user.can("loans")
    data = await call(_morning, state(request).cat, today, days, person, customer, loans)
    overdue = sum(1 for _, o in data["entries"] if o.status == "overdue")
    return render(request, "deadlines.html", **data, today=today, days=days, person=person or "", overdue=overdue,
                  customer=customer or "", label=_label, query=request.url.query, keep=_keep_today(params))  # fmt: skip


def _report(cat, code: str, today: date, params):
    """The project's deadline report; None for a project whose checklist has no due rules."""
    if not has_deadlines(get_project(cat, code)):  # an unknown project is a 404 before the range is read
        return None
    first, last = checked_range(params)
    return deadlines(cat, code, today=today, first=first, last=last)


def checked_range(params) -> tuple[date | None, date | None]:
    """The days ``?period=`` or ``?from=``/``?to=`` select, each within the years a page can count."""
    try:
        first, last = date_range(params.get("period") or None, params.get("from") or None, params.get("to") or None)
    except (ValueError, OverflowError):  # period=9999: its end lies past the calendar
        raise UsageError(f"期间 {params.get('period')} 超出范围：请用 1900 至 2199 年之间的期间") from None
    for day in (first, last):
        if day is not None:
            check_day(day, "日期")
    return first, last


@page("whole")
async def project(request: Request) -> Response:
    """One project's obligations per item and period (``?period=2025-03``), or by person."""
    params = request.query_params
    code = request.path_params["code"]
    report = await call(_report, state(request).cat, code, today_of(params), params)
    if report is None:  # a construction project: its checklist is the completeness page
        return RedirectResponse(f"/check/{quote(code)}", status_code=303)
    by_person = params.get("by") == "person"
    rows = sorted(report.obligations, key=lambda o: (o.owner, o.item, o.due)) if by_person else report.obligations
    return render(request, "deadlines_project.html", r=report, rows=rows, by_person=by_person, label=_label,
                  period=params.get("period") or "", first=params.get("from") or "", last=params.get("to") or "",
                  today_given=params.get("today") or "")  # fmt: skip


@page("whole")
async def ics(request: Request) -> Response:
    """The morning list as an .ics file (all-day events on each due day)."""
    params = request.query_params
    today, days, person, customer = today_of(params), day_count(params), person_param(params), customer_param(params)
    data = await call(_morning, state(request).cat, today, days, person, customer, request.state.user.can("loans"))
    events = [as_deadline(c, o) for c, o in data["entries"]] + [loan_deadline(r) for r in data["late_loans"]]
    text = calendar(events, stamp=datetime.now().astimezone())
    return Response(text.encode("utf-8"), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=\"deadlines.ics\"; filename*=UTF-8''%E5%BD%92%E6%A1%A3%E6%9C%9F%E9%99%90.ics"})  # fmt: skip


def _keep_today(params) -> str:
    """The query string that keeps a chosen ``today`` on the links to a project."""
    return "?" + urlencode({"today": params["today"]}) if params.get("today") else ""


def _label(o) -> str:
    """An obligation's status as the page prints it."""
    return STATUS_LABELS[o.status].format(days=o.days, reason=o.reason or "")


routes = [
    Route("/deadlines", morning),
    Route("/deadlines.ics", ics),
    Route("/deadlines/{code}", project),
]
