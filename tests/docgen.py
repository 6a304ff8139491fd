"""Generators of realistic test documents: text PDFs, scans, image-only PDFs, DOCX, TIFF.

Tests across the project import these (``from tests.docgen import make_text_pdf`` or
``from docgen import …``), and ``samples/make_samples.py`` builds the committed sample
project with them, so the signatures are kept stable and the output is deterministic:
the same call writes the same bytes (fixed PDF/ZIP timestamps, no random ids).

Scans are drawn with the WenQuanYi Micro Hei font.  When it is missing, every helper that
needs it raises ``FontMissingError`` telling how to install it, so tests fail loudly
instead of silently testing blank pages.
"""

from __future__ import annotations

import datetime as _dt
import time
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CJK_FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CJK_FONT: Path | None = CJK_FONT_PATH if CJK_FONT_PATH.exists() else None

A4_150DPI = (1240, 1754)
_PDF_FONT = "STSong-Light"
_FIXED_DATE = _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
_PDF_DATE = time.gmtime(_FIXED_DATE.timestamp())  # Pillow's PDF writer wants a struct_time


class FontMissingError(RuntimeError):
    """The CJK font needed to draw scans is not installed."""


def require_cjk_font() -> Path:
    """Return the CJK font path or fail with the command that installs it."""
    if CJK_FONT is None:
        raise FontMissingError(
            f"CJK font {CJK_FONT_PATH} is missing, so no scan can be drawn: "
            "run `apt-get install fonts-wqy-microhei` and rerun the tests"
        )
    return CJK_FONT


# --------------------------------------------------------------------------- text PDF


def _register_pdf_font() -> None:
    # Imported lazily so that tests which never build a PDF do not pay for reportlab.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_PDF_FONT))


def _wrap(text: str, max_width: float, width_of) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``, character by character.

    Chinese has no spaces to break at, so any character boundary is a valid break.
    """
    lines: list[str] = []
    for raw in text.split("\n"):
        current = ""
        for ch in raw:
            if current and width_of(current + ch) > max_width:
                lines.append(current)
                current = ""
            current += ch
        lines.append(current)
    return lines


def make_text_pdf(path, pages: list[str]) -> Path:
    """Write a PDF with a real text layer, one string per page (``\\n`` starts a line).

    Uses the built-in CID font STSong-Light, so no font file is needed and the Chinese
    text is extractable.  Long lines are wrapped to the A4 text width.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    _register_pdf_font()
    path = Path(path)
    size, leading, margin = 12, 20, 72
    width, height = A4
    doc = canvas.Canvas(str(path), pagesize=A4, invariant=True)
    doc.setTitle(path.stem)
    for page in pages:
        doc.setFont(_PDF_FONT, size)
        y = height - margin
        for line in _wrap(page, width - 2 * margin, lambda s: stringWidth(s, _PDF_FONT, size)):
            doc.drawString(margin, y, line)
            y -= leading
        doc.showPage()
    doc.save()
    return path


# --------------------------------------------------------------------------- scans


def render_page(text: str, *, size=A4_150DPI, rotate: float = 0.0) -> Image.Image:
    """Draw ``text`` as a grayscale "scanned" page: black text on white.

    The first line is the heading and is drawn larger, as on a real form.  ``rotate``
    tilts the page by that many degrees (counter-clockwise) like a sheet fed askew.
    """
    font_path = str(require_cjk_font())
    width, height = size
    body_px = max(14, width // 40)
    body = ImageFont.truetype(font_path, body_px)
    heading = ImageFont.truetype(font_path, int(body_px * 1.4))
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    margin = width // 12
    y = margin
    for i, paragraph in enumerate(text.split("\n")):
        font = heading if i == 0 else body
        for line in _wrap(paragraph, width - 2 * margin, font.getlength):
            draw.text((margin, y), line, font=font, fill=0)
            y += int(font.size * 1.8)
    if rotate:
        img = img.rotate(rotate, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return img


def _save_image(img: Image.Image, path: Path) -> Path:
    suffix = path.suffix.lower()
    if suffix in (".jpg", ".jpeg"):
        # Quality 70 is what office scanners default to; it keeps samples small.
        img.save(path, "JPEG", quality=70)
    elif suffix in (".tif", ".tiff"):
        img.save(path, "TIFF", compression="tiff_deflate")
    else:
        img.save(path, "PNG", optimize=True)
    return path


def make_scan_image(path, text: str, *, rotate: float = 0.0, size=A4_150DPI) -> Path:
    """Write a scanned-looking page as PNG, JPEG or TIFF (chosen by the file suffix)."""
    path = Path(path)
    return _save_image(render_page(text, size=size, rotate=rotate), path)


def make_scan_pdf(path, pages: list[str], *, size=A4_150DPI, dpi: int = 150) -> Path:
    """Write an image-only PDF (no text layer), one rendered page per string."""
    path = Path(path)
    images = [render_page(text, size=size) for text in pages]
    images[0].save(
        path,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=dpi,
        creationDate=_PDF_DATE,
        modDate=_PDF_DATE,
    )
    return path


def make_tiff(path, pages: list[str], *, size=A4_150DPI) -> Path:
    """Write a multi-page bilevel TIFF (Group 4, as fax-style office scanners do)."""
    path = Path(path)
    # A fixed threshold rather than dithering keeps strokes solid, as a scanner would.
    frames = [render_page(text, size=size).point(lambda v: 255 if v > 128 else 0).convert("1") for text in pages]
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:], compression="group4")
    return path


# --------------------------------------------------------------------------- DOCX


def make_docx(path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    """Write a Word document: the paragraphs, with ``table`` (rows of cells) after the first.

    The table follows the first paragraph (the title), the way most forms are laid out, so
    a reader that skips tables or appends them at the end is caught by the tests.
    """
    from docx import Document

    path = Path(path)
    doc = Document()
    doc.core_properties.created = _FIXED_DATE.replace(tzinfo=None)
    doc.core_properties.modified = _FIXED_DATE.replace(tzinfo=None)
    for i, text in enumerate(paragraphs):
        doc.add_paragraph(text)
        if i == 0 and table:
            _add_table(doc, table)
    if table and not paragraphs:
        _add_table(doc, table)
    doc.save(str(path))
    _fix_zip_dates(path)
    return path


def _add_table(doc, rows: list[list[str]]) -> None:
    columns = max(len(row) for row in rows)
    grid = doc.add_table(rows=len(rows), cols=columns)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value


def _fix_zip_dates(path: Path) -> None:
    """Rewrite a ZIP with fixed member timestamps so generated DOCX files are reproducible."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)


def char_error_rate(expected: str, actual: str) -> float:
    """Edit distance between the texts, ignoring whitespace, relative to ``expected``."""
    a, b = "".join(expected.split()), "".join(actual.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(len(a), 1)
