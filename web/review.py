"""The review queue: one waiting document after another, decided with a click or a key.

Each waiting document shows its first page, why it waits (the classifier's reason) and the
evidence behind each suggestion; a suggestion files it with one click or the keys 1–3
(``dangan.archive.intake.filing.file_reviewed``), the item picker lists the checklist's items by
part with their names, several documents can be filed together under one item, and after
each decision the next document opens.  A document whose project was not recognised gets
no project by default: the reviewer chooses one.  A filed document is moved from its own
page (``dangan.archive.intake.filing.refile``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.intake.filing import file_reviewed, refile, review_queue
from dangan.archive.openness import visible
from dangan.archive.projects import Project, list_projects
from dangan.indexer.errors import DanganError, UsageError
from dangan.indexer.messages import say
from dangan.web.base import call, catalog_for, page, render, state

SHORTCUTS = 3  # suggestions taken with the keys 1, 2, 3


def item_groups(projects: list[Project]) -> list[dict]:
    """Each checklist the projects use, with its items grouped by part (for the pickers)."""
    seen: dict[str, dict] = {}
    for p in projects:
        cl = p.checklist
        if cl.id in seen:
            continue
        parts: dict[str, list] = {}
        for it in cl.items:
            parts.setdefault(it.group, []).append(it)
        seen[cl.id] = {"id": cl.id, "title": cl.title, "parts": list(parts.items())}
    return list(seen.values())


def _queue(web, role: str) -> tuple[list[dict], list[Project], list[dict]]:
    docs = visible(web.cat, role, review_queue(web.cat))  # a public reader: open records only (none wait here)
    projects = list_projects(web.cat)
    return docs, projects, item_groups(projects)


async def _page(request: Request, status: int = 200, **messages) -> Response:
    """The queue, with the document ``at`` (a query parameter) open, and any messages."""
    docs, projects, checklists = await call(_queue, state(request), request.state.user.role)
    at = request.query_params.get("at", "")
    current = int(at) if at.isdigit() and any(d["id"] == int(at) for d in docs) else (docs[0]["id"] if docs else None)
    q = request.query_params
    return render(
        request, "review.html", status_code=status, docs=docs, projects=projects, checklists=checklists,
        current=current, shortcuts=SHORTCUTS, done=q.get("filed"), discarded=q.get("discarded"), **messages,
    )  # fmt: skip


@page()
async def queue(request: Request) -> Response:
    """Documents waiting for a decision, oldest first; the one asked for (or the first) open."""
    return await _page(request)


def _next(form) -> str:
    """The document to open after a decision (the template names the one after this)."""
    value = str(form.get("next", ""))
    return value if value.isdigit() else ""


@page("file")
async def file_one(request: Request) -> Response:
    """File one document from review under the chosen project and item, then open the next.

    A choice the library refuses (an item not in that project's checklist) is said above
    the queue, which stays as it was.
    """
    form = await request.form()
    project, item = str(form.get("project", "")).strip(), str(form.get("item", "")).strip()
    doc_id = request.path_params["doc_id"]
    try:
        if not project or not item:
            raise UsageError("choose a project and a checklist item to file the document under")
        doc = await call(file_reviewed, catalog_for(request), doc_id, project=project, item=item)
    except DanganError as e:
        return await _page(request, 400 if isinstance(e, UsageError) else 409, error=f"#{doc_id}：{say(e)}")
    return RedirectResponse("/review?" + urlencode({"filed": doc["id"], "at": _next(form)}), status_code=303)


@page("file")
async def file_several(request: Request) -> Response:
    """File every ticked document under one project and item; each is its own decision, so one
    refused does not stop the others, and the page lists what was filed and what was not."""
    form = await request.form()
    project, item = str(form.get("project", "")).strip(), str(form.get("item", "")).strip()
    ids = [int(str(v)) for v in form.getlist("doc") if str(v).isdigit()]
    if not ids or not project or not item:
        return await _page(request, 400, error="请勾选要归档的文件，并选择项目和条目。")
    filed, failed = [], []
    for doc_id in ids:
        try:
            await call(file_reviewed, catalog_for(request), doc_id, project=project, item=item)
            filed.append(doc_id)
        except DanganError as e:
            failed.append(f"#{doc_id}：{say(e)}")
    return await _page(request, 200 if filed else 409, bulk_filed=filed, bulk_failed=failed, bulk_item=item)


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
    Route("/review/bulk", file_several, methods=["POST"]),
    Route("/review/{doc_id:id}/file", file_one, methods=["POST"]),
    Route("/documents/{doc_id:id}/refile", refile_one, methods=["POST"]),
]
