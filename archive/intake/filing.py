"""Placing documents by hand: the review queue, filing a reviewed document, refiling.

Every move is one :func:`dangan.archive.life.change.apply_change`: vault first (link to the new path,
then unlink the old), catalog second, index third, written to the event log with where it
came from — the same path an edit, a discard or an undo takes.
"""

from __future__ import annotations

from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.intake.ingest import file_document, vault_path
from dangan.archive.learning.live import after_decision
from dangan.archive.life.change import apply_change
from dangan.archive.projects import get_project
from dangan.archive.searchsync import DISCARDED
from dangan.indexer.errors import ConflictError, UsageError

__all__ = ["file_document", "review_queue", "file_reviewed", "refile"]


def review_queue(cat: Catalog) -> list[dict]:
    """Documents waiting for a person's decision, with the classifier's suggestions and the
    reason it gave for not filing each one (``reason``)."""
    docs = cat.documents(status="review")
    for d in docs:
        sent = [e for e in cat.events(document=d["id"]) if e["action"] == "to-review"]
        d["reason"] = (sent[-1]["detail"].get("reason") if sent else None) or ""
    return docs


@writes("file")
def file_reviewed(cat: Catalog, doc_id: int, *, project: str | None = None, item: str) -> dict:
    """Place a document from review under a project and item.

    Without ``project`` the project the review row already has (from the inbox folder or
    the text) is used.
    """
    doc = _not_trashed(cat.document(doc_id))
    if doc["status"] != "review":
        raise ConflictError(
            "document {doc_id} is already filed as {project} {item}",
            doc_id=doc_id, project=doc["project_code"], item=doc["item_code"],
            fix=f"use `dangan refile {doc_id} --item ITEM` to move it",
        )  # fmt: skip
    project = project or doc["project_code"]
    if not project:
        raise UsageError(
            "document {doc_id} has no project yet",
            doc_id=doc_id, fix=f"give it: dangan file {doc_id} --project CODE --item ITEM",
        )  # fmt: skip
    return _place(cat, doc, project, item, action="filed-by-hand")


@writes("refile")
def refile(cat: Catalog, doc_id: int, *, item: str, project: str | None = None) -> dict:
    """Move a filed document to another item (and optionally another project)."""
    doc = _not_trashed(cat.document(doc_id))
    if doc["status"] != "filed":
        raise ConflictError(
            "document {doc_id} is waiting in review",
            doc_id=doc_id, fix=f"use `dangan file {doc_id} --project CODE --item ITEM`",
        )  # fmt: skip
    return _place(cat, doc, project or doc["project_code"], item, action="refiled")


def _not_trashed(doc: dict) -> dict:
    if doc["status"] == DISCARDED:
        raise ConflictError("document {doc_id} is in the trash", doc_id=doc["id"],
                            fix=f"`dangan restore {doc['id']}` brings it back first")  # fmt: skip
    return doc


def _place(cat: Catalog, doc: dict, project_code: str, item_key: str, *, action: str) -> dict:
    """Put ``doc`` under the project's item: one :func:`apply_change` (file moved back if the
    catalog write fails), logged with every column it changed so ``dangan undo`` can reverse it."""
    project = get_project(cat, project_code)
    it = project.item(item_key)
    day = doc["document_date"] or (doc["filed_at"].date() if doc["filed_at"] else now().date())
    after: dict[str, object] = {
        "project_code": project.code, "item_code": it.code, "role": it.role, "person": project.person_for(it.role),
        "status": "filed", "vault_path": vault_path(cat.home, project, it, day, doc["original_name"]),
        "confidence": 1.0, "suggestions": [],
    }  # fmt: skip
    placed = apply_change(cat, doc, after, action)
    after_decision(cat)  # every N decisions the learned model retrains, in another process
    return placed
