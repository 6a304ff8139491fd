"""Text extraction from the files archivists drop: PDF, scans (PNG/JPEG/TIFF), DOCX, TXT.

The type of a file comes from its content (magic bytes), never from its name, because
scanners and mail programs routinely produce ``scan.pdf`` files that are JPEGs and
``.doc`` files that are really DOCX.  PDFs are read from their text layer; pages without
one (scanned pages) and image files go through OCR (RapidOCR, models shipped in the wheel).

Every problem with an input file is raised as a typed error from ``indexer.errors`` whose
message names the file and says what to do; pages that simply yield no text are noted in
``Extraction.empty_pages`` / ``Extraction.notes`` and are not fatal.
"""

from __future__ import annotations

import logging
import re
import struct
import threading
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import docx
import numpy as np
import pypdf
import pypdfium2 as pdfium
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import LxmlError
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError, WrongPasswordError

from indexer.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    InputFileError,
    NotFoundError,
    UnsupportedFileError,
)

PAGE_SEPARATOR = "\n\f\n"

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"

_EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    TIFF: (".tif", ".tiff"),
    DOCX: (".docx",),
    TEXT: (".txt",),
}
_KIND_NAMES = {PDF: "PDF", PNG: "PNG image", JPEG: "JPEG image", TIFF: "TIFF image", DOCX: "Word (.docx)", TEXT: "plain text"}
_ACCEPTED = "dangan reads PDF, PNG, JPEG, TIFF, DOCX and TXT files"

# A page whose text layer has fewer meaningful characters than this is treated as a scan:
# scanners often stamp a page number or a date into an otherwise image-only page.
MIN_TEXT_CHARS = 10
RENDER_DPI = 200
# RapidOCR shrinks every image to 2000 px on the long side (its max_side_len) before it
# detects or reads anything, so rendering larger only costs memory: an A0 drawing sheet
# at 200 dpi would be ~9000 px.
MAX_RENDER_SIDE = 2000
_SNIFF_BYTES = 4096

# pypdf logs every oddity of a damaged file as a warning; with no logging configured Python
# prints those to stderr, breaking the "library never prints" rule.  A NullHandler stops
# that fallback while an application that configures logging still receives them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


@dataclass
class Extraction:
    """The text of one file and how it was obtained."""

    text: str  # pages joined by PAGE_SEPARATOR ("\n\f\n")
    pages: int  # PDF pages, TIFF frames, 1 for other images and TXT; DOCX: Word's count
    mime_type: str  # judged from the content, not the name
    method: str  # "text" (PDF text layer), "ocr", "mixed" (some pages OCR'd), "docx", "plain"
    empty_pages: list[int] = field(default_factory=list)  # 1-based; noted, not fatal
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages whose text is OCR's
    notes: list[str] = field(default_factory=list)  # e.g. "page 3: no text found"


def supported_extensions() -> frozenset[str]:
    """File name extensions dangan picks up from an inbox (lower case, with the dot)."""
    return frozenset(ext for exts in _EXTENSIONS.values() for ext in exts)


# --------------------------------------------------------------------------- sniffing


def sniff_type(path: Path) -> str:
    """Return the MIME type of ``path`` judged by its content, not its extension.

    Raises ``EmptyFileError`` for a zero-byte file, ``UnsupportedFileError`` for content
    dangan cannot read (with advice, e.g. old .doc/.xls), and ``CorruptFileError`` when
    the content is unrecognisable but the name claims a type dangan reads (a damaged or
    mislabelled download such as random bytes named ``.pdf``).
    """
    path = Path(path)
    head = _read_head(path)
    if not head:
        raise EmptyFileError(f"{path} is empty (0 bytes): re-scan or re-export it and drop it again")
    mime = _magic_type(head) or _zip_type(path, head)
    if mime:
        return mime
    _reject_known_unsupported(path, head)
    if _is_text(head):
        return TEXT
    claimed = _mime_for_extension(path.suffix)
    if claimed:
        raise _corrupt(path, _KIND_NAMES[claimed], "re-scan or re-export it")
    raise UnsupportedFileError(f"{path} is of an unknown type ({_ACCEPTED}): convert it to PDF and drop it again")


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except FileNotFoundError as e:
        raise NotFoundError(f"{path} does not exist: check the path (was it moved or renamed?)") from e
    except IsADirectoryError as e:
        raise UnsupportedFileError(f"{path} is a folder, not a file: drop the files inside it instead") from e
    except PermissionError as e:
        raise InputFileError(f"{path} cannot be read (permission denied): fix its permissions and retry") from e


