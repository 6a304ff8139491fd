"""Page numbers stamped on document pages: bottom right on the front, in the volume font.

GB/T 50328 numbers every page with content from 1 within a volume, bottom right on the
front.  A page's own /Rotate is first folded into its content so "bottom right" is where a
reader sees it; the number is drawn 12 mm from the right and 9 mm from the bottom of the
visible (crop) box and merged onto the page, leaving the original content untouched.
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

STAMP_SIZE = 12
RIGHT, BOTTOM = 12 * mm, 9 * mm


def stamp_pages(pages: list[PageObject], first: int, font: str) -> list[PageObject]:
    """Number ``pages`` (already added to a PdfWriter) from ``first`` on; returns them, stamped."""
    for page in pages:
        if page.get("/Rotate", 0) % 360:
            page.transfer_rotation_to_content()
    overlay = PdfReader(io.BytesIO(_overlay(pages, first, font)))
    for page, number_page in zip(pages, overlay.pages):
        page.merge_page(number_page)
    return pages


def _overlay(pages: list[PageObject], first: int, font: str) -> bytes:
    """One overlay page per document page, each the size of its page, holding only the number."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=1, initialFontName=font)
    for n, page in enumerate(pages, first):
        box = page.cropbox
        c.setPageSize((float(box.right), float(box.top)))
        c.setFont(font, STAMP_SIZE)
        c.drawRightString(float(box.right) - RIGHT, float(box.bottom) + BOTTOM, str(n))
        c.showPage()
    c.save()
    return buf.getvalue()
