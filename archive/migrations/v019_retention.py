"""Schema 19: appraisal batches and decisions, legal holds, a record's extended period."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column, create_table
from dangan.archive.schema import appraisal_batches, appraisal_items, documents, holds

VERSION = 19
DESCRIPTION = "appraisal (鉴定) batches and decisions, legal holds (冻结), documents.keep_until/opened_at"


def upgrade(conn: Connection) -> None:
    """Create the tables and add the two document columns."""
    add_column(conn, documents, documents.c.keep_until)
    add_column(conn, documents, documents.c.opened_at)
    for table in (appraisal_batches, appraisal_items, holds):
        create_table(conn, table)
