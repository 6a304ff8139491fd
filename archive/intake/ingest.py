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
import os
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

import sqlalchemy.exc

from dangan.archive import vault
from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writing
from dangan.archive.intake import coversheet, names, preflight
from dangan.archive.intake.attachments import file_attachments
from dangan.archive.intake.classify import classify_item, find_project, find_title
from dangan.archive.intake.dates import document_date
from dangan.archive.intake.fields import store_fields
from dangan.archive.intake.inbox import DUPLICATES_DIR, FAILED_DIR, collect, inbox_project, is_in_inbox, move_aside
from dangan.archive.intake.pages import no_text_reason
from dangan.archive.intake.placement import clear_inbox_marker, remove_committed_original, vault_path  # noqa: F401  (re-exported)
from dangan.archive.intake.record import Record, summarize
from dangan.archive.learning.blend import blend
from dangan.archive.learning.live import for_filing
from dangan.archive.life.trash import restore
from dangan.archive.lock import StepLock
from dangan.archive.projects import Project, ProjectCache, get_project, list_projects
from dangan.archive.searchsync import DISCARDED, index_documents
from dangan.archive.thumbs import after_filing
from dangan.indexer.errors import (
    CorruptFileError,
    DanganError,
    DuplicateDocumentError,
    EmptyFileError,
    IndexDamagedError,
    InputFileError,
    SourceChangedError,
    UnknownProjectError,
    disk_full,
)
from dangan.indexer.extract import batch, extract, extract_bounded, warm_reader
from dangan.indexer.limits import Limits
from dangan.indexer.limits import applied as limits_applied

# The index is derived (a killed run's documents are indexed at the next start), so it is
# committed once per run, or once this many seconds after the oldest document waiting for it
# (a long watch), or at this many waiting documents.  One commit per 50 documents was 27%
# of a 300-PDF ingest: each Whoosh commit writes a new segment and its table of contents.
INDEX_SECONDS = 30.0
INDEX_MAX_PENDING = 2000


