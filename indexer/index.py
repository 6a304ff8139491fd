"""The search index behind a small interface: add, delete, search, rebuild.

Nothing outside ``indexer/`` touches Whoosh, so another engine could replace it without
changes to ``archive/``.  Documents are dicts keyed by ``INDEX_FIELDS``; hits come back as
``Hit`` objects with a plain-text snippet and the [start, end) spans of matched text in it.
The pieces live beside this module: ``schema`` (fields, document → values), ``query`` (the
query syntax), ``filters`` (``Filters``), ``snippets`` and ``hits``; the names callers use are
re-exported here so ``from dangan.indexer.index import …`` keeps working.

On disk, ``index_dir`` holds generation folders (``gen-000001/`` …), each a complete index,
and a ``CURRENT`` file naming the one in use.  A generation is a Whoosh index (this module)
or, when it holds an ``ENGINE`` file, a tantivy one (``tantivy_engine``): the engine of the
generation CURRENT names answers, so every reader follows a switch made by ``rebuild(…,
engine=…)`` (``dangan reindex --engine``) at its next call.  ``rebuild`` fills a new generation and
switches ``CURRENT`` (atomically, by ``os.replace``) only when it is complete, so an
interrupted rebuild leaves the old index answering; leftover folders are removed the next
time the lock is free.

Writers (add, delete, rebuild, cleanup) take ``index_dir/LOCK``, an OS file lock
(``flock``) that the kernel releases when its holder dies, even by SIGKILL — so a killed
ingest never leaves a stale lock.  A lock held by a live process is waited for a bounded
time and then reported as ``BusyError``.  Readers take no lock: Whoosh readers open an
immutable snapshot of the segments, so a search never waits for a writer.  A ``SearchIndex``
serves one thread (its searcher is not shared): tests/test_search_threads.py holds that.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from dangan.indexer import engines, generations
from dangan.indexer.engines import check_engine
from dangan.indexer.errors import BusyError, IndexDamagedError, QueryError
from dangan.indexer.explain import explain_lines
from dangan.indexer.filters import TYPE_MIME, Filters
from dangan.indexer.flock import FileLock, try_for
from dangan.indexer.hits import Hit, answer, hit_from_stored
from dangan.indexer.oldpaths import install as _install_old_paths
from dangan.indexer.query import Pattern, read_query
from dangan.indexer.schema import FILTER_FIELDS, INDEX_FIELDS, TEXT_FIELDS, doc_fields, schema
from dangan.indexer.snippets import make_snippet, match_spans
from dangan.indexer.thesaurus import Thesaurus, for_index
from dangan.indexer.whoosh_files import damage_reported as _damage_reported
from dangan.indexer.whoosh_files import id_text as _text
from dangan.indexer.whoosh_files import is_tantivy as _is_tantivy
from dangan.indexer.whoosh_files import open_generation as _open_generation
from dangan.indexer.whoosh_files import segment_count as _segment_count
from dangan.indexer.whoosh_files import storage as _storage

_install_old_paths()  # an index written when the modules were top-level `indexer.*` still opens

__all__ = [
    "FILTER_FIELDS",
    "INDEX_FIELDS",
    "TEXT_FIELDS",
    "TYPE_MIME",
    "Filters",
    "Hit",
    "Pattern",
    "SearchIndex",
    "make_snippet",
    "match_spans",
    "schema",
]

LOCK_NAME = "LOCK"
DEFAULT_LOCK_TIMEOUT = 10.0
# Whoosh's in-memory posting pool per writer before it spills to disk.  A rebuild batch of
# 1,000 documents fits in 512 MB; at 128 MB 42% of the build time went to spilling the pool
# to disk and merging it back (bench/README.md).  The pool only grows to what a batch needs.
WRITER_LIMITMB = 512
# Past this many segments smaller than a rebuild's, an incremental commit merges those: each
# extra segment costs every query a term lookup, and a 10,000-document index left with 10
# segments answered its median query 27% slower than merged.
AUTO_MERGE_SEGMENTS = 8
# A rebuild writes one segment per this many documents: a segment's postings are grouped in
# memory until its commit (about 40 MB per 1,000 documents of the bench corpus), and fewer,
# larger segments make a smaller index (-10% from 1,000 to 2,000) that answers faster.
SEGMENT_DOCS = 10_000
# How often a rebuild reports progress, in documents.
PROGRESS_DOCS = 500
# A rebuild merges its segments at the end only past this many:
# merging re-sorts every posting through the writer pool, which cost +57% CPU on a
# 3,000-document build and tripled its peak memory (872 MB at 10,000), for a median query
# 27% faster at 10 segments.  `dangan reindex --optimize` merges on request.
REBUILD_MERGE_SEGMENTS = 16


class SearchIndex:
    """The full-text index of filed documents in ``index_dir`` (created if missing)."""

    def __init__(
        self,
        index_dir: Path,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        thesaurus: Thesaurus | None = None,
        engine: str | None = None,
    ):
        """Open the index, creating an empty one if there is none.  ``lock_timeout``: how long a
        write waits for another writer before BusyError; ``thesaurus`` replaces ``thesaurus.for_index``;
        ``engine`` (``ENGINES``) is what a new index is made with (an existing one keeps its own)."""
        self.dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        self._thesaurus = thesaurus
        self._new_engine = check_engine(engine or engines.DEFAULT_ENGINE)
        self._tv: Any = None  # the TantivyGeneration in use when CURRENT names one
        # The generation ``_tantivy`` last looked at (of either engine), so it checks once per switch.
        self._tv_gen: str | None = None
        self._ix = None
        self._ix_gen: str | None = None
        self._searcher = None
        self.answered_by = "phrase"  # the level of the last search_window (``query.LEVELS``)
        if self.dir.exists() and not self.dir.is_dir():
            raise IndexDamagedError(
                f"the search index is damaged: {self.dir} is not a folder; run dangan verify --repair"
            )
        self.dir.mkdir(parents=True, exist_ok=True)
        if generations.pointer_name(self.dir) is None:
            with self._locked():
                if generations.pointer_name(self.dir) is None:
                    self._adopt_or_create()
        else:
            self._clean_if_idle()

    # -- context manager -------------------------------------------------------------

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the open index (files are reopened on the next call)."""
        if self._tv is not None:
            self._tv.close()
        self._tv = self._tv_gen = None
        if self._searcher is not None:
            self._searcher.close()
        if self._ix is not None:
            self._ix.close()
        self._ix = self._ix_gen = self._searcher = None

    # -- writing ---------------------------------------------------------------------

    def add(self, docs: Iterable[dict]) -> int:
        """Add or replace (by id) documents in one commit; return how many were written.

        If ``docs`` raises part-way, nothing from this call is committed.
        """

        def apply(writer) -> int:
            count = 0
            for doc in docs:
                writer.update_document(**doc_fields(doc))
                count += 1
            return count

        if (tv := self._tantivy()) is not None:
            with self._locked():
                return tv.add(docs)
        with _damage_reported(self.dir):
            return self._write(apply)

    def delete(self, ids: Iterable[int]) -> int:
        """Remove documents by id; return how many were in the index."""
        if (tv := self._tantivy()) is not None:
            with self._locked():
                return tv.delete(ids)
        with _damage_reported(self.dir):
            return self._write(lambda writer: sum(writer.delete_by_term("id", str(int(i))) for i in ids))

    def rebuild(
        self,
        docs: Iterable[dict],
        *,
        progress: Callable[[int], None] | None = None,
        batch: int = SEGMENT_DOCS,
        engine: str | None = None,
    ) -> int:
        """Build a fresh index from ``docs`` and switch to it; return the document count.

        ``docs`` is consumed in batches of ``batch`` (one commit, one segment each) so
        memory stays bounded; ``progress`` is called every ``PROGRESS_DOCS`` documents (and
        at the end of a batch) with the number of documents added since the last call.  Until the new index is complete the old one keeps answering searches; if
        ``docs`` raises, the half-built index is removed and the old one stays current.
        ``engine`` (``ENGINES``) builds the new generation with that engine; None: the current one's.
        """
        if batch < 1:
            raise ValueError("batch must be at least 1")
        fill = _filler(check_engine(engine or self.engine()))
        with self._locked():
            generations.remove_leftovers(self.dir, keep=generations.pointer_name(self.dir))
            gen = generations.next_generation(self.dir)
            try:
                total = fill(self.dir / gen, docs, progress, batch)
                generations.stamp_fold(self.dir / gen)
            except BaseException:
                # Best effort: what is left is removed by the next open or rebuild.
                shutil.rmtree(self.dir / gen, ignore_errors=True)
                raise
            generations.write_pointer(self.dir, gen)
            self.close()
            generations.remove_leftovers(self.dir, keep=gen)
        return total

    def optimize(self) -> int:
        """Merge the current index into one segment; return how many segments it had.

        Queries look every term up once per segment, so an index that grew by many small
        ingest commits answers faster merged.  Searches keep answering meanwhile.  A tantivy
        index merges its segments itself at each commit and returns 0: nothing was merged.
        """
        with self._locked():
            if (tv := self._tantivy()) is not None:
                return tv.optimize()
            ix = self._open()
            before = _segment_count(ix)
            if before > 1:
                from whoosh.writing import OPTIMIZE

                self._writer(ix).commit(mergetype=OPTIMIZE)
            return before

    def segments(self) -> int:
        """How many segments the current index has (1 after a Whoosh rebuild or optimize)."""
        if (tv := self._tantivy()) is not None:
            return tv.segments()
        return _segment_count(self._open())

    def engine(self) -> str:
        """The engine of the generation in use (``ENGINES``); a new index's when CURRENT names none."""
        gen = generations.valid_pointer(self.dir)
        if gen is None:
            return self._new_engine
        return "tantivy" if _is_tantivy(self.dir / gen) else "whoosh"

    # -- reading ---------------------------------------------------------------------

    def ids(self) -> set[int]:
        """Every document id in the index."""
        if (tv := self._tantivy()) is not None:
            return tv.ids()
        with _damage_reported(self.dir):
            reader = self._current_searcher().reader()
            if reader.doc_count() == 0:
                return set()  # an empty index has no id column to read
            column = reader.column_reader("id")
            return {int(_text(column[n])) for n in reader.all_doc_ids()}

    def count(self) -> int:
        """How many documents the index holds."""
        if (tv := self._tantivy()) is not None:
            return tv.count()
        with _damage_reported(self.dir):
            return self._current_searcher().doc_count()

    def search(self, query: str, filters: Filters | None = None, *, limit: int = 20, **given) -> list[Hit]:
        """Ranked hits for ``query`` (see ``dangan.indexer.query``) within ``filters``; filters may also be
        given by name (``search(q, person="赵磊")``), overriding the same fields of ``filters``."""
        if limit < 1:
            raise QueryError(f"limit must be at least 1, not {limit}")
        filters = dataclasses.replace(filters or Filters(), **given) if given else (filters or Filters())
        return self.search_window(query, filters, limit=limit)[0]

    def search_window(
        self, query: str, filters: Filters | None = None, *, offset: int = 0, limit: int = 20
    ) -> tuple[list[Hit], int]:
        """Hits ``offset+1 … offset+limit`` of the ranking and how many match in all ("20 of 55")."""
        if limit < 1 or offset < 0:
            raise QueryError(f"limit must be at least 1 and offset at least 0, not {limit} and {offset}")
        reading = self._read(query)
        if (tv := self._tantivy()) is not None:
            window = tv.answer(reading, offset, limit, (filters or Filters()).clauses())
        else:
            with _damage_reported(self.dir):
                results = answer(self._current_searcher(), reading, offset + limit, (filters or Filters()).query())
                patterns = reading.patterns(reading.level)
                hits = [hit_from_stored(r.fields(), r.score, patterns) for r in results[offset : offset + limit]]
                window = hits, len(results)
        self.answered_by = reading.level
        return window

    def explain(self, query: str, filters: Filters | None = None) -> list[str]:
        """How ``query`` is read and which level answered it, as lines for a person."""
        reading = self._read(query)
        if (tv := self._tantivy()) is not None:
            return explain_lines(reading, tv.answer(reading, 0, 1, (filters or Filters()).clauses())[1])
        with _damage_reported(self.dir):
            return explain_lines(
                reading, len(answer(self._current_searcher(), reading, 1, (filters or Filters()).query()))
            )

    def _read(self, query: str):
        return read_query(query, self._thesaurus if self._thesaurus is not None else for_index(self.dir))

    # -- generations and the lock -----------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the index's writer lock, waiting at most ``lock_timeout`` seconds."""
        lock = FileLock(str(self.dir / LOCK_NAME))
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=0.05):
            raise BusyError(
                f"another process is writing the search index in {self.dir} (waited {self.lock_timeout:g} s); "
                "try again when it has finished"
            )
        try:
            yield
        finally:
            lock.release()

    def _clean_if_idle(self) -> None:
        """Remove leftovers of interrupted rebuilds, unless someone is writing right now."""
        lock = FileLock(str(self.dir / LOCK_NAME))
        if not lock.acquire():
            return  # a writer (maybe a rebuild filling its new folder) is at work
        try:
            current = generations.valid_pointer(self.dir)
            if current is not None:
                generations.remove_leftovers(self.dir, keep=current)
            # A damaged pointer: remove nothing; searches say so and `reindex` rebuilds.
        finally:
            lock.release()

    def _adopt_or_create(self) -> None:
        """With no CURRENT, use the newest complete-looking generation, else a new empty one.

        CURRENT is only missing before the very first index was made, or if someone
        deleted it; an index on disk is never discarded for that (verify finds what is off).
        """
        usable = [
            g
            for g in generations.listed(self.dir)
            if _is_tantivy(self.dir / g) or _storage(self.dir / g).index_exists()
        ]
        if usable:
            generations.write_pointer(self.dir, usable[-1])
        else:
            self._create_generation()
        generations.remove_leftovers(self.dir, keep=generations.pointer_name(self.dir))

    def _tantivy(self):
        """The current generation when it is a tantivy one (opened once per generation), else None."""
        gen = generations.current(self.dir)
        if self._tv_gen != gen:  # the generation last looked at, of either engine
            if self._tv is not None:
                self._tv.close()
                self._tv = None
            if _is_tantivy(self.dir / gen):
                from dangan.indexer.tantivy_engine import TantivyGeneration

                self.close()  # a Whoosh index of an older generation
                self._tv = TantivyGeneration(self.dir / gen)
            self._tv_gen = gen
        return self._tv

    def _open(self):
        """The Whoosh index of the current generation (reopened if a rebuild switched it)."""
        gen = generations.current(self.dir)
        if self._ix is None or self._ix_gen != gen:
            self.close()
            self._ix = _open_generation(self.dir / gen)
            self._ix_gen = gen
        return self._ix

    def _current_searcher(self):
        """A searcher on the latest commit, kept between searches: opening the segment
        files is most of the cost of a small query."""
        ix = self._open()
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not refresh(): it fails when the old reader was of an empty index.
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = ix.searcher()
        return self._searcher

    def _write(self, apply: Callable[[Any], int]) -> int:
        """Run ``apply(writer)`` on the current generation under the lock; one commit."""
        with self._locked():
            return _commit(self._writer(self._open()), apply)

    def _writer(self, ix):
        from whoosh.index import LockError

        try:
            return _packed_writer(ix, timeout=self.lock_timeout, limitmb=WRITER_LIMITMB)
        except LockError as e:
            raise BusyError(
                f"another process holds the Whoosh writer lock in {self.dir / self._ix_gen}; try again when it has finished"
            ) from e

    def _create_generation(self) -> None:
        gen = generations.next_generation(self.dir)
        _filler(self._new_engine)(self.dir / gen, (), None, 1)
        generations.stamp_fold(self.dir / gen)
        generations.write_pointer(self.dir, gen)


