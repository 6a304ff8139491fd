"""Export in an open form: a BagIt bag any other system can read if dangan is ever replaced.

BagIt (RFC 8493, the Library of Congress packaging spec) is a folder with the payload under
``data/`` and manifests of SHA-256 sums beside it; ``bagit.py --validate`` (the ``bagit``
library, used here to write the bag) proves it whole.  The payload::

    data/说明.txt                 what each file is, in Chinese
    data/metadata.json            every document's catalog fields (and each project's)
    data/metadata.csv             the same, one row a document, UTF-8 with BOM so Excel opens it
    data/events.json              the event history of the exported documents and projects
    data/files/<project>/<name>   the stored files, named by 档号 when the document is in a volume,
                                  else by project, checklist item and id

The bag is written in a hidden folder beside ``DEST`` and renamed when complete.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import bagit

from dangan.archive.catalog import Catalog
from dangan.archive.projects import get_project, list_projects
from dangan.archive.volumes.model import code_settings, list_volumes, piece_code, volume_code
from dangan.indexer.errors import ConflictError, IntegrityError

FIELDS = (
    "id", "archive_code", "project_code", "item_code", "title", "doc_number", "person", "role", "document_date",
    "pages", "status", "original_name", "mime_type", "size", "sha256", "filed_at", "remarks", "file",
)  # fmt: skip
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\u202a-\u202e\u2066-\u2069]')

README_TEXT = """\
本文件夹是 dangan 档案系统导出的 BagIt 数据包（RFC 8493）。

- data/files/：归档文件原件。已组卷的文件以档号命名（案卷档号-件号），未组卷的以“项目-条目-编号”命名。
- data/metadata.json：每份文件的著录信息（题名、文件编号、责任人、日期、页数、保管状态、SHA-256 等），以及项目信息。
- data/metadata.csv：同上，一行一份文件，UTF-8 编码带 BOM，可直接用 Excel 打开。
- data/events.json：这些文件和项目的操作历史（归档、修改、移入回收站等，含时间和操作人）。
- manifest-sha256.txt、tagmanifest-sha256.txt：每个文件的 SHA-256 校验值，用 bagit.py --validate 可验证数据包完整。
"""


@dataclass
class ExportResult:
    """Where the bag is and what it holds."""

    bag: Path
    projects: list[str]
    documents: int
    bytes: int

    def to_json(self) -> dict:
        return {"bag": str(self.bag), "projects": self.projects, "documents": self.documents, "bytes": self.bytes}


def export_bag(cat: Catalog, dest: Path, codes: list[str] | None = None) -> ExportResult:
    """Write projects ``codes`` (all when None) as a validated BagIt bag at ``dest`` (new folder)."""
    dest = Path(dest).expanduser().absolute()
    if dest.exists():
        raise ConflictError(f"{dest} exists; export into a new folder")
    projects = [get_project(cat, c) for c in codes] if codes else list_projects(cat)
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    shutil.rmtree(part, ignore_errors=True)
    (part / "files").mkdir(parents=True)
    rows, size = [], 0
    for project in projects:
        for doc, rel in _documents(cat, project.code):
            src = cat.home.vault_dir / doc["vault_path"]
            if not src.is_file():
                raise IntegrityError(f"document #{doc['id']}: {src} is missing; run `dangan verify --repair` first")
            target = part / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            size += doc["size"]
            rows.append(_row(doc, rel))
    meta = {
        "exported": datetime.now(UTC).isoformat(timespec="seconds"),
        "projects": [
            {"code": p.code, "name": p.name, "checklist": p.checklist.id, "roles": dict(p.roles)} for p in projects
        ],
        "documents": rows,
    }
    _write(part / "metadata.json", json.dumps(meta, ensure_ascii=False, indent=1, default=_plain))
    _write(part / "metadata.csv", _csv(rows), bom=True)
    _write(part / "events.json", json.dumps(_events(cat, projects, rows), ensure_ascii=False, indent=1, default=_plain))
    _write(part / "说明.txt", README_TEXT)
    company = str(cat.home.setting("dangan", "company", ""))
    bag = bagit.make_bag(
        str(part), {"Source-Organization": company, "External-Description": "dangan 档案导出"}, checksums=["sha256"]
    )
    bag.validate()
    part.rename(dest)
    return ExportResult(bag=dest, projects=[p.code for p in projects], documents=len(rows), bytes=size)


def read_bag(path: Path) -> dict:
    """Validate a bag this module wrote and return its metadata.json (what an importer would read)."""
    bag = bagit.Bag(str(path))
    try:
        bag.validate()
    except bagit.BagValidationError as e:
        raise IntegrityError(f"{path} is not a valid BagIt bag: {e}") from e
    return json.loads((Path(path) / "data" / "metadata.json").read_text(encoding="utf-8"))


def _documents(cat: Catalog, code: str):
    """(document, path under files/) of a project's filed documents; 档号 names those in a volume."""
    settings = code_settings(cat)
    named: dict[int, str] = {}
    for vol in list_volumes(cat, code):
        vcode = volume_code(vol, settings)
        for e in vol.entries:
            named[e.document_id] = piece_code(vcode, e.position)
    used: set[str] = set()
    for doc in cat.documents(project=code, status="filed"):
        if not doc.get("vault_path"):
            continue
        stem = named.get(doc["id"]) or f"{code}-{doc['item_code'] or 'X'}-{doc['id']:05d}"
        suffix = Path(doc["vault_path"]).suffix.lower()
        name = _safe(f"{stem}{suffix}")
        if name in used:  # two documents may not share a name; the id tells them apart
            name = _safe(f"{stem}-{doc['id']}{suffix}")
        used.add(name)
        doc["archive_code"] = named.get(doc["id"], "")
        yield doc, f"{_safe(code)}/{name}"


def _row(doc: dict, rel: str) -> dict[str, Any]:
    row = {k: doc.get(k) for k in FIELDS}
    row["file"] = f"files/{rel}"
    return row


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        # A cell starting with = + - @ would run as a formula in Excel: prefix it with '.
        w.writerow({k: _cell(v) for k, v in r.items()})
    return out.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else (value.isoformat() if isinstance(value, date | datetime) else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+(\.\d+)?", text) else text


def _events(cat: Catalog, projects, rows: list[dict]) -> list[dict]:
    ids = {r["id"] for r in rows}
    found: dict[int, dict] = {}
    for p in projects:
        for e in cat.events(project=p.code):
            found[e["id"]] = e
    for doc_id in ids:
        for e in cat.events(document=doc_id):
            found[e["id"]] = e
    return [found[k] for k in sorted(found)]


def _safe(name: str) -> str:
    name = _UNSAFE.sub("_", name).strip(" .")
    return name or "_"


def _write(path: Path, text: str, bom: bool = False) -> None:
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")


def _plain(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)
