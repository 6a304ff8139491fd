"""Schema 9: web users with roles and API tokens; events record who acted."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column, create_table
from dangan.archive.schema import api_tokens, events, users

VERSION = 9
DESCRIPTION = "web users with roles and API tokens; events record who acted (actor)"


def upgrade(conn: Connection) -> None:
    """Create the two tables and add events.actor to an older catalog."""
    create_table(conn, users)
    create_table(conn, api_tokens)
    add_column(conn, events, events.c.actor)
