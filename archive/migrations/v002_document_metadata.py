"""Schema 2: per-document 责任者, 保管期限 and 密级 (for the registers, volumes and handover)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column
from dangan.archive.schema import documents

VERSION = 2
DESCRIPTION = "documents get 责任者 (author), 保管期限 (retention) and 密级 (secrecy)"


def upgrade(conn: Connection) -> None:
    """Add the three nullable columns to an older catalog."""
    for name in ("author", "retention", "secrecy"):
        add_column(conn, documents, documents.c[name])
