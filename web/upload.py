"""Upload: drop files onto a project; each goes through the ingest pipeline and its outcome
(filed, review, duplicate, failed with the reason) is shown."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dangan.archive.projects import list_projects
from dangan.indexer.errors import UsageError
from dangan.web.base import call, catalog_for, page, render, state
from dangan.web.limits import MAX_UPLOAD_FILES, check_upload_count
from dangan.web.uploadjobs import Upload, ingest_uploads

MAX_FILES = MAX_UPLOAD_FILES


@page("file")
async def upload_form(request: Request) -> Response:
    projects = await call(list_projects, state(request).cat)
    return render(
        request, "upload.html", projects=projects, outcomes=None, chosen=request.query_params.get("project", "")
    )


@page("file")
async def upload(request: Request) -> Response:
    """File the uploaded files; the page lists what became of each one."""
    form = await request.form(max_files=MAX_FILES)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    # Counted here too: the CSRF check already parsed the form with Starlette's default limit.
    check_upload_count(len(files))
    if not files:
        raise UsageError("请至少选择或拖入一个文件再上传。")
    uploads = [Upload(name=f.filename or "", data=await f.read()) for f in files]
    project = str(form.get("project", "")).strip() or None
    web = state(request)
    outcomes = await call(
        ingest_uploads, catalog_for(request), uploads, project=project, max_bytes=web.max_upload_bytes
    )
    projects = await call(list_projects, web.cat)
    return render(request, "upload.html", projects=projects, outcomes=outcomes, chosen=project or "")


routes = [
    Route("/upload", upload_form, methods=["GET"]),
    Route("/upload", upload, methods=["POST"]),
]
