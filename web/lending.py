"""Lending (借阅), where volumes stand, and inventory (盘点) in the browser.

``/lending`` lists what is out, overdue first, with lend and return forms for the roles that
may change the archive (archivist, admin: the ``edit`` permission; a viewer sees the list
only and is refused 403 if it posts; a public reader, without ``loans``, does not see it).  ``/locations/<code>`` shows where every volume of a
project stands.  ``/inventory`` takes a place and the codes a scanner types (each code and
Enter submits the form); the codes read so far ride along in the form, so the page needs no
script and a reload loses nothing.  Library refusals show as the page's Chinese message.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.days import today
from dangan.archive.holdings import project_locations
from dangan.archive.inventory import run_inventory
from dangan.archive.lending import lend, list_loans, return_loan
from dangan.archive.projects import list_projects
from dangan.indexer.errors import DanganError
from dangan.indexer.messages import say
from dangan.web.base import call, catalog_for, page, render, state

DONE = {"lent": "已登记借出。", "returned": "已登记归还。"}
MAX_FORM_CODES = 20_000  # characters of codes carried by the inventory form


def _loans(cat) -> list[dict]:
    rows = list_loans(cat, day=today())
    return sorted(rows, key=lambda r: (-r["days_overdue"], r["until"], r["what"]))


async def _lending_page(request: Request, error: str = "", status: int = 200, form: dict | None = None) -> Response:
    loans = await call(_loans, state(request).cat)
    done = DONE.get(request.query_params.get("done", ""), "")
    return render(request, "lending.html", status_code=status, loans=loans, error=error, done=done, form=form or {},
                  overdue=sum(1 for r in loans if r["days_overdue"]))  # fmt: skip


@page("whole")
async def lending_page(request: Request) -> Response:
    """Who has what, overdue first."""
    return await _lending_page(request)


def _text(form, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


@page("edit")
async def lend_post(request: Request) -> Response:
    """Lend a volume or document from the form; a refusal shows on the page with the form kept."""
    form = await request.form()
    fields = {k: _text(form, k) for k in ("what", "to", "dept", "purpose", "until", "approved_by")}
    try:
        await call(lend, catalog_for(request), fields["what"], to=fields["to"], dept=fields["dept"],
                   purpose=fields["purpose"], until=fields["until"], approved_by=fields["approved_by"] or None,
                   outside=form.get("outside") == "1")  # fmt: skip
    except DanganError as e:
        return await _lending_page(request, say(e), 400, fields)
    return RedirectResponse("/lending?done=lent", status_code=303)


@page("edit")
async def return_post(request: Request) -> Response:
    """Take a volume or document back, with an optional 利用效果 note."""
    form = await request.form()
    try:
        await call(return_loan, catalog_for(request), _text(form, "what"), _text(form, "effect") or None)
    except DanganError as e:
        return await _lending_page(request, say(e), 400)
    return RedirectResponse("/lending?done=returned", status_code=303)


@page("whole")
async def locations_all(request: Request) -> Response:
    """Every project, each linking to where its volumes stand."""
    projects = await call(list_projects, state(request).cat)
    return render(request, "locations_all.html", projects=projects)


@page("whole")
async def locations_page(request: Request) -> Response:
    """Where every volume of a project stands, and who has the ones that are out."""
    code = request.path_params["code"]
    rows = await call(project_locations, state(request).cat, code)
    return render(request, "locations.html", project=code, rows=rows)


@page("whole")
async def inventory_page(request: Request) -> Response:
    """The inventory form; after each code, what was found, what is missing and what does not belong."""
    if request.method == "GET":
        return render(request, "inventory.html", scope="", codes=[], result=None, error="")
    form = await request.form()
    scope = _text(form, "scope").strip()
    codes = [c for c in _text(form, "codes")[:MAX_FORM_CODES].splitlines() if c.strip()]
    if new := _text(form, "code").strip():
        codes.append(new)
    try:
        result = await call(run_inventory, state(request).cat, scope, codes)
    except DanganError as e:
        return render(request, "inventory.html", status_code=400, scope=scope, codes=codes, result=None, error=say(e))
    for row in result.unexpected:
        row["reason_text"] = say(row["reason"])
    return render(request, "inventory.html", scope=result.scope, codes=codes, result=result, error="")


routes = [
    Route("/lending", lending_page),
    Route("/lending/lend", lend_post, methods=["POST"]),
    Route("/lending/return", return_post, methods=["POST"]),
    Route("/locations", locations_all),
    Route("/locations/{code}", locations_page),
    Route("/inventory", inventory_page, methods=["GET", "POST"]),
]
