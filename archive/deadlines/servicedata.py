"""What a service record is about: its customer and service date; and waived periods.

A 维护派工单 for customer X on day D creates follow-ups owed to X from D.  The customer and the
service date come from the form data when dangan rendered the form (``forms render
--file-into``), else from the record's text (a 客户名称 / 顾客名称 / 客户 / 顾客 label), read when
checked so a scan filed before this existed is understood too.  A Word table turned into text
puts two fields on a line (客户名称：X    联系人：Y): only the first cell is the customer.
"""

from __future__ import annotations

import re
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
from dangan.indexer.text import fold

# A label, a separator (colon or a table cell's tab), then the name up to the next cell.
_CUSTOMER = re.compile(
    r"(?:^|[\t (（])(?:客户名称|顾客名称|用户名称|客户姓名|顾客姓名|客户|顾客|用户)[ \t]*[:：\t][ \t]*([^\t\n:：]{1,40})",
    re.MULTILINE,
)
_CELL_GAP = re.compile(r"\s{2,}|\u3000|\t")
# Field names that hold the day the service was done, most specific first.
SERVICE_DATE_FIELDS = ("service_date", "done_time", "visit_date", "dispatch_date", "received_on", "entry_date")
CUSTOMER_FIELDS = ("customer", "complainant")


def customer_from_text(text: str) -> str | None:
    """The customer named after a 客户名称/顾客名称/客户/顾客 label in a record's text."""
    folded = fold(text or "")
    for m in _CUSTOMER.finditer(folded):
        # fold keeps offsets, so the name is cut from the original (Latin case kept).
        value = text[m.start(1) : m.end(1)]
        if folded[m.start() : m.start() + 1] in "(（":  # "（客户：金山宾馆）": the name ends at the bracket
            value = re.split(r"[)）]", value, maxsplit=1)[0]
        name = _first_cell(value, followed_by_label=folded[m.end(1) : m.end(1) + 1] in (":", "："))
        if name:
            return name
    return None


def _first_cell(value: str, *, followed_by_label: bool) -> str:
    """The value of the first field on a line holding two: "瑞丰大酒店    联系人" → "瑞丰大酒店".

    Cells are separated by a wide gap (2+ spaces, a full-width space); when the next colon
    ends the capture, the last word before it was the next field's label, even after a
    single space ("瑞丰大酒店 联系人：王").
    """
    cell = _CELL_GAP.split(value.strip(), maxsplit=1)[0]
    if followed_by_label and cell == value.strip() and " " in cell:
        cell = cell.rsplit(" ", 1)[0]
    return cell.strip().strip("_＿ ")


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
