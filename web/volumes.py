"""Volumes (案卷) in the browser: a project's volumes with their documents, plan, seal and
unseal, build the volume PDF and download it, and the 四性检测 (handover check) as a table.

Each write is a thin call into :mod:`dangan.archive.volumes` (which takes the writer lock) with a catalog
that names the signed-in user; the archivist (and admin) may, everyone else gets 403.  They
also see which volumes are out on loan (sealing and the handover package go ahead regardless).  A
built PDF lands in a work folder under the home named by the volume's id, and is served by
that id only: no path ever comes from the request.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.dblock import writing
from dangan.archive.handover import PROPERTIES, run_checks
from dangan.archive.lending import volume_out_warnings
from dangan.archive.openness import visible
from dangan.archive.projects import list_projects
from dangan.archive.volumes import code_settings, get_volume, list_volumes, plan_volumes, seal, unseal, volume_code
from dangan.archive.volumes.pdf import build_volume, contents_rows
from dangan.indexer.errors import NotFoundError
from dangan.web.base import call, catalog_for, page, render, state
from dangan.web.docview import volume_readable

VOLUMES_WORK = ".web-volumes"  # under the home: one folder per volume id with its last built PDF
SIGNATURE = "volume.json"  # beside the PDF: the project and what the PDF shows, to serve it only while current
STATUS = {"draft": "草稿", "sealed": "已封卷"}


def _volumes_view(cat, code: str, role: str) -> list[dict]:
    """Each volume ``role`` may see with its 档号, status label and 卷内目录 rows (件号, 文件编号,
    责任者, 题名, 日期, 页次, 备注); a public reader sees only volumes made wholly of open records."""
    vols = visible(cat, role, list_volumes(cat, code))
    settings = code_settings(cat)
    out = []
    for v in vols:
        rows = [(row, e.document_id) for row, e in zip(contents_rows(v), v.entries)]
        out.append({"v": v, "code": volume_code(v, settings), "status": STATUS.get(v.status, v.status), "rows": rows,
                     "built": _built_pdf(cat, v.id, v) is not None})  # fmt: skip
    return out


@page()
async def overview(request: Request) -> Response:
    """Every project, each linking to its volumes and its 四性检测."""
    projects = await call(list_projects, state(request).cat)
    return render(request, "volumes_all.html", projects=projects)


@page()
async def volumes_page(request: Request) -> Response:
    """A project's volumes and, per volume, its documents in 件号 order."""
    code = request.path_params["code"]
    vols = await call(_volumes_view, state(request).cat, code, request.state.user.role)
    drafts = [x["v"].sequence for x in vols if not x["v"].sealed]  # where a document may be moved
    # who may seal and hand over is told, as `volume seal` and `handover write` tell, what is out on loan
    on_loan = await call(volume_out_warnings, state(request).cat, code) if request.state.user.can("edit") else []
    return render(request, "volumes.html", project=code, vols=vols, drafts=drafts, on_loan=on_loan,
                  done=request.query_params.get("done", ""))  # fmt: skip


@page("edit")
async def plan(request: Request) -> Response:
    """Replace the draft volumes by a new proposal from the checklist groups (sealed ones stay)."""
    code = request.path_params["code"]
    await call(plan_volumes, catalog_for(request), code)
    return RedirectResponse(f"/volumes/{code}?done=plan", status_code=303)


@page("edit")
async def seal_one(request: Request) -> Response:
    """Freeze a volume's order and page numbers."""
    code, vol = request.path_params["code"], request.path_params["vol"]
    await call(seal, catalog_for(request), code, vol)
    return RedirectResponse(f"/volumes/{code}?done=seal", status_code=303)


@page("edit")
async def unseal_one(request: Request) -> Response:
    """Reopen a sealed volume; the reason (required) goes into the event log."""
    form = await request.form()
    code, vol = request.path_params["code"], request.path_params["vol"]
    await call(unseal, catalog_for(request), code, vol, str(form.get("reason", "")))
    return RedirectResponse(f"/volumes/{code}?done=unseal", status_code=303)