def _commit(writer, apply: Callable[[Any], int], mergetype=None) -> int:
    """``apply(writer)``, then commit if it changed anything; on any error, nothing is kept."""
    from dangan.indexer.writer import discard_runs, paused_gc

    with paused_gc():
        try:
            count = apply(writer)
        except BaseException:
            writer.cancel()
            raise
        if count:
            try:
                writer.commit(mergetype=mergetype or _merge_policy)
            except BaseException:
                discard_runs(writer)
                raise
        else:
            writer.cancel()
    return count


def _filler(engine: str) -> Callable[[Path, Iterable[dict], Callable[[int], None] | None, int], int]:
    """The function that fills a new generation folder with ``engine``."""
    if engine == "tantivy":
        from dangan.indexer.tantivy_engine import fill

        return fill
    return _fill


def _packed_writer(ix, **kwargs):
    """Our segment writer (imported here: a search never writes, and Whoosh's writer module
    costs it 10 ms to import)."""
    from dangan.indexer.writer import PackedWriter

    return PackedWriter(ix, **kwargs)


def _fill(path: Path, docs: Iterable[dict], progress: Callable[[int], None] | None, batch: int) -> int:
    """Create a Whoosh index at ``path`` and add ``docs`` in committed batches."""
    from whoosh.writing import NO_MERGE, OPTIMIZE

    path.mkdir()
    ix = _storage(path).create_index(schema())
    total = 0
    try:
        for chunk in _batches(docs, batch):
            # No merging while building: each merge re-sorts postings already written once.
            writer = _packed_writer(ix, limitmb=WRITER_LIMITMB)
            _commit(writer, functools.partial(_add_all, fields=chunk, progress=progress), mergetype=NO_MERGE)
            total += len(chunk)
        if _segment_count(ix) > REBUILD_MERGE_SEGMENTS:
            # One merge at the end: queries look each term up once per segment.
            _packed_writer(ix, limitmb=WRITER_LIMITMB).commit(mergetype=OPTIMIZE)
    finally:
        ix.close()
    return total


