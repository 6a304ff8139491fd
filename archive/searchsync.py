"""Keeping the derived Whoosh index in step with the catalog.

The catalog is the truth; these functions turn catalog rows into index documents and push
them (in batches: one index commit per call, never one per file), and compare the two.

The index has one writer at a time: the station holding the index lock (``dangan.archive.dblock``;
with SQLite, whoever holds the writer lock).  A station that cannot get it queues its
document ids in ``index_queue``; the next holder drains the queue along with its own work,
and ``rebuild_index`` (``dangan reindex``) empties it.
"""

from __future__ import annotations

import os
import socket
from typing import Callable, Iterable, Iterator

from sqlalchemy import delete, func, insert, select

from dangan.archive.catalog import Catalog, chunks, now
from dangan.archive.dblock import index_lock, writes
from dangan.archive.projects import ProjectCache
from dangan.archive.schema import documents, index_queue
from dangan.indexer import engines, generations
from dangan.indexer.errors import IndexDamagedError
from dangan.indexer.fsutil import set_aside_non_folder
from dangan.indexer.index import SearchIndex

DISCARDED = "discarded"  # status of a document in the trash (dangan.archive.life.trash)
UNSEARCHABLE = (DISCARDED, "destroyed")  # the trash, and records disposed of (dangan.archive.disposal)
STATION = f"{socket.gethostname()}:{os.getpid()}"


def open_index(cat: Catalog):
    """The home's search index (a new one made with the engine dangan.toml names)."""
    return SearchIndex(cat.home.index_dir, engine=configured_engine(cat))


def configured_engine(cat: Catalog) -> str | None:
    """What ``[index] engine`` in dangan.toml names (ConfigError if it is no engine), else None."""
    return engines.configured(cat.home.config, cat.home.config_path)


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
        if doc["status"] in UNSEARCHABLE:
            continue  # the trash and destroyed records are not searchable
        if ids is None or doc["id"] in ids:
            yield index_doc(doc, content, projects)


def index_documents(cat: Catalog, ids: Iterable[int], *, batch: int = 200, wait: float = 0.0) -> int:
    """(Re)index the given catalog documents (and any queued by other stations) if this
    station can hold the index; otherwise queue them for the holder and return 0.

    With ``wait`` the station waits up to that long for the index instead of queueing.
    """
    wanted = set(ids)
    with index_lock(cat, wait=wait) as owner:
        if not owner:
            queue_index_work(cat, wanted)
            return 0
        queued, rows = queued_index_work(cat)
        try:
            done = _index_now(cat, wanted | queued, batch)
        except IndexDamagedError:
            # Filing goes on: the work waits in the queue until `verify --repair` (or
            # `reindex`) rebuilds the index from the catalog, which empties the queue.
            queue_index_work(cat, wanted - queued)
            raise
        _forget_queued(cat, rows, documents=sorted(queued))
        return done


def drain_index_queue(cat: Catalog, *, wait: float = 0.0) -> int:
    """Index what other stations queued, if this station can hold the index now (or within
    ``wait`` seconds)."""
    return index_documents(cat, (), wait=wait)