@dataclass
class Ingester:
    """Shared state of one ingest run: the catalog, settings, and documents to index."""

    cat: Catalog
    min_confidence: float = 0.5
    ocr: bool = True
    limits: Limits = field(default_factory=Limits)
    # The writer lock for the writing steps (None: the caller holds it for the whole run;
    # ingest_paths and file_document give ``Catalog.writing``).
    lock: Callable[[], AbstractContextManager] | None = None
    index: bool = True
    # Read in a worker process stopped at the time and memory limits (dangan.indexer.bounded);
    # False reads in this process (tests that swap a reader's function in).
    bounded: bool = True
    _projects: ProjectCache | None = None
    _learned: list = field(default_factory=list)  # [model or None] once loaded for this run
    _to_index: list[int] = field(default_factory=list)
    _waiting_since: float = 0.0  # time.monotonic() when the oldest of _to_index was committed
    index_problem: str = ""  # why the index could not take this run's documents (they are queued)
    converted: Path | None = None  # the batch's old Office files, converted together (indexer.extract.batch)

    @classmethod
    def for_catalog(cls, cat: Catalog, **kw) -> "Ingester":
        home = cat.home
        return cls(
            cat,
            min_confidence=float(kw.pop("min_confidence", home.setting("ingest", "min_confidence", 0.5))),
            ocr=bool(kw.pop("ocr", home.setting("ingest", "ocr", True))),
            limits=Limits.from_config(home.config.get("limits")),
            **kw,
        )

    def __post_init__(self) -> None:
        self._steps = StepLock(self.lock)

    def locked(self) -> AbstractContextManager:
        """Hold the writer lock for a writing step (re-entrant; a no-op without ``lock``)."""
        return self._steps.held()

    # -- the pipeline ------------------------------------------------------------------
    def run(self, rec: Record, *, raise_errors: bool = False) -> Record:
        """Take one record through every step; failures are recorded, not raised (unless asked).

        Reading (preflight, extract, classify) happens outside the writer lock; only the short
        writing steps hold it, so one slow file (OCR of a long scan) never blocks other writers.
        A full disk stops the run (DiskFullError): the file being filed stays where it was,
        and a vault copy made without its catalog row is removed at the next start.
        """
        try:
            return file_attachments(self, self._run(rec, raise_errors))  # a mail's attachments: their own documents
        except (OSError, sqlalchemy.exc.OperationalError) as e:
            stays = f"; {rec.path} was not filed and stays where it is" if os.path.lexists(rec.path) else ""
            full = disk_full(e, self.cat.home.vault_dir, stays)
            if full is None:
                raise
            raise full from e

    def _run(self, rec: Record, raise_errors: bool) -> Record:
        """The steps of :meth:`run`."""
        try:
            self.preflight(rec)
            if rec.outcome != "duplicate":
                self.extract(rec)
                self.classify(rec)
            with self.locked():
                if rec.outcome != "duplicate":
                    self.check_duplicate(rec)  # again: another writer may have filed these bytes meanwhile
                if rec.outcome == "duplicate":
                    return self.set_aside_duplicate(rec)
                self.store(rec)
                self.commit(rec)
                if rec.outcome == "duplicate":  # another station committed the same bytes first
                    return self.set_aside_duplicate(rec)
                self.finish(rec)
            after_filing(self.cat, rec.doc_id)  # thumbnail and first pages; a failure is logged, filing goes on
        except InputFileError as e:
            if raise_errors:
                raise
            with self.locked():
                self.fail(rec, e)
        finally:
            if rec.staged is not None:
                rec.staged.discard()  # a failure or a duplicate: the temporary copy goes
        return rec

    def preflight(self, rec: Record) -> None:
        """A regular non-empty file (no link, no FIFO), within the limits, not already in the catalog.

        The bytes are copied to the vault's temporary space and hashed in one pass
        (``dangan.archive.intake.preflight``): what is extracted and stored is exactly what was hashed.
        """
        mode = preflight.file_mode(self.cat.home.root)
        with limits_applied(self.limits):
            inside = self._inbox_root(rec) if rec.consume else None  # an inbox file must be the inbox's own
            rec.staged = preflight.stage(rec.path, self.cat.home.vault_dir, mode=mode, inside=inside)
        rec.sha256, rec.size, rec.source_identity = rec.staged.sha256, rec.staged.size, rec.staged.identity
        if rec.size == 0:
            raise EmptyFileError("{path}: the file is empty (0 bytes); scan or export it again", path=rec.path)
        self.check_duplicate(rec)

    def check_duplicate(self, rec: Record) -> None:
        """Mark ``rec`` a duplicate when its SHA-256 is already in the catalog."""
        existing = self.cat.document_by_sha(rec.sha256)
        if existing is not None and existing["status"] == DISCARDED:
            return self.restore_discarded(rec, existing)
        if existing is not None:
            rec.mark_duplicate(existing)

    def extract(self, rec: Record) -> None:
        """Read the text (text layer, OCR or DOCX); outside any transaction."""
        staged = rec.staged
        assert staged is not None  # the preflight step staged it
        try:
            read = extract_bounded if self.bounded else extract
            rec.extraction = read(staged.path, ocr=self.ocr, limits=self.limits, converted=self.converted)
        except DanganError as e:
            # The reader saw the staged copy; the user knows the file by its own name.
            e.message = e.message.replace(str(staged.path), str(rec.path))
            raise
        except RecursionError as e:  # a structure nested thousands deep
            raise CorruptFileError(
                "{path}: is nested too deeply to read; re-scan or re-export it", path=rec.path
            ) from e
        except Exception as e:  # parsers raise anything on malformed input: translate here
            raise CorruptFileError(
                f"{rec.path}: could not be read ({e.__class__.__name__}: {e}); re-scan or re-export it"
            ) from e

    def classify(self, rec: Record) -> None:
        """Project, checklist item and responsible person — or review with suggestions."""
        assert rec.extraction is not None  # the extract step ran
        text = rec.extraction.text
        if rec.hold_reason:  # the cover-sheet step said where, but its sheet was unusable
            rec.review_reason, rec.title = rec.hold_reason, rec.title or Path(rec.name).stem
            return
        rec.project = self._resolve_project(rec, text)
        if rec.project is not None and rec.forced_item:
            rec.item = rec.project.item(rec.forced_item)
        elif rec.forced_review:  # the caller knows no item fits (a 销毁清册 without a register item)
            rec.review_reason = rec.forced_review
        elif rec.project is not None:
            rec.classification = classify_item(rec.project, rec.name, text, min_confidence=self.min_confidence)
            # The model learned from the archivist's decisions has its say (dangan.archive.learning.blend).
            rec.classification = blend(rec.project, rec.name, text, rec.classification, self.learned())
            rec.item = rec.classification.item
            if rec.item is None:
                rec.review_reason = rec.classification.reason
        if rec.item is None and (empty := no_text_reason(rec.extraction)):
            rec.review_reason = f"{empty}; {rec.review_reason}" if rec.review_reason else empty
        rec.title = rec.title or find_title(text, Path(rec.name).stem, rec.item)
        # A periodic record (a weekly table) is dated by the period it covers.
        found, rec.date_candidates = document_date(text, rec.item.period if rec.item else "")
        rec.document_date = rec.document_date or found

    def store(self, rec: Record) -> None:
        """Link the staged copy into the vault under its readable path (never overwriting).

        A pending note goes first, so a kill before the commit leaves a vault file the next
        start knows to remove, wherever the source was (see ``dangan.archive.intake.recovery``).
        """
        vault.note_pending(self.cat.home.root, rec.sha256)
        staged = rec.staged
        assert staged is not None  # the preflight step staged it
        rec.vault_rel = vault.link_staged(self.cat.home.vault_dir, staged.path, self.vault_path(rec))
        staged.discard()  # the temporary name is gone; this releases its descriptor
        rec.staged = None

    def commit(self, rec: Record) -> None:
        """One transaction: the document row, its text and the event."""
        status = "filed" if rec.item is not None else "review"
        ex = rec.extraction
        assert ex is not None  # the extract step ran
        values = dict(
            sha256=rec.sha256,
            original_name=rec.name,
            original_name_raw=names.stored_raw_name(rec.path.name),
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
            suggestions=rec.suggestions_json(),
            method=ex.method,
            page_methods=json.dumps(ex.page_methods, ensure_ascii=False),
            document_date=rec.document_date,
            date_candidates=json.dumps(rec.date_candidates, ensure_ascii=False) if rec.date_candidates else None,
            filed_at=now(),
            source=rec.source,
            doc_number=rec.doc_number,
            remarks=rec.remarks,
            inbox_path=names.path_to_db(rec.path) if rec.consume else None,
        )
        try:
            with self.cat.engine.begin() as conn:
                rec.doc_id = self._commit_row(conn, rec, values, ex)
        except sqlalchemy.exc.IntegrityError:
            # Two stations filed the same bytes at once: the unique SHA-256 decided.
            existing = self.cat.document_by_sha(rec.sha256)
            if existing is None:
                raise  # not that race: a real bug, reported as one
            (self.cat.home.vault_dir / rec.vault_rel).unlink(missing_ok=True)  # our uncommitted copy
            vault.clear_pending(self.cat.home.root, rec.sha256)
            rec.vault_rel = ""
            rec.mark_duplicate(existing)
            return
        vault.clear_pending(self.cat.home.root, rec.sha256)
        rec.outcome = status
        rec.message = f"filed as {rec.item.code} {rec.item.title}" if rec.item is not None else rec.review_reason
        if not self._to_index:
            self._waiting_since = time.monotonic()
        self._to_index.append(rec.doc_id)
        if len(self._to_index) >= INDEX_MAX_PENDING or time.monotonic() - self._waiting_since >= INDEX_SECONDS:
            self.flush_index()

    def _commit_row(self, conn, rec: Record, values: dict, ex) -> int:
        """The document row, its text and the event, inside the caller's transaction."""
        doc_id = self.cat.add_document(conn, values, ex.text)
        store_fields(conn, doc_id, ex.metadata)  # an e-invoice's number, date, parties, amount
        self.cat.log(
            conn,
            "filed" if values["status"] == "filed" else "to-review",
            project=values["project_code"],
            document=doc_id,
            input=rec.input_text,
            item=values["item_code"],
            person=values["person"],
            vault_path=rec.vault_rel,
            reason=rec.review_reason or (rec.classification.reason if rec.classification else "") or None,
            decided_by=(rec.classification.decided_by or None) if rec.classification else None,
            notes=list(ex.notes),
        )
        return doc_id

    def finish(self, rec: Record) -> None:
        """Only now, with the catalog committed, remove the inbox original — if it is still what was filed."""
        if not rec.consume:
            return
        assert rec.doc_id is not None  # the commit step filed it
        if preflight.changed_since(rec.path, rec.source_identity):
            # Replaced or appended to while being filed: the new version is not what we
            # hashed, so it stays in the inbox and is filed as its own document next pass.
            clear_inbox_marker(self.cat, rec.doc_id)
            rec.message += "; the inbox file changed meanwhile and stays for the next pass"
            return
        remove_committed_original(self.cat, rec.doc_id, rec.path)

    # -- side roads --------------------------------------------------------------------
    def set_aside_duplicate(self, rec: Record) -> Record:
        """A duplicate is not filed twice: the inbox copy moves to inbox/.duplicates/."""
        # A new version (changed since it was staged) stays in the inbox for the next pass.
        if rec.consume and not preflight.changed_since(rec.path, rec.source_identity):
            rec.moved_to = names.clean(str(move_aside(rec.path, self._inbox_root(rec) / DUPLICATES_DIR)))
        with self.cat.engine.begin() as conn:
            self.cat.log(conn, "duplicate", document=rec.duplicate_of, input=rec.input_text, moved_to=rec.moved_to)
        return rec

    def restore_discarded(self, rec: Record, existing: dict) -> None:
        """The same bytes as a discarded document: bring that one back rather than refuse."""
        doc = restore(self.cat, existing["id"], input=str(rec.path), reason="the same file was ingested again")
        rec.outcome, rec.duplicate_of = "duplicate", doc["id"]
        rec.message = (
            f"same content as discarded document {doc['id']} ({doc['original_name']}); "
            f"restored it from the trash to {doc['vault_path']}"
        )

    def fail(self, rec: Record, error: DanganError) -> None:
        """Record a failure: the inbox original goes to inbox/.failed/ with the reason beside it."""
        rec.outcome, rec.error = "failed", error
        rec.message = names.clean(str(error))
        # Still being written (or rewritten since it was read): the next pass takes it.
        keep = isinstance(error, SourceChangedError) or preflight.changed_since(rec.path, rec.source_identity)
        if rec.consume and not keep and (rec.path.exists() or rec.path.is_symlink()):
            target = move_aside(rec.path, self._inbox_root(rec) / FAILED_DIR)
            target.with_name(target.name + ".error.txt").write_text(
                f"{rec.message}\n\nFix the file and drop it into the inbox again.\n", encoding="utf-8"
            )
            rec.moved_to = names.clean(str(target))
        with self.cat.engine.begin() as conn:
            self.cat.log(conn, "failed", input=names.clean(str(rec.path)), error=rec.message, moved_to=rec.moved_to)

    def flush_index(self) -> None:
        """Push the documents committed since the last flush to the index, in one commit."""
        if not (self.index and self._to_index):
            self._to_index.clear()
            return
        ids, self._to_index = self._to_index, []
        try:
            with self.locked():
                index_documents(self.cat, ids)
        except OSError as e:
            full = disk_full(e, self.cat.home.index_dir, "; the documents are filed and are indexed at the next start")
            if full is None:
                raise
            raise full from e
        except IndexDamagedError as e:
            # Filing goes on: the catalog is the truth; the ids wait in the index queue
            # (index_documents put them there) until `verify --repair` or `reindex` rebuilds.
            self.index_problem = str(e)
            with self.cat.engine.begin() as conn:
                self.cat.log(conn, "index-deferred", documents=ids, error=str(e))

    # -- helpers -------------------------------------------------------------------------
    def learned(self):
        """The home's learned model, loaded (or rebuilt) once per run; None before any decision."""
        if not self._learned:
            self._learned.append(for_filing(self.cat))
        return self._learned[0]

    def vault_path(self, rec: Record) -> str:
        """Where this record's file goes in the vault (see :func:`vault_path`)."""
        return vault_path(self.cat.home, rec.project, rec.item, rec.document_date, rec.name)

    def _project(self, code: str) -> Project:
        if self._projects is None:
            self._projects = ProjectCache(self.cat)
        return self._projects.require(code)

    def _resolve_project(self, rec: Record, text: str) -> Project | None:
        if rec.project_hint:
            rec.project_hint = names.clean(rec.project_hint)  # an inbox folder may have a GBK name
            try:
                return self._project(rec.project_hint)
            except UnknownProjectError:
                rec.review_reason = (
                    f"inbox folder '{rec.project_hint}' is not a project code; "
                    f"add the project or file the document by hand"
                )
                return None
        code, why = find_project(list_projects(self.cat), rec.path.name, text)
        if code is None:
            rec.review_reason = why
            return None
        return self._project(code)

    def _inbox_root(self, rec: Record) -> Path:
        return rec.inbox or self.cat.home.inbox_dir


