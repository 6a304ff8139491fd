"""Schema 21: electronic use grants (signed read links), the documents they open and their uses."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import create_table
from dangan.archive.schema import grant_documents, grant_uses, grants

VERSION = 21
DESCRIPTION = "grants, grant_documents and grant_uses for `dangan grant` and the /g/ read links"


def upgrade(conn: Connection) -> None:
    """Create the three tables."""
    for table in (grants, grant_documents, grant_uses):
        create_table(conn, table)
