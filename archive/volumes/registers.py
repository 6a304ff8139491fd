"""The .docx registers of one volume (卷内目录, 卷内备考表), filled by :mod:`dangan.archive.registers`.

The same registers ``dangan register`` writes for a whole project, here for the documents
of one volume with the page numbers of that volume and the missing items of its group.
"""

from __future__ import annotations

from pathlib import Path

from dangan.archive.catalog import Catalog
from dangan.archive.completeness import check
from dangan.archive.registers import render_register
from dangan.archive.volumes.model import Volume


def write_volume_registers(cat: Catalog, v: Volume, code: str, out_dir: Path) -> list[Path]:
    """Write ``<档号>_卷内目录.docx`` and ``<档号>_备考表.docx`` into ``out_dir``."""
    entries = [e.register_entry() for e in v.entries]
    checklist = [
        {"number": i.number, "code": i.code, "group": i.group, "title": i.title, "role": i.role, "person": i.person,
         "status": i.status, "documents": i.documents, "reason": i.reason}
        for i in check(cat, v.project).items if i.group == v.kind
    ]  # fmt: skip
    conf = cat.home.config.get("volume", {})
    settings = {
        **cat.home.config.get("archive_code", {}), "templates_dir": cat.home.templates_dir,
        "compiler": conf.get("compiler", ""), "reviewer": conf.get("reviewer", ""),
        "compiled_on": v.sealed_at.date() if v.sealed_at else None,
    }  # fmt: skip
    info = {"code": v.project, "name": v.title, "company": cat.home.setting("dangan", "company", "")}
    return [
        render_register(
            kind, info, entries, Path(out_dir) / f"{code}_{kind}.docx", checklist=checklist, settings=settings
        )
        for kind in ("卷内目录", "备考表")
    ]