# -- entry points used by the CLI, the watcher and the tests ----------------------------------
SUPPORTED_HINT = "PDF, PNG, JPG, TIFF, DOCX, XLSX, PPTX, OFD, EML, MSG, TXT, DOC, XLS, PPT, WPS, ET, DPS, RTF"


def ingest_paths(
    cat: Catalog,
    paths: Iterable[Path],
    *,
    project: str | None = None,
    progress: Callable[[Record], None] | None = None,
    lock: Callable[[], AbstractContextManager] | None = None,
) -> list[Record]:
    """File every file named or found under folders; one bad file never stops the others.

    ``lock`` makes a writer lock for each file's writing steps (see ``Ingester.run``); by
    default the archive's writer lock, shared (stations file side by side), taken per file so
    reading and OCR never hold it.
    """
    if project:
        get_project(cat, project)  # an unknown --project is the user's typo: stop before touching files
    inbox = cat.home.inbox_dir
    ing = Ingester.for_catalog(cat, lock=lock or (lambda: writing(cat, "ingest", shared=True)))
    if ing.bounded:
        warm_reader(ing.limits)
    results, paths = [], list(collect(paths))
    ing.converted = batch.prepare(paths, ing.limits) if ing.bounded else None  # one LibreOffice run, not one a file
    try:
        for path in paths:
            rec = Record(
                path=path,
                project_hint=project or inbox_project(inbox, path),
                consume=is_in_inbox(inbox, path),
            )
            for part in coversheet.take(ing, rec):  # a scanned batch with cover sheets: its parts
                for done in (part, *part.attachments):  # a mail's attachments follow it
                    results.append(done)
                    if progress:
                        progress(done)
    finally:
        ing.flush_index()
        batch.discard(ing.converted)
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
    review: str = "",
) -> Record:
    """File one document into a project, under ``item`` or wherever the classifier places it.

    The library entry point (used by forms --file-into and tests): errors are raised, the
    original is left in place, and a duplicate raises DuplicateDocumentError.
    """
    path = Path(path)
    get_project(cat, project)
    ing = Ingester.for_catalog(cat, lock=lambda: writing(cat, f"filing ({source})", shared=True))
    rec = Record(
        path=path,
        project_hint=project,
        forced_item=item,
        source=source,
        title=title,
        document_date=document_date,
        doc_number=doc_number,
        remarks=remarks,
        forced_review=review,
    )
    try:
        ing.run(rec, raise_errors=True)
    finally:
        ing.flush_index()
    if rec.outcome == "duplicate":
        assert rec.duplicate_of is not None  # set together with the outcome
        raise DuplicateDocumentError(f"{path}: {rec.message}; it is not filed twice", rec.duplicate_of)
    return rec


__all__ = ["Ingester", "Record", "file_document", "ingest_paths", "summarize", "vault_path", "SUPPORTED_HINT"]
