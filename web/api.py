"""The JSON API under ``/api/``: the same shapes as the command line's ``--json``.

search (a list of hits), check (one report, or every project's with no code: a service
project's deadlines, with ``?period=`` or ``?from=&to=``), due (the morning list), catalog (the
tree), review (the queue), documents (rows without the crash-recovery marker) and a
document's file by id.  Authenticated by ``Authorization: Bearer TOKEN`` or the session.  A
public reader (公开查阅) gets only open records, and no check, due list or catalog tree (they
name every record: the ``whole`` permission).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from dangan.archive.deadlines.duelist import check_reports, due_list
from dangan.archive.intake.filing import review_queue
from dangan.archive.lending import overdue_loans
from dangan.archive.openness import search_for, visible
from dangan.archive.searchrequest import SearchPage, SearchRequest, run_search
from dangan.archive.tree import catalog_tree
from dangan.web.base import api, call, state
from dangan.web.deadlines import checked_range, customer_param, day_count, person_param, today_of
from dangan.web.docview import public_document, readable, stored_file
from dangan.web.limits import check_query

REVIEW_KEYS = ("id", "original_name", "title", "project_code", "vault_path", "suggestions", "confidence", "reason")


def as_json(data) -> Response:
    """JSON as the CLI prints it: Chinese kept readable, dates in ISO form."""
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, media_type="application/json; charset=utf-8")


def _search(web, params, role: str) -> SearchPage:
    """The page's search request, run in this worker thread with its own index (a viewer's
    among open records only)."""
    req = SearchRequest.from_params(params)
    return search_for(role, req, web.index, web.cat) or run_search(req, web.index, web.cat)


@api()
async def search(request: Request) -> Response:
    """`dangan search --json`: the hits of one window (``limit``, ``offset`` or ``page``), the
    total in the ``X-Total-Count`` header; an unknown project, item or person is a 404."""
    check_query(request.query_params.get("q") or "")  # before any work: a 2,000-word query is refused
    result = await call(_search, state(request), request.query_params, request.state.user.role)
    response = as_json([h.to_json() for h in result.hits])
    response.headers["X-Total-Count"] = str(result.total)
    response.headers["X-Search-Level"] = result.level  # "most": no document held every word
    return response


def _range(params):
    return checked_range(params)


@api("whole")
async def check_all(request: Request) -> Response:
    """`dangan check --all --json`: service projects (most overdue first), then the least complete."""
    first, last = _range(request.query_params)
    reports = await call(
        check_reports, state(request).cat, (), all_=True, today=today_of(request.query_params), first=first, last=last
    )
    return as_json([r.to_json() for r in reports])


@api("whole")
async def check(request: Request) -> Response:
    """`dangan check CODE --json` (with --period/--from/--to/--today as query parameters)."""
    first, last = _range(request.query_params)
    [report] = await call(check_reports, state(request).cat, (request.path_params["code"],), today=today_of(request.query_params),
                          first=first, last=last)  # fmt: skip
    return as_json(report.to_json())


@api("whole")
async def due(request: Request) -> Response:
    """`dangan due --json`: overdue and due within ``days`` (7), optionally for one ``person`` or
    ``customer``, then the overdue loans (for a role that sees loans)."""
    params = request.query_params
    cat, day, person, customer = state(request).cat, today_of(params), person_param(params), customer_param(params)
    entries = await call(due_list, cat, today=day, days=day_count(params), person=person, customer=customer)
    late = (
        await call(overdue_loans, cat, day=day, person=person, customer=customer)
        if request.state.user.can("loans")
        else []
    )
    return as_json([{"project": c, **o.to_json()} for c, o in entries] + [{"kind": "loan", **r} for r in late])


@api("whole")
async def catalog(request: Request) -> Response:
    return as_json(await call(catalog_tree, state(request).cat, request.path_params["code"]))


@api()
async def review(request: Request) -> Response:
    docs = await call(
        visible, state(request).cat, request.state.user.role, await call(review_queue, state(request).cat)
    )
    return as_json([{k: d[k] for k in REVIEW_KEYS} for d in docs])


@api()
async def documents(request: Request) -> Response:
    params = request.query_params
    docs = await call(
        state(request).cat.documents, project=params.get("project") or None, status=params.get("status") or None
    )
    shown = await call(visible, state(request).cat, request.state.user.role, docs)  # a reader: 开放 only
    return as_json([public_document(d) for d in shown])


@api()
async def document(request: Request) -> Response:
    await call(readable, state(request).cat, request.state.user.role, request.path_params["doc_id"])
    return as_json(public_document(await call(state(request).cat.document, request.path_params["doc_id"])))


@api()
async def document_file(request: Request) -> Response:
    """The stored file by document id only; the path comes from the catalog row."""
    await call(readable, state(request).cat, request.state.user.role, request.path_params["doc_id"])
    f = await call(stored_file, state(request).cat, request.path_params["doc_id"])
    return FileResponse(
        f.path, media_type=f.mime_type, filename=f.download_name, headers={"X-Content-Type-Options": "nosniff"}
    )


routes = [
    Route("/api/search", search),
    Route("/api/check", check_all),
    Route("/api/check/{code}", check),
    Route("/api/due", due),
    Route("/api/catalog/{code}", catalog),
    Route("/api/review", review),
    Route("/api/documents", documents),
    Route("/api/documents/{doc_id:id}", document),
    Route("/api/documents/{doc_id:id}/file", document_file),
]
