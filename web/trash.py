"""The trash page: discarded documents with their reasons, restore each, undo the last decision.

Thin calls into :mod:`dangan.archive.life.trash` and :mod:`dangan.archive.life.undo` (each takes
the writer lock itself); the roles that may edit use it, everyone else gets 403 with the menu.
What a restore says of the document's volume (back in it, or why not) shows once on the next page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.life.trash import restore, trash_list
from dangan.archive.life.undo import undo
from dangan.indexer.messages import say
from dangan.web.base import ACTION_LABELS, call, catalog_for, page, render, state

NOTE = "trash_note"  # session key: a restore's or undo's word on the document's volume


@page("edit")
async def trash_page(request: Request) -> Response:
    """Every discarded document, oldest discard first, with restore buttons and the undo button."""
    docs = await call(trash_list, state(request).cat)
    q = request.query_params
    note = request.session.pop(NOTE, "")  # what the restore said of the document's volume, shown once
    return render(request, "trash.html", docs=docs, restored=q.get("restored"), undone=q.get("undone"),
                  undone_doc=q.get("doc"), volume_note=note)  # fmt: skip


@page("edit")
async def restore_from_trash(request: Request) -> Response:
    """Bring one discarded document back where and as it was; stay on the trash page."""
    doc_id = request.path_params["doc_id"]
    doc = await call(restore, catalog_for(request), doc_id)
    remember_volume_note(request, doc)
    return RedirectResponse(f"/trash?restored={doc_id}", status_code=303)


def remember_volume_note(request: Request, doc: dict) -> None:
    """Keep what the library said of the document's volume for the next page (the session, in Chinese)."""
    if doc.get("volume_note"):
        request.session[NOTE] = say(doc["volume_note"])


@page("edit")
async def undo_last(request: Request) -> Response:
    """Reverse the last filing decision (file, refile, edit, discard, restore) from the log."""
    event, doc = await call(undo, catalog_for(request))
    remember_volume_note(request, doc)
    said = ACTION_LABELS.get(event["action"], event["action"])
    return RedirectResponse("/trash?" + urlencode({"undone": said, "doc": doc["id"]}), status_code=303)


routes = [
    Route("/trash", trash_page),
    Route("/trash/{doc_id:id}/restore", restore_from_trash, methods=["POST"]),
    Route("/trash/undo", undo_last, methods=["POST"]),
]
