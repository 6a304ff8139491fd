"""Thumbnails and page images of stored documents: a derived cache beside the vault.

A PDF's pages are drawn with PDFium (pypdfium2), an OFD's the same way once
:func:`dangan.indexer.extract.ofd_render.ofd_pdf` has laid them out as PDF pages (the
simple renderer ``ofd_thumbnail`` uses: text and images, no vector paths), an image with
Pillow, as PNG files under
``<home>/previews/<sha256[:2]>/<sha256>/``: ``thumb.png`` (the first page, small) and
``page-0001.png`` … (each page at reading width).  The folder is named by the file's SHA-256,
so a refile, an edit or a move to the trash does not touch it, and it can be deleted at any
time: a missing picture is drawn again the first time someone asks for it.

Drawing runs in a bounded worker process (``dangan.indexer.bounded``): a hostile PDF that
would make PDFium take minutes or gigabytes is stopped there, never in the web server or
the ingest run.  Filing calls :func:`after_filing`, which never raises for a file it cannot
draw: the failure is written to the document's event log and filing goes on.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from dangan.archive.catalog import Catalog
from dangan.archive.dblock import writing
from dangan.indexer import bounded
from dangan.indexer.errors import InputFileError, MissingDependencyError, NotFoundError
from dangan.indexer.limits import Limits

log = logging.getLogger("dangan.thumbs")

PREVIEWS_DIR = "previews"
PDF = "application/pdf"
OFD = "application/ofd"  # dangan.indexer.extract.common.OFD
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/tiff", "image/bmp", "image/webp"}
THUMB_WIDTH = 220  # px: the review queue's picture; search results show it smaller
PAGE_WIDTH = 1000  # px: sharp at 600 CSS px on a desktop and on a phone's 2x screen
MAX_HEIGHT_RATIO = 4  # a strip 100 times taller than wide is drawn cut, not as a huge bitmap
# Pages drawn when a document is filed (the first one, the page a reviewer sees first); the
# others are drawn the first time someone opens them.  Drawing three at filing cost 4.6x the
# filing time of a text PDF (bench/thumbs.py); one page, with fast PNG compression, costs less.
PAGES_AT_FILING = 1
MAX_PAGES = 500  # page images offered for one document
RENDER_SECONDS = 60.0


class PreviewError(InputFileError):
    """A stored file could not be drawn as a picture (damaged, unsupported, too large)."""


def previewable(mime_type: str | None) -> bool:
    """Whether documents of this type get a thumbnail and page images."""
    return mime_type in (PDF, OFD) or mime_type in IMAGE_TYPES


def preview_dir(cat: Catalog, sha256: str) -> Path:
    """The cache folder of one stored file (it may not exist yet)."""
    return cat.home.root / PREVIEWS_DIR / sha256[:2] / sha256


def forget_pictures(cat: Catalog, sha256: str) -> None:
    """Remove the pictures of a stored file removed for good (trash emptied, destroyed)."""
    shutil.rmtree(preview_dir(cat, sha256), ignore_errors=True)


def page_name(page: int) -> str:
    """The file name of page ``page`` (1-based)."""
    return f"page-{page:04d}.png"


def picture(cat: Catalog, doc_id: int, kind: str, page: int = 1) -> Path:
    """The PNG of document ``doc_id``'s thumbnail (``kind="thumb"``) or page ``page``, drawn now
    when the cache does not have it.  NotFoundError for a type without pictures or a page the
    document does not have; PreviewError when the file cannot be drawn."""
    doc = cat.document(doc_id)
    if not previewable(doc["mime_type"]) or kind not in ("thumb", "page"):
        raise NotFoundError("document {doc_id} has no picture of this kind", doc_id=doc_id)
    pages = max(1, min(int(doc["pages"] or 1), MAX_PAGES))
    if kind == "page" and not 1 <= page <= pages:
        raise NotFoundError("document {doc_id} has no page {page}", doc_id=doc_id, page=page)
    folder = preview_dir(cat, doc["sha256"])
    target = folder / ("thumb.png" if kind == "thumb" else page_name(page))
    if not target.is_file():
        _draw(cat, doc, [page] if kind == "page" else [])
    if not target.is_file():
        raise NotFoundError("document {doc_id} has no page {page}", doc_id=doc_id, page=page)
    return target


def render_document(cat: Catalog, doc_id: int, pages: int = PAGES_AT_FILING) -> list[str]:
    """Draw the thumbnail and the first ``pages`` page images of a document; the file names made."""
    doc = cat.document(doc_id)
    if not previewable(doc["mime_type"]):
        return []
    return _draw(cat, doc, list(range(1, pages + 1)))


def after_filing(cat: Catalog, doc_id: int | None) -> str:
    """Draw a newly filed document's pictures; a failure goes to its event log, never up.

    Returns the reason it could not be drawn ("" when drawn or nothing to draw).
    """
    if doc_id is None:
        return ""
    try:
        render_document(cat, doc_id)
        return ""
    except (PreviewError, NotFoundError, OSError) as e:
        reason = str(e)
    with writing(cat, "preview"), cat.engine.begin() as conn:
        cat.log(conn, "preview-failed", document=doc_id, error=reason)
    log.warning("no preview for document %s: %s", doc_id, reason)
    return reason


def _draw(cat: Catalog, doc: dict, pages: list[int]) -> list[str]:
    """Draw in a bounded worker; the worker's stops become PreviewError."""
    source = cat.home.vault_dir / (doc["vault_path"] or "")
    if not doc["vault_path"] or not source.is_file():
        raise NotFoundError("the file of document {doc_id} is not in the vault", doc_id=doc["id"])
    folder = preview_dir(cat, doc["sha256"])
    folder.mkdir(parents=True, exist_ok=True)
    limits = Limits.from_config(cat.home.config.get("limits"))
    try:
        font = cat.home.setting("volume", "font", None)  # the CJK font an OFD's text is drawn in, as in volume PDFs
        return bounded.pool(limits.memory_mb).call(
            "dangan.archive.thumbs:draw", str(source), doc["mime_type"], str(folder), pages, font,
            seconds=RENDER_SECONDS,
        )  # fmt: skip
    except bounded.WorkerTimeout:
        raise PreviewError("document {doc_id}: drawing its pages took too long", doc_id=doc["id"]) from None
    except bounded.WorkerOutOfMemory:
        raise PreviewError("document {doc_id}: drawing its pages needed too much memory", doc_id=doc["id"]) from None
    except bounded.WorkerDied:
        raise PreviewError("document {doc_id}: its pages could not be drawn", doc_id=doc["id"]) from None


