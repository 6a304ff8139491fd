"""Ingest: one file from the inbox (or anywhere) into the vault, catalog and index.

The pipeline is a straight line of small steps passing one :class:`Record` forward::

    preflight → extract → classify → store → commit → finish

Text is extracted before any transaction; the vault copy is written and fsynced before the
catalog commit; the inbox original is removed only after the commit; the index follows in
batches.  A failure moves an inbox original to ``inbox/.failed/`` with ``<name>.error.txt``
beside it.  Files given from outside the inbox are copied and left where they are.
Nothing is deleted silently: every outcome is an event in the catalog's log.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from archive import vault
from archive.catalog import Catalog, now
from archive.checklist import Item
from archive.classify import Classification, classify_item, find_date, find_project_code, find_title
from archive.inbox import DUPLICATES_DIR, FAILED_DIR, collect, inbox_project, is_in_inbox, move_aside
from archive.projects import UNASSIGNED, Project, ProjectCache, get_project, list_projects
from archive.searchsync import index_documents
from indexer.errors import (
    CorruptFileError,
    DanganError,
    DuplicateDocumentError,
    EmptyFileError,
    InputFileError,
    UnknownProjectError,
    UnsupportedFileError,
)
from indexer.extract import extract

# The index is derived (a killed run's documents are indexed at the next start), so it is
# committed once per run, or once this many seconds after the oldest document waiting for it
# (a long watch), or at this many waiting documents.  One commit per 50 documents was 27%
# of a 300-PDF ingest: each Whoosh commit writes a new segment and its table of contents.
INDEX_SECONDS = 30.0
INDEX_MAX_PENDING = 2000


@dataclass
class Record:
    """Everything known about one input as it moves through the pipeline."""

    path: Path
    project_hint: str | None = None  # --project, or the inbox sub-folder
    consume: bool = False  # True for inbox files: the original goes once filed
    inbox: Path | None = None  # the inbox it came from: .failed/ and .duplicates/ go there
    forced_item: str | None = None  # set by file_document / forms --file-into
    source: str = "ingest"
    title: str | None = None
    document_date: date | None = None
    doc_number: str | None = None
    remarks: str | None = None
    sha256: str = ""
    size: int = 0
    extraction: object = None
    project: Project | None = None
    item: Item | None = None
    classification: Classification | None = None
    review_reason: str = ""
    vault_rel: str = ""
    doc_id: int | None = None
    outcome: str = "pending"  # filed | review | duplicate | failed
    message: str = ""
    duplicate_of: int | None = None
    moved_to: str | None = None

    def to_json(self) -> dict:
        cls = self.classification
        return {
            "input": str(self.path),
            "outcome": self.outcome,
            "document": self.doc_id,
            "project": self.project.code if self.project else None,
            "item": self.item.code if self.item else None,
            "person": self.person,
            "confidence": cls.confidence if cls else None,
            "suggestions": [s.to_json() for s in cls.suggestions] if cls and self.outcome == "review" else [],
            "vault_path": self.vault_rel or None,
            "duplicate_of": self.duplicate_of,
            "moved_to": self.moved_to,
            "message": self.message,
        }

    @property
    def person(self) -> str | None:
        if self.project and self.item:
            return self.project.person_for(self.item.role)
        return None


@dataclass
class Ingester:
    """Shared state of one ingest run: the catalog, settings, and documents to index."""

    cat: Catalog
    min_confidence: float = 0.5
    ocr: bool = True
    index: bool = True
    _projects: ProjectCache | None = None
    _to_index: list[int] = field(default_factory=list)
    _waiting_since: float = 0.0  # time.monotonic() when the oldest of _to_index was committed

    @classmethod
    def for_catalog(cls, cat: Catalog, **kw) -> "Ingester":
        home = cat.home
        return cls(
            cat,
            min_confidence=float(kw.pop("min_confidence", home.setting("ingest", "min_confidence", 0.5))),
            ocr=bool(kw.pop("ocr", home.setting("ingest", "ocr", True))),
            **kw,
        )

    # -- the pipeline ------------------------------------------------------------------
    def run(self, rec: Record, *, raise_errors: bool = False) -> Record:
        """Take one record through every step; failures are recorded, not raised (unless asked)."""
        try:
            self.preflight(rec)
            if rec.outcome == "duplicate":
                return self.set_aside_duplicate(rec)
            self.extract(rec)
            self.classify(rec)
            self.store(rec)
            self.commit(rec)
            self.finish(rec)
        except InputFileError as e:
            if raise_errors:
                raise
            self.fail(rec, e)
        return rec

    def preflight(self, rec: Record) -> None:
        """Exists, readable, a regular non-empty file, not already in the catalog."""
        try:
            st = rec.path.stat()
            rec.sha256 = vault.sha256_file(rec.path)
        except FileNotFoundError as e:
            raise InputFileError(f"{rec.path}: file disappeared before it could be filed; drop it again") from e
        except (PermissionError, IsADirectoryError) as e:
            raise InputFileError(f"{rec.path}: cannot read the file ({e.strerror}); check its permissions") from e
        rec.size = st.st_size
        if rec.size == 0:
            raise EmptyFileError(f"{rec.path}: the file is empty (0 bytes); scan or export it again")
        existing = self.cat.document_by_sha(rec.sha256)
        if existing is not None:
            rec.outcome = "duplicate"
            rec.duplicate_of = existing["id"]
            rec.message = (
                f"same content as document {existing['id']} ({existing['original_name']}, "
                f"{existing['vault_path']})"
            )

    def extract(self, rec: Record) -> None:
        """Read the text (text layer, OCR or DOCX); outside any transaction."""
        try:
            rec.extraction = extract(rec.path, ocr=self.ocr)
        except DanganError:
            raise
        except Exception as e:  # parsers raise anything on malformed input: translate here
            raise CorruptFileError(
                f"{rec.path}: could not be read ({e.__class__.__name__}: {e}); re-scan or re-export it"
            ) from e

    def classify(self, rec: Record) -> None:
        """Project, checklist item and responsible person — or review with suggestions."""
        text = rec.extraction.text
        rec.project = self._resolve_project(rec, text)
        if rec.project is not None and rec.forced_item:
            rec.item = rec.project.item(rec.forced_item)
        elif rec.project is not None:
            rec.classification = classify_item(
                rec.project, rec.path.name, text, min_confidence=self.min_confidence
            )
            rec.item = rec.classification.item
            if rec.item is None:
                rec.review_reason = rec.classification.reason
        rec.title = rec.title or find_title(text, rec.path.stem, rec.item)
        rec.document_date = rec.document_date or find_date(text)

    def store(self, rec: Record) -> None:
        """Copy into the vault under its readable path (atomic, never overwriting)."""
        rec.vault_rel = vault.store(self.cat.home.vault_dir, rec.path, self.vault_path(rec))

    def commit(self, rec: Record) -> None:
        """One transaction: the document row, its text and the event."""
        status = "filed" if rec.item is not None else "review"
        ex = rec.extraction
        values = dict(
            sha256=rec.sha256,
            original_name=rec.path.name,
            title=rec.title,
            vault_path=rec.vault_rel,
            size=rec.size,
            pages=ex.pages,
            mime_type=ex.mime_type,
            project_code=rec.project.code if rec.project else None,
            item_code=rec.item.code if rec.item else None,
            role=rec.item.role if rec.item else None,
            person=rec.person,
            status=status,
            confidence=1.0 if rec.forced_item else (rec.classification.confidence if rec.classification else None),
            suggestions=_suggestions_json(rec),
            method=ex.method,
            document_date=rec.document_date,
            filed_at=now(),
            source=rec.source,
            doc_number=rec.doc_number,
            remarks=rec.remarks,
            inbox_path=str(rec.path) if rec.consume else None,
        )
        with self.cat.engine.begin() as conn:
            rec.doc_id = self.cat.add_document(conn, values, ex.text)
            self.cat.log(
                conn,
                "filed" if status == "filed" else "to-review",
                project=values["project_code"],
                document=rec.doc_id,
                input=str(rec.path),
                item=values["item_code"],
                person=values["person"],
                vault_path=rec.vault_rel,
                reason=rec.review_reason or None,
                notes=list(ex.notes),
            )
        rec.outcome = status
        rec.message = rec.review_reason if status == "review" else f"filed as {rec.item.code} {rec.item.title}"
        if not self._to_index:
            self._waiting_since = time.monotonic()
        self._to_index.append(rec.doc_id)
        if len(self._to_index) >= INDEX_MAX_PENDING or time.monotonic() - self._waiting_since >= INDEX_SECONDS:
            self.flush_index()

    def finish(self, rec: Record) -> None:
        """Only now, with the catalog committed, remove the inbox original."""
        if not rec.consume:
            return
        remove_committed_original(self.cat, rec.doc_id, rec.path)

    # -- side roads --------------------------------------------------------------------
    def set_aside_duplicate(self, rec: Record) -> Record:
        """A duplicate is not filed twice: the inbox copy moves to inbox/.duplicates/."""
        if rec.consume:
            rec.moved_to = str(move_aside(rec.path, self._inbox_root(rec) / DUPLICATES_DIR))
        with self.cat.engine.begin() as conn:
            self.cat.log(
                conn, "duplicate", document=rec.duplicate_of, input=str(rec.path), moved_to=rec.moved_to
            )
        return rec

    def fail(self, rec: Record, error: DanganError) -> None:
        """Record a failure: the inbox original goes to inbox/.failed/ with the reason beside it."""
        rec.outcome = "failed"
        rec.message = str(error)
        if rec.consume and rec.path.exists():
            target = move_aside(rec.path, self._inbox_root(rec) / FAILED_DIR)
            target.with_name(target.name + ".error.txt").write_text(
                f"{error}\n\nFix the file and drop it into the inbox again.\n", encoding="utf-8"
            )
            rec.moved_to = str(target)
        with self.cat.engine.begin() as conn:
            self.cat.log(conn, "failed", input=str(rec.path), error=str(error), moved_to=rec.moved_to)

    def flush_index(self) -> None:
        """Push the documents committed since the last flush to the index, in one commit."""
        if not (self.index and self._to_index):
            self._to_index.clear()
            return
        ids, self._to_index = self._to_index, []
        index_documents(self.cat, ids)

    # -- helpers -------------------------------------------------------------------------
    def vault_path(self, rec: Record) -> str:
        """Where this record's file goes in the vault (see :func:`vault_path`)."""
        return vault_path(self.cat.home, rec.project, rec.item, rec.document_date, rec.path.name)

    def _project(self, code: str) -> Project:
        if self._projects is None:
            self._projects = ProjectCache(self.cat)
        return self._projects.require(code)

    def _resolve_project(self, rec: Record, text: str) -> Project | None:
        if rec.project_hint:
            try:
                return self._project(rec.project_hint)
            except UnknownProjectError:
                rec.review_reason = (
                    f"inbox folder '{rec.project_hint}' is not a project code; "
                    f"add the project or file the document by hand"
                )
                return None
        codes = [p.code for p in list_projects(self.cat)]
        code = find_project_code(codes, rec.path.name, text)
        if code is None:
            rec.review_reason = "no project given and no project code found in the name or text"
            return None
        return self._project(code)

    def _inbox_root(self, rec: Record) -> Path:
        return rec.inbox or self.cat.home.inbox_dir


