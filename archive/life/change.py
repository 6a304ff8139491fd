"""One change to one document: vault move, catalog row and event, index — in that order.

The event records ``before`` and ``after`` with catalog column names, so
:mod:`dangan.archive.life.undo` can reverse any change by applying its ``before``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime
from sqlalchemy.exc import SQLAlchemyError

from dangan.archive import faults, vault
from dangan.archive.catalog import Catalog, as_date
from dangan.archive.life import journal
from dangan.archive.schema import documents
from dangan.archive.searchsync import DISCARDED, index_documents, queue_index_work, remove_from_index
from dangan.indexer.errors import (
    BusyError,
    ConflictError,
    DiskFullError,
    IndexDamagedError,
    UnknownDocumentError,
    disk_full,
)

# Older filing events name the project and item briefly; undo reads them as the columns.
ALIASES = {"project": "project_code", "item": "item_code"}


def apply_change(cat: Catalog, doc: dict, after: dict[str, Any], action: str, **detail) -> dict:
    """Set ``after`` (column → value) on ``doc``; move its file when ``vault_path`` changes.

    Returns the updated document.  Nothing changes (and nothing is logged) when every value
    is already what ``after`` asks for.  A file move is journaled (``dangan.archive.life.journal``):
    whatever moment the process is killed at, the next change, start or ``verify --repair``
    puts the file where the catalog says and brings the index up to date.
    """
    refuse_destroyed(doc)
    finish_moves(cat)  # a killed change before this one: finish or roll it back first
    after = {k: v for k, v in after.items() if values_differ(doc.get(k), v)}
    if not after:
        return doc
    before = {k: doc.get(k) for k in after}
    old_rel, root, vdir = doc["vault_path"], cat.home.root, cat.home.vault_dir
    if "vault_path" in after:
        after["vault_path"] = vault.free_rel(vdir, after["vault_path"])
        journal.begin(root, doc["id"], old_rel, after["vault_path"])
        vault.move_exact(vdir, old_rel, after["vault_path"])
    try:
        with cat.engine.begin() as conn:
            cat.update_document(conn, doc["id"], **_to_columns(after))
            cat.log(
                conn,
                action,
                project=after.get("project_code", doc["project_code"]),
                document=doc["id"],
                before=before,
                after=after,
                **detail,
            )
    except BaseException:
        if "vault_path" in after:  # the catalog still names the old path: put the file back
            vault.move_exact(vdir, after["vault_path"], old_rel)
            journal.end(root, doc["id"])
        raise
    faults.point("change-committed")
    sync_index(cat, doc["id"])
    journal.end(root, doc["id"])
    return cat.document(doc["id"])


def refuse_destroyed(doc: dict) -> None:
    """ConflictError (exit 7) for a destroyed record: its row is the record of a destruction."""
    if doc["status"] == "destroyed":  # dangan.archive.disposal
        raise ConflictError(
            "document {doc_id} was destroyed (已销毁) by an appraisal; its record cannot change", doc_id=doc["id"]
        )


def finish_moves(cat: Catalog) -> list[dict]:
    """Settle every move a killed change left half done: files go where the catalog says, the
    index follows, the intent is cleared.  Returns what was done (also logged)."""
    done = []
    for intent in journal.intents(cat.home.root):
        try:
            rel = cat.document(intent["document"])["vault_path"]
        except UnknownDocumentError:
            rel = None  # the row is gone (trash emptied): nothing to move
        outcome = journal.put_files_where_the_catalog_says(cat.home.vault_dir, intent, rel)
        if rel is not None:
            sync_index(cat, intent["document"])
        journal.end(cat.home.root, intent["document"])
        done.append({**intent, "outcome": outcome})
        with cat.engine.begin() as conn:
            cat.log(
                conn, "move-settled", document=intent["document"], old=intent["old"], new=intent["new"], outcome=outcome
            )
    return done


def sync_index(cat: Catalog, doc_id: int) -> None:
    """Index the document again, or drop it from the index while it is in the trash.

    The catalog change is committed already, so an index that cannot take it now (damaged,
    busy, a full disk) never undoes it or makes it look failed: the document waits in the
    index queue for the next holder of the index, ``verify --repair`` or ``reindex``.
    """
    try:
        if cat.document(doc_id)["status"] == DISCARDED:
            remove_from_index(cat, [doc_id])
        else:
            index_documents(cat, [doc_id])
    except (IndexDamagedError, BusyError, OSError) as e:
        try:
            queue_index_work(cat, [doc_id])
            with cat.engine.begin() as conn:
                cat.log(conn, "index-deferred", documents=[doc_id], error=str(e))
        except SQLAlchemyError as q:  # the catalog's disk is full too: say what is saved and what is not
            if disk_full(q, cat.home.root) is None:
                raise
            raise DiskFullError(
                f"disk full at {cat.home.root}: the change to document {doc_id} is saved, but the search index "
                "could not take it; free space and run dangan reindex"
            ) from q


def from_event(values: dict[str, Any]) -> dict[str, Any]:
    """An event's before/after dict (JSON) back as column values of the right types."""
    out = {}
    for key, value in values.items():
        column = ALIASES.get(key, key)
        if column not in documents.c:
            continue
        out[column] = _typed(column, value)
    return out


def _typed(column: str, value: Any) -> Any:
    if value is None:
        return None
    ctype = documents.c[column].type
    if isinstance(ctype, DateTime):
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if isinstance(ctype, Date):
        return as_date(value)
    return value


def _to_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Python values as the row stores them (suggestions are a JSON list in Text)."""
    out = dict(values)
    if "suggestions" in out:
        out["suggestions"] = json.dumps(out["suggestions"], ensure_ascii=False) if out["suggestions"] else None
    return out


def values_differ(old: Any, new: Any) -> bool:
    if isinstance(old, datetime) or isinstance(new, datetime):
        return str(old) != str(new)
    if isinstance(old, date) or isinstance(new, date):
        return str(old) != str(new)
    return old != new
