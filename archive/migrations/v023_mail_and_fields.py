"""Schema 23: attachments of a filed e-mail linked to it, and fields read from a document.

OFD documents filed before this step get their e-invoice fields read again from their stored
text (the reader's own ``invoice_fields``), so an old invoice shows its number like a new one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from dangan.archive.intake.fields import store_fields
from dangan.archive.migrations import create_table
from dangan.archive.schema import document_fields, document_texts, documents, mail_attachments
from dangan.indexer.extract.common import OFD
from dangan.indexer.extract.ofd import invoice_fields

VERSION = 23
DESCRIPTION = "mail attachments linked to their mail (来自邮件), fields read from documents (e-invoice number…)"


def upgrade(conn: Connection) -> None:
    """Create the two tables; read the invoice fields of OFD documents that have none yet."""
    for table in (mail_attachments, document_fields):
        create_table(conn, table)
    have = select(document_fields.c.document_id)
    rows = conn.execute(
        select(documents.c.id, document_texts.c.content)
        .join(document_texts, document_texts.c.document_id == documents.c.id)
        .where(documents.c.mime_type == OFD, documents.c.id.not_in(have))
    )
    for doc_id, text in rows.all():
        store_fields(conn, doc_id, invoice_fields(text or ""))
