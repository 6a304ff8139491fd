"""Schema 8: per page, how its text was read (text layer, PDFium, pdfminer, OCR, blank)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column
from dangan.archive.schema import documents

VERSION = 8
DESCRIPTION = "documents record per page how the text was read"


def upgrade(conn: Connection) -> None:
    """Add the nullable JSON text column (documents filed before it show no per-page detail)."""
    add_column(conn, documents, documents.c.page_methods)