def _build(cat, code: str, sequence: int) -> int:
    """Build one volume's PDF into its work folder (replacing the last one); returns the volume id."""
    with writing(cat, "volume build"):  # one build at a time: a half-built folder is a dead one's
        return _build_locked(cat, code, sequence)


def _build_locked(cat, code: str, sequence: int) -> int:
    v = get_volume(cat, code, sequence)
    work = cat.home.root / VOLUMES_WORK
    work.mkdir(parents=True, exist_ok=True)
    for left in work.glob(f"{v.id}-*"):  # a build cut off half way (we hold the writer lock: none is running)
        shutil.rmtree(left, ignore_errors=True)
    fresh = Path(tempfile.mkdtemp(prefix=f"{v.id}-", dir=work))
    try:
        built = build_volume(cat, v, fresh)
        stamp = {"project": v.project, "signature": _signature(built.volume, built.code)}
        (fresh / SIGNATURE).write_text(json.dumps(stamp), encoding="utf-8")
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)  # a failed build leaves the last good PDF as it was
        raise
    # The old PDF goes only now (it may carry an older 档号 as its name).
    shutil.rmtree(work / str(v.id), ignore_errors=True)
    fresh.rename(work / str(v.id))
    return v.id


@page("edit")
async def build_one(request: Request) -> Response:
    """Build the volume PDF (LibreOffice for Word files: missing, the error page says so), then offer it."""
    code, vol = request.path_params["code"], request.path_params["vol"]
    await call(_build, catalog_for(request), code, vol)
    return RedirectResponse(f"/volumes/{code}?done=build#vol-{vol}", status_code=303)


def _signature(v, code: str) -> str:
    """What the PDF shows of volume ``v`` (not whether it is sealed), with when it was made:
    an id SQLite hands out again after a re-plan, or a changed title, never gets the old PDF."""
    shown = {**v.to_json(code), "status": None, "created_at": str(v.created_at)}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _built_pdf(cat, volume_id: int, current=None) -> Path | None:
    """The built PDF of the volume with this id if it still shows that volume as it is now."""
    folder = cat.home.root / VOLUMES_WORK / str(int(volume_id))
    try:
        stamp = json.loads((folder / SIGNATURE).read_text(encoding="utf-8"))
        project, signature = str(stamp["project"]), str(stamp["signature"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if current is None:
        try:
            current = next((v for v in list_volumes(cat, project) if v.id == volume_id), None)
        except NotFoundError:  # the project is gone
            return None
    if current is None or _signature(current, volume_code(current, code_settings(cat))) != signature:
        return None
    found = sorted(folder.glob("*.pdf"))
    return found[0] if found else None


@page()
async def download(request: Request) -> Response:
    """The last built PDF of the volume with this id; 404 when there is none."""
    vol_id = request.path_params["vol_id"]
    await call(volume_readable, state(request).cat, request.state.user.role, vol_id)
    path = await call(_built_pdf, state(request).cat, vol_id)
    if path is None:
        raise NotFoundError(f"案卷 {vol_id} 还没有最新的 PDF：请在该项目的案卷页（重新）生成。")
    return FileResponse(path, media_type="application/pdf", filename=path.name)


@page("whole")
async def check_page(request: Request) -> Response:
    """The 四性检测: pass/fail per property and every failing row."""
    code = request.path_params["code"]
    report = await call(run_checks, state(request).cat, code)
    props = [(p, report.failed(p)) for p in PROPERTIES]
    on_loan = await call(volume_out_warnings, state(request).cat, code) if request.state.user.can("edit") else []
    return render(request, "volumes_check.html", r=report, props=props, on_loan=on_loan)


routes = [
    Route("/volumes", overview),
    Route("/volumes/{code}", volumes_page),
    Route("/volumes/{code}/check", check_page),
    Route("/volumes/{code}/plan", plan, methods=["POST"]),
    Route("/volumes/{code}/{vol:id}/seal", seal_one, methods=["POST"]),
    Route("/volumes/{code}/{vol:id}/unseal", unseal_one, methods=["POST"]),
    Route("/volumes/{code}/{vol:id}/build", build_one, methods=["POST"]),
    Route("/volume-pdf/{vol_id:id}", download),
]
