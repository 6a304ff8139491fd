"""The review queue: each waiting document with a preview and its suggestions as buttons.

One click on a suggestion files the document there (``dangan.archive.intake.filing.file_reviewed``); a
project and item can also be chosen by hand.  A filed document is moved from its own page
(``dangan.archive.intake.filing.refile``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.intake.filing import file_reviewed, refile, review_queue
from dangan.archive.openness import readable_by
from dangan.archive.projects import list_projects
from dangan.indexer.errors import UsageError
from dangan.web.base import call, catalog_for, page, render, state
from dangan.web.docview import PREVIEW_KINDS


@page()
async def queue(request: Request) -> Response:
    """Documents waiting for a decision, oldest first."""
    cat = state(request).cat
    docs = [d for d in await call(review_queue, cat) if readable_by(request.state.user.role, d)]
    projects = await call(list_projects, cat)
    return render(request, "review.html", docs=docs, projects=projects, preview=PREVIEW_KINDS,
                  done=request.query_params.get("filed"), discarded=request.query_params.get("discarded"))  # fmt: skip


@page("file")
async def file_one(request: Request) -> Response:
    """File one document from review under the chosen project and item."""
    form = await request.form()
    project, item = str(form.get("project", "")).strip(), str(form.get("item", "")).strip()
    if not project or not item:
        raise UsageError("choose a project and a checklist item to file the document under")
    doc = await call(file_reviewed, catalog_for(request), request.path_params["doc_id"], project=project, item=item)
    return RedirectResponse(f"/review?filed={doc['id']}", status_code=303)


@page("file")
async def refile_one(request: Request) -> Response:
    """Move a filed document to another item (and project); vault, catalog and index together."""
    form = await request.form()
    item = str(form.get("item", "")).strip()
    if not item:
        raise UsageError("choose the checklist item to move the document to")
    doc_id = request.path_params["doc_id"]
    await call(refile, catalog_for(request), doc_id, item=item, project=str(form.get("project", "")).strip() or None)
    return RedirectResponse(f"/documents/{doc_id}", status_code=303)


routes = [
    Route("/review", queue),
    Route("/review/{doc_id:id}/file", file_one, methods=["POST"]),
    Route("/documents/{doc_id:id}/refile", refile_one, methods=["POST"]),
]