def _add_all(writer, fields: list[dict], progress: Callable[[int], None] | None = None) -> int:
    """Add field dicts; ``progress(n)`` every ``PROGRESS_DOCS`` documents and at the end."""
    reported = 0
    for n, values in enumerate(fields, 1):
        writer.add_document(**values)
        if progress is not None and (n - reported == PROGRESS_DOCS or n == len(fields)):
            progress(n - reported)
            reported = n
    return len(fields)


def _batches(docs: Iterable[dict], size: int) -> Iterator[list[dict]]:
    """Field dicts of ``docs`` in lists of ``size`` (only one batch in memory at a time)."""
    it = iter(docs)
    while True:
        chunk = [doc_fields(d) for d in itertools.islice(it, size)]
        if not chunk:
            return
        yield chunk


def _merge_policy(writer, segments):
    """Whoosh's MERGE_SMALL over the segments smaller than a rebuild's (what ingest commits
    write), and past ``AUTO_MERGE_SEGMENTS`` of those, all of them merged into one.  Rebuild-sized segments are
    left alone: rewriting them would make one small commit cost as much as a rebuild
    (`dangan reindex --optimize` merges everything)."""
    from whoosh.writing import MERGE_SMALL, OPTIMIZE

    big = [seg for seg in segments if seg.doc_count_all() >= SEGMENT_DOCS]
    small = MERGE_SMALL(writer, [seg for seg in segments if seg.doc_count_all() < SEGMENT_DOCS])
    if len(small) + 1 >= AUTO_MERGE_SEGMENTS:  # + the segment this commit writes
        OPTIMIZE(writer, small)
        small = []
    return big + small
