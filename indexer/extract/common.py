"""What every reader shares: the ``Extraction`` result, the types dangan reads, and the errors.

The readers (``pdf``, ``images``, ``word``, ``plain``) and the sniffer import from here and
never from each other, so each can be read, tested or replaced alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dangan.indexer.errors import CorruptFileError

PAGE_SEPARATOR = "\n\f\n"

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OFD = "application/ofd"
EML = "message/rfc822"
MSG = "application/vnd.ms-outlook"  # an Outlook .msg (an OLE2 compound file)
# Office 97–2003 and WPS files (an OLE2 compound file) and RTF: read through LibreOffice.
LEGACY = "application/x-legacy-office"

EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    TIFF: (".tif", ".tiff"),
    DOCX: (".docx",),
    TEXT: (".txt",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    OFD: (".ofd",),
    EML: (".eml",),
    MSG: (".msg",),
    LEGACY: (".doc", ".xls", ".ppt", ".wps", ".et", ".dps", ".rtf"),
}
KIND_NAMES = {
    PDF: "PDF",
    PNG: "PNG image",
    JPEG: "JPEG image",
    TIFF: "TIFF image",
    DOCX: "Word (.docx)",
    TEXT: "plain text",
    XLSX: "Excel (.xlsx)",
    PPTX: "PowerPoint (.pptx)",
    OFD: "OFD e-document",
    EML: "e-mail (.eml)",
    MSG: "Outlook mail (.msg)",
    LEGACY: "old Office/WPS (.doc/.xls/.ppt/.wps/.et/.dps/.rtf)",
}
ACCEPTED = (
    "dangan reads PDF, PNG, JPEG, TIFF, DOCX, XLSX, PPTX, OFD, EML, MSG, TXT and old Office/WPS "
    "(.doc .xls .ppt .wps .et .dps .rtf) files"
)


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
    # Per page: {"page": 1, "method": "text"|"text-pdfium"|"text-unswapped"|"text-pdfminer"|"ocr"|"blank"|"none"|
    # "docx"|"plain"|"xlsx"|"pptx"|"ofd"|"eml"|"msg"|"libreoffice", "why": "…"}; what `dangan show` prints as "how the text was read".
    page_methods: list[dict] = field(default_factory=list)
    # Fields read from the content, e.g. an e-invoice's {"invoice_number", "date", "seller",
    # "buyer", "amount"}; also written into ``notes`` so that ingest's record keeps them.
    metadata: dict[str, str] = field(default_factory=dict)


def supported_extensions() -> frozenset[str]:
    """File name extensions dangan picks up from an inbox (lower case, with the dot)."""
    return frozenset(ext for exts in EXTENSIONS.values() for ext in exts)


def assemble(page_texts: list[str], mime: str, method: str, ocr_pages: list[int], notes: list[str]) -> Extraction:
    """An Extraction of per-page texts, noting every page that yielded no text."""
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
        page_methods=[
            {"page": n, "method": method if text.strip() else "none", "why": ""} for n, text in enumerate(page_texts, 1)
        ],
    )


def mime_for_extension(suffix: str) -> str | None:
    """The type a file name's extension claims (".PDF" → PDF), or None if dangan reads no such type."""
    suffix = suffix.lower()
    for mime, exts in EXTENSIONS.items():
        if suffix in exts:
            return mime
    return None


def corrupt(path: Path, kind: str, action: str) -> CorruptFileError:
    """The error for a file of a type dangan reads that is damaged: names the file and the remedy."""
    return CorruptFileError(
        "{path} is not a readable {kind} file (damaged or incomplete): {action} and drop it again",
        path=path, kind=kind, action=action,
    )  # fmt: skip
