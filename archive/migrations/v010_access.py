"""Schema 10: server-side web sessions, login throttling, disabled users and token expiry."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column, create_table
from dangan.archive.schema import api_tokens, login_throttle, users, web_sessions

VERSION = 10
DESCRIPTION = "web sessions kept in the catalog, login throttling, disabled users, token expiry"


def upgrade(conn: Connection) -> None:
    """Add the two tables and two nullable columns (old tokens never expire, no user is disabled)."""
    add_column(conn, users, users.c.disabled_at)
    add_column(conn, api_tokens, api_tokens.c.expires_at)
    create_table(conn, web_sessions)
    create_table(conn, login_throttle)
