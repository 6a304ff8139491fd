"""The tantivy search engine: one index generation written and read with tantivy (Rust).

Chosen with ``[index] engine = "tantivy"`` in dangan.toml and ``dangan reindex --engine
tantivy``; ``SearchIndex`` (``dangan.indexer.index``) keeps the lock, the generations and the
query reading, and hands a generation whose folder holds ``ENGINE`` to this module.

Analysis is dangan's own, not tantivy's: every text field is folded and cut into bigrams
(single characters for ``chars``) by ``dangan.indexer.analysis`` in Python, exactly as for
the Whoosh engine, and handed to tantivy as the produced tokens joined by spaces, which a
whitespace tokenizer registered as ``TOKENIZER`` splits again.  Tokens never hold
whitespace, so tantivy sees the same terms at the same consecutive positions, and phrases
(adjacent positions) match the same documents.  One string per field costs far less than
handing tantivy a ``PreTokenizedString`` of Python ``Token`` objects, and tantivy's own
tokenizers do not fold Traditional characters.  Token offsets are not needed: snippets are
made from the stored text by ``dangan.indexer.snippets``, as for Whoosh.

Filter fields are indexed as one raw term (folded, as for Whoosh); what a hit shows is kept
in one stored JSON field, ``payload``.  The reader reloads by hand when ``meta.json`` changes
(tantivy replaces it atomically at every commit), so a long-lived reader (a web worker, a
second station) sees each commit at its next search, as with Whoosh.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import tantivy

from dangan.indexer.analysis import token_texts
from dangan.indexer.errors import IndexDamagedError
from dangan.indexer.hits import Hit, hit_from_stored
from dangan.indexer.query import Reading, rare_limit
from dangan.indexer.schema import FILTER_FIELDS, TEXT_FIELDS, doc_fields
from dangan.indexer.tantivy_query import QueryBuilder
from dangan.indexer.text import fold

ENGINE_FILE = "ENGINE"
FORMAT = "tantivy-1"  # what ENGINE holds: a later, incompatible layout gets another name
TOKENIZER = "dangan_tokens"
# The indexing heap: tantivy writes a segment when it is full.  An ingest commit is small;
# a rebuild gets more so 10,000 documents make few segments (tantivy needs ≥ 15 MB a thread).
WRITER_HEAP = 32_000_000
REBUILD_HEAP = 400_000_000
PROGRESS_DOCS = 500
# What tantivy raises on damaged or missing files (its errors arrive as ValueError), and what
# a damaged payload raises when decoded.
_DAMAGE = (ValueError, OSError, KeyError, IndexError, TypeError)


def is_tantivy(path: Path) -> bool:
    """Whether the generation folder ``path`` was written by this engine."""
    return (path / ENGINE_FILE).is_file()


@contextmanager
def damage_reported(path: Path) -> Iterator[None]:
    """Turn tantivy's errors on damaged files into IndexDamagedError (exit 8)."""
    try:
        yield
    except _DAMAGE as e:
        raise IndexDamagedError(
            f"the search index is damaged: run dangan reindex (in {path}: {type(e).__name__}: {e})"
        ) from e


def schema() -> tantivy.Schema:
    """Text fields of dangan's tokens with positions, raw filter terms, the date, the payload."""
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name in (*TEXT_FIELDS, "chars"):
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
    for name in FILTER_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_date_field("date", indexed=True, fast=True)
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


