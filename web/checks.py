"""Completeness: every project with its % complete (least complete first), one project's
checklist with status, 责任人 and documents, who owes what, waivers with a reason, and the
project's registers as .docx/.xlsx downloads.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from dangan.archive import completeness
from dangan.archive.registers import KINDS, write_register
from dangan.indexer.errors import UsageError
from dangan.web.base import call, catalog_for, page, render, state

REGISTER_FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


@page("whole")
async def overview(request: Request) -> Response:
    """All projects, least complete first, and who owes what across them."""
    reports = await call(completeness.check_all, state(request).cat)
    owes: dict[str, list] = {}
    for r in reports:
        for i in r.items:
            if i.status == "missing":
                owes.setdefault(i.owner, []).append((r.project, i))
    owed = sorted(owes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return render(request, "check_all.html", reports=reports, owed=owed)


@page("whole")
async def project(request: Request) -> Response:
    """One project's checklist, by item or (``?by=person``) by who owes it."""
    report = await call(completeness.check, state(request).cat, request.path_params["code"])
    by_person = request.query_params.get("by") == "person"
    owners = sorted({i.owner for i in report.items})
    return render(request, "check_project.html", r=report, by_person=by_person, owners=owners, kinds=KINDS)


@page("waive")
async def waive(request: Request) -> Response:
    """Waive an item with a reason, or (``undo``) take the waiver back."""
    form = await request.form()
    code, item = request.path_params["code"], str(form.get("item", ""))
    cat = catalog_for(request)
    if form.get("undo"):
        await call(completeness.unwaive, cat, code, item)
    else:
        await call(completeness.waive, cat, code, item, str(form.get("reason", "")))
    return RedirectResponse(f"/check/{code}", status_code=303)


def _register_file(cat, code: str, kind: str, fmt: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="dangan-register-"))
    return write_register(cat, code, kind, folder / f"{code}-{kind}.{fmt}", xlsx=fmt == "xlsx")


@page("whole")
async def register(request: Request) -> Response:
    """A register of the project, written from the catalog now and sent as a download."""
    code, kind, fmt = request.path_params["code"], request.path_params["kind"], request.path_params["fmt"]
    if kind not in KINDS or fmt not in REGISTER_FORMATS:
        raise UsageError(f"没有登记表 {kind}.{fmt}：登记表有 {'、'.join(KINDS)}，可下载为 Word 或 Excel。")
    path = await call(_register_file, state(request).cat, code, kind, fmt)
    return FileResponse(path, media_type=REGISTER_FORMATS[fmt], filename=path.name,
                        background=BackgroundTask(_remove, path))  # fmt: skip


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.parent.rmdir()


routes = [
    Route("/check", overview),
    Route("/check/{code}", project),
    Route("/check/{code}/waive", waive, methods=["POST"]),
    Route("/registers/{code}/{kind}.{fmt}", register),
]
