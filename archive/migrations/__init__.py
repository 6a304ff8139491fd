"""Numbered, idempotent steps that bring an older catalog up to the current schema.

Each step is a module ``vNNN_what.py`` in this package with ``VERSION`` (its number),
``DESCRIPTION`` (one line, printed by ``dangan migrate``) and ``upgrade(conn)``, which runs in
the same transaction as the version bump, so a step is applied completely or not at all.
Steps use the portable helpers below (no SQL only one database understands), and each one is
safe to run on a catalog that already has its change (a new database is created with every
table at once and then stamped with the newest version).

Version 1 is the first release's schema.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from sqlalchemy import Column, DefaultClause, Table, inspect, text
from sqlalchemy.engine import Connection

BASE_VERSION = 1


@dataclass(frozen=True)
class Step:
    """One migration step, loaded from its module."""

    version: int
    description: str
    module: ModuleType

    def upgrade(self, conn: Connection) -> None:
        """Apply the step inside the caller's transaction."""
        self.module.upgrade(conn)


def steps() -> list[Step]:
    """Every step this release knows, in version order (duplicate numbers are a bug)."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("v"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        found.append(Step(int(mod.VERSION), str(mod.DESCRIPTION), mod))
    found.sort(key=lambda s: s.version)
    versions = [s.version for s in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migration steps share a version: {versions}")
    return found


def latest_version() -> int:
    """The schema version this release writes."""
    return max([BASE_VERSION, *(s.version for s in steps())])


def pending(current: int) -> list[Step]:
    """The steps a catalog at ``current`` still needs."""
    return [s for s in steps() if s.version > current]


# -- portable helpers for steps ---------------------------------------------------------------
def has_column(conn: Connection, table: str, column: str) -> bool:
    """Whether ``table`` already has ``column`` (so a step can be run twice)."""
    return column in {c["name"] for c in inspect(conn).get_columns(table)}


def add_column(conn: Connection, table: Table, column: Column) -> None:
    """``ALTER TABLE … ADD COLUMN`` for a column defined in ``dangan.archive.schema``, if missing.

    Only nullable columns (or ones with a server default) can be added to a table with rows.
    """
    if has_column(conn, table.name, column.name):
        return
    coltype = column.type.compile(dialect=conn.dialect)
    default = ""
    if isinstance(column.server_default, DefaultClause):
        default = f" DEFAULT {column.server_default.arg}"
    conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {coltype}{default}'))


def create_table(conn: Connection, table: Table) -> None:
    """Create a table (and its indexes) defined in ``dangan.archive.schema`` if it does not exist."""
    table.create(conn, checkfirst=True)
