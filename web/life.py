"""A document's life in the browser: edit its metadata, discard it with a reason, restore it.

Each route is a thin call into :mod:`dangan.archive.life` (which takes the writer lock itself), with a
catalog that names the signed-in user in the event; the archivist (and admin) may, everyone else gets 403.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.life.edit import FIELDS, edit_changed
from dangan.archive.life.trash import discard, restore
from dangan.web.base import call, catalog_for, page
from dangan.web.trash import remember_volume_note


@page("edit")
async def edit_one(request: Request) -> Response:
    """Correct the metadata from the document page's form; unchanged fields stay as they are."""
    form = await request.form()
    doc_id = request.path_params["doc_id"]
    values = {k: str(form[k]) for k in FIELDS if k in form}
    await call(edit_changed, catalog_for(request), doc_id, values)
    return RedirectResponse(f"/documents/{doc_id}?saved=1", status_code=303)


@page("edit")
async def discard_one(request: Request) -> Response:
    """Move a document (filed or in review) into the trash with the reason given; from the
    review queue, then open the document after it (``next``), as filing one does."""
    form = await request.form()
    doc_id = request.path_params["doc_id"]
    await call(discard, catalog_for(request), doc_id, reason=str(form.get("reason", "")))
    if form.get("back") == "review":  # on to the document after it, as filing goes on (the form names it)
        after = str(form.get("next", ""))
        query = {"discarded": doc_id, **({"at": after} if after.isdigit() else {})}
        return RedirectResponse("/review?" + urlencode(query), status_code=303)
    return RedirectResponse(f"/documents/{doc_id}", status_code=303)


@page("edit")
async def restore_one(request: Request) -> Response:
    """Bring a discarded document back where and as it was."""
    doc_id = request.path_params["doc_id"]
    doc = await call(restore, catalog_for(request), doc_id)
    remember_volume_note(request, doc)  # back in its volume, or why not: the document page says it once
    return RedirectResponse(f"/documents/{doc_id}", status_code=303)


routes = [
    Route("/documents/{doc_id:id}/edit", edit_one, methods=["POST"]),
    Route("/documents/{doc_id:id}/discard", discard_one, methods=["POST"]),
    Route("/documents/{doc_id:id}/restore", restore_one, methods=["POST"]),
]
