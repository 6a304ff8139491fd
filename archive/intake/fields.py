"""Fields read from a document's content, kept in the catalog beside it.

A reader may find named fields in what it reads — an OFD e-invoice's number, date, seller,
buyer and amount (``Extraction.metadata``) — and intake stores them, in the same transaction
as the document's row, one row per field in ``document_fields``.  ``dangan show`` (and
``--json``) and the web document page show them; the search finds the document by them
because they are read from its text, which is indexed.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from dangan.archive.catalog import Catalog
from dangan.archive.schema import document_fields

# The e-invoice's fields in the order a person reads an invoice, with their printed labels.
INVOICE_LABELS = {
    "invoice_number": "发票号码",
    "date": "开票日期",
    "seller": "销售方",
    "buyer": "购买方",
    "amount": "价税合计",
}
_MAX_VALUE = 500  # a field is one short value; a longer "value" is a misread, cut rather than stored whole


def store_fields(conn, doc_id: int, fields: dict[str, str]) -> None:
    """Insert the read ``fields`` of document ``doc_id`` inside the caller's transaction."""
    rows = [
        {"document_id": doc_id, "name": str(name)[:64], "value": str(value)[:_MAX_VALUE]}
        for name, value in fields.items()
        if str(value).strip()
    ]
    if rows:
        conn.execute(insert(document_fields), rows)


def read_fields(cat: Catalog, doc_id: int) -> dict[str, str]:
    """The fields read from document ``doc_id``: the invoice's in reading order, then any others."""
    q = select(document_fields.c.name, document_fields.c.value).where(document_fields.c.document_id == doc_id)
    with cat.engine.connect() as conn:
        found = {r.name: r.value for r in conn.execute(q)}
    order = [k for k in INVOICE_LABELS if k in found] + sorted(k for k in found if k not in INVOICE_LABELS)
    return {k: found[k] for k in order}


def forget_fields(conn, doc_id: int) -> None:
    """Remove the fields of a document whose row is being removed (trash emptied)."""
    conn.execute(delete(document_fields).where(document_fields.c.document_id == doc_id))