def _suggestions_json(rec: Record) -> str | None:
    cls = rec.classification
    if rec.item is not None or cls is None:
        return None
    return json.dumps([s.to_json() for s in cls.suggestions], ensure_ascii=False)


def vault_path(home, project: Project | None, item: Item | None, day: date | None, name: str) -> str:
    """The vault path rule: where a document named ``name`` dated ``day`` is stored.

    Placed documents follow ``[vault] path_pattern``; unplaced ones wait under ``_review/``.
    Ingest, filing by hand and refiling all use this one rule, so a document lands in the same
    place whichever way it was placed.
    """
    stamp = (day or now().date()).strftime("%Y%m%d")
    if item is None or project is None:
        return f"{vault.REVIEW_DIR}/{vault.safe_component(stamp + '_' + name)}"
    pattern = home.setting("vault", "path_pattern", "{project}/{person}/{item_code}-{item_title}/{date}_{name}")
    person = project.person_for(item.role)
    return vault.render_path(
        pattern,
        {
            "project": project.code,
            "person": person or f"{item.role}{UNASSIGNED}",
            "role": item.role,
            "item_code": item.code,
            "item_title": item.title,
            "date": stamp,
            "name": name,
        },
    )


def remove_committed_original(cat: Catalog, doc_id: int, path: Path) -> None:
    """Delete an inbox original whose document is committed, then clear the marker."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass  # already gone: a previous run removed it before it could clear the marker
    clear_inbox_marker(cat, doc_id)


def clear_inbox_marker(cat: Catalog, doc_id: int) -> None:
    """Forget the inbox path of a committed document (its original is handled)."""
    with cat.engine.begin() as conn:
        cat.update_document(conn, doc_id, inbox_path=None)


# -- entry points used by the CLI, the watcher and the tests ----------------------------------
SUPPORTED_HINT = "PDF, PNG, JPG, TIFF, DOCX, TXT"


def ingest_paths(
    cat: Catalog,
    paths: Iterable[Path],
    *,
    project: str | None = None,
    progress: Callable[[Record], None] | None = None,
) -> list[Record]:
    """File every file named or found under folders; one bad file never stops the others."""
    if project:
        get_project(cat, project)  # an unknown --project is the user's typo: stop before touching files
    inbox = cat.home.inbox_dir
    ing = Ingester.for_catalog(cat)
    results = []
    try:
        for path in collect(paths):
            rec = Record(
                path=path,
                project_hint=project or inbox_project(inbox, path),
                consume=is_in_inbox(inbox, path),
            )
            results.append(ing.run(rec))
            if progress:
                progress(rec)
    finally:
        ing.flush_index()
    return results


def file_document(
    cat: Catalog,
    path: Path,
    *,
    project: str,
    item: str | None = None,
    title: str | None = None,
    document_date: date | None = None,
    doc_number: str | None = None,
    remarks: str | None = None,
    source: str = "api",
) -> Record:
    """File one document into a project, under ``item`` or wherever the classifier places it.

    The library entry point (used by forms --file-into and tests): errors are raised, the
    original is left in place, and a duplicate raises DuplicateDocumentError.
    """
    path = Path(path)
    get_project(cat, project)
    ing = Ingester.for_catalog(cat)
    rec = Record(
        path=path, project_hint=project, forced_item=item, source=source, title=title,
        document_date=document_date, doc_number=doc_number, remarks=remarks,
    )
    try:
        ing.run(rec, raise_errors=True)
    finally:
        ing.flush_index()
    if rec.outcome == "duplicate":
        raise DuplicateDocumentError(f"{path}: {rec.message}; it is not filed twice", rec.duplicate_of)
    return rec


def summarize(records: list[Record]) -> dict[str, int]:
    """Counts by outcome; inputs = filed + review + duplicate + failed."""
    counts = {"inputs": len(records), "filed": 0, "review": 0, "duplicate": 0, "failed": 0}
    for r in records:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts


__all__ = ["Ingester", "Record", "file_document", "ingest_paths", "summarize", "vault_path", "SUPPORTED_HINT"]
