"""Correcting a document's catalog metadata: title, date, 文件编号, 责任者, remarks, pages,
保管期限 and 密级.

One edit is one event with the old and new value of every field it changed.  A new date
renames the vault file (the name starts with the date) through the same no-clobber move
filing uses, and the index follows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangan.archive.catalog import Catalog
from dangan.archive.days import parse_day
from dangan.archive.dblock import writes
from dangan.archive.intake.ingest import vault_path
from dangan.archive.life.change import DISCARDED, apply_change
from dangan.archive.projects import get_project
from dangan.indexer.errors import ConflictError, UsageError

RETENTIONS = ("永久", "长期", "短期", "Y", "D30", "D10")
SECRECY = ("公开", "秘密", "机密", "绝密")
# option name → catalog column
FIELDS = {
    "title": "title",
    "date": "document_date",
    "number": "doc_number",
    "author": "author",
    "remarks": "remarks",
    "pages": "pages",
    "retention": "retention",
    "secrecy": "secrecy",
}


@writes("edit")
def edit(cat: Catalog, doc_id: int, **changes: Any) -> dict:
    """Apply the given corrections (None = leave as is; "" clears a free-text field)."""
    doc = cat.document(doc_id)
    if doc["status"] == DISCARDED:
        raise ConflictError("document {doc_id} is in the trash", doc_id=doc_id,
                            fix=f"`dangan restore {doc_id}` before editing it")  # fmt: skip
    after = {FIELDS[k]: _validate(doc_id, k, v) for k, v in changes.items() if v is not None}
    if not after:
        raise UsageError(
            "document {doc_id}: nothing to change",
            doc_id=doc_id,
            fix="give --title, --date, --number, --author, --remarks, --pages, --retention or --secrecy",
        )
    if "document_date" in after:
        after["vault_path"] = _dated_path(cat, doc, after["document_date"])
    return apply_change(cat, doc, after, "edited")


@writes("edit")
def edit_changed(cat: Catalog, doc_id: int, values: dict[str, str]) -> dict:
    """Apply a whole edit form (option name → text): only the fields whose text differs from
    the catalog change; a form sent back unchanged changes nothing and logs nothing."""
    doc = cat.document(doc_id)
    changed = {}
    for key, text in values.items():
        if key not in FIELDS:
            raise UsageError("document {doc_id}: {key!r} is not a field that can be edited; use {fields}",
                             doc_id=doc_id, key=key, fields=", ".join(FIELDS))  # fmt: skip
        current = doc[FIELDS[key]]
        if (text or "").strip() != ("" if current is None else str(current)):
            changed[key] = text or ""
    return edit(cat, doc_id, **changed) if changed else doc


def _validate(doc_id: int, key: str, value: Any) -> Any:
    text = str(value).strip()
    if key == "title" and not text:
        raise UsageError("document {doc_id}: --title cannot be empty", doc_id=doc_id)
    if key == "date":
        return parse_day(text, f"document {doc_id}: --date")
    if key == "pages":
        if not text.isdigit() or int(text) < 1:
            raise UsageError("document {doc_id}: --pages {value!r} is not a page count; give a whole number from 1",
                             doc_id=doc_id, value=value)  # fmt: skip
        return int(text)
    if key == "retention" and text and text not in RETENTIONS:
        raise UsageError(
            "document {doc_id}: --retention {text!r} is not a 保管期限; use 永久, 长期, 短期 (or Y, D30, D10)",
            doc_id=doc_id, text=text,
        )  # fmt: skip
    if key == "secrecy" and text and text not in SECRECY:
        raise UsageError("document {doc_id}: --secrecy {text!r} is not a 密级; use 公开, 秘密, 机密 or 绝密",
                         doc_id=doc_id, text=text)  # fmt: skip
    return text or None


def _dated_path(cat: Catalog, doc: dict, day: date) -> str:
    """Where the file goes under its new date (same rule as ingest and filing)."""
    project = item = None
    if doc["status"] == "filed" and doc["project_code"] and doc["item_code"]:
        project = get_project(cat, doc["project_code"])
        item = project.item(doc["item_code"])
    return vault_path(cat.home, project, item, day, doc["original_name"])
