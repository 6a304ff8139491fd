"""Schema 6: the queue of pending index work, for several stations sharing one catalog, and
file sizes past 2 GiB on PostgreSQL (whose INTEGER is 32-bit; SQLite's is 64-bit already)."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from dangan.archive.migrations import create_table
from dangan.archive.schema import index_queue

VERSION = 6
DESCRIPTION = "index_queue: documents waiting for the station that holds the search index"


def upgrade(conn: Connection) -> None:
    """Create the queue table if it is not there yet; widen documents.size on PostgreSQL."""
    create_table(conn, index_queue)
    if conn.dialect.name == "postgresql":
        size = next(c for c in inspect(conn).get_columns("documents") if c["name"] == "size")
        if size["type"].__class__.__name__ != "BIGINT":
            conn.execute(text("ALTER TABLE documents ALTER COLUMN size TYPE BIGINT"))
