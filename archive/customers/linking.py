"""What the deadline engine needs to know about each service record's customer.

For every record of an item that is owed per customer: the customer (by 派工单 number, then
name or alias, see :mod:`.matching`), a complaint's seriousness (:mod:`.complaints`) and
whether a survey or call was answered 不满意 (:mod:`.answers`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.customers.answers import answers_from_row, answers_from_text, dissatisfied
from dangan.archive.customers.complaints import severity_of
from dangan.archive.customers.matching import Linker, Register, tickets_in
from dangan.archive.customers.reading import customer_from_text
from dangan.archive.schema import document_texts, documents
from dangan.archive.schema_service import form_rows


@dataclass(frozen=True)
class Facts:
    """One record's customer (register name, else as written), seriousness and dissatisfaction."""

    customer: str | None
    customer_id: int | None
    severity: str | None
    dissatisfied: bool
    ticket: str | None = None  # its own 派工单号
    ref_ticket: str | None = None  # the 派工单号 it follows (原派工单号)


def form_data(cat: Catalog, ids: Iterable[int], project: str | None = None) -> dict[int, dict]:
    """The data rows the given documents were rendered from (when dangan rendered them)."""
    ids = list(ids)
    out: dict[int, dict] = {}
    with cat.engine.connect() as conn:
        if project is not None:  # one query over the project's records, not one per 500 ids
            wanted = set(ids)
            q = select(form_rows).where(
                form_rows.c.document_id.in_(select(documents.c.id).where(documents.c.project_code == project))
            )
            return {r.document_id: json.loads(r.data) for r in conn.execute(q) if r.document_id in wanted}
        for start in range(0, len(ids), 500):
            q = select(form_rows).where(form_rows.c.document_id.in_(ids[start : start + 500]))
            out.update({r.document_id: json.loads(r.data) for r in conn.execute(q)})
    return out


def _texts(cat: Catalog, ids: list[int], project: str | None) -> Iterator[tuple[int, str]]:
    """(doc id, text), streamed: for a project one query over its records, else batches of 500;
    never every text in memory at once."""
    wanted = set(ids)
    with cat.engine.connect() as conn:
        if project is not None:
            q = select(document_texts.c.document_id, document_texts.c.content).where(
                document_texts.c.document_id.in_(select(documents.c.id).where(documents.c.project_code == project))
            )
            yield from ((r.document_id, r.content or "") for r in conn.execute(q) if r.document_id in wanted)
            return
        for start in range(0, len(ids), 500):
            q = select(document_texts.c.document_id, document_texts.c.content).where(
                document_texts.c.document_id.in_(ids[start : start + 500])
            )
            yield from ((r.document_id, r.content or "") for r in conn.execute(q))


@dataclass(frozen=True)
class _Read:
    written: str | None
    own: str | None
    ref: str | None
    severity: str | None
    dissatisfied: bool


def _read(row: tuple[int, str | None, str | None], data: dict | None, text: str, wants: set[str]) -> _Read:
    """What one record says, from its form row when dangan rendered it, else from its text."""
    _, written, severity = row
    if data is not None:
        ticket = str(data.get("ticket_no") or "").strip().upper() or None
        own, ref = (ticket, None) if data.get("dispatch_date") else (None, ticket)
        answers = answers_from_row(data) if "dissatisfied" in wants else {}
        if not severity and data.get("severity"):
            severity = {"严重": "重大"}.get(str(data["severity"]), str(data["severity"]))
    else:
        own, ref = tickets_in(text)
        answers = answers_from_text(text) if "dissatisfied" in wants else {}
        written = written or customer_from_text(text)
        if not severity and "severity" in wants:
            severity = severity_of(text)
    return _Read(written, own, ref, severity, dissatisfied(answers))


def record_facts(cat: Catalog, rows: list[tuple[int, str | None, str | None]],
                 wants: dict[int, set[str]] | None = None, project: str | None = None) -> dict[int, Facts]:  # fmt: skip
    """(doc id, stored customer, stored severity) → Facts, for every record.

    A record rendered by dangan is read from its kept form row; any other from its text
    (read in batches).  ``wants`` names, per record, what else must be read: "severity"
    (a complaint), "dissatisfied" (a survey or call); nothing else is parsed.
    """
    wants = wants or {}
    data = form_data(cat, [r[0] for r in rows], project)
    by_id = {r[0]: r for r in rows}
    read: dict[int, _Read] = {}
    for doc_id in data:
        read[doc_id] = _read(by_id[doc_id], data[doc_id], "", wants.get(doc_id, set()))
    for doc_id, text in _texts(cat, [r[0] for r in rows if r[0] not in data], project):
        read[doc_id] = _read(by_id[doc_id], None, text, wants.get(doc_id, set()))
    for r in rows:  # no text stored: only what the catalog row holds
        read.setdefault(r[0], _Read(r[1], None, None, r[2], False))
    linker = Linker(Register(cat))
    linked = linker.link_read({i: (x.written, x.own, x.ref) for i, x in read.items()})
    return {
        i: Facts(linked[i].name, linked[i].customer_id, x.severity, x.dissatisfied, x.own, x.ref)
        for i, x in read.items()
    }