def _open(path: Path, create: bool = False) -> tantivy.Index:
    """Open a generation, checking it is of this format (a newer dangan's is not read);
    ``create``: a new one (else a missing ``meta.json`` is damage: tantivy would silently
    start an empty index there)."""
    fmt = (path / ENGINE_FILE).read_text(encoding="utf-8", errors="replace").strip()
    if fmt != FORMAT:
        raise IndexDamagedError(
            f"the search index in {path} was built by another version of dangan ({fmt!r}); "
            "rebuild it with `dangan reindex`"
        )
    if not create and not (path / "meta.json").is_file():
        raise IndexDamagedError(f"the search index is damaged: run dangan reindex ({path} has no meta.json)")
    with damage_reported(path):
        index = tantivy.Index(schema(), path=str(path), reuse=True)
        index.register_tokenizer(TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        index.config_reader("Manual")
    return index


def _document(values: dict) -> tantivy.Document:
    """A tantivy document from ``schema.doc_fields`` values."""
    doc = tantivy.Document()
    doc.add_unsigned("id", int(values["id"]))
    for name in TEXT_FIELDS:
        doc.add_text(name, " ".join(token_texts(fold(values[name]), 2)))
    doc.add_text("chars", " ".join(token_texts(fold(values["chars"]), 1)))
    payload: dict = {name: values[name] for name in ("id", *TEXT_FIELDS, "vault_path", "pages")}
    for name in FILTER_FIELDS:
        if name in values:
            doc.add_text(name, values[name])
            payload[name] = values[f"_stored_{name}"]
    for name in ("document_date", "filed_at"):
        if name in values:
            payload[name] = values[name].isoformat()
    if "date" in values:
        doc.add_date("date", values["date"].replace(tzinfo=timezone.utc))
    doc.add_bytes("payload", json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    return doc


def _stored(payload: bytes) -> dict:
    """The stored fields of a hit as ``hits.hit_from_stored`` reads them (Whoosh's shape)."""
    stored = json.loads(payload)
    for name in ("document_date", "filed_at"):
        if stored.get(name):
            stored[name] = datetime.fromisoformat(stored[name])
    return stored


def fill(path: Path, docs: Iterable[dict], progress: Callable[[int], None] | None, batch: int) -> int:
    """Create a tantivy generation at ``path`` holding ``docs``, committed every ``batch``."""
    path.mkdir()
    (path / ENGINE_FILE).write_text(FORMAT + "\n", encoding="utf-8")
    index = _open(path, create=True)
    writer = index.writer(heap_size=REBUILD_HEAP, num_threads=1)
    total = reported = 0
    try:
        for doc in docs:
            writer.add_document(_document(doc_fields(doc)))
            total += 1
            end_of_batch = total % batch == 0
            if end_of_batch:
                writer.commit()
            if progress is not None and (end_of_batch or total - reported == PROGRESS_DOCS):
                progress(total - reported)
                reported = total
        writer.commit()
        if progress is not None and total > reported:
            progress(total - reported)
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()  # also releases tantivy's own writer lock
    return total


class TantivyGeneration:
    """One tantivy generation, opened for reading and (under ``SearchIndex``'s lock) writing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = _open(path)
        self._stamp: tuple | None = None
        self._searcher = None
        self._builder: QueryBuilder | None = None

    def close(self) -> None:
        self._searcher = None
        self._builder = None

    def searcher(self):
        """A searcher on the latest commit: reloaded when ``meta.json`` was replaced."""
        try:
            st = os.stat(self.path / "meta.json")
        except FileNotFoundError as e:
            raise IndexDamagedError(
                f"the search index is damaged: run dangan reindex ({self.path} has no meta.json)"
            ) from e
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._searcher is None or stamp != self._stamp:
            with damage_reported(self.path):
                self.index.reload()
                self._searcher = self.index.searcher()
            self._stamp = stamp
            self._builder = QueryBuilder(self.index.schema, self._searcher)
        return self._searcher

    # -- writing (the caller holds the index lock) -----------------------------------------

    def add(self, docs: Iterable[dict]) -> int:
        """Add or replace (by id) documents in one commit; nothing is kept if ``docs`` raises."""

        def apply(writer) -> int:
            count = 0
            for doc in docs:
                values = doc_fields(doc)
                # By query: delete_documents_by_term makes a signed term that misses a u64 id.
                writer.delete_documents_by_query(tantivy.Query.term_query(self.index.schema, "id", int(values["id"])))
                writer.add_document(_document(values))
                count += 1
            return count

        return self._write(apply)

    def delete(self, ids: Iterable[int]) -> int:
        """Remove documents by id; return how many were in the index."""
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return 0
        with damage_reported(self.path):
            present = self.searcher().search(tantivy.Query.term_set_query(self.index.schema, "id", wanted), 1).count

        def apply(writer) -> int:
            writer.delete_documents_by_query(tantivy.Query.term_set_query(self.index.schema, "id", wanted))
            return present

        return self._write(apply)

    def _write(self, apply: Callable) -> int:
        with damage_reported(self.path):
            writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        try:
            count = apply(writer)
            with damage_reported(self.path):
                writer.commit() if count else writer.rollback()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        return count

    def optimize(self) -> int:
        """0: tantivy merges segments itself (its log merge policy, at each commit) and its
        Python API offers no forced merge, so nothing is merged here."""
        return 0

    # -- reading ---------------------------------------------------------------------------

    def segments(self) -> int:
        return int(self.searcher().num_segments)

    def count(self) -> int:
        return int(self.searcher().num_docs)

    def ids(self) -> set[int]:
        searcher = self.searcher()
        total = searcher.num_docs
        if not total:
            return set()
        with damage_reported(self.path):
            hits = searcher.search(tantivy.Query.all_query(), total, count=False).hits
            return {int(v) for v in searcher.fast_field_values("id", [addr for _score, addr in hits])}

    def answer(self, reading: Reading, offset: int, limit: int, clauses: list) -> tuple[list[Hit], int]:
        """Hits ``offset+1 … offset+limit`` of the first level of ``reading`` that finds anything,
        and how many match in all; the level that answered is left in ``reading.level``."""
        searcher = self.searcher()
        assert self._builder is not None  # made with the searcher
        builder = self._builder
        with damage_reported(self.path):
            allow = builder.filters(clauses)
            for level in reading.levels():
                query = builder.reading(reading, level)
                if allow is not None:
                    query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, allow)])
                result = searcher.search(query, limit, count=True, offset=offset)
                if reading.enough(level, result.count, lambda parts: _rare(searcher, builder, parts)):
                    break
            patterns = reading.patterns(reading.level)
            hits = [
                hit_from_stored(_stored(searcher.doc(addr).to_dict()["payload"][0]), score, patterns)
                for score, addr in result.hits
            ]
        return hits, int(result.count)


def _rare(searcher, builder, parts: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> bool:
    """``Reading.enough``'s question: does one of ``parts`` stand in at most ``rare_limit`` of
    the live documents (a part's tokens and fields ORed, counted by tantivy)."""
    limit = rare_limit(searcher.num_docs)
    for fields, piece in parts:
        query = tantivy.Query.boolean_query([(tantivy.Occur.Should, builder.term(f, t)) for f in fields for t in piece])
        if searcher.search(query, 1, count=True).count <= limit:
            return True
    return False
