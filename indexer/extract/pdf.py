"""PDF: each page's text read the way a person reading it would read it.

Per page: the pypdf text layer, judged (``judge.py``); when it looks wrong, PDFium's layer;
when both are UTF-16 read in the wrong byte order, the layer with its bytes swapped back;
when that looks wrong too, or there is no layer, the page is rendered by PDFium and, unless
it is blank (``ink.py``), OCR'd.  A file both parsers refuse gets a last try with pdfminer.six
(``lastresort.py``).  How each page was read is recorded in ``Extraction.page_methods``.
"""

from __future__ import annotations

import logging
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
from PIL import Image
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError, WrongPasswordError

from dangan.indexer import limits
from dangan.indexer.errors import CorruptFileError, EmptyFileError, EncryptedFileError
from dangan.indexer.extract import ocr as _ocr  # via the module: tests and callers swap ocr_image there
from dangan.indexer.extract.common import PDF, Extraction, assemble, corrupt
from dangan.indexer.extract.ink import is_blank
from dangan.indexer.extract.judge import agreement, judge_layer, unswap
from dangan.indexer.extract.lastresort import pdfminer_pages

RENDER_DPI = 200
# Large sheets are rendered up to this many pixels on the long side and OCR'd in tiles
# (ocr.py): an A1 drawing at 150 dpi.  More would mean a dozen OCR passes per sheet.
MAX_RENDER_SIDE = 5000
# A usable layer scoring below this is compared with PDFium's reading of the same page.
DOUBT_SCORE = 0.97


# pypdf logs every oddity of a damaged file as a warning; with no logging configured Python
# prints those to stderr, breaking the "library never prints" rule.  A NullHandler stops
# that fallback while an application that configures logging still receives them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


# pypdf reports damaged files through its own errors but, on badly broken input, also lets
# low-level errors escape from its parser; these are the ones seen in practice.
_PYPDF_ERRORS = (
    PyPdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    RecursionError,
    OSError,
    zlib.error,
    struct.error,
)
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

    def pdfium_layer(self, index: int) -> str | None:
        """PDFium's reading of page ``index`` when pypdf gave the first one, else None."""
        if self._reader is None:
            return None
        try:
            return self._with_pdfium(lambda doc: _pdfium_text(doc[index]))
        except CorruptFileError:
            return None  # PDFium refuses a file pypdf opened: the pypdf layer stands

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


@dataclass
class PageReading:
    """One page's text and how it was obtained (method and, when not plain, why)."""

    text: str
    method: str  # text | text-pdfium | text-unswapped | text-pdfminer | ocr | blank | none
    why: str = ""


def read_pdf(path: Path, mime: str, ocr: bool) -> Extraction:
    """Each page read as a person would read it (see the module docstring)."""
    try:
        source = _PdfSource(path)
    except CorruptFileError:
        pages = pdfminer_pages(path)
        if pages is None:
            raise
        readings = [
            PageReading(t.strip(), "text-pdfminer" if t.strip() else "none", "pypdf and PDFium refused the file")
            for t in pages
        ]
        return _extraction(
            readings, ["pypdf and PDFium could not open the file; read with pdfminer.six (no OCR possible)"]
        )
    try:
        if source.page_count == 0:
            raise EmptyFileError("{path} has no pages: re-scan or re-export it and drop it again", path=path)
        limits.check_pages(path, source.page_count)
        readings, notes = [], list(source.notes)
        for index in range(source.page_count):
            limits.check_time(source.path)
            reading, note = _read_page(source, index, ocr)
            readings.append(reading)
            notes += [note] if note else []
        return _extraction(readings, notes)
    finally:
        source.close()


def _read_page(source: _PdfSource, index: int, ocr: bool) -> tuple[PageReading, str | None]:
    """One page: a trusted text layer, else the other parser's, else OCR of the rendering."""
    layer, note = source.text_layer(index)
    verdict = judge_layer(layer)
    if verdict.usable and verdict.score >= DOUBT_SCORE:
        return PageReading(layer.strip(), "text"), note
    other = source.pdfium_layer(index)
    if other is not None:
        other_verdict = judge_layer(other)
        if other_verdict.usable and (
            not verdict.usable or (other_verdict.score > verdict.score and agreement(layer, other) < 0.5)
        ):
            why = f"pypdf: {verdict.reason or 'disagrees with PDFium'}; PDFium's text layer read"
            return PageReading(other.strip(), "text-pdfium", why), note
    if verdict.usable:
        return PageReading(layer.strip(), "text"), note
    if verdict.swapped and judge_layer(repaired := unswap(layer)).usable:
        # Exact, unlike OCR: the font map only had its bytes in the wrong order.
        return PageReading(repaired.strip(), "text-unswapped", f"{verdict.reason}; byte order repaired"), note
    thin = layer.strip() if verdict.reason == "no text layer" else ""  # a page number stamped on a scan
    return _ocr_page(source, index, ocr, verdict.reason, thin), note


def _ocr_page(source: _PdfSource, index: int, ocr: bool, why: str, thin: str) -> PageReading:
    """Render the page; skip OCR when it is blank; keep a thin layer when OCR finds nothing."""
    if not ocr:
        return PageReading(thin, "text" if thin else "none", f"{why}; OCR is off")
    image = source.render(index)
    if is_blank(image):
        return PageReading(thin, "blank", "no ink on the page: OCR skipped")
    text = _ocr.ocr_image(image).strip()
    if text:
        return PageReading(text, "ocr", why)
    return PageReading(thin, "text" if thin else "none", f"{why}; OCR found no text")


def _extraction(readings: list[PageReading], notes: list[str]) -> Extraction:
    texts = [r.text for r in readings]
    ocr_pages = [n for n, r in enumerate(readings, 1) if r.method == "ocr"]
    notes = notes + [f"page {n}: {r.why}" for n, r in enumerate(readings, 1) if r.why]
    result = assemble(texts, PDF, _pdf_method(readings), ocr_pages, notes)
    result.page_methods = [{"page": n, "method": r.method, "why": r.why} for n, r in enumerate(readings, 1)]
    return result


def _pdf_method(readings: list[PageReading]) -> str:
    """text (all pages from a text layer), ocr (all read pages OCR'd) or mixed."""
    kinds = {"ocr" if r.method == "ocr" else "text" for r in readings if r.text}
    if kinds == {"ocr"}:
        return "ocr"
    return "mixed" if len(kinds) > 1 else "text"
