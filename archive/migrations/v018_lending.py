"""Schema 18: where volumes and documents stand (holdings), loans (借阅) and use records (利用登记)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import create_table
from dangan.archive.schema import holdings, loans, use_records

VERSION = 18
DESCRIPTION = "holdings (carrier and 库房/柜架/层/盒号), loans and use records for `dangan location`, `lend`, `use`"


def upgrade(conn: Connection) -> None:
    """Create the three tables."""
    for table in (holdings, loans, use_records):
        create_table(conn, table)
