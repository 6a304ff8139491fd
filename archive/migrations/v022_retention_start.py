"""Schema 22: a project's 竣工 (completion) and close dates, from which retention may count."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import add_column
from dangan.archive.schema import projects

VERSION = 22
DESCRIPTION = "projects.completed_on/closed_on: the 竣工 and close dates a checklist's retention may start from"


def upgrade(conn: Connection) -> None:
    """Add the two project columns."""
    add_column(conn, projects, projects.c.completed_on)
    add_column(conn, projects, projects.c.closed_on)
