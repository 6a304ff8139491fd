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

from pathlib import Path

from indexer import limits as _limits
from indexer.extract.common import DOCX, JPEG, PAGE_SEPARATOR, PDF, PNG, TEXT, TIFF, Extraction, supported_extensions
from indexer.extract.images import read_image
from indexer.extract.ocr import ocr_image
from indexer.extract.pdf import read_pdf
from indexer.extract.plain import read_text
from indexer.extract.sniff import extension_note, sniff_type
from indexer.extract.word import read_docx

# ocr_image is re-exported for callers that run OCR themselves; to swap the engine, set
# indexer.extract.ocr.ocr_image, which is what the readers call.
__all__ = ["PAGE_SEPARATOR", "Extraction", "extract", "ocr_image", "sniff_type", "supported_extensions"]

# One reader per type; each takes (path, mime, ocr) and returns an Extraction.
_READERS = {PDF: read_pdf, PNG: read_image, JPEG: read_image, TIFF: read_image, DOCX: read_docx, TEXT: read_text}


def extract(path: Path, *, ocr: bool = True, limits: _limits.Limits | None = None) -> Extraction:
    """Extract the text of ``path``, OCR-ing scanned pages and images when ``ocr`` is true.

    Raises ``InputFileError`` subclasses (empty, corrupt, encrypted, unsupported) with a
    one-line message naming the file and the remedy; ``LimitError`` when the file is over
    one of ``limits`` (the defaults of ``indexer.limits.Limits`` when None).
    """
    path = Path(path)
    with _limits.applied(limits):
        mime = sniff_type(path)  # first: it says clearly when the file is missing or a folder
        _limits.check_file_size(path, path.stat().st_size)
        result = _READERS[mime](path, mime, ocr)
    note = extension_note(path, mime)
    if note:
        result.notes.insert(0, note)
    return result
