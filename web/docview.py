"""One document as a person looks at it: its catalog row, text, history and stored file.

The web app's document page and downloads read through here.  A stored file is found only
from the catalog row of a document id: nothing a request says becomes a path, and a vault
path that would lead outside the vault (a damaged row) is refused, not followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException

from dangan.archive import thumbs
from dangan.archive.catalog import Catalog
from dangan.archive.intake.fields import INVOICE_LABELS
from dangan.archive.intake.pages import page_methods, summary
from dangan.archive.life.show import show
from dangan.archive.openness import require_readable, require_volume_readable, visible
from dangan.archive.projects import ProjectCache
from dangan.indexer.errors import NotFoundError, PermissionDeniedError, UnknownDocumentError, UnknownProjectError
from dangan.indexer.messages import say

PREVIEW_KINDS = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image", "image/gif": "image"}


@dataclass(frozen=True)
class StoredFile:
    """A document's file in the vault, ready to be sent: where, what type, the name to offer."""

    path: Path
    mime_type: str
    download_name: str


def public_document(doc: dict) -> dict:
    """A document as scripts read it (the catalog row without its crash-recovery marker)."""
    return {k: v for k, v in doc.items() if k != "inbox_path"}


def document_view(cat: Catalog, doc_id: int, role: str) -> dict:
    """Everything the document page shows to ``role``: row, item title, preview kind, text,
    history, the date candidates with why one was chosen, how each page's text was read, and
    the mail it came with or its attachments (those ``role`` may see)."""
    shown = show(cat, doc_id)
    reads = page_methods(cat, doc_id)
    doc = public_document(cat.document(doc_id))
    item_title = ""
    if doc["project_code"] and doc["item_code"]:
        try:
            item = ProjectCache(cat).require(doc["project_code"]).checklist.item(doc["item_code"])
            item_title = item.title if item else ""
        except UnknownProjectError:
            item_title = ""
    return {
        "document": doc,
        "item_title": item_title,
        "preview": PREVIEW_KINDS.get(doc["mime_type"], ""),
        # Page images drawn on the server (dangan.archive.thumbs); the page shows the first ones.
        "page_count": min(int(doc["pages"] or 1), thumbs.MAX_PAGES) if thumbs.previewable(doc["mime_type"]) else 0,
        "text": cat.text(doc_id),
        "events": shown["events"],
        "date_candidates": shown["date_candidates"],
        "date_reason": shown["date_reason"],
        "method_text": shown["method_text"],
        "page_reads": reads,
        "page_reads_summary": summary(reads),
        "from_mail": visible(cat, role, shown["from_mail"]),
        "invoice": [(INVOICE_LABELS[k], v) for k, v in shown["fields"].items() if k in INVOICE_LABELS],
        "attachments": visible(cat, role, shown["attachments"]),
    }


def readable(cat: Catalog, role: str, doc_id: int) -> None:
    """403 with the Chinese reason when ``role`` may not read the record (not 开放 to it)."""
    try:
        require_readable(cat, role, doc_id)
    except PermissionDeniedError as e:
        raise HTTPException(403, say(e)) from e


def volume_readable(cat: Catalog, role: str, volume_id: int) -> None:
    """403 with the Chinese reason when the volume holds a record ``role`` may not read."""
    try:
        require_volume_readable(cat, role, volume_id)
    except PermissionDeniedError as e:
        raise HTTPException(403, say(e)) from e


def stored_file(cat: Catalog, doc_id: int) -> StoredFile:
    """The vault file of document ``doc_id``; NotFoundError when the id or its file is missing."""
    doc = cat.document(doc_id)  # UnknownDocumentError for an id not in the catalog
    vault = cat.home.vault_dir.resolve()
    rel = doc["vault_path"] or ""
    path = (vault / rel).resolve()
    if not rel or not path.is_relative_to(vault) or not path.is_file():
        raise NotFoundError(
            "the file of document {doc_id} is not in the vault", doc_id=doc_id, fix="run `dangan verify`"
        )
    return StoredFile(
        path=path, mime_type=doc["mime_type"] or "application/octet-stream", download_name=doc["original_name"]
    )


__all__ = [
    "StoredFile", "document_view", "public_document", "readable", "stored_file", "volume_readable",
    "UnknownDocumentError",
]  # fmt: skip
