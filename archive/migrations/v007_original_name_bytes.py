"""Schema 7: keep the original bytes of a file name that was not valid UTF-8."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column
from dangan.archive.schema import documents

VERSION = 7
DESCRIPTION = "documents keep the original bytes of a file name that was not UTF-8 (original_name_raw)"


def upgrade(conn: Connection) -> None:
    """Add the nullable column to an older catalog."""
    add_column(conn, documents, documents.c.original_name_raw)
