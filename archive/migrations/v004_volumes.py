"""Schema 4: volumes (案卷) and the ordered documents in each, for handover."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import create_table
from dangan.archive.schema import volume_documents, volumes

VERSION = 4
DESCRIPTION = "volumes (案卷) with their ordered documents and page ranges"


def upgrade(conn: Connection) -> None:
    """Create the two tables on an older catalog (existing documents stay unassigned)."""
    create_table(conn, volumes)
    create_table(conn, volume_documents)
