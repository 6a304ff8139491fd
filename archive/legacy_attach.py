"""挂接: attaching a folder of scans to the imported catalogue rows, by 档号, title or a pattern.

Each scan that names a row goes through the normal ingest pipeline (preflight, extraction,
OCR, fixity, index) with the row's fields as the truth: its title, date, 文件编号, 备注 and
checklist item are forced, then its 责任者, pages, 保管期限 and 密级 are set as an edit would.
Scans are copied; the folder is left as it was.  A row that already has its scan is skipped,
so an interrupted run of 10⁵ files is resumed by running it again.  Files that name no row,
and rows without a file, are listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update

from dangan.archive.catalog import Catalog
from dangan.archive.dblock import writing
from dangan.archive.intake.inbox import collect
from dangan.archive.intake.ingest import Ingester
from dangan.archive.intake.record import Record
from dangan.archive.legacy import code_key
from dangan.archive.schema import documents, legacy_rows
from dangan.indexer.errors import UsageError

WAYS = ("档号", "name", "pattern")


@dataclass
class AttachResult:
    """What a 挂接 run did, file by file."""

    attached: list[dict] = field(default_factory=list)  # {file, archive_code, id, outcome}
    already: int = 0
    failed: list[dict] = field(default_factory=list)  # {file, archive_code, error}
    unmatched: list[str] = field(default_factory=list)
    rows_without_file: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"attached": self.attached, "already": self.already, "failed": self.failed,
                "unmatched": self.unmatched, "rows_without_file": self.rows_without_file}  # fmt: skip


def attach(cat: Catalog, folder: Path, *, by: str = "档号", pattern: str | None = None, project: str | None = None,
           dry_run: bool = False, progress: Callable[[int], None] | None = None) -> AttachResult:  # fmt: skip
    """Match every file under ``folder`` to a catalogue row and file it with the row's fields."""
    matcher = _matcher(by, pattern)
    rows = _rows(cat, project)
    keys = {matcher.key_of_row(r): r for r in rows}
    result = AttachResult()
    # The writer lock per file, for its writing steps only (as ingest): reading and OCR run outside it.
    ing = Ingester.for_catalog(cat, lock=lambda: writing(cat, "import attach", shared=True))
    taken: set[str] = set()
    try:
        for path in collect([Path(folder)]):
            row = matcher.find(path, keys)
            if progress:
                progress(1)
            if row is None:
                result.unmatched.append(str(path))
                continue
            code = row["archive_code"]
            if row["document_id"] is not None or code in taken:
                result.already += 1  # resumed run, or a second file naming the same row
                continue
            taken.add(code)
            if not dry_run:
                _attach_one(cat, ing, path, row, result)
            else:
                result.attached.append({"file": str(path), "archive_code": code, "id": None, "outcome": "would attach"})
    finally:
        ing.flush_index()
    result.rows_without_file = sorted(
        r["archive_code"] for r in _rows(cat, project) if r["document_id"] is None and r["archive_code"] not in taken
    )
    return result


def _attach_one(cat: Catalog, ing: Ingester, path: Path, row: dict, result: AttachResult) -> None:
    rec = Record(
        path=path, project_hint=row["project_code"], forced_item=row["item_code"], source="import", title=row["title"],
        document_date=row["doc_date"], doc_number=row["doc_number"], remarks=row["remarks"],
    )  # fmt: skip
    ing.run(rec)
    code = row["archive_code"]
    if rec.outcome == "failed":
        result.failed.append({"file": str(path), "archive_code": code, "error": rec.message})
        return
    doc_id = rec.doc_id if rec.outcome != "duplicate" else rec.duplicate_of
    if doc_id is None:
        result.failed.append({"file": str(path), "archive_code": code, "error": rec.message or "not filed"})
        return
    # 责任者, 页数, 保管期限 and 密级 as the catalogue says, in the same transaction as the link
    # (checked when the catalogue was imported; an edit per file would commit the index per file).
    changes = {k: row[k] for k in ("author", "pages", "retention", "secrecy") if row[k] not in (None, "")}
    with writing(cat, "import attach"), cat.engine.begin() as conn:
        if changes and rec.outcome != "duplicate":
            conn.execute(update(documents).where(documents.c.id == doc_id).values(**changes))
        conn.execute(update(legacy_rows).where(legacy_rows.c.archive_code == code).values(document_id=doc_id))
        cat.log(
            conn,
            "attached",
            project=row["project_code"],
            document=doc_id,
            archive_code=code,
            file=path.name,
            set=changes,
        )
    result.attached.append({"file": str(path), "archive_code": code, "id": doc_id, "outcome": rec.outcome})


def _rows(cat: Catalog, project: str | None) -> list[dict]:
    q = select(legacy_rows).order_by(legacy_rows.c.archive_code)
    if project:
        q = q.where(legacy_rows.c.project_code == project)
    with cat.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        alive = {
            r.id
            for r in conn.execute(
                select(documents.c.id).where(documents.c.id.in_([r["document_id"] for r in rows if r["document_id"]]))
            )
        }
    for r in rows:
        if r["document_id"] not in alive:
            r["document_id"] = None  # its document was emptied from the trash since: attach again
    return rows


@dataclass
class _Matcher:
    by: str
    regex: re.Pattern | None = None

    def key_of_row(self, row: dict) -> str:
        return _squash(row["title"]) if self.by == "name" else code_key(row["archive_code"])

    def find(self, path: Path, keys: dict[str, dict]) -> dict | None:
        stem = path.stem
        if self.by == "name":
            return keys.get(_squash(stem))
        if self.by == "pattern":
            assert self.regex is not None
            m = self.regex.search(path.name)
            return keys.get(code_key(m.group("code") if "code" in self.regex.groupindex else m.group(1))) if m else None
        key = code_key(stem)
        if key in keys:
            return keys[key]
        # "0123-C-001-003 开工报告.pdf": the longest 档号 the name starts with, not followed by a digit.
        best = max(
            (k for k in keys if key.startswith(k) and not key[len(k) : len(k) + 1].isdigit()), key=len, default=None
        )
        return keys[best] if best else None


def _matcher(by: str, pattern: str | None) -> _Matcher:
    if by not in WAYS:
        raise UsageError(
            f"--by {by!r}: use 档号 (the file name holds the 档号), name (the file name is the 题名) or pattern"
        )
    if by == "pattern":
        if not pattern:
            raise UsageError("--by pattern needs --pattern REGEX with a group (?P<code>…) for the 档号")
        try:
            regex = re.compile(pattern)
        except re.error as e:
            raise UsageError(f"--pattern {pattern!r} is not a regular expression ({e})") from None
        if regex.groups < 1:
            raise UsageError(f"--pattern {pattern!r} has no group; mark the 档号 with (?P<code>…)")
        return _Matcher(by, regex)
    return _Matcher(by)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")
