"""The trash: discarding a document keeps every byte under ``vault/_trash/`` until emptied.

A discarded document leaves review, check, registers, the catalog tree and search, but its
catalog row stays (status ``discarded``), its file moves to ``vault/_trash/<id>/`` (so
``verify`` still hashes it) and it remembers where it was, so :func:`restore` puts it back
exactly, into its old place in its volume too while that volume is still a draft.
:func:`empty_trash` is the only code that removes a stored file; it logs each one with its
SHA-256 and name, then drops the row so the same file can be ingested again.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import PurePosixPath

from sqlalchemy import delete, select

from dangan.archive import vault
from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.intake.attachments import forget_links
from dangan.archive.life.change import DISCARDED, apply_change, refuse_destroyed
from dangan.archive.onloan import document_tied
from dangan.archive.retention import hold_on
from dangan.archive.schema import document_texts, documents, events, volume_documents, volumes
from dangan.archive.thumbs import forget_pictures
from dangan.archive.volumes.edit import leave_volume, renumber, volume_of
from dangan.indexer.errors import ConflictError, UsageError
from dangan.indexer.messages import Message

TRASH_DIR = "_trash"
_AGE = re.compile(r"^\s*(\d+)\s*([dhw]?)\s*$")


@writes("discard")
def discard(cat: Catalog, doc_id: int, *, reason: str) -> dict:
    """Move a document (filed or in review) into the trash, with the reason."""
    if not (reason or "").strip():
        raise UsageError("document {doc_id}: say why it is discarded with --reason", doc_id=doc_id)
    doc = cat.document(doc_id)
    refuse_destroyed(doc)
    if doc["status"] == DISCARDED:
        raise ConflictError("document {doc_id} is already in the trash", doc_id=doc_id,
                            fix=f"`dangan restore {doc_id}` brings it back")  # fmt: skip
    held_in = volume_of(cat, doc_id)
    if held_in is not None and held_in.sealed:  # its 件号 and 页次 are frozen on paper
        raise ConflictError(
            "document {doc_id} is in sealed volume {volume} of {project}; unseal it before discarding the document",
            doc_id=doc_id, volume=held_in.sequence, project=held_in.project,
            fix=f"`dangan volume unseal {held_in.project} {held_in.sequence} --reason …`",
        )  # fmt: skip
    name = PurePosixPath(doc["vault_path"]).name
    after = {
        "status": DISCARDED,
        "vault_path": f"{TRASH_DIR}/{doc_id}/{name}",
        "discarded_at": now(),
        "discard_reason": reason.strip(),
        "restore_path": doc["vault_path"],
        "restore_status": doc["status"],
    }
    changed = apply_change(cat, doc, after, "discarded", reason=reason.strip())
    leave_volumes(cat, changed)
    return changed


def leave_volumes(cat: Catalog, doc: dict) -> None:
    """A discarded document leaves its (draft) volume, so the volume lists only what is kept
    and ``trash empty`` can drop the row; :func:`restore` puts it back while the volume is a draft."""
    with cat.engine.begin() as conn:
        was = leave_volume(conn, cat, doc["id"])
        if was:
            cat.log(conn, "volume-left", project=doc["project_code"], document=doc["id"], **was)


@writes("restore")
def restore(cat: Catalog, doc_id: int, *, action: str = "restored", **detail) -> dict:
    """Bring a discarded document back to where and what it was; ``volume_note`` in the result
    says whether it went back into its volume (:func:`back_into_volume`)."""
    doc = cat.document(doc_id)
    if doc["status"] != DISCARDED:
        raise ConflictError("document {doc_id} is not in the trash (it is {status}); nothing to restore",
                            doc_id=doc_id, status=doc["status"])  # fmt: skip
    after = {
        "status": doc["restore_status"] or "review",
        "vault_path": doc["restore_path"],
        "discarded_at": None,
        "discard_reason": None,
        "restore_path": None,
        "restore_status": None,
    }
    restored = apply_change(cat, doc, after, action, **detail)
    return {**restored, "volume_note": back_into_volume(cat, restored)}


def _left_volume(cat: Catalog, doc_id: int) -> dict | None:
    """Where the document's last discard took it out of a volume (the ``volume-left`` event's
    detail, and ``event``: its id), or None."""
    history = cat.events(document=doc_id)
    last = max((i for i, e in enumerate(history) if e["action"] == "discarded"), default=None)
    if last is None:
        return None
    left = [{**e["detail"], "event": e["id"]} for e in history[last + 1 :] if e["action"] == "volume-left"]
    return left[-1] if left else None  # the last: an undone restore took it out again


def back_into_volume(cat: Catalog, doc: dict) -> Message | None:
    """Put a restored document back at its old 件号 in the volume its discard took it out of, when
    that volume is still a draft (renumbered, as discard renumbered it); a sealed volume's numbers
    are frozen on paper, so the document then stays outside any volume.  Says which, or None when
    the document was in no volume."""
    was = _left_volume(cat, doc["id"]) if doc["status"] == "filed" else None
    if was is None:
        return None
    code, sequence = doc["project_code"], was["volume"]
    key = volumes.c.id == was["volume_id"] if "volume_id" in was else volumes.c.sequence == sequence
    with cat.engine.begin() as conn:
        row = conn.execute(select(volumes.c.id, volumes.c.status).where(key, volumes.c.project_code == code)).first()
        # Planned again since it left: a new volume, maybe under the old id (SQLite reuses ids).
        # Event ids order the two; timestamps of the same second would not.
        replanned = select(events.c.id).where(
            events.c.project_code == code, events.c.action == "volumes-planned", events.c.id > was["event"]
        )
        if row is None or conn.execute(replanned.limit(1)).first() is not None:
            return Message("document {doc_id} is in no volume now: volume {volume} of {project}, which it left, "
                           "was replaced when the volumes were planned again",
                           {"doc_id": doc["id"], "volume": sequence, "project": code},
                           fix="`dangan volume move` puts it into a draft volume")  # fmt: skip
        if row.status == "sealed":
            return Message("document {doc_id} is in no volume now: volume {volume} of {project} was sealed since "
                           "it left", {"doc_id": doc["id"], "volume": sequence, "project": code},
                           fix=f"unseal it and `dangan volume move {doc['id']} --to {sequence}`")  # fmt: skip
        rest = select(volume_documents.c.document_id).where(volume_documents.c.volume_id == row.id)
        order = [r[0] for r in conn.execute(rest.order_by(volume_documents.c.position))]
        piece = min(max(int(was["piece"]), 1), len(order) + 1)
        renumber(conn, cat, row.id, order[: piece - 1] + [doc["id"]] + order[piece - 1 :])
        cat.log(conn, "volume-rejoined", project=code, document=doc["id"], volume=sequence, piece=piece)
    return Message("document {doc_id} is back in volume {volume} of {project} as piece {piece}",
                   {"doc_id": doc["id"], "volume": sequence, "project": code, "piece": piece})  # fmt: skip


def trash_list(cat: Catalog) -> list[dict]:
    """Discarded documents, oldest discard first."""
    docs = cat.documents(status=DISCARDED)
    return sorted(docs, key=lambda d: (d["discarded_at"] or now(), d["id"]))


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w`` or a bare number of days."""
    m = _AGE.match(text or "")
    if not m:
        raise UsageError(f"--older-than {text!r}: give an age like 30d, 12h or 2w")
    n, unit = int(m[1]), m[2] or "d"
    return {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]


