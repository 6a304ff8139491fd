"""A document's thumbnail and page images, instead of a PDF in an iframe.

An iframe with a PDF is a black box in headless Chromium and shows nothing on Android, so
pages are pictures drawn on the server (``dangan.archive.thumbs``: PDFium for PDFs, Pillow
for images, cached beside the vault and drawn again on a miss).  The pictures are found by
document id only, through the same signed-in read check as the document and its file; a
type without pictures (a Word file, a text) gets a plain card naming its kind, so a results
list never shows a broken image.
"""

from __future__ import annotations

from markupsafe import escape
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from dangan.archive import thumbs
from dangan.archive.catalog import Catalog
from dangan.indexer.errors import NotFoundError, UsageError
from dangan.web.base import call, page, state
from dangan.web.docview import readable

# What the card of a document without a picture says: its kind, in the users' words.
KIND_WORDS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文件",
    "application/msword": "Word 文件",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
    "application/vnd.ms-excel": "Excel 表格",
    "text/plain": "文本文件",
}
CACHE = {"Cache-Control": "private, max-age=3600"}


def _card(words: str) -> Response:
    """A small grey card with a few words, as an SVG (same origin: allowed by the page's CSP)."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="300" viewBox="0 0 220 300">'
        '<rect width="220" height="300" fill="#f4f4f4" stroke="#bbb"/>'
        f'<text x="110" y="155" font-size="22" text-anchor="middle" fill="#444" '
        f'font-family="WenQuanYi Micro Hei, sans-serif">{escape(words)}</text></svg>'
    )
    return Response(svg, media_type="image/svg+xml", headers={**CACHE, "Content-Security-Policy": "sandbox"})


def _thumb(cat: Catalog, doc_id: int) -> tuple[str, object]:
    """("file", path) of the thumbnail, or ("card", words) when there is none to draw."""
    doc = cat.document(doc_id)  # UnknownDocumentError (404) for an id not in the catalog
    if not thumbs.previewable(doc["mime_type"]):
        return "card", KIND_WORDS.get(doc["mime_type"], "无预览")
    try:
        return "file", thumbs.picture(cat, doc_id, "thumb")
    except (thumbs.PreviewError, NotFoundError, OSError):
        return "card", "无法预览"


@page()
async def thumbnail(request: Request) -> Response:
    """The first page, small, for results and the review queue."""
    await call(readable, state(request).cat, request.state.user.role, request.path_params["doc_id"])
    kind, value = await call(_thumb, state(request).cat, request.path_params["doc_id"])
    if kind == "card":
        return _card(str(value))
    return FileResponse(value, media_type="image/png", headers=CACHE)


@page()
async def page_image(request: Request) -> Response:
    """Page N of the document at reading width (drawn now if the cache has no copy)."""
    number = request.path_params["number"]
    if number < 1:
        raise UsageError("page numbers start at 1")
    await call(readable, state(request).cat, request.state.user.role, request.path_params["doc_id"])
    path = await call(thumbs.picture, state(request).cat, request.path_params["doc_id"], "page", number)
    return FileResponse(path, media_type="image/png", headers=CACHE)


routes = [
    Route("/documents/{doc_id:id}/thumb", thumbnail),
    Route("/documents/{doc_id:id}/pages/{number:int}", page_image),
]
