"""The read-link pages of an electronic use grant: ``/g/<token>``, no sign-in.

An outside reader (an auditor) opens the link and sees only the documents the grant opens:
their page images and a PDF download, each with a watermark naming the reader and the day.
Every document view and download is logged as a use record.  A revoked or expired link
answers 410 with a Chinese page; a forged one, or a document the grant does not open, 404.
Nothing here reads a session, and no page links to the rest of the app.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dangan.archive.days import cn_date, today
from dangan.archive.grants import Grant, GrantClosedError, granted_document, granted_documents, log_use, open_grant
from dangan.archive.watermark import page_count, watermarked_page, watermarked_pdf
from dangan.indexer.errors import BusyError, DanganError, NotFoundError
from dangan.indexer.messages import say
from dangan.web.base import call, render, state
from dangan.web.docview import stored_file

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _mark(g: Grant) -> str:
    """The watermark: who reads, and the day."""
    return f"仅供 {g.reader()} 查阅 · {cn_date(today())}"


def _refusal(request: Request, e: DanganError) -> Response:
    status = (410 if isinstance(e, GrantClosedError) else 404 if isinstance(e, NotFoundError)
              else 503 if isinstance(e, BusyError) else 400)  # fmt: skip
    title = {410: "链接已失效", 404: "找不到", 503: "请稍后再试"}.get(status, "请求有误")
    return _html(request, "grant_error.html", status_code=status, title=title, message=say(e))


def _html(request: Request, name: str, status_code: int = 200, **context) -> Response:
    """A page of the grant, never cached (a shared computer's browser keeps nothing)."""
    response = render(request, name, status_code=status_code, **context)
    response.headers.update(NO_STORE)
    return response


def guarded(fn):
    """Open the grant of the path's token first; a library refusal becomes the grant's own error page."""

    async def endpoint(request: Request) -> Response:
        cat = state(request).cat
        try:
            g = await call(open_grant, cat, request.path_params["token"])
            return await fn(request, cat, g)
        except DanganError as e:
            return _refusal(request, e)

    endpoint.__name__ = fn.__name__
    endpoint.__doc__ = fn.__doc__
    return endpoint


@guarded
async def grant_home(request: Request, cat, g: Grant) -> Response:
    """The documents the grant opens."""
    docs = await call(granted_documents, cat, g)
    return _html(request, "grant.html", grant=g, docs=docs, token=request.path_params["token"])


def _view(cat, g: Grant, doc_id: int) -> dict:
    doc = granted_document(cat, g, doc_id)
    stored = stored_file(cat, doc_id)
    pages = page_count(stored.path, stored.mime_type)
    log_use(cat, g, doc_id, "查阅")
    return {"doc": doc, "pages": pages, "pdf": stored.mime_type == "application/pdf"}


@guarded
async def grant_document(request: Request, cat, g: Grant) -> Response:
    """One granted document: its watermarked page images (the view is logged)."""
    view = await call(_view, cat, g, request.path_params["doc_id"])
    return _html(request, "grant_document.html", grant=g, token=request.path_params["token"], **view)


def _page(cat, g: Grant, doc_id: int, number: int) -> bytes:
    granted_document(cat, g, doc_id)
    stored = stored_file(cat, doc_id)
    return watermarked_page(stored.path, stored.mime_type, number, _mark(g))


@guarded
async def grant_page(request: Request, cat, g: Grant) -> Response:
    """One page image of a granted document, watermarked."""
    p = request.path_params
    png = await call(_page, cat, g, p["doc_id"], p["number"])
    return Response(png, media_type="image/png", headers=NO_STORE)


def _pdf(cat, g: Grant, doc_id: int) -> bytes:
    granted_document(cat, g, doc_id)
    stored = stored_file(cat, doc_id)
    if stored.mime_type != "application/pdf":
        raise NotFoundError("document {doc_id} has no PDF to download", doc_id=doc_id)
    data = watermarked_pdf(stored.path, _mark(g))
    log_use(cat, g, doc_id, "下载")
    return data


@guarded
async def grant_pdf(request: Request, cat, g: Grant) -> Response:
    """The granted document as a PDF with the watermark on every page (the download is logged)."""
    doc_id = request.path_params["doc_id"]
    data = await call(_pdf, cat, g, doc_id)
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="document-{doc_id}.pdf"'}
    return Response(data, media_type="application/pdf", headers=headers)


routes = [
    Route("/g/{token}", grant_home),
    Route("/g/{token}/d/{doc_id:int}", grant_document),
    Route("/g/{token}/d/{doc_id:int}/p/{number:int}", grant_page),
    Route("/g/{token}/d/{doc_id:int}/pdf", grant_pdf),
]
