"""What the deadline engine needs to know about each service record's customer.

For every record of an item that is owed per customer: the customer (by 派工单 number, then
name or alias, see :mod:`.matching`), a complaint's seriousness (:mod:`.complaints`) and
whether a survey or call was answered 不满意 (:mod:`.answers`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.customers.answers import answers_from_row, answers_from_text, dissatisfied
from dangan.archive.customers.complaints import severity_of
from dangan.archive.customers.matching import Linker, Register
from dangan.archive.schema import form_rows


@dataclass(frozen=True)
class Facts:
    """One record's customer (register name, else as written), seriousness and dissatisfaction."""

    customer: str | None
    customer_id: int | None
    severity: str | None
    dissatisfied: bool
    ticket: str | None = None  # its own 派工单号
    ref_ticket: str | None = None  # the 派工单号 it follows (原派工单号)


def form_data(cat: Catalog, ids: Iterable[int]) -> dict[int, dict]:
    """The data rows the given documents were rendered from (when dangan rendered them)."""
    ids = list(ids)
    out: dict[int, dict] = {}
    with cat.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            q = select(form_rows).where(form_rows.c.document_id.in_(ids[start : start + 500]))
            out.update({r.document_id: json.loads(r.data) for r in conn.execute(q)})
    return out


def record_facts(cat: Catalog, records: list[tuple[int, str | None, str | None, str]]) -> dict[int, Facts]:
    """(doc id, written customer, stored severity, text) → Facts, for every record."""
    linked = Linker(Register(cat)).link_all((i, name, text) for i, name, _, text in records)
    rows = form_data(cat, [r[0] for r in records])
    out = {}
    for doc_id, _, severity, text in records:
        data = rows.get(doc_id)
        answers = answers_from_row(data) if data else answers_from_text(text)
        if data and not severity and data.get("severity"):
            severity = {"严重": "重大"}.get(str(data["severity"]), str(data["severity"]))
        link = linked[doc_id]
        out[doc_id] = Facts(link.name, link.customer_id, severity or severity_of(text), dissatisfied(answers),
                            link.own_ticket, link.ref_ticket)  # fmt: skip
    return out
