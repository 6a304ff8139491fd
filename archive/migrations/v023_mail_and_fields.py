"""Schema 23: attachments of a filed e-mail linked to it, and fields read from a document."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dangan.archive.migrations import create_table
from dangan.archive.schema import document_fields, mail_attachments

VERSION = 23
DESCRIPTION = "mail attachments linked to their mail (来自邮件), fields read from documents (e-invoice number…)"


def upgrade(conn: Connection) -> None:
    """Create the two tables (documents filed before have no links and no read fields)."""
    for table in (mail_attachments, document_fields):
        create_table(conn, table)
