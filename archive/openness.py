"""开放 and 控制: which records a reader of the lowest role may see.

A record is 开放 (open) once an approved appraisal decided to open it (``documents.opened_at``,
set by :func:`dangan.archive.appraisal.approve`); every other record is 控制 (controlled).  The
lowest role, ``reader`` (公开查阅, an outside or public reader), reads only open records: its searches leave the others out (the total
counts only what it may see), and a controlled record's page, file and volume PDF are refused.
Every list of records a page shows goes through :func:`visible`; what sums up every record
(completeness, deadlines, statistics…) is not for it at all (:func:`sees_whole`, the ``whole``
permission of :mod:`dangan.archive.users`).  Every other role reads everything, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, Iterable, TypeVar

from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.schema import documents, volume_documents
from dangan.archive.searchrequest import SearchPage, SearchRequest, resolve_filters
from dangan.indexer.errors import PermissionDeniedError
from dangan.indexer.filters import Filters
from dangan.indexer.index import SearchIndex

OPEN_ONLY_ROLES = ("reader",)  # roles that read only 开放 records (公开查阅)
T = TypeVar("T")


def open_only(role: str) -> bool:
    """Whether ``role`` reads only 开放 records."""
    return role in OPEN_ONLY_ROLES


def is_open(doc: dict) -> bool:
    """Whether an appraisal opened the record (开放)."""
    return doc.get("opened_at") is not None


def readable_by(role: str, doc: dict) -> bool:
    """Whether ``role`` may read ``doc`` (a reader: only a record an appraisal opened)."""
    return not open_only(role) or is_open(doc)


def open_ids(cat: Catalog) -> set[int]:
    """Ids of the filed records an appraisal opened."""
    with cat.engine.connect() as conn:
        q = select(documents.c.id).where(documents.c.opened_at.is_not(None), documents.c.status == "filed")
        return {r[0] for r in conn.execute(q)}


def sees_whole(role: str) -> bool:
    """Whether ``role`` may look at what sums up every record (completeness, deadlines,
    customers, statistics, lending and locations, registers, the 四性检测, the catalog tree):
    those name or count controlled records by their nature, so a reader of open records only may not."""
    return not open_only(role)


def visible(cat: Catalog, role: str, things: Iterable[T]) -> list[T]:
    """Of ``things``, what ``role`` may see: the one filter every list of records a page shows goes through.

    ``things`` are document rows (dicts with an ``id``), document ids, or volumes (with
    ``entries`` carrying ``document_id``).  Every role but the public reader sees them all.
    The reader sees the open records (开放, filed) and only the volumes made wholly of them
    (as with a volume's PDF, :func:`require_volume_readable`): a controlled record's title,
    file name, id, 件号 or page count is never listed to it, nor counted in a volume it sees.
    """
    if not open_only(role):
        return list(things)
    allowed = open_ids(cat)
    return [t for t in things if _record_ids(t) <= allowed]


def _record_ids(thing: Any) -> set[int]:
    """The ids of the records ``thing`` shows: a document id, a row's ``id``, a volume's entries."""
    if isinstance(thing, int):
        return {thing}
    if isinstance(thing, dict):
        return {int(thing["id"])}
    entries = getattr(thing, "entries", None)
    if entries is None:
        raise TypeError(f"cannot tell which records a {type(thing).__name__} shows")
    return {int(e.document_id) for e in entries}


def require_readable(cat: Catalog, role: str, doc_id: int) -> dict:
    """The document if ``role`` may read it; PermissionDeniedError for a controlled record."""
    doc = cat.document(doc_id)
    if not readable_by(role, doc):
        raise PermissionDeniedError(
            "document {doc_id} is not open (开放); a public reader (公开查阅) reads only records an appraisal opened",
            doc_id=doc_id, fix="`dangan appraise` opens records",
        )  # fmt: skip
    return doc


def require_volume_readable(cat: Catalog, role: str, volume_id: int) -> None:
    """PermissionDeniedError when ``role`` reads only open records and the volume holds another."""
    if not open_only(role):
        return
    with cat.engine.connect() as conn:
        q = select(volume_documents.c.document_id).where(volume_documents.c.volume_id == volume_id)
        members = {r[0] for r in conn.execute(q)}
    closed = sorted(members - open_ids(cat))
    if closed:
        raise PermissionDeniedError(
            "volume id {volume_id} holds document {doc_id}, which is not open (开放); "
            "a public reader (公开查阅) reads only records an appraisal opened",
            volume_id=volume_id, doc_id=closed[0],
        )  # fmt: skip


@dataclass(frozen=True)
class OpenFilters(Filters):
    """The request's filters, and only these document ids (the open records)."""

    ids: frozenset[int] = frozenset()

    def clauses(self) -> list:
        """The filters AND one of the ids (every engine), so the index ranks and counts only open records."""
        return [*super().clauses(), ("ids", self.ids)]


def search_for(
    role: str, req: SearchRequest, index: SearchIndex | Callable[[], SearchIndex], cat: Catalog
) -> SearchPage | None:
    """The window of ``req`` among the open records, for a role that reads only those; None
    for any other role (the caller runs the plain search).

    The index is asked with the open ids as a filter, so its total and pages count only open
    records.  Every hit is checked again: should an index ignore the id filter, the whole
    ranking is read and filtered here instead, so a controlled record is never shown.
    """
    if not open_only(role):
        return None
    filters = resolve_filters(cat, req)
    allowed = open_ids(cat)
    if not allowed:
        return SearchPage([], 0, req.offset, req.limit, filters)
    ix = index() if callable(index) else index
    narrowed = OpenFilters(**{f.name: getattr(filters, f.name) for f in fields(Filters)}, ids=frozenset(allowed))
    hits, total = ix.search_window(req.query, narrowed, offset=req.offset, limit=req.limit)
    if all(h.id in allowed for h in hits):
        return SearchPage(hits, total, req.offset, req.limit, filters, ix.answered_by)
    _, total = ix.search_window(req.query, filters, offset=0, limit=1)
    every, _ = ix.search_window(req.query, filters, offset=0, limit=max(total, 1))
    kept = [h for h in every if h.id in allowed]
    page = kept[req.offset : req.offset + req.limit]
    return SearchPage(page, len(kept), req.offset, req.limit, filters, ix.answered_by)
