"""What the catalog knows about one document: every field, where the file is, how its text
was read, why it got its date, and its event history."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dangan.archive.catalog import Catalog
from dangan.archive.intake import names
from dangan.archive.intake.attachments import mail_links
from dangan.archive.intake.dates import explain
from dangan.archive.intake.fields import read_fields
from dangan.indexer.errors import NotFoundError

METHODS = {
    "text": "the PDF's text layer",
    "ocr": "OCR of the scanned pages",
    "mixed": "text layer and OCR",
    "docx": "the Word document",
    "plain": "the text file",
    "xlsx": "the Excel workbook's cells (formulas' cached values)",
    "pptx": "the PowerPoint slides and notes",
    "ofd": "the OFD e-document's page text",
    "eml": "the e-mail's headers and body",
    "msg": "the Outlook mail's headers and body",
    "libreoffice": "the old Office/WPS file, converted by LibreOffice",
}


def show(cat: Catalog, doc_id: int) -> dict:
    """The document as ``dangan show --json`` prints it."""
    doc = cat.document(doc_id)
    candidates = json.loads(doc["date_candidates"]) if doc.get("date_candidates") else []
    out = {k: v for k, v in doc.items() if k not in ("inbox_path", "date_candidates")}
    out["path"] = str(vault_file(cat, doc)) if doc["vault_path"] else ""  # a destroyed record has no file
    out["method_text"] = METHODS.get(doc["method"] or "", doc["method"] or "unknown")
    out["date_candidates"] = _with_hand_date(cat, doc, candidates)
    out["date_reason"] = _date_reason(cat, doc, candidates)
    out["events"] = cat.events(document=doc_id)
    out["name_note"] = _name_note(doc)
    out["item_reason"] = item_reason(out["events"])
    out["fields"] = read_fields(cat, doc_id)  # read from the content: an e-invoice's number, parties…
    out.update(mail_links(cat, doc_id))  # "from mail": the mail it came with, a mail's attachments
    return out


def _name_note(doc: dict) -> str:
    """Why the stored name differs from the file's own, if it does."""
    raw = doc.get("original_name_raw")
    if not raw:
        return ""
    removed = names.removed_controls(os.fsdecode(bytes.fromhex(raw)))
    if removed:
        return f"control characters removed from the file's name: {', '.join(removed)}"
    return "the file's name was not UTF-8; its original bytes are kept"


def item_reason(events: list[dict]) -> str:
    """Why the document is under its item or in review: the classifier's evidence or reason
    when it filed the document, else who placed it by hand."""
    for e in reversed(events):
        detail = e["detail"]
        if e["action"] == "filed" and detail.get("decided_by"):
            return f"filed by the classifier: {detail['decided_by']}"
        if e["action"] == "to-review":
            return f"sent to review: {detail.get('reason') or 'no reason recorded'}"
        after = detail.get("after") if isinstance(detail.get("after"), dict) else {}
        if e["action"] in ("filed-by-hand", "refiled") or after.get("item") or after.get("item_code"):
            return f"placed by hand ({e['action']}, event {e['id']})"
    return ""


def vault_file(cat: Catalog, doc: dict) -> Path:
    """The absolute path of a document's stored file."""
    return (cat.home.vault_dir / doc["vault_path"]).resolve()


def open_path(cat: Catalog, doc_id: int) -> Path:
    """The absolute vault path, for ``xdg-open "$(dangan open ID)"``."""
    doc = cat.document(doc_id)
    if not doc["vault_path"]:
        raise NotFoundError(
            "document {doc_id} was destroyed (已销毁) by an appraisal; it has no stored file", doc_id=doc_id
        )
    return vault_file(cat, doc)


def _with_hand_date(cat: Catalog, doc: dict, candidates: list[dict]) -> list[dict]:
    """The candidates as they stand now: after a date was set by hand, that date is the one
    chosen (kind ``hand``, first row), and a candidate is ticked only if it is the same day."""
    edits = [e for e in cat.events(document=doc["id"]) if "document_date" in e["detail"].get("after", {})]
    if not edits:
        return candidates
    day = doc["document_date"].isoformat() if doc["document_date"] else None
    rows = [{**c, "chosen": day is not None and str(c.get("date")) == day} for c in candidates]
    if day is not None:
        rows.insert(0, {"date": day, "kind": "hand", "label": "", "chosen": True, "event": edits[-1]["id"]})
    return rows


def _date_reason(cat: Catalog, doc: dict, candidates: list[dict]) -> str:
    edits = [e for e in cat.events(document=doc["id"]) if "document_date" in e["detail"].get("after", {})]
    if edits:
        return f"{doc['document_date']} (set by hand, event {edits[-1]['id']})"
    if doc["document_date"] is None:
        return explain([])
    return explain(candidates)
