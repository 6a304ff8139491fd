"""PDF: the text layer through pypdf, pages without one rendered by pypdfium2 and OCR'd."""

from __future__ import annotations

import logging
import struct
import threading
import unicodedata
import zlib
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
from PIL import Image
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError, WrongPasswordError

from indexer import limits
from indexer.errors import EmptyFileError, EncryptedFileError
from indexer.extract import ocr as _ocr  # via the module: tests and callers swap ocr_image there
from indexer.extract.common import PDF, Extraction, assemble, corrupt

# A page whose text layer has fewer meaningful characters than this is treated as a scan:
# scanners often stamp a page number or a date into an otherwise image-only page.
MIN_TEXT_CHARS = 10
RENDER_DPI = 200
# RapidOCR shrinks every image to 2000 px on the long side (its max_side_len) before it
# detects or reads anything, so rendering larger only costs memory: an A0 drawing sheet
# at 200 dpi would be ~9000 px.
MAX_RENDER_SIDE = 2000


# pypdf logs every oddity of a damaged file as a warning; with no logging configured Python
# prints those to stderr, breaking the "library never prints" rule.  A NullHandler stops
# that fallback while an application that configures logging still receives them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())



# pypdf reports damaged files through its own errors but, on badly broken input, also lets
# low-level errors escape from its parser; these are the ones seen in practice.
_PYPDF_ERRORS = (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError, OSError, zlib.error, struct.error)
_FPDF_ERR_PASSWORD = 4


# PDFium is not thread-safe; an inbox watcher may extract several files at once.
_PDFIUM_LOCK = threading.RLock()


class _PdfSource:
    """One PDF opened with pypdf for its text layer and, on demand, pypdfium2 for pixels.

    pypdf cannot decrypt AES without the optional ``cryptography`` package, and gives up on
    some damaged files that viewers still open; such PDFs are read entirely through pdfium,
    which decrypts natively and repairs more.  Only when both fail is the file corrupt.
    """

    def __init__(self, path: Path):
        self.path = path
        self.notes: list[str] = []
        self._pdfium = None
        self._reader = self._open_pypdf()
        self.page_count = len(self._reader.pages) if self._reader else self._with_pdfium(len)

    def _open_pypdf(self) -> pypdf.PdfReader | None:
        try:
            reader = pypdf.PdfReader(self.path)
            if reader.is_encrypted and not reader.decrypt(""):
                raise EncryptedFileError(self._locked_message())
            len(reader.pages)  # parses the page tree now, so damage surfaces here
            return reader
        except (DependencyError, NotImplementedError):
            return None  # AES or an unusual security handler: let pdfium decrypt it
        except (FileNotDecryptedError, WrongPasswordError) as e:
            raise EncryptedFileError(self._locked_message()) from e
        except _PYPDF_ERRORS as e:
            self.notes.append(f"damaged PDF structure ({type(e).__name__}); read with the repairing reader")
            return None

    def _with_pdfium(self, action):
        """Run ``action(document)`` under the PDFium lock, translating its errors."""
        with _PDFIUM_LOCK:
            try:
                if self._pdfium is None:
                    self._pdfium = pdfium.PdfDocument(str(self.path), password="")
                return action(self._pdfium)
            except pdfium.PdfiumError as e:
                if e.err_code == _FPDF_ERR_PASSWORD:
                    raise EncryptedFileError(self._locked_message()) from e
                raise corrupt(self.path, "PDF", "re-scan or re-export it") from e

    def _locked_message(self) -> str:
        return (
            f"{self.path} is password-protected: open it with the password and save or print "
            "an unprotected copy, then drop that copy"
        )

    def text_layer(self, index: int) -> tuple[str, str | None]:
        """Return the text layer of page ``index`` (0-based) and a note if it failed."""
        if self._reader is None:
            return self._with_pdfium(lambda doc: _pdfium_text(doc[index])), None
        try:
            return self._reader.pages[index].extract_text() or "", None
        except _PYPDF_ERRORS as e:
            return "", f"page {index + 1}: text layer unreadable ({type(e).__name__}), used OCR"

    def render(self, index: int) -> Image.Image:
        """Render page ``index`` to a grayscale image at about RENDER_DPI."""
        return self._with_pdfium(lambda doc: _pdfium_render(doc[index]))

    def close(self) -> None:
        """Release PDFium's document (pypdf needs no closing)."""
        if self._pdfium is not None:
            with _PDFIUM_LOCK:
                self._pdfium.close()


def _pdfium_text(page) -> str:
    return page.get_textpage().get_text_range().replace("\r\n", "\n")


def _pdfium_render(page) -> Image.Image:
    width, height = page.get_size()
    scale = min(RENDER_DPI / 72, MAX_RENDER_SIDE / max(width, height, 1))
    bitmap = page.render(scale=scale, grayscale=True)
    # to_pil() shares PDFium's buffer, which is freed with the bitmap: keep our own copy.
    return bitmap.to_pil().copy()


def _meaningful_chars(text: str) -> int:
    """Count characters that carry content: not spaces, controls or unmapped glyphs.

    PDFs with fonts lacking a Unicode map yield private-use or replacement characters;
    such a "text layer" is worthless and the page must be OCR'd instead.
    """
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Co", "Cs") and ch != "\ufffd")


def read_pdf(path: Path, mime: str, ocr: bool) -> Extraction:
    """Each page's text layer, or its OCR when the layer is (nearly) empty and ``ocr`` is on."""
    source = _PdfSource(path)
    try:
        if source.page_count == 0:
            raise EmptyFileError(f"{path} has no pages: re-scan or re-export it and drop it again")
        limits.check_pages(path, source.page_count)
        return _read_pdf_pages(source, ocr)
    finally:
        source.close()


def _read_pdf_pages(source: _PdfSource, ocr: bool) -> Extraction:
    texts: list[str] = []
    ocr_pages: list[int] = []
    notes: list[str] = list(source.notes)
    for index in range(source.page_count):
        limits.check_time(source.path)
        text, note = source.text_layer(index)
        notes += [note] if note else []
        if _meaningful_chars(text) < MIN_TEXT_CHARS:
            text, used_ocr = _ocr_pdf_page(source, index, text, ocr, notes)
            ocr_pages += [index + 1] if used_ocr else []
        texts.append(text.strip())
    return assemble(texts, PDF, _pdf_method(len(texts), ocr_pages, texts), ocr_pages, notes)


def _ocr_pdf_page(source: _PdfSource, index: int, layer_text: str, ocr: bool, notes: list[str]) -> tuple[str, bool]:
    """OCR a page without a usable text layer; keep the thin layer if OCR finds nothing."""
    if not ocr:
        notes.append(f"page {index + 1}: no text layer and OCR is off")
        return layer_text, False
    text = _ocr.ocr_image(source.render(index))
    if text.strip():
        return text, True
    return layer_text, False


def _pdf_method(page_count: int, ocr_pages: list[int], texts: list[str]) -> str:
    if not ocr_pages:
        return "text"
    text_layer_pages = [n for n in range(1, page_count + 1) if n not in ocr_pages and texts[n - 1].strip()]
    return "mixed" if text_layer_pages else "ocr"
