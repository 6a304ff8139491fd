"""Whether a volume or a document is out on loan: the one query sealing, handover and lending share.

It reads the ``loans`` table only, so ``archive/volumes`` can ask it without importing the
lending module (which itself builds on the volumes).
"""

from __future__ import annotations

from sqlalchemy import select

from dangan.archive.schema import loans


def open_loan(conn, *, volume_id: int | None = None, document_id: int | None = None):
    """The open (not returned) loan of a volume or a document as a row mapping, or None."""
    column = loans.c.volume_id if volume_id is not None else loans.c.document_id
    wanted = volume_id if volume_id is not None else document_id
    query = select(loans).where(column == wanted, loans.c.returned_on.is_(None)).order_by(loans.c.id)
    return conn.execute(query).mappings().first()


def holder(loan) -> str:
    """Who has it and until when, as messages name it: 张三 (工程部) until 2025-03-01."""
    return f"{loan['borrower']} ({loan['dept']}) until {loan['until'].isoformat()}"
