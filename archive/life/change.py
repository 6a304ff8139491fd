"""One change to one document: vault move, catalog row and event, index — in that order.

The event records ``before`` and ``after`` with catalog column names, so
:mod:`dangan.archive.life.undo` can reverse any change by applying its ``before``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime

from dangan.archive import vault
from dangan.archive.catalog import Catalog, as_date
from dangan.archive.schema import documents
from dangan.archive.searchsync import DISCARDED, index_documents, remove_from_index

# Older filing events name the project and item briefly; undo reads them as the columns.
ALIASES = {"project": "project_code", "item": "item_code"}


def apply_change(cat: Catalog, doc: dict, after: dict[str, Any], action: str, **detail) -> dict:
    """Set ``after`` (column → value) on ``doc``; move its file when ``vault_path`` changes.

    Returns the updated document.  Nothing changes (and nothing is logged) when every value
    is already what ``after`` asks for.
    """
    after = {k: v for k, v in after.items() if _differs(doc.get(k), v)}
    if not after:
        return doc
    before = {k: doc.get(k) for k in after}
    old_rel = doc["vault_path"]
    if "vault_path" in after:
        after["vault_path"] = vault.move(cat.home.vault_dir, old_rel, after["vault_path"])
    try:
        with cat.engine.begin() as conn:
            cat.update_document(conn, doc["id"], **_to_columns(after))
            cat.log(
                conn, action, project=after.get("project_code", doc["project_code"]), document=doc["id"],
                before=before, after=after, **detail,
            )
    except BaseException:
        if "vault_path" in after:  # the catalog still names the old path: put the file back
            vault.move(cat.home.vault_dir, after["vault_path"], old_rel)
        raise
    sync_index(cat, doc["id"])
    return cat.document(doc["id"])


def sync_index(cat: Catalog, doc_id: int) -> None:
    """Index the document again, or drop it from the index while it is in the trash."""
    if cat.document(doc_id)["status"] == DISCARDED:
        remove_from_index(cat, [doc_id])
    else:
        index_documents(cat, [doc_id])


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


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, datetime) or isinstance(new, datetime):
        return str(old) != str(new)
    if isinstance(old, date) or isinstance(new, date):
        return str(old) != str(new)
    return old != new
