"""Placing documents by hand: the review queue, filing a reviewed document, refiling.

Every move goes vault first (link to the new path, then unlink the old), catalog second,
index third, and is written to the event log with where it came from.
"""

from __future__ import annotations

from dangan.archive import vault
from dangan.archive.catalog import Catalog, now
from dangan.archive.intake.ingest import file_document, vault_path
from dangan.archive.projects import get_project
from dangan.archive.searchsync import DISCARDED, index_documents
from dangan.indexer.errors import ConflictError, UsageError

__all__ = ["file_document", "review_queue", "file_reviewed", "refile"]


def review_queue(cat: Catalog) -> list[dict]:
    """Documents waiting for a person's decision, with the classifier's suggestions."""
    return cat.documents(status="review")


def file_reviewed(cat: Catalog, doc_id: int, *, project: str | None = None, item: str) -> dict:
    """Place a document from review under a project and item.

    Without ``project`` the project the review row already has (from the inbox folder or
    the text) is used.
    """
    doc = _not_trashed(cat.document(doc_id))
    if doc["status"] != "review":
        raise ConflictError(
            f"document {doc_id} is already filed as {doc['project_code']} {doc['item_code']}; "
            f"use `dangan refile {doc_id} --item ITEM` to move it"
        )
    project = project or doc["project_code"]
    if not project:
        raise UsageError(f"document {doc_id} has no project yet; give it: dangan file {doc_id} --project CODE --item ITEM")
    return _place(cat, doc, project, item, action="filed-by-hand")


def refile(cat: Catalog, doc_id: int, *, item: str, project: str | None = None) -> dict:
    """Move a filed document to another item (and optionally another project)."""
    doc = _not_trashed(cat.document(doc_id))
    if doc["status"] != "filed":
        raise ConflictError(f"document {doc_id} is waiting in review; use `dangan file {doc_id} --project CODE --item ITEM`")
    return _place(cat, doc, project or doc["project_code"], item, action="refiled")


def _not_trashed(doc: dict) -> dict:
    if doc["status"] == DISCARDED:
        raise ConflictError(f"document {doc['id']} is in the trash; `dangan restore {doc['id']}` brings it back first")
    return doc


def _place(cat: Catalog, doc: dict, project_code: str, item_key: str, *, action: str) -> dict:
    project = get_project(cat, project_code)
    it = project.item(item_key)
    person = project.person_for(it.role)
    day = doc["document_date"] or (doc["filed_at"].date() if doc["filed_at"] else now().date())
    new_rel = vault.move(cat.home.vault_dir, doc["vault_path"], vault_path(cat.home, project, it, day, doc["original_name"]))
    with cat.engine.begin() as conn:
        cat.update_document(
            conn, doc["id"], project_code=project.code, item_code=it.code, role=it.role, person=person,
            status="filed", vault_path=new_rel, confidence=1.0, suggestions=None,
        )
        cat.log(
            conn, action, project=project.code, document=doc["id"],
            before={
                "project": doc["project_code"], "item": doc["item_code"], "vault_path": doc["vault_path"],
                # the rest of what this decision changes, so `dangan undo` can put it back
                "status": doc["status"], "role": doc["role"], "person": doc["person"],
                "confidence": doc["confidence"], "suggestions": doc["suggestions"],
            },
            after={
                "project": project.code, "item": it.code, "person": person, "vault_path": new_rel,
                "status": "filed", "role": it.role, "confidence": 1.0, "suggestions": [],
            },
        )
    index_documents(cat, [doc["id"]])
    return cat.document(doc["id"])