def _magic_type(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    # The PDF spec lets junk precede the header (some scanners write a few bytes first).
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def _zip_type(path: Path, head: bytes) -> str | None:
    """DOCX is a ZIP; tell it apart from XLSX/PPTX/plain ZIP by its members."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as e:
        if path.suffix.lower() == ".docx":
            raise _corrupt(path, "Word (.docx)", "re-save it in Word") from e
        raise UnsupportedFileError(f"{path} is a damaged ZIP archive, which {_ACCEPTED}: unpack a good copy and drop the files inside") from e
    if "word/document.xml" in names:
        return DOCX
    raise UnsupportedFileError(f"{path} is {_zip_kind(names)}, which is not supported ({_ACCEPTED}): {_zip_advice(names)}")


def _zip_kind(names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "an Excel (.xlsx) workbook"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint (.pptx) file"
    if "OFD.xml" in names:
        return "an OFD e-document"
    return "a ZIP archive"


def _zip_advice(names: set[str]) -> str:
    if "xl/workbook.xml" in names or "ppt/presentation.xml" in names or "OFD.xml" in names:
        return "print it to PDF and drop the PDF"
    return "unpack it and drop the files inside"


def _is_text(head: bytes) -> bool:
    """Plain text: decodes as UTF-8/UTF-16/GB18030 and is nearly free of control bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    # The head may cut a multi-byte character in half; drop up to 3 trailing bytes.
    for cut in range(4):
        text = _decode_strict(head[: len(head) - cut])
        if text is not None:
            return _looks_like_text(text)
    return False


def _decode_strict(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f")
    return controls <= len(text) // 100


def _reject_known_unsupported(path: Path, head: bytes) -> None:
    """Raise UnsupportedFileError with specific advice for formats people often drop."""
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsupportedFileError(
            f"{path} is an old Office file (.doc/.xls/.ppt), which dangan cannot read: "
            "save it as .docx/.xlsx in Word and drop it again"
        )
    known = _known_unsupported(head)
    if known:
        raise UnsupportedFileError(f"{path} is {known[0]}, which is not supported ({_ACCEPTED}): {known[1]}")


def _known_unsupported(head: bytes) -> tuple[str, str] | None:
    image_advice = "save it as PNG or JPEG and drop it again"
    signatures = [
        ((b"GIF87a", b"GIF89a"), "a GIF image", image_advice),
        ((b"Rar!\x1a\x07",), "a RAR archive", "unpack it and drop the files inside"),
        ((b"7z\xbc\xaf\x27\x1c",), "a 7-Zip archive", "unpack it and drop the files inside"),
        ((b"{\\rtf",), "an RTF document", "save it as .docx in Word and drop it again"),
    ]
    for magics, kind, advice in signatures:
        if head.startswith(magics):
            return kind, advice
    # "BM" alone could start a text file; a BMP also has four reserved zero bytes at 6..9.
    if head.startswith(b"BM") and head[6:10] == b"\x00\x00\x00\x00":
        return "a BMP image", image_advice
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image", image_advice
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "a HEIC photo", "export it as JPEG (or set the phone camera to 'Most Compatible')"
    return None


def _mime_for_extension(suffix: str) -> str | None:
    suffix = suffix.lower()
    for mime, exts in _EXTENSIONS.items():
        if suffix in exts:
            return mime
    return None


def _corrupt(path: Path, kind: str, action: str) -> CorruptFileError:
    return CorruptFileError(f"{path} is not a readable {kind} file (damaged or incomplete): {action} and drop it again")


def _extension_note(path: Path, mime: str) -> str | None:
    if path.suffix.lower() in _EXTENSIONS[mime]:
        return None
    shown = path.suffix or "(none)"
    return (
        f"extension {shown} does not match the content ({_KIND_NAMES[mime]}); "
        f"read as {_KIND_NAMES[mime]} — rename the file to {_EXTENSIONS[mime][0]}"
    )


# --------------------------------------------------------------------------- entry point


def extract(path: Path, *, ocr: bool = True) -> Extraction:
    """Extract the text of ``path``, OCR-ing scanned pages and images when ``ocr`` is true.

    Raises ``InputFileError`` subclasses (empty, corrupt, encrypted, unsupported) with a
    one-line message naming the file and the remedy.
    """
    path = Path(path)
    mime = sniff_type(path)
    readers = {PDF: _extract_pdf, PNG: _extract_image, JPEG: _extract_image, TIFF: _extract_image, DOCX: _extract_docx, TEXT: _extract_text}
    result = readers[mime](path, mime, ocr)
    note = _extension_note(path, mime)
    if note:
        result.notes.insert(0, note)
    return result


def _assemble(page_texts: list[str], mime: str, method: str, ocr_pages: list[int], notes: list[str]) -> Extraction:
    empty = [n for n, text in enumerate(page_texts, 1) if not text.strip()]
    notes = notes + [f"page {n}: no text found" for n in empty]
    return Extraction(
        text=PAGE_SEPARATOR.join(page_texts),
        pages=len(page_texts),
        mime_type=mime,
        method=method,
        empty_pages=empty,
        ocr_pages=ocr_pages,
        notes=notes,
    )


# --------------------------------------------------------------------------- PDF

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
                raise _corrupt(self.path, "PDF", "re-scan or re-export it") from e

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


def _extract_pdf(path: Path, mime: str, ocr: bool) -> Extraction:
    source = _PdfSource(path)
    try:
        if source.page_count == 0:
            raise EmptyFileError(f"{path} has no pages: re-scan or re-export it and drop it again")
        return _read_pdf_pages(source, ocr)
    finally:
        source.close()


def _read_pdf_pages(source: _PdfSource, ocr: bool) -> Extraction:
    texts: list[str] = []
    ocr_pages: list[int] = []
    notes: list[str] = list(source.notes)
    for index in range(source.page_count):
        text, note = source.text_layer(index)
        notes += [note] if note else []
        if _meaningful_chars(text) < MIN_TEXT_CHARS:
            text, used_ocr = _ocr_pdf_page(source, index, text, ocr, notes)
            ocr_pages += [index + 1] if used_ocr else []
        texts.append(text.strip())
    return _assemble(texts, PDF, _pdf_method(len(texts), ocr_pages, texts), ocr_pages, notes)


def _ocr_pdf_page(source: _PdfSource, index: int, layer_text: str, ocr: bool, notes: list[str]) -> tuple[str, bool]:
    """OCR a page without a usable text layer; keep the thin layer if OCR finds nothing."""
    if not ocr:
        notes.append(f"page {index + 1}: no text layer and OCR is off")
        return layer_text, False
    text = ocr_image(source.render(index))
    if text.strip():
        return text, True
    return layer_text, False


def _pdf_method(page_count: int, ocr_pages: list[int], texts: list[str]) -> str:
    if not ocr_pages:
        return "text"
    text_layer_pages = [n for n in range(1, page_count + 1) if n not in ocr_pages and texts[n - 1].strip()]
    return "mixed" if text_layer_pages else "ocr"


# --------------------------------------------------------------------------- images


def _extract_image(path: Path, mime: str, ocr: bool) -> Extraction:
    notes = [] if ocr else ["OCR is off: image text not read"]
    texts = [ocr_image(frame).strip() if ocr else "" for frame in _frames(path)]
    ocr_pages = [n for n, text in enumerate(texts, 1) if text]
    return _assemble(texts, mime, "ocr", ocr_pages, notes)


# PIL reports truncated or garbled data as any of these.
_PIL_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


def _frames(path: Path):
    """Yield every frame (TIFF page) upright per EXIF orientation, as RGB, one at a time.

    One at a time because a 50-page 300 dpi TIFF decoded at once would take over 1 GB.
    """
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as e:
        raise _too_large(path) from e
    except _PIL_ERRORS as e:
        raise _corrupt(path, "image", "re-scan or re-export it") from e
    with img:
        for index in range(getattr(img, "n_frames", 1)):
            yield _decode_frame(path, img, index)


def _decode_frame(path: Path, img: Image.Image, index: int) -> Image.Image:
    try:
        img.seek(index)
        return _upright_rgb(img)
    except Image.DecompressionBombError as e:
        raise _too_large(path) from e
    except _PIL_ERRORS as e:
        raise _corrupt(path, "image", "re-scan or re-export it") from e


def _too_large(path: Path) -> UnsupportedFileError:
    return UnsupportedFileError(f"{path} is too large an image to read safely: re-scan it at 300 dpi or less")


def _upright_rgb(frame: Image.Image) -> Image.Image:
    frame = ImageOps.exif_transpose(frame.copy())
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        # Transparent pixels are often black underneath; put them on white paper first.
        rgba = frame.convert("RGBA")
        paper = Image.new("RGB", rgba.size, (255, 255, 255))
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    if frame.mode.startswith("I;16") or frame.mode in ("I", "F"):
        frame = ImageOps.autocontrast(frame.convert("I").point(lambda v: v / 256).convert("L"))
    return frame.convert("RGB")


# --------------------------------------------------------------------------- OCR

_engine = None
_engine_lock = threading.Lock()


def _ocr_engine():
    """The process-wide RapidOCR engine, created on first use (loading takes ~1 s)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        return _engine


def ocr_image(img: Image.Image) -> str:
    """Return the text of ``img`` in reading order, one text line per output line.

    The one place OCR happens: tests and callers may swap it for another engine.
    """
    result, _timings = _ocr_engine()(np.asarray(img.convert("RGB")), use_cls=True)
    return "\n".join(_reading_order(result or []))


def _reading_order(boxes: list) -> list[str]:
    """Group OCR boxes into lines by vertical overlap; order top-down, left-right."""
    items = sorted((_box_extent(points) + (text,) for points, text, _score in boxes), key=lambda it: (it[0] + it[1]) / 2)
    lines: list[list[tuple]] = []
    for item in items:
        if lines and _same_line(lines[-1], item):
            lines[-1].append(item)
        else:
            lines.append([item])
    return [_join_line([it[3] for it in sorted(line, key=lambda it: it[2])]) for line in lines]


def _box_extent(points) -> tuple[float, float, float]:
    ys = [p[1] for p in points]
    return min(ys), max(ys), min(p[0] for p in points)


def _same_line(line: list[tuple], item: tuple) -> bool:
    top, bottom = min(it[0] for it in line), max(it[1] for it in line)
    overlap = min(bottom, item[1]) - max(top, item[0])
    return overlap >= 0.5 * min(bottom - top, item[1] - item[0])


def _join_line(parts: list[str]) -> str:
    line = ""
    for part in parts:
        if line and part and not (_is_wide(line[-1]) or _is_wide(part[0])):
            line += " "
        line += part
    return line


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error)


def _extract_docx(path: Path, mime: str, ocr: bool) -> Extraction:
    try:
        document = docx.Document(str(path))
        lines = _docx_lines(document)
        breaks = sum(1 for br in document.element.body.iter(f"{_W}br") if br.get(f"{_W}type") == "page")
    except (OpcError, LxmlError, *_DOCX_ERRORS) as e:
        raise _corrupt(path, "Word (.docx)", "re-save it in Word") from e
    text = "\n".join(line for line in lines if line.strip())
    pages = max(_docx_app_pages(path), 1 + breaks)
    empty = [] if text else list(range(1, pages + 1))
    notes = [] if text else ["document has no text"]
    return Extraction(text=text, pages=pages, mime_type=mime, method="docx", empty_pages=empty, notes=notes)


def _docx_lines(document) -> list[str]:
    """Headers, then body paragraphs and table rows in document order, then footers."""
    headers, footers = [], []
    for section in document.sections:
        for part in (section.first_page_header, section.header, section.even_page_header):
            headers += [] if part.is_linked_to_previous else _block_lines(part._element, part)
        for part in (section.first_page_footer, section.footer, section.even_page_footer):
            footers += [] if part.is_linked_to_previous else _block_lines(part._element, part)
    body = _block_lines(document.element.body, document)
    return _unique(headers) + body + _unique(footers)


def _block_lines(element, parent) -> list[str]:
    """Lines of paragraphs and tables under ``element``, in order; content controls opened."""
    lines: list[str] = []
    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            lines.append(Paragraph(child, parent).text)
        elif child.tag == f"{_W}tbl":
            lines += _table_lines(Table(child, parent))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            lines += _block_lines(content, parent) if content is not None else []
    return lines


def _table_lines(table) -> list[str]:
    """One line per row, cells separated by tabs; a merged cell is written once."""
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # Holding the lxml elements (not their ids) keeps one proxy per node alive.
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            cells.append(" ".join(line for line in _block_lines(cell._tc, cell) if line.strip()))
        lines.append("\t".join(cells))
    return lines


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(line for line in lines if line.strip()))


def _docx_app_pages(path: Path) -> int:
    """Page count Word stored in docProps/app.xml, or 0 when absent."""
    with zipfile.ZipFile(path) as archive:
        try:
            xml = archive.read("docProps/app.xml").decode("utf-8", errors="replace")
        except KeyError:
            return 0
    match = re.search(r"<(?:\w+:)?Pages>\s*(\d+)\s*</", xml)
    return int(match.group(1)) if match else 0


# --------------------------------------------------------------------------- TXT


def _extract_text(path: Path, mime: str, ocr: bool) -> Extraction:
    data = path.read_bytes()
    text, encoding = _decode_text(path, data)
    notes = [] if encoding == "utf-8" else [f"decoded as {encoding}"]
    return _assemble([text.strip()], mime, "plain", [], notes)


def _decode_text(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding.replace("-sig", "")
        except UnicodeDecodeError:
            continue
    raise _corrupt(path, "text", "save it again as UTF-8 (e.g. in Notepad: Save As, Encoding UTF-8)")