@writes("trash empty")
def empty_trash(cat: Catalog, *, older_than: timedelta) -> list[dict]:
    """Remove the files and rows of documents discarded longer ago than ``older_than``.

    Each removal is its own transaction with an event naming the SHA-256, the original
    name and the reason, so the log says what was removed and why, for good.
    """
    cutoff = now() - older_than
    gone = []
    for doc in trash_list(cat):
        if doc["discarded_at"] is None or doc["discarded_at"] > cutoff:
            continue
        if hold_on(cat, doc):  # a held record stays in the trash until the hold is released
            continue
        with cat.engine.begin() as conn:
            if document_tied(conn, doc["id"]):  # its loans are history and its place is on paper: kept
                continue
            forget_links(conn, doc["id"])  # its "from mail" rows and read fields go with it
            was = leave_volume(conn, cat, doc["id"])  # discarded before discard took it out of its volume
            conn.execute(delete(document_texts).where(document_texts.c.document_id == doc["id"]))
            conn.execute(delete(documents).where(documents.c.id == doc["id"]))
            cat.log(
                conn,
                "trash-emptied",
                project=doc["project_code"],
                document=doc["id"],
                sha256=doc["sha256"],
                original_name=doc["original_name"],
                title=doc["title"],
                vault_path=doc["vault_path"],
                reason=doc["discard_reason"],
                discarded_at=doc["discarded_at"],
                volume=was,
            )
        remove_stored_file(cat, doc["vault_path"], doc["sha256"])
        gone.append(doc)
    return gone


def remove_stored_file(cat: Catalog, rel: str, sha256: str = "") -> None:
    """Delete a stored file after its row is gone or changed (a leftover would only be an orphan),
    and with ``sha256`` its page pictures: what is removed for good leaves no image behind."""
    path = cat.home.vault_dir / rel
    path.unlink(missing_ok=True)
    vault.prune_empty(path.parent, cat.home.vault_dir)
    if sha256:
        forget_pictures(cat, sha256)