def queue_index_work(cat: Catalog, ids: Iterable[int]) -> None:
    """Leave documents for the station that holds the index (one transaction)."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    at = now()
    with cat.engine.begin() as conn:
        conn.execute(insert(index_queue), [{"document_id": i, "queued_at": at, "station": STATION} for i in wanted])
        cat.log(conn, "index-queued", documents=wanted, station=STATION)


def queued_index_work(cat: Catalog) -> tuple[set[int], list[int]]:
    """(ids of queued documents still in the catalog, the queue rows read).

    Rows are later deleted by their own ids, never by "up to the highest id": a station's
    row with a lower id may commit after a higher one was read, and must not be lost.
    """
    q = select(index_queue.c.id, documents.c.id.label("doc")).join(
        documents, documents.c.id == index_queue.c.document_id, isouter=True
    )
    with cat.engine.connect() as conn:
        rows = conn.execute(q).all()
    return {r.doc for r in rows if r.doc is not None}, [r.id for r in rows]


def _forget_queued(cat: Catalog, rows: list[int], **detail) -> None:
    """Delete queue rows that were indexed (one transaction, logged)."""
    if not rows:
        return
    with cat.engine.begin() as conn:
        for part in chunks(rows, 500):
            conn.execute(delete(index_queue).where(index_queue.c.id.in_(part)))
        cat.log(conn, "index-drained", station=STATION, **detail)


def _index_now(cat: Catalog, ids: set[int], batch: int) -> int:
    """Write documents into the index; one index commit per batch."""
    wanted = sorted(ids)
    if not wanted:
        return 0
    projects = ProjectCache(cat)
    docs = [cat.document(i) for i in wanted]
    # Queued work may name a document discarded since: the trash is never searchable.
    gone = [d["id"] for d in docs if d["status"] in UNSEARCHABLE]
    index = open_index(cat)
    try:
        if gone:
            index.delete(gone)
        return index.add(index_doc(d, cat.text(d["id"]), projects) for d in docs if d["status"] not in UNSEARCHABLE)
    finally:
        index.close()


def remove_from_index(cat: Catalog, ids: Iterable[int]) -> int:
    """Drop documents from the index (e.g. after a deletion), as the index's one writer."""
    with index_lock(cat, wait=30.0):
        index = open_index(cat)
        try:
            return index.delete(list(ids))
        finally:
            index.close()


@writes("reindex")
def rebuild_index(cat: Catalog, progress: Callable[[int], None] | None = None, engine: str | None = None) -> int:
    """Rebuild the whole index from the catalog beside the old one, swapping at the end;
    the queue of pending index work is emptied (the rebuild covers it).  ``engine`` builds
    with that engine and records it in dangan.toml once the new index is in use; None: the
    engine dangan.toml names, else the current index's."""
    chosen = engine or configured_engine(cat)
    with index_lock(cat, wait=30.0):
        _, rows = queued_index_work(cat)  # read before the rebuild reads the catalog
        moved = set_aside_non_folder(cat.home.index_dir)
        if moved is not None:
            with cat.engine.begin() as conn:
                cat.log(conn, "index-set-aside", moved_to=str(moved), reason="the index was not a folder")
        index = open_index(cat)
        try:
            n = index.rebuild(iter_index_docs(cat), progress=progress, engine=chosen)
        finally:
            index.close()
        if engine is not None and engine != configured_engine(cat):
            engines.record(cat.home.config_path, engine)
            cat.home.config.setdefault("index", {})["engine"] = engine
        _forget_queued(cat, rows, rebuilt=True)
        return n


@writes("reindex --optimize")
def optimize_index(cat: Catalog) -> int:
    """Merge the index into one segment, as the index's one writer; return how many segments it had."""
    with index_lock(cat, wait=30.0):
        index = open_index(cat)
        try:
            return index.optimize()
        finally:
            index.close()


def index_difference(cat: Catalog) -> tuple[set[int], set[int]]:
    """(ids in the catalog but not the index, ids in the index but not the catalog)."""
    with cat.engine.connect() as conn:
        in_catalog = {r[0] for r in conn.execute(select(documents.c.id).where(documents.c.status.not_in(UNSEARCHABLE)))}
    index = open_index(cat)
    try:
        in_index = index.ids()
    finally:
        index.close()
    return in_catalog - in_index, in_index - in_catalog


def index_fold_stale(cat: Catalog) -> bool:
    """Whether the home's index was built by an older text fold: it misses the spellings
    folded since (Taiwan 紀錄 for 记录) until it is rebuilt."""
    return generations.stale_fold(cat.home.index_dir)


def check_index_usable(cat: Catalog) -> None:
    """IndexDamagedError when the index holds nothing while the catalog has searchable
    documents: "no documents match" would then be a wrong answer, not an empty result."""
    index = open_index(cat)
    try:
        if index.count():
            return
    finally:
        index.close()
    with cat.engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(documents).where(documents.c.status.not_in(UNSEARCHABLE))
        ).scalar()
    if n:
        raise IndexDamagedError(
            f"the search index holds none of the {n} document(s) in the catalog, so a search cannot answer; "
            "run dangan verify --repair"
        )
