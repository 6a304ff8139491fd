"""What a service record is about: its customer and service date; and waived periods.

A 维护派工单 for customer X on day D creates follow-ups owed to X from D.  The customer and the
service date come from the form data when dangan rendered the form (``forms render
--file-into``), else from the record's text, read when checked so a scan filed before this
existed is understood too (:func:`dangan.archive.customers.reading.customer_from_text`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from dangan.archive.catalog import Catalog, as_date, now
from dangan.archive.dblock import writes
from dangan.archive.deadlines.periods import parse_period
from dangan.archive.projects import get_project
from dangan.archive.schema import period_waivers
from dangan.indexer.errors import ConflictError, UsageError

# Field names that hold the day the service was done, most specific first.
SERVICE_DATE_FIELDS = ("service_date", "done_time", "visit_date", "dispatch_date", "received_on", "entry_date")
CUSTOMER_FIELDS = ("customer", "complainant")


def service_values(fields: Sequence, values: Mapping[str, Any]) -> dict[str, Any]:
    """``document_date``, ``customer`` and ``service_date`` from one row of form data.

    The document date is the form's first required date field (the day the paper was made:
    派工日期, 回访日期 …); the service date the first of :data:`SERVICE_DATE_FIELDS` filled in.
    """
    dates = [f for f in fields if f.type == "date"]
    first = next((f for f in dates if f.required), dates[0] if dates else None)
    doc_date = as_date(values.get(first.name)) if first is not None and values.get(first.name) else None
    service = next((as_date(values[n]) for n in SERVICE_DATE_FIELDS if values.get(n)), None)
    customer = next((str(values[n]).strip() for n in CUSTOMER_FIELDS if str(values.get(n) or "").strip()), None)
    return {"document_date": doc_date, "customer": customer, "service_date": service or doc_date}


@writes("service data")
def record_service_data(cat: Catalog, doc_id: int, *, customer: str | None, service_date: date | None,
                        document_date: date | None = None) -> None:  # fmt: skip
    """Store a record's customer, service date (and document date) in one logged transaction."""
    values: dict[str, Any] = {"customer": customer, "service_date": service_date}
    if document_date is not None:
        values["document_date"] = document_date
    doc = cat.document(doc_id)
    with cat.engine.begin() as conn:
        cat.update_document(conn, doc_id, **values)
        cat.log(conn, "service-data", project=doc["project_code"], document=doc_id, **values)


@writes("service data")
def record_received(cat: Catalog, doc_id: int, at: datetime, *, reason: str) -> None:
    """Record when a paper record was really handed in (back-filing scans of older paper).

    Lateness is measured from the filing time; a stack of March tickets scanned in May was
    on time if it reached the service centre by April 2nd.  Logged with the old time.
    """
    if not reason.strip():
        raise UsageError("say why the filing time changes, e.g. reason='纸质件4月1日交回'")
    doc = cat.document(doc_id)
    with cat.engine.begin() as conn:
        cat.update_document(conn, doc_id, filed_at=at)
        cat.log(conn, "received-at-set", project=doc["project_code"], document=doc_id,
                before=doc["filed_at"], after=at, reason=reason.strip())  # fmt: skip


@writes("waive")
def waive_period(cat: Catalog, code: str, item: str, period: str, reason: str) -> tuple[str, str]:
    """Mark one period of a periodic item not owed (e.g. the centre was closed); logged."""
    if not reason or not reason.strip():
        raise UsageError("a waiver needs a reason: --reason 春节停业")
    it = get_project(cat, code).item(item)
    if not it.period:
        raise UsageError(f"item {it.code} {it.title} is not periodic; waive it without --period")
    key = parse_period(period).key
    with cat.engine.begin() as conn:
        conn.execute(delete(period_waivers).where(*_waiver_key(code, it.code, key)))
        conn.execute(
            insert(period_waivers).values(
                project_code=code, item_code=it.code, period=key, reason=reason.strip(), at=now()
            )
        )
        cat.log(conn, "period-waived", project=code, item=it.code, period=key, reason=reason.strip())
    return it.code, key


@writes("unwaive")
def unwaive_period(cat: Catalog, code: str, item: str, period: str) -> tuple[str, str]:
    """Reverse a period waiver; ConflictError when there was none."""
    it = get_project(cat, code).item(item)
    key = parse_period(period).key
    with cat.engine.begin() as conn:
        if not conn.execute(delete(period_waivers).where(*_waiver_key(code, it.code, key))).rowcount:
            raise ConflictError(f"period {key} of item {it.code} on project {code} is not waived; nothing to undo")
        cat.log(conn, "period-waiver-undone", project=code, item=it.code, period=key)
    return it.code, key


def period_waiver_map(cat: Catalog, code: str) -> dict[tuple[str, str], str]:
    """(item code, period key) → reason, for one project."""
    with cat.engine.connect() as conn:
        rows = conn.execute(select(period_waivers).where(period_waivers.c.project_code == code))
        return {(r.item_code, r.period): r.reason for r in rows}


def _waiver_key(code: str, item: str, key: str) -> tuple:
    c = period_waivers.c
    return c.project_code == code, c.item_code == item, c.period == key
