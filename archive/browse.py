"""Browsing without words: a project's filed documents by item and person, sorted by date.

A search with no words is not a search: the index has nothing to rank by.  The catalog
answers instead, with the same filters as a search (project, item, person, type, dates;
unknown ones are the same errors, from ``dangan.archive.searchrequest.resolve_filters``) and
the same window ("20 of 55"), sorted by the document's date (its filing date when it has
none), newest or oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from dangan.archive.catalog import Catalog, document_dict
from dangan.archive.openness import readable_by
from dangan.archive.projects import ProjectCache
from dangan.archive.schema import documents
from dangan.archive.searchrequest import SearchRequest, resolve_filters
from dangan.indexer.errors import UsageError
from dangan.indexer.filters import TYPE_MIME
from dangan.indexer.text import fold

SORTS = ("new", "old")  # newest first (the default), oldest first


@dataclass(frozen=True)
class BrowsePage:
    """One window of a project's documents and how many there are in all."""

    hits: list[dict]
    total: int
    offset: int
    limit: int

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


def browse(cat: Catalog, req: SearchRequest, *, sort: str = "new", role: str = "") -> BrowsePage:
    """Filed documents matching ``req``'s filters (its words are ignored), sorted by date;
    for a ``role`` that reads only open records (开放), only those."""
    if sort not in SORTS:
        raise UsageError("unknown order {sort}; use new or old", sort=sort)
    filters = resolve_filters(cat, req)
    q = select(documents).where(documents.c.status == "filed")
    if filters.project:
        q = q.where(documents.c.project_code == filters.project)
    if filters.item:
        q = q.where(documents.c.item_code == filters.item)
    with cat.engine.connect() as conn:
        rows = [document_dict(r) for r in conn.execute(q).mappings()]
    wanted_person = fold(filters.person) if filters.person else None
    mimes = TYPE_MIME.get(filters.type or "", ())
    rows = [
        d
        for d in rows
        if (not role or readable_by(role, d))
        and (wanted_person is None or fold(d["person"] or "") == wanted_person)
        and (not mimes or any(_is_type(d["mime_type"] or "", m) for m in mimes))
        and (filters.date_from is None or _day(d) >= filters.date_from)
        and (filters.date_to is None or _day(d) <= filters.date_to)
    ]
    rows.sort(key=lambda d: (_day(d), d["id"]), reverse=(sort == "new"))
    window = rows[req.offset : req.offset + req.limit]
    projects = ProjectCache(cat)
    return BrowsePage([_hit(projects, d) for d in window], len(rows), req.offset, req.limit)


def _is_type(mime: str, wanted: str) -> bool:
    return mime.startswith(wanted) if wanted.endswith("/") else mime == wanted


def _day(doc: dict) -> date:
    """The date a document is sorted and filtered by: its own date, else the day it was filed."""
    if doc["document_date"]:
        return doc["document_date"]
    filed = doc["filed_at"]
    return filed.date() if isinstance(filed, datetime) else date.min


def _hit(projects: ProjectCache, d: dict) -> dict:
    """A document as a result row shows it (the fields a search hit has)."""
    project = projects.get(d["project_code"])
    item = project.checklist.item(d["item_code"]) if project and d["item_code"] else None
    return {
        "id": d["id"], "title": d["title"], "original_name": d["original_name"], "project": d["project_code"] or "",
        "item_code": d["item_code"] or "", "item_title": item.title if item else "", "person": d["person"] or "",
        "document_date": d["document_date"], "filed_at": d["filed_at"], "snippet": "", "highlights": [],
        "mime_type": d["mime_type"],
    }  # fmt: skip
