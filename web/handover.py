"""The handover package (移交包) as one ZIP download, and moving a document between volumes.

The package is written by the library (``dangan.archive.handover.write_package``: the
四性检测 first, nothing written when it fails) into a work folder under the home, zipped,
sent as an attachment and removed once sent.  A failing check sends the user to the check's
page, which lists the rows to fix.  A document changes volume through
``dangan.archive.volumes.move_document`` (draft volumes only; the library says why not).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.handover import write_package
from dangan.archive.volumes import move_document
from dangan.indexer.errors import HandoverCheckError, UsageError
from dangan.web.base import call, catalog_for, page

HANDOVER_WORK = ".web-handover"  # under the home: one folder per download, removed once sent


def _package_zip(cat, code: str) -> Path:
    """Write the package and zip it; the ZIP's folder is the caller's to remove."""
    work = cat.home.root / HANDOVER_WORK
    work.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="handover-", dir=work))
    try:
        package = write_package(cat, code, folder / f"{code}-移交包")
        target = folder / f"{code}-移交包.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for path in sorted(package.path.rglob("*")):
                if path.is_file():
                    z.write(path, path.relative_to(folder).as_posix())
        shutil.rmtree(package.path)
        return target
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


@page("edit")
async def download_package(request: Request) -> Response:
    """Check the project and send its handover package as a ZIP; a failing check goes to its page."""
    code = request.path_params["code"]
    try:
        target = await call(_package_zip, catalog_for(request), code)
    except HandoverCheckError:
        return RedirectResponse(f"/volumes/{quote(code)}/check?handover=failed", status_code=303)
    disposition = f"attachment; filename*=UTF-8''{quote(target.name)}"
    return FileResponse(target, media_type="application/zip", headers={"Content-Disposition": disposition},
                        background=BackgroundTask(shutil.rmtree, target.parent, True))  # fmt: skip


@page("edit")
async def move_one(request: Request) -> Response:
    """Move a document into another draft volume of its project (at the end)."""
    form = await request.form()
    code = request.path_params["code"]
    doc, to = str(form.get("doc", "")), str(form.get("to", ""))
    if not doc.isdigit() or not to.isdigit():
        raise UsageError("choose the document and the volume to move it to")
    volume = await call(move_document, catalog_for(request), int(doc), int(to))
    return RedirectResponse(f"/volumes/{quote(code)}?done=move#vol-{volume.sequence}", status_code=303)


routes = [
    Route("/volumes/{code}/handover.zip", download_package, methods=["POST"]),
    Route("/volumes/{code}/move", move_one, methods=["POST"]),
]
