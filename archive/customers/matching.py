"""Which customer a service record is about: by its 派工单 number first, then by name or alias.

A follow-up call names the ticket it follows (原派工单号 PG-0312); the ticket names the customer.
So a record is linked, in this order, to: the customer of the dispatch ticket whose number it
quotes; the register's customer whose name or alias matches the name written on it (compared
by :func:`~dangan.archive.customers.names.norm_name`).  A written name the register does not
know stays as written and is listed by :func:`unmatched` until someone links it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.customers.names import norm_name
from dangan.archive.customers.reading import quotes_tickets, unspace
from dangan.archive.schema_service import customer_aliases, customers
from dangan.indexer.text import fold

# 派工单号 on the ticket itself; 原派工单号 / 关联派工单 / 对应派工单 on what follows it (a plain
# 派工单号, 服务单号 or 维修单号 on a follow-up, complaint or letter is the one it follows too).
# The number is Latin letters, digits and dashes (PG-2026-0312, 20260312-07); it may stand after
# a colon, a tab, a table border, spaces, or alone on the next line.
_TICKET = re.compile(
    r"(?:(原|关联|对应)(?:急修|维修)?(?:派工单|工单)(?:号|编号)?|(?:急修|维修)?(?:派工单|派单|工单|服务单|维修单|报修单)(?:号|编号))"
    r"[ \t]*[:：;；|]?[ \t|]*\n?[ \t|]*([a-z0-9][a-z0-9\-_/]{2,29})"
)


def tickets_in(text: str) -> tuple[str | None, str | None]:
    """(own ticket number, referenced ticket number) read from a record's text."""
    own = ref = None
    quotes = None  # whether a plain number is the one followed: read from the title when needed
    for m in _TICKET.finditer(fold(unspace(text or ""))):
        number = m.group(2).upper()
        if not any(ch.isdigit() for ch in number):
            continue
        if quotes is None and not m.group(1):
            quotes = quotes_tickets(text)
        if m.group(1) or quotes:
            ref = ref or number
        else:
            own = own or number
    return own, ref


class Register:
    """The register's names and aliases by key, loaded once per report."""

    def __init__(self, cat: Catalog):
        self.by_key: dict[str, tuple[int, str]] = {}
        with cat.engine.connect() as conn:
            names = {r.id: r.name for r in conn.execute(select(customers.c.id, customers.c.name, customers.c.norm))}
            for r in conn.execute(select(customers.c.id, customers.c.norm)):
                self.by_key[r.norm] = (r.id, names[r.id])
            for r in conn.execute(select(customer_aliases)):
                self.by_key.setdefault(r.norm, (r.customer_id, names[r.customer_id]))

    def find(self, name: str | None) -> tuple[int, str] | None:
        """(customer id, register name) for a written name, or None."""
        return self.by_key.get(norm_name(name)) if name else None


@dataclass
class Linked:
    """One record's customer as written, as linked, and how."""

    doc_id: int
    written: str | None
    customer_id: int | None = None
    name: str | None = None  # the register's name, else the written one
    how: str = ""  # ticket | name | "" (unmatched)
    own_ticket: str | None = None
    ref_ticket: str | None = None


@dataclass
class Linker:
    """Links many records in one go: tickets first (their customer), then names."""

    register: Register
    tickets: dict[str, str] = field(default_factory=dict)  # ticket number → written customer

    def link_all(self, records: Iterable[tuple[int, str | None, str]]) -> dict[int, Linked]:
        """(doc id, written customer, text) → Linked, for every record."""
        return self.link_read({doc_id: (written, *tickets_in(text)) for doc_id, written, text in records})

    def link_read(self, read: dict[int, tuple[str | None, str | None, str | None]]) -> dict[int, Linked]:
        """doc id → (written customer, own ticket, quoted ticket) → Linked, for every record."""
        out: dict[int, Linked] = {}
        for doc_id, (written, own, ref) in read.items():
            out[doc_id] = Linked(doc_id, written, own_ticket=own, ref_ticket=ref)
            if own and written:
                self.tickets.setdefault(own, written)
        for rec in out.values():
            via_ticket = self.tickets.get(rec.ref_ticket or "") if rec.ref_ticket else None
            written = via_ticket or rec.written
            hit = self.register.find(written)
            if hit:
                rec.customer_id, rec.name = hit
                rec.how = "ticket" if via_ticket else "name"
            else:
                rec.name, rec.how = written, "ticket" if via_ticket else ""
        return out
