"""鉴定: a batch of expired records, the group's decision on each, and a manager's approval.

Each record of a batch gets a decision by a member of the appraisal group (a user with the
archivist, manager or admin role): ``keep`` (延长, to a new last year), ``open`` (开放) or
``destroy`` (销毁), with a reason.  A manager (or admin) approves the batch once every record
is decided; approval fixes the batch (no decision changes after it) and applies 延长 and 开放
to the records.  Nothing is destroyed before approval (:mod:`dangan.archive.disposal`).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import insert, select, update

from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.retention import due, refuse_if_held
from dangan.archive.schema import appraisal_batches, appraisal_items, documents
from dangan.archive.users import get_user
from dangan.indexer.errors import ConflictError, NotFoundError, PermissionDeniedError, UsageError

DECISIONS = {"keep": "延长", "open": "开放", "destroy": "销毁"}
MEMBER_ROLES = ("archivist", "manager", "admin")
APPROVER_ROLES = ("manager", "admin")


def _person(cat: Catalog, name: str, roles: tuple[str, ...], what: str) -> str:
    """The user ``name`` if their role may do ``what``; else PermissionDeniedError (exit 2)."""
    name = (name or "").strip()
    if not name:
        raise UsageError("--by is required: who {what}", what=what)
    user = get_user(cat, name)
    if user is None or user.role not in roles:
        raise PermissionDeniedError(
            "--by {name}: only a user with the role {roles} {what}", name=name, roles=" or ".join(roles), what=what,
            fix="`dangan user add` one",
        )  # fmt: skip
    return name


def batch(cat: Catalog, batch_id: int) -> dict:
    """A batch with its records (each with title, project and decision), or NotFoundError."""
    with cat.engine.connect() as conn:
        row = conn.execute(select(appraisal_batches).where(appraisal_batches.c.id == batch_id)).mappings().first()
        if row is None:
            raise NotFoundError(
                "no appraisal batch {batch_id}", batch_id=batch_id, fix="`dangan appraise create` makes one"
            )
        q = (
            select(
                appraisal_items, documents.c.title, documents.c.project_code, documents.c.pages, documents.c.status
            )  # fmt: skip
            .join(documents, documents.c.id == appraisal_items.c.document_id)
            .where(appraisal_items.c.batch_id == batch_id)
            .order_by(appraisal_items.c.document_id)
        )
        items = [dict(r) for r in conn.execute(q).mappings()]
    out = dict(row)
    out["witnesses"] = json.loads(out["witnesses"]) if out["witnesses"] else []
    out["items"] = items
    return out


def _pending_ids(conn) -> set[int]:
    """Records already in a batch not yet disposed (they are not appraised twice at once)."""
    q = (
        select(appraisal_items.c.document_id)
        .join(appraisal_batches, appraisal_batches.c.id == appraisal_items.c.batch_id)
        .where(appraisal_batches.c.status != "disposed")
    )
    return {r[0] for r in conn.execute(q)}


@writes("appraise create")
def create_batch(cat: Catalog, year: int | None = None) -> dict:
    """A batch of every record expired by the end of ``year`` and not in an unfinished batch."""
    year = year or date.today().year
    expired = due(cat, year)
    with cat.engine.begin() as conn:
        pending = _pending_ids(conn)
        rows = [r for r in expired if r["id"] not in pending]
        if not rows:
            raise NotFoundError("no record has expired by the end of {year} outside an unfinished batch", year=year)
        key = conn.execute(insert(appraisal_batches).values(year=year, status="open", created_at=now()))
        assert key.inserted_primary_key is not None  # an insert has its key
        bid = key.inserted_primary_key[0]
        for r in rows:
            conn.execute(insert(appraisal_items).values(
                batch_id=bid, document_id=r["id"], retention=r["retention"], expired_year=r["expired"]))  # fmt: skip
        cat.log(conn, "appraisal-created", batch=bid, year=year, documents=[r["id"] for r in rows])
    return batch(cat, bid)


def _item(b: dict, doc_id: int) -> dict:
    for it in b["items"]:
        if it["document_id"] == doc_id:
            return it
    raise NotFoundError(
        "document {doc_id} is not in appraisal batch {batch_id}", doc_id=doc_id, batch_id=b["id"],
        fix=f"`dangan appraise show {b['id']}`",
    )  # fmt: skip


@writes("appraise decide")
def decide(
    cat: Catalog, batch_id: int, doc_id: int, decision: str, *, reason: str, by: str, keep_until: int | None = None
) -> dict:
    """Record one member's decision on one record of an open batch."""
    b = batch(cat, batch_id)
    if b["status"] != "open":
        raise ConflictError(
            "appraisal batch {batch_id} is {status}; its decisions are fixed", batch_id=batch_id, status=b["status"]
        )
    it = _item(b, doc_id)
    if decision not in DECISIONS:
        raise UsageError("decision {decision}: use --keep-until YEAR, --open or --destroy", decision=repr(decision))
    if not (reason or "").strip():
        raise UsageError("document {doc_id}: say why with --reason", doc_id=doc_id)
    name = _person(cat, by, MEMBER_ROLES, "may decide in an appraisal")
    if decision == "keep" and (keep_until is None or keep_until <= it["expired_year"]):
        raise UsageError(
            "--keep-until {year}: give a year after {expired}, when the period ran out",
            year=keep_until, expired=it["expired_year"],
        )  # fmt: skip
    if decision == "destroy":
        refuse_if_held(cat, cat.document(doc_id), "decided for destruction")
    values = {"decision": decision, "keep_until": keep_until if decision == "keep" else None,
              "reason": reason.strip(), "decided_by": name, "decided_at": now()}  # fmt: skip
    with cat.engine.begin() as conn:
        conn.execute(update(appraisal_items).where(
            appraisal_items.c.batch_id == batch_id, appraisal_items.c.document_id == doc_id).values(**values))  # fmt: skip
        cat.log(conn, "appraisal-decided", project=it["project_code"], document=doc_id, batch=batch_id,
                decision=decision, keep_until=values["keep_until"], reason=values["reason"], by=name)  # fmt: skip
    return _item(batch(cat, batch_id), doc_id)


