"""Search and the document page: one box, filters, "20 of 55" with paging; preview, text, history.

A document's file is sent only by its catalog id (``/documents/ID/file``): the path comes
from the catalog row, never from the request.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from dangan.archive.life.edit import RETENTIONS, SECRECY
from dangan.archive.projects import list_projects
from dangan.indexer.errors import UsageError
from dangan.indexer.filters import TYPE_MIME, Filters
from dangan.web.base import call, page, render, state
from dangan.web.docview import document_view, stored_file

PER_PAGE = 20
TYPE_LABELS = {"pdf": "PDF", "image": "图片", "docx": "Word", "text": "文本"}
# How a document's and each page's text was read (dangan.archive.intake.pages / dangan.archive.life.show codes).
READ_METHODS = {
    "text": "文字层", "text-pdfium": "文字层（PDFium）", "text-pdfminer": "文字层（pdfminer）", "ocr": "OCR 识别",
    "mixed": "文字层和 OCR", "blank": "空白页（未 OCR）", "none": "无文字", "docx": "Word 文字", "plain": "纯文本",
}  # fmt: skip
# Where a date candidate was found (dangan.archive.intake.dates' kinds), as the users say it.
DATE_KINDS = {"label": "标签旁", "signature": "落款处", "body": "正文中", "event": "事件日期"}


def parse_date(value: str | None, label: str) -> date | None:
    """A date filter from the form (YYYY-MM-DD, as the browser's date field sends it)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{label} {value!r} 不是日期，请写成 2024-03-01 的形式") from None


def search_filters(params) -> Filters:
    """The search filters named in a query string; unknown types are refused."""
    kind = params.get("type") or None
    if kind and kind not in TYPE_MIME:
        raise UsageError(f"unknown type {kind!r}; use one of {'|'.join(TYPE_MIME)}")
    return Filters(
        project=params.get("project") or None, item=params.get("item") or None, person=params.get("person") or None,
        type=kind, date_from=parse_date(params.get("from"), "起始日期"), date_to=parse_date(params.get("to"), "截止日期"),
    )  # fmt: skip


def page_number(params) -> int:
    raw = params.get("page") or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise UsageError(f"page {raw!r}: use a page number from 1")
    return int(raw)


@page()
async def search(request: Request) -> Response:
    """The search page; with htmx only the results part is sent back as one types."""
    params = request.query_params
    query = (params.get("q") or "").strip()
    filters, number = search_filters(params), page_number(params)
    hits, total = [], 0
    if query:
        hits, total = await call(state(request).index().search_window, query, filters, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    projects = await call(list_projects, state(request).cat)
    keep = {k: v for k, v in params.items() if k != "page" and v}
    pages = (total + PER_PAGE - 1) // PER_PAGE
    context = dict(
        query=query, params=params, hits=hits, total=total, page=number, pages=pages, first=(number - 1) * PER_PAGE + 1,
        link=lambda n: "/search?" + urlencode({**keep, "page": n}), projects=projects, types=TYPE_LABELS,
    )  # fmt: skip
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return render(request, "search_results.html", **context)
    return render(request, "search.html", **context)


@page()
async def document(request: Request) -> Response:
    """Preview, metadata, extracted text, date candidates and event history of one document;
    the edit, refile and discard/restore forms for the roles that may use them."""
    view = await call(document_view, state(request).cat, request.path_params["doc_id"])
    return render(request, "document.html", **view, kinds=DATE_KINDS, methods=READ_METHODS, retentions=RETENTIONS, secrecies=SECRECY,
                  saved=request.query_params.get("saved") == "1", open_edit=request.query_params.get("edit") == "1")  # fmt: skip


@page()
async def document_file(request: Request) -> Response:
    """The stored file of a document, inline (the browser's PDF viewer or an image)."""
    f = await call(stored_file, state(request).cat, request.path_params["doc_id"])
    disposition = "inline" if request.query_params.get("download") != "1" else "attachment"
    headers = {"X-Content-Type-Options": "nosniff"}
    if f.mime_type != "application/pdf":  # Chromium's PDF viewer will not run in a sandbox
        headers["Content-Security-Policy"] = "sandbox"
    return FileResponse(f.path, media_type=f.mime_type, filename=f.download_name, content_disposition_type=disposition,
                        headers=headers)  # fmt: skip


routes = [
    Route("/search", search),
    Route("/documents/{doc_id:int}", document),
    Route("/documents/{doc_id:int}/file", document_file),
]
