"""Undo: reverse the last filing decision (file, refile, edit, discard, restore) from the log.

Each such event records ``before`` and ``after``; undoing applies ``before`` again (moving the
file back when its path changed) and logs an ``undone`` event naming the event it reverses.
Undoing twice walks further back; an event whose document has changed since is refused
rather than overwriting the later change.
"""

from __future__ import annotations

from dangan.archive.catalog import Catalog
from dangan.archive.dblock import writes
from dangan.archive.life.change import apply_change, from_event, values_differ
from dangan.archive.life.trash import back_into_volume, leave_volumes
from dangan.indexer.errors import ConflictError, NotFoundError

UNDOABLE = ("filed-by-hand", "refiled", "edited", "discarded", "restored")


@writes("undo")
def undo(cat: Catalog, event_id: int | None = None) -> tuple[dict, dict]:
    """Reverse one decision; return (the event undone, the document as it is now)."""
    history = cat.events()
    undone = {e["detail"].get("undoes") for e in history if e["action"] == "undone"}
    if event_id is None:
        ev = next((e for e in reversed(history) if e["action"] in UNDOABLE and e["id"] not in undone), None)
        if ev is None:
            raise NotFoundError("nothing to undo: no file, refile, edit, discard or restore in the event log")
    else:
        ev = _check_undoable(next((e for e in history if e["id"] == event_id), None), event_id, undone)
    doc = cat.document(ev["document_id"])
    _check_unchanged(ev, doc)
    after = from_event(ev["detail"].get("before", {}))
    now_doc = apply_change(cat, doc, after, "undone", undoes=ev["id"], undid_action=ev["action"])
    if ev["action"] == "discarded":  # back in the trash's way: into its draft volume again
        now_doc = {**now_doc, "volume_note": back_into_volume(cat, now_doc)}
    elif ev["action"] == "restored":  # in the trash again: out of its volume, as discard does
        leave_volumes(cat, now_doc)
    return ev, now_doc


def _check_undoable(ev: dict | None, event_id: int, undone: set) -> dict:
    if ev is None:
        raise NotFoundError(f"no event {event_id} in the log; `dangan show DOC_ID` lists a document's events")
    if ev["action"] not in UNDOABLE:
        raise ConflictError(
            f"event {event_id} ({ev['action']}) is not a filing decision; only {', '.join(UNDOABLE)} can be undone"
        )
    if event_id in undone:
        raise ConflictError(f"event {event_id} ({ev['action']}) was already undone")
    return ev


def _check_unchanged(ev: dict, doc: dict) -> None:
    """Refuse when the document no longer looks as the event left it."""
    after = from_event(ev["detail"].get("after", {}))
    changed = sorted(k for k, v in after.items() if values_differ(doc.get(k), v))
    if changed:
        raise ConflictError(
            f"document {doc['id']} changed after event {ev['id']} ({', '.join(changed)}); undo the later events first"
        )
