"""The trash page: discarded documents with their reasons, restore each, undo the last decision.

Thin calls into :mod:`dangan.archive.life.trash` and :mod:`dangan.archive.life.undo` (each takes
the writer lock itself); the roles that may edit use it, everyone else gets 403 with the menu.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.life.trash import restore, trash_list
from dangan.archive.life.undo import undo
from dangan.web.base import ACTION_LABELS, call, catalog_for, page, render, state


@page("edit")
async def trash_page(request: Request) -> Response:
    """Every discarded document, oldest discard first, with restore buttons and the undo button."""
    docs = await call(trash_list, state(request).cat)
    q = request.query_params
    return render(request, "trash.html", docs=docs, restored=q.get("restored"), undone=q.get("undone"),
                  undone_doc=q.get("doc"))  # fmt: skip


@page("edit")
async def restore_from_trash(request: Request) -> Response:
    """Bring one discarded document back where and as it was; stay on the trash page."""
    doc_id = request.path_params["doc_id"]
    await call(restore, catalog_for(request), doc_id)
    return RedirectResponse(f"/trash?restored={doc_id}", status_code=303)


@page("edit")
async def undo_last(request: Request) -> Response:
    """Reverse the last filing decision (file, refile, edit, discard, restore) from the log."""
    event, doc = await call(undo, catalog_for(request))
    said = ACTION_LABELS.get(event["action"], event["action"])
    return RedirectResponse("/trash?" + urlencode({"undone": said, "doc": doc["id"]}), status_code=303)


routes = [
    Route("/trash", trash_page),
    Route("/trash/{doc_id:id}/restore", restore_from_trash, methods=["POST"]),
    Route("/trash/undo", undo_last, methods=["POST"]),
]
