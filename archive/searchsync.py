"""Keeping the derived Whoosh index in step with the catalog.

The catalog is the truth; these functions turn catalog rows into index documents and push
them (in batches: one index commit per call, never one per file), and compare the two.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from sqlalchemy import select

from archive.catalog import Catalog
from archive.projects import ProjectCache
from archive.schema import documents
from indexer.index import SearchIndex


def open_index(cat: Catalog):
    """The home's search index."""
    return SearchIndex(cat.home.index_dir)


def index_doc(doc: dict, content: str, projects: ProjectCache) -> dict:
    """The index's view of one catalog document."""
    project = projects.get(doc["project_code"])
    item = project.checklist.item(doc["item_code"]) if project and doc["item_code"] else None
    return {
        "id": doc["id"],
        "title": doc["title"] or "",
        "content": content or "",
        "original_name": doc["original_name"] or "",
        "project": doc["project_code"] or "",
        "project_name": project.name if project else "",
        "item_code": doc["item_code"] or "",
        "item_title": item.title if item else "",
        "group": item.group if item else "",
        "person": doc["person"] or "",
        "role": doc["role"] or "",
        "mime_type": doc["mime_type"] or "",
        "document_date": doc["document_date"],
        "filed_at": doc["filed_at"],
        "pages": doc["pages"] or 0,
        "vault_path": doc["vault_path"] or "",
    }


def iter_index_docs(cat: Catalog, ids: set[int] | None = None) -> Iterator[dict]:
    """Catalog documents as index documents, streamed in batches (bounded memory)."""
    projects = ProjectCache(cat)
    for doc, content in cat.iter_documents_with_text():
        if ids is None or doc["id"] in ids:
            yield index_doc(doc, content, projects)


def index_documents(cat: Catalog, ids: Iterable[int]) -> int:
    """(Re)index the given catalog documents in one index commit.

    Documents are read from the catalog as the writer takes them, and Whoosh's writer pool
    spills to disk past its memory limit, so a large call stays bounded in memory.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    projects = ProjectCache(cat)
    index = open_index(cat)
    try:
        return index.add(index_doc(cat.document(i), cat.text(i), projects) for i in wanted)
    finally:
        index.close()


def remove_from_index(cat: Catalog, ids: Iterable[int]) -> int:
    """Drop documents from the index (e.g. after a deletion)."""
    index = open_index(cat)
    try:
        return index.delete(list(ids))
    finally:
        index.close()


def rebuild_index(cat: Catalog, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the catalog beside the old one, swapping at the end."""
    index = open_index(cat)
    try:
        return index.rebuild(iter_index_docs(cat), progress=progress)
    finally:
        index.close()


def optimize_index(cat: Catalog) -> int:
    """Merge the index into one segment; return how many segments it had."""
    index = open_index(cat)
    try:
        return index.optimize()
    finally:
        index.close()


def index_difference(cat: Catalog) -> tuple[set[int], set[int]]:
    """(ids in the catalog but not the index, ids in the index but not the catalog)."""
    with cat.engine.connect() as conn:
        in_catalog = {r[0] for r in conn.execute(select(documents.c.id))}
    index = open_index(cat)
    try:
        in_index = index.ids()
    finally:
        index.close()
    return in_catalog - in_index, in_index - in_catalog
