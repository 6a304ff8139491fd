"""Registers filled from the catalog: a project's filed documents and checklist status as plain rows.

The catalog supplies the facts (documents in filing order with real page counts, checklist
status); :mod:`dangan.archive.registers.layout` lays them out through the same template engine as
forms.
"""

from __future__ import annotations

import re
from pathlib import Path

from dangan.archive.catalog import Catalog
from dangan.archive.completeness import check
from dangan.archive.projects import get_project
from dangan.archive.registers.layout import KINDS, render_register
from dangan.indexer.errors import UsageError

PHOTO_MAX_CHARS = 30  # an image with more readable characters than this is a scanned page


def is_photograph(doc: dict, text: str) -> bool:
    """An image file whose OCR found (almost) no text: a photograph, not a scanned form page."""
    if not str(doc.get("mime_type") or "").startswith("image/"):
        return False
    return len(re.sub(r"[\W_]+", "", text or "")) <= PHOTO_MAX_CHARS


def register_entries(cat: Catalog, code: str) -> list[dict]:
    """The project's filed documents in checklist order, then date, then id."""
    project = get_project(cat, code)
    order = {it.code: it.position for it in project.checklist.items}
    docs = [d for d in cat.documents(project=code) if d["status"] == "filed"]
    docs.sort(key=lambda d: (order.get(d["item_code"], 10_000), d["document_date"] or d["filed_at"].date(), d["id"]))
    entries = []
    for d in docs:
        it = project.checklist.item(d["item_code"])
        entries.append(
            {
                "id": d["id"],
                "doc_number": d["doc_number"] or "",
                "person": d["person"] or (it.role if it else ""),
                "title": d["title"],
                "document_date": d["document_date"],
                "pages": d["pages"] or 1,
                "remarks": d["remarks"] or "",
                "item_code": d["item_code"],
                "item_title": it.title if it else "",
                "mime_type": d["mime_type"],
                "retention": it.retention if it else "短期",
                "photo": is_photograph(d, cat.text(d["id"])),
            }
        )
    return entries


def write_register(cat: Catalog, code: str, kind: str, out: Path, *, xlsx: bool = False) -> Path:
    """Write one register of a project to ``out`` (.docx, or .xlsx with ``xlsx``)."""
    if kind not in KINDS:
        raise UsageError(f"unknown register kind '{kind}'; use one of {'|'.join(KINDS)}")
    project = get_project(cat, code)
    report = check(cat, code)
    checklist = [
        {
            "number": i.number,
            "code": i.code,
            "group": i.group,
            "title": i.title,
            "role": i.role,
            "person": i.person,
            "status": i.status,
            "documents": i.documents,
            "reason": i.reason,
        }
        for i in report.items
    ]
    # templates_dir: registers edited in the home (templates/registers/<kind>.docx) win.
    settings = {**cat.home.config.get("archive_code", {}), "templates_dir": cat.home.templates_dir}
    info = {"code": project.code, "name": project.name, "company": cat.home.setting("dangan", "company", "")}
    return render_register(
        kind, info, register_entries(cat, code), Path(out), checklist=checklist, settings=settings, xlsx=xlsx
    )
