"""Schema 3: the document's life — date candidates kept for `show`, and the trash columns."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column
from dangan.archive.schema import documents

VERSION = 3
DESCRIPTION = "documents keep their date candidates and, when discarded, where they came from"

COLUMNS = ("date_candidates", "discarded_at", "discard_reason", "restore_path", "restore_status")


def upgrade(conn: Connection) -> None:
    """Add the nullable columns to an older catalog (each only if missing)."""
    for name in COLUMNS:
        add_column(conn, documents, documents.c[name])
