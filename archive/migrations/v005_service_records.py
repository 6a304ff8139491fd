"""Schema 5: per-document customer and service date, and waivers of one period of an item."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column, create_table
from dangan.archive.schema import documents, period_waivers

VERSION = 5
DESCRIPTION = "documents get customer and service date; period_waivers for service deadlines"


def upgrade(conn: Connection) -> None:
    """Add the two nullable columns and the waiver table to an older catalog."""
    for name in ("customer", "service_date"):
        add_column(conn, documents, documents.c[name])
    create_table(conn, period_waivers)
