"""Schema 17: rows of a legacy catalogue (Excel 目录) imported to attach scans to."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import create_table
from dangan.archive.schema import legacy_rows

VERSION = 17
DESCRIPTION = "legacy catalogue rows (档号 and fields) for `dangan import catalog` and `import attach`"


def upgrade(conn: Connection) -> None:
    """Create the table."""
    create_table(conn, legacy_rows)
