"""Forms: pick a form, download a blank CSV/XLSX to fill, upload the data, see problems by
row and column, render, download a ZIP (PDFs too when LibreOffice is there), optionally file
into a project.

A finished ZIP is kept under a random token for the user who made it and sent once asked;
the URL never carries a path.
"""

from __future__ import annotations

import shutil

from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from dangan.archive.deadlines.formfiling import projects_for_form
from dangan.archive.forms import find_form, form_to_json, load_manifest
from dangan.archive.forms.pdf import find_soffice
from dangan.indexer.errors import MissingDependencyError, UsageError
from dangan.web.base import call, catalog_for, page, render, state
from dangan.web.formjobs import blank_sheet, run_form_job, sweep_jobs

FORMS_WORK = ".web-forms"  # under the home: one folder per batch, removed once its ZIP is fetched
UNFETCHED_TTL = 6 * 3600  # a ZIP nobody fetched is removed after this many seconds
SHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _manifest(request: Request):
    return load_manifest(state(request).home.templates_dir)


def _has_libreoffice() -> bool:
    try:
        find_soffice()
    except MissingDependencyError:
        return False
    return True


@page()
async def form_list(request: Request) -> Response:
    manifest = await call(_manifest, request)
    return render(request, "forms.html", forms=list(manifest.values()))


@page()
async def form_page(request: Request) -> Response:
    """One form: its fields, blank sheets, and the upload to render."""
    form = find_form(await call(_manifest, request), request.path_params["form"])
    projects = await call(projects_for_form, state(request).cat, form)
    return render(request, "form.html", form=form, spec=form_to_json(form), projects=projects, job=None,
                  pdf_ok=await call(_has_libreoffice))  # fmt: skip


@page()
async def sheet(request: Request) -> Response:
    """A header-only CSV or XLSX of the form's columns, to fill in Excel or WPS."""
    form = find_form(await call(_manifest, request), request.path_params["form"])
    fmt = request.path_params["fmt"]
    if fmt not in SHEET_TYPES:
        raise UsageError(f"空白表只有 .csv 和 .xlsx 两种，没有 .{fmt}。")
    data = blank_sheet(form, fmt)
    name = f"{form.title}.{fmt}"
    return Response(data, media_type=SHEET_TYPES[fmt], headers=_attachment(name))


def _attachment(name: str) -> dict[str, str]:
    from urllib.parse import quote

    return {
        "Content-Disposition": f"attachment; filename=\"form.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"
    }


@page("forms")
async def render_forms(request: Request) -> Response:
    """Check the uploaded data; render and offer the ZIP, or show every problem by row and column."""
    form = find_form(await call(_manifest, request), request.path_params["form"])
    fields = await request.form()
    data = fields.get("data")
    if not isinstance(data, UploadFile) or not data.filename:
        raise UsageError("请选择一个数据文件（.csv、.xlsx 或 .json）来生成表格。")
    web = state(request)
    await call(sweep_jobs, web.home.root / FORMS_WORK, older_than=UNFETCHED_TTL)
    job = await call(
        run_form_job, catalog_for(request), form, data.filename, await data.read(), web.home.root / FORMS_WORK,
        pdf=bool(fields.get("pdf")), file_into=str(fields.get("file_into") or "") or None,
        company=str(web.home.setting("dangan", "company", "")),
    )  # fmt: skip
    token = web.add_download(job.zip_path, request.state.user.name) if job.zip_path else None
    projects = await call(projects_for_form, web.cat, form)
    return render(request, "form.html", status_code=200 if job.ok else 422, form=form, spec=form_to_json(form),
                  projects=projects, job=job, token=token, pdf_ok=await call(_has_libreoffice))  # fmt: skip


@page("forms")
async def download(request: Request) -> Response:
    """The ZIP of a finished batch, once; the token is the only key, and then it is gone."""
    path = state(request).take_download(request.path_params["token"], request.state.user.name)
    if path is None or not path.is_file():
        raise HTTPException(404, "这个下载已经取过或已过期：请重新生成。")
    return FileResponse(path, media_type="application/zip", headers=_attachment(path.name),
                        background=BackgroundTask(shutil.rmtree, path.parent, True))  # fmt: skip


routes = [
    Route("/forms", form_list),
    Route("/forms/{form}", form_page),
    Route("/forms/{form}/blank.{fmt}", sheet),
    Route("/forms/{form}/render", render_forms, methods=["POST"]),
    Route("/downloads/{token}", download),
]
