"""Text extraction from the files archivists drop: PDF, scans (PNG/JPEG/TIFF), DOCX, XLSX,
PPTX, OFD, e-mails (.eml, .msg), TXT, and old Office/WPS files through LibreOffice.

The type of a file comes from its content (magic bytes), never from its name, because
scanners and mail programs routinely produce ``scan.pdf`` files that are JPEGs and
``.doc`` files that are really DOCX.  PDFs are read from their text layer; pages without
one (scanned pages) and image files go through OCR (RapidOCR, models shipped in the wheel).

Every problem with an input file is raised as a typed error from ``dangan.indexer.errors`` whose
message names the file and says what to do; pages that simply yield no text are noted in
``Extraction.empty_pages`` / ``Extraction.notes`` and are not fatal.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from dangan.indexer import bounded
from dangan.indexer import limits as _limits
from dangan.indexer.extract.common import (
    DOCX,
    EML,
    JPEG,
    LEGACY,
    MSG,
    OFD,
    PAGE_SEPARATOR,
    PDF,
    PNG,
    PPTX,
    TEXT,
    TIFF,
    XLSX,
    Extraction,
    supported_extensions,
)
from dangan.indexer.extract.converted import conversions
from dangan.indexer.extract.sniff import extension_note, sniff_type

# ocr_image is re-exported for callers that run OCR themselves; to swap the engine, set
# dangan.indexer.extract.ocr.ocr_image, which is what the readers call.
__all__ = [
    "PAGE_SEPARATOR",
    "Extraction",
    "extract",
    "extract_bounded",
    "mail_attachments",
    "ocr_image",
    "warm_reader",
    "sniff_type",
    "supported_extensions",
]

# One reader per type, (module, function); each takes (path, mime, ocr) and returns an
# Extraction.  A reader's module is imported when a file of its type first comes: a run of
# PDFs never loads python-docx (~50 ms), and the OCR engine loads numpy only when it reads.
_READERS = {
    PDF: ("dangan.indexer.extract.pdf", "read_pdf"),
    PNG: ("dangan.indexer.extract.images", "read_image"),
    JPEG: ("dangan.indexer.extract.images", "read_image"),
    TIFF: ("dangan.indexer.extract.images", "read_image"),
    DOCX: ("dangan.indexer.extract.word", "read_docx"),
    TEXT: ("dangan.indexer.extract.plain", "read_text"),
    XLSX: ("dangan.indexer.extract.office", "read_xlsx"),
    PPTX: ("dangan.indexer.extract.office", "read_pptx"),
    OFD: ("dangan.indexer.extract.ofd", "read_ofd"),
    EML: ("dangan.indexer.extract.mail", "read_eml"),
    MSG: ("dangan.indexer.extract.msg", "read_msg"),
    LEGACY: ("dangan.indexer.extract.legacy", "read_legacy"),
}


def __getattr__(name: str):
    # ``from dangan.indexer.extract import ocr_image`` still works, without importing OCR up front.
    if name == "ocr_image":
        return importlib.import_module("dangan.indexer.extract.ocr").ocr_image
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def extract(
    path: Path, *, ocr: bool = True, limits: _limits.Limits | None = None, converted: Path | None = None
) -> Extraction:
    """Extract the text of ``path``, OCR-ing scanned pages and images when ``ocr`` is true.

    ``converted``: the folder of the batch's LibreOffice conversions (``batch.prepare``).

    Raises ``InputFileError`` subclasses (empty, corrupt, encrypted, unsupported) with a
    one-line message naming the file and the remedy; ``LimitError`` when the file is over
    one of ``limits`` (the defaults of ``dangan.indexer.limits.Limits`` when None).
    """
    path = Path(path)
    with _limits.applied(limits), conversions(converted):
        mime = sniff_type(path)  # first: it says clearly when the file is missing or a folder
        _limits.check_file_size(path, path.stat().st_size)
        module, function = _READERS[mime]
        result = getattr(importlib.import_module(module), function)(path, mime, ocr)
        result.text, cut = _limits.cap_text(result.text)
    for note in (extension_note(path, mime), cut):
        if note:
            result.notes.insert(0, note)
    return result


# What a worker imports as it starts (while the parent prepares the batch): text PDFs are
# most of an inbox.  Other readers load on their first file, as in this process.
_PRELOAD = ("dangan.indexer.extract", "dangan.indexer.extract.pdf")


def warm_reader(limits: _limits.Limits | None = None) -> None:
    """Start a reader worker ahead of the first :func:`extract_bounded` of a batch."""
    bounded.pool((limits or _limits.Limits()).memory_mb, _PRELOAD).warm()


def extract_bounded(
    path: Path, *, ocr: bool = True, limits: _limits.Limits | None = None, converted: Path | None = None
) -> Extraction:
    """:func:`extract` in a worker process stopped at ``seconds_per_file`` and capped at ``memory_mb``.

    Raises what ``extract`` raises, and ``LimitError`` naming the time or memory limit when
    the worker had to be stopped (a reader that crashed, usually at the memory cap, too).  Workers are reused between calls (``dangan.indexer.bounded``).
    """
    path = Path(path)
    with _limits.applied(limits) as active:
        try:
            return bounded.pool(active.memory_mb, _PRELOAD).call(
                "dangan.indexer.extract:extract",
                path,
                ocr=ocr,
                limits=active,
                converted=converted,
                seconds=active.seconds_per_file,
            )
        except bounded.WorkerTimeout:
            raise _limits.over_time(path) from None
        except bounded.WorkerOutOfMemory:
            raise _limits.over_memory(path) from None
        except bounded.WorkerDied as e:
            # Native code (the OCR engine, PDFium) that cannot get memory under the cap
            # usually crashes rather than raising; a damaged file can do the same.
            raise _limits.reader_stopped(path, e.signal_name) from None


def mail_attachments(path: Path, mime: str, folder: Path, *, limits: _limits.Limits | None = None) -> dict:
    """The attachments of the mail at ``path`` (of type ``mime``, as its reading found) written
    to ``folder``, in a bounded worker.

    What ``dangan.indexer.extract.attached.save_attachments`` returns; the same time, memory and
    size limits and the same errors as :func:`extract_bounded`.
    """
    path = Path(path)
    with _limits.applied(limits) as active:
        _limits.check_file_size(path, path.stat().st_size)
        try:
            return bounded.pool(active.memory_mb, _PRELOAD).call(
                "dangan.indexer.extract.attached:save_attachments",
                path,
                mime,
                Path(folder),
                seconds=active.seconds_per_file,
            )
        except bounded.WorkerTimeout:
            raise _limits.over_time(path) from None
        except bounded.WorkerOutOfMemory:
            raise _limits.over_memory(path) from None
        except bounded.WorkerDied as e:
            raise _limits.reader_stopped(path, e.signal_name) from None
