"""Every kind of filed document as PDF pages for a volume: PDFs as they are, images and scans
as pages, Office and WPS files (Word, Excel, PowerPoint, old .doc/.xls/.ppt/.wps/.et/.dps/.rtf)
through LibreOffice, plain text and e-mails (their headers and body) set in the volume font,
OFD e-documents drawn page by page (``dangan.indexer.extract.ofd_render``, with its limits).

Each converter returns PDF bytes; the caller counts and stamps the pages.  Failures are
typed with the document named: a damaged or encrypted PDF, an image that does not decode,
LibreOffice missing (MissingDependencyError naming the package to install).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from dangan.archive.forms.pdf import convert_to_pdf
from dangan.archive.volumes.pdf.covers import wrap_lines
from dangan.indexer.errors import CorruptFileError, EncryptedFileError, InputFileError, UnsupportedFileError
from dangan.indexer.extract.common import DOCX, EML, LEGACY, MSG, OFD, PPTX, XLSX
from dangan.indexer.extract.ofd_render import ofd_pdf
from dangan.indexer.text import decode_text

PDF = "application/pdf"
TEXT = "text/plain"
# What LibreOffice lays out as PDF pages; a volume converts them together in one run.
OFFICE = frozenset({DOCX, XLSX, PPTX, LEGACY})


def document_pdf(path: Path, mime: str, font: str, label: str, *, converted: dict[Path, bytes] | None = None) -> bytes:
    """The document at ``path`` as PDF bytes; ``label`` names it in errors ("document 7 施工合同书").

    ``converted``: Word files already converted (:func:`convert_word_files`), by path.
    """
    if converted and path in converted:
        return converted[path]
    if mime == PDF:
        return _pdf(path, label)
    if mime.startswith("image/"):
        return _images(path, label, font)
    if mime in OFFICE:
        return _docx(path, label)
    if mime == TEXT:
        return _text(path, font)
    if mime in (EML, MSG):
        return _mail(path, mime, font)
    if mime == OFD:
        return ofd_pdf(path, font)  # text and images where the page puts them (indexer.extract.ofd_render)
    raise UnsupportedFileError(
        f"{label} ({mime}) cannot be put into a volume PDF; use PDF, images, Office/WPS files, OFD, e-mails or TXT"
    )


def _pdf(path: Path, label: str) -> bytes:
    data = path.read_bytes()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise EncryptedFileError(f"{label} is an encrypted PDF; file an unprotected copy to put it in a volume")
        if len(reader.pages) == 0:
            raise CorruptFileError(f"{label} has no pages; re-scan or re-export it")
    except (PdfReadError, ValueError, KeyError) as e:
        raise CorruptFileError(f"{label} is not a readable PDF ({e}); re-scan or re-export it") from e
    return data


def _images(path: Path, label: str, font: str) -> bytes:
    """Each frame of the image (a multi-page TIFF has several) fitted onto an A4 page."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font)
    try:
        with Image.open(path) as img:
            for frame in ImageSequence.Iterator(img):
                _image_page(c, frame.convert("L" if frame.mode in ("1", "L", "I;16") else "RGB"))
    except (UnidentifiedImageError, OSError) as e:
        raise CorruptFileError(f"{label} is not a readable image ({e}); re-scan it") from e
    c.save()
    return buf.getvalue()


def _image_page(c: canvas.Canvas, frame: Image.Image) -> None:
    w, h = frame.size
    page = landscape(A4) if w > h else A4
    c.setPageSize(page)
    margin = 5 * mm
    scale = min((page[0] - 2 * margin) / w, (page[1] - 2 * margin) / h)
    dw, dh = w * scale, h * scale
    c.drawImage(ImageReader(frame), (page[0] - dw) / 2, (page[1] - dh) / 2, dw, dh)
    c.showPage()


def _docx(path: Path, label: str) -> bytes:
    """One Word file through LibreOffice (a volume converts its Word files together first)."""
    return convert_word_files([path])[path]


def convert_word_files(paths: list[Path], *, jobs: int = 2) -> dict[Path, bytes]:
    """Word files to PDF bytes in one LibreOffice run: starting LibreOffice costs more than a page.

    The files are copied into a private folder under neutral names (LibreOffice writes each PDF
    beside its input and would trip over odd characters in a name); nothing is left behind.
    """
    if not paths:
        return {}
    tmp = Path(tempfile.mkdtemp(prefix="dangan-volume-"))
    try:
        copies = []
        for i, path in enumerate(paths):
            copies.append(tmp / f"document-{i:04d}{path.suffix.lower()}")
            shutil.copyfile(path, copies[-1])
        try:
            pdfs = convert_to_pdf(copies, jobs=jobs)
        except InputFileError as e:  # name the vault file, not our private copy
            message = str(e)
            for copy, path in zip(copies, paths):
                message = message.replace(str(copy), str(path))
            raise InputFileError(message) from e
        return {path: pdf.read_bytes() for path, pdf in zip(paths, pdfs)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _text(path: Path, font: str) -> bytes:
    """A plain-text file set in the volume font, 11 pt on A4, lines broken at any character."""
    text, _encoding = decode_text(path.read_bytes(), path, advice="save it again as UTF-8")
    return text_pdf(text, font)


def _mail(path: Path, mime: str, font: str) -> bytes:
    """An e-mail (.eml, .msg) as its reader gives it: headers, body, the attachments' names."""
    from dangan.indexer.extract.mail import read_eml
    from dangan.indexer.extract.msg import read_msg

    return text_pdf((read_eml if mime == EML else read_msg)(path, mime, False).text, font)


def text_pdf(text: str, font: str) -> bytes:
    """``text`` set in the volume font, 11 pt on A4, lines broken at any character."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font)
    size, leading, margin = 11, 17, 25 * mm
    lines = [part for raw in text.splitlines() for part in (wrap_lines(raw, font, size, A4[0] - 2 * margin) or [""])]
    y = A4[1] - margin
    c.setFont(font, size)
    for line in lines or [""]:
        if y < margin:
            c.showPage()
            c.setFont(font, size)
            y = A4[1] - margin
        c.drawString(margin, y, line)
        y -= leading
    c.showPage()
    c.save()
    return buf.getvalue()
