"""How each page of a document was read: the record ``dangan show`` explains.

Extraction decides per page whether to trust the PDF text layer, PDFium's layer, pdfminer's,
OCR or nothing (a blank page); ingest stores that decision with the document.  This module
reads it back in a shape both the CLI and the web app print.
"""

from __future__ import annotations

import json

from dangan.archive.catalog import Catalog

METHOD_LABELS = {
    "text": "text layer",
    "text-pdfium": "text layer (PDFium)",
    "text-unswapped": "text layer (byte-swapped UTF-16, byte order repaired)",
    "text-pdfminer": "text layer (pdfminer.six)",
    "ocr": "OCR",
    "blank": "blank page, not OCR'd",
    "none": "no text",
    "docx": "Word text",
    "plain": "plain text",
    "xlsx": "Excel cells (cached formula values)",
    "pptx": "PowerPoint slide text and notes",
    "ofd": "OFD page text",
    "eml": "e-mail text",
    "msg": "Outlook mail text",
    "libreoffice": "old Office/WPS file converted by LibreOffice",
}


def no_text_reason(extraction) -> str:
    """The review reason for a file none of whose pages gave text, or "" when some did.

    Said first, before the classifier's "no words found", because it is the cause: an empty
    workbook, a garbled OFD or a PDF of blank scans needs a person, not a better classifier.
    """
    if not extraction.pages or len(extraction.empty_pages) < extraction.pages:
        return ""
    whys = list(dict.fromkeys(p["why"] for p in extraction.page_methods if p.get("why")))
    return "no text could be read from the file" + (f" ({'; '.join(whys)})" if whys else "")


def page_methods(cat: Catalog, doc_id: int) -> list[dict]:
    """Per page ``{"page", "method", "label", "why"}``; empty for documents filed before
    schema 8 recorded it."""
    raw = cat.document(doc_id).get("page_methods")
    pages = json.loads(raw) if raw else []
    return [{**p, "label": METHOD_LABELS.get(p.get("method", ""), p.get("method", ""))} for p in pages]


def summary(pages: list[dict]) -> str:
    """One line such as "pages 1–2 text layer; page 3 OCR (text layer in unexpected scripts)"."""
    parts = []
    for p in pages:
        why = f" ({p['why']})" if p.get("why") else ""
        parts.append(f"page {p['page']} {p['label']}{why}")
    return "; ".join(parts)
