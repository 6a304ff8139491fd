"""Watermarks naming the reader and the day on every page image and PDF a grant shows.

A page image is rendered from the stored PDF (pypdfium2) or opened (a scanned image) and the
text is laid over it diagonally, again and again, half transparent (Pillow), so a cropped
screenshot still says who read it.  A PDF download gets the same text on every page: a
reportlab overlay merged into each page with pypdf.  The stored file is never changed.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from dangan.archive.volumes.pdf.fonts import DEFAULT_FONT, register_font
from dangan.indexer.errors import CorruptFileError, NotFoundError

MAX_SIDE = 1600  # px: enough to read a scanned page, small enough to send quickly
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/tiff")


def page_count(path: Path, mime: str) -> int:
    """How many page images a stored file shows (1 for an image, 0 for what cannot be shown)."""
    if mime in IMAGE_TYPES:
        return 1
    if mime != "application/pdf":
        return 0
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        raise CorruptFileError("the stored file of this document cannot be read") from e
    try:
        return len(pdf)
    finally:
        pdf.close()


def _page(path: Path, mime: str, number: int) -> Image.Image:
    if mime in IMAGE_TYPES and number == 1:
        with Image.open(path) as im:
            im.seek(0)
            page = im.convert("RGB")
    elif mime == "application/pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            if not 1 <= number <= len(pdf):
                raise NotFoundError("the document has no page {number}", number=number)
            w, h = pdf[number - 1].get_size()
            page = pdf[number - 1].render(scale=min(2.0, MAX_SIDE / max(w, h, 1))).to_pil().convert("RGB")
        finally:
            pdf.close()
    else:
        raise NotFoundError("the document has no page {number}", number=number)
    page.thumbnail((MAX_SIDE, MAX_SIDE))
    return page


def watermarked_page(path: Path, mime: str, number: int, text: str) -> bytes:
    """Page ``number`` (1-based) as a PNG with ``text`` over it; NotFoundError for a page it lacks."""
    page = _page(path, mime, number)
    size = max(14, page.width // 28)
    font = ImageFont.truetype(str(DEFAULT_FONT), size)
    tile = Image.new("RGBA", (page.width * 2, page.height * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    step_x, step_y = int(draw.textlength(text, font=font)) + size * 3, size * 6
    for y in range(0, tile.height, step_y):
        for x in range(-(y // step_y % 2) * step_x // 2, tile.width, step_x):
            draw.text((x, y), text, font=font, fill=(200, 0, 0, 70))
    tile = tile.rotate(30, center=(page.width, page.height))
    left, top = page.width // 2, page.height // 2
    page.paste(tile.crop((left, top, left + page.width, top + page.height)), (0, 0), tile.crop(
        (left, top, left + page.width, top + page.height)))  # fmt: skip
    out = io.BytesIO()
    page.save(out, "PNG", optimize=False)
    return out.getvalue()


def watermarked_pdf(path: Path, text: str) -> bytes:
    """The stored PDF with ``text`` over every page (each page's own size and rotation kept)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from reportlab.pdfgen import canvas

    try:
        writer = PdfWriter(clone_from=PdfReader(str(path)))  # pypdf 7 merges only into a writer's pages
    except (PyPdfError, ValueError, KeyError) as e:
        raise CorruptFileError("the stored file of this document cannot be read") from e
    font = register_font()
    for page in writer.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(w, h))
        c.setFillColorRGB(0.8, 0, 0, alpha=0.25)
        size = max(10.0, w / 28)
        c.setFont(font, size)
        c.translate(w / 2, h / 2)
        c.rotate(30)
        for row in range(-8, 9):
            c.drawCentredString(0, row * size * 4, text)
        c.save()
        page.merge_page(PdfReader(io.BytesIO(buf.getvalue())).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
