"""Schema 20: the customer register, complaint seriousness, corrective actions, kept form rows."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column, create_table
from dangan.archive.schema import documents
from dangan.archive.schema_service import (
    corrective_actions,
    customer_aliases,
    customer_classes,
    customers,
    form_rows,
    installations,
)

VERSION = 20
DESCRIPTION = "customers (主要客户档案), classes, installations, corrective actions, documents.severity, form rows"


def upgrade(conn: Connection) -> None:
    """Add the severity column and create the customer tables."""
    add_column(conn, documents, documents.c.severity)
    for table in (customers, customer_aliases, customer_classes, installations, corrective_actions, form_rows):
        create_table(conn, table)
