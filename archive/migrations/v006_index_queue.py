"""Schema 6: the queue of pending index work, for several stations sharing one catalog."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from archive.migrations import create_table
from archive.schema import index_queue

VERSION = 6
DESCRIPTION = "index_queue: documents waiting for the station that holds the search index"


def upgrade(conn: Connection) -> None:
    """Create the queue table if it is not there yet."""
    create_table(conn, index_queue)