# -- the worker side: runs in a bounded process ------------------------------------------
def draw(source: str, mime_type: str, folder: str, pages: list[int], font: str | None = None) -> list[str]:
    """Write ``thumb.png`` and the asked page images of ``source`` into ``folder`` (an OFD's
    text in ``font``, a TTF/TTC path; None: the volume PDFs' default)."""
    import pypdfium2 as pdfium
    from PIL import Image, UnidentifiedImageError

    try:
        if mime_type == PDF:
            return _draw_pdf(pdfium, Path(source), Path(folder), pages)
        if mime_type == OFD:
            return _draw_pdf(pdfium, _ofd_as_pdf(Path(source), font), Path(folder), pages)
        return _draw_image(Image, Path(source), Path(folder))
    except (pdfium.PdfiumError, UnidentifiedImageError, Image.DecompressionBombError, ValueError, OSError) as e:
        raise PreviewError(
            "{name} could not be drawn: {why}", name=Path(source).name, why=str(e) or type(e).__name__
        ) from e


def _ofd_as_pdf(source: Path, font: str | None) -> bytes:
    """The OFD's pages as a PDF in memory; a damaged or over-limit package is a PreviewError
    (filing and the picture routes treat it like a PDF that cannot be drawn)."""
    from dangan.archive.volumes.pdf.fonts import register_font
    from dangan.indexer.extract.ofd_render import ofd_pdf

    try:
        return ofd_pdf(source, register_font(font))
    except (InputFileError, MissingDependencyError) as e:  # a missing font must not stop filing either
        raise PreviewError("{name} could not be drawn: {why}", name=source.name, why=str(e)) from e


def _draw_pdf(pdfium, source: Path | bytes, folder: Path, pages: list[int]) -> list[str]:
    pdf = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        made = []
        count = len(pdf)
        if count == 0:
            raise ValueError("the PDF has no pages")
        need_thumb = not (folder / "thumb.png").is_file()
        for n in sorted(set(pages) | ({1} if need_thumb else set())):
            if not 1 <= n <= count:
                continue
            image = _render(pdf[n - 1], PAGE_WIDTH)
            if not (folder / page_name(n)).is_file():
                _save(image, folder / page_name(n))
                made.append(page_name(n))
            if n == 1 and need_thumb:  # the thumbnail is page 1 made small: one drawing, not two
                made += _save_thumb(image, folder)
        return made
    finally:
        pdf.close()


def _render(page, width: int):
    """One page as a Pillow image ``width`` px wide (height capped, white background)."""
    w, h = page.get_size()
    if w <= 0 or h <= 0:
        raise ValueError("a page has no size")
    scale = width / w
    crop_bottom = max(0.0, h - w * MAX_HEIGHT_RATIO)  # points cut off a very tall page
    image = page.render(scale=scale, crop=(0, 0, 0, crop_bottom), fill_color=(255, 255, 255, 255)).to_pil()
    page.close()
    return image


def _draw_image(image_module, source: Path, folder: Path) -> list[str]:
    with image_module.open(source) as im:
        im.seek(0)  # the first frame of a GIF or a multi-page TIFF
        im.thumbnail((PAGE_WIDTH, PAGE_WIDTH * MAX_HEIGHT_RATIO))
        page = im.convert("RGB")
    made = []
    if not (folder / page_name(1)).is_file():
        _save(page, folder / page_name(1))
        made.append(page_name(1))
    if not (folder / "thumb.png").is_file():
        made += _save_thumb(page, folder)
    return made


def _save_thumb(page, folder: Path) -> list[str]:
    thumb = page.copy()
    thumb.thumbnail((THUMB_WIDTH, THUMB_WIDTH * MAX_HEIGHT_RATIO))
    _save(thumb, folder / "thumb.png")
    return ["thumb.png"]


def _save(image, target: Path) -> None:
    """Write under a temporary name, then rename: a reader never sees half a PNG."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    image.save(tmp, "PNG", compress_level=1)  # level 6 took 2.4x as long for 2% smaller pages
    os.replace(tmp, target)
