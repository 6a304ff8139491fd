"""Whether a volume or a document is out on loan or tied to a place: queries volumes and trash share.

It reads the ``loans`` table only, so ``archive/volumes`` can ask it without importing the
lending module (which itself builds on the volumes).
"""

from __future__ import annotations

from sqlalchemy import select

from dangan.archive.schema import holdings, loans
from dangan.indexer.messages import Message


def open_loan(conn, *, volume_id: int | None = None, document_id: int | None = None):
    """The open (not returned) loan of a volume or a document as a row mapping, or None."""
    column = loans.c.volume_id if volume_id is not None else loans.c.document_id
    wanted = volume_id if volume_id is not None else document_id
    query = select(loans).where(column == wanted, loans.c.returned_on.is_(None)).order_by(loans.c.id)
    return conn.execute(query).mappings().first()


def holder(loan) -> Message:
    """Who has it and until when, through the message catalog: ``张三 (工程部) until 2025-03-01``
    in English, 张三（工程部）借阅，应于 2025-03-01 归还 in the web app."""
    return Message("{borrower} ({dept}) until {until}", {"borrower": loan["borrower"], "dept": loan["dept"],
                                                          "until": loan["until"].isoformat()})  # fmt: skip


def tied_volume(conn, volume_ids: list[int]) -> int | None:
    """The first of these volumes that has a place or a loan (open or returned), or None.

    Such a volume must keep its row: the loan history stays with it and its place is on paper.
    """
    for column in (holdings.c.volume_id, loans.c.volume_id):
        row = conn.execute(select(column).where(column.in_(volume_ids)).order_by(column).limit(1)).first()
        if row is not None:
            return row[0]
    return None


def document_tied(conn, document_id: int) -> bool:
    """Whether a document has a place or a loan (its row then stays for the history)."""
    return any(
        conn.execute(select(column).where(column == document_id).limit(1)).first() is not None
        for column in (holdings.c.document_id, loans.c.document_id)
    )