@writes("appraise approve")
def approve(cat: Catalog, batch_id: int, *, by: str) -> dict:
    """A manager approves a fully decided batch: 延长 and 开放 take effect, 销毁 may be disposed."""
    b = batch(cat, batch_id)
    if b["status"] != "open":
        raise ConflictError("appraisal batch {batch_id} is already {status}", batch_id=batch_id, status=b["status"])
    name = _person(cat, by, APPROVER_ROLES, "may approve an appraisal")
    undecided = [str(it["document_id"]) for it in b["items"] if not it["decision"]]
    if undecided:
        raise ConflictError(
            "appraisal batch {batch_id}: no decision yet on document {documents}", batch_id=batch_id,
            documents=", ".join(undecided), fix=f"`dangan appraise decide {batch_id} DOC …` first",
        )  # fmt: skip
    for it in b["items"]:
        if it["decision"] == "destroy":
            refuse_if_held(cat, cat.document(it["document_id"]), "approved for destruction")
    stamp = now()
    with cat.engine.begin() as conn:
        for it in b["items"]:
            change = {"keep": {"keep_until": it["keep_until"]}, "open": {"opened_at": stamp}}.get(it["decision"])
            if change:
                conn.execute(update(documents).where(documents.c.id == it["document_id"]).values(**change))
        conn.execute(update(appraisal_batches).where(appraisal_batches.c.id == batch_id).values(
            status="approved", approved_by=name, approved_at=stamp))  # fmt: skip
        cat.log(conn, "appraisal-approved", batch=batch_id, by=name,
                decisions={str(it["document_id"]): it["decision"] for it in b["items"]})  # fmt: skip
    return batch(cat, batch_id)
