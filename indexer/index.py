"""The search index behind a small interface: add, delete, search, rebuild.

Nothing outside this module touches Whoosh, so another engine could replace it without
changes to ``archive/``.  Documents are dicts keyed by ``INDEX_FIELDS``; hits come back as
``Hit`` objects with a plain-text snippet and the [start, end) spans of matched text in it.

On disk, ``index_dir`` holds generation folders (``gen-000001/`` …), each a complete Whoosh
index, and a ``CURRENT`` file naming the one in use.  ``rebuild`` fills a new generation and
switches ``CURRENT`` (atomically, by ``os.replace``) only when it is complete, so an
interrupted rebuild leaves the old index answering; leftover folders are removed the next
time the lock is free.

Writers (add, delete, rebuild, cleanup) take ``index_dir/LOCK``, an OS file lock
(``flock``) that the kernel releases when its holder dies, even by SIGKILL — so a killed
ingest never leaves a stale lock.  A lock held by a live process is waited for a bounded
time and then reported as ``BusyError``.  Readers take no lock: Whoosh readers open an
immutable snapshot of the segments, so a search never waits for a writer.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from whoosh import index as whoosh_index
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.index import EmptyIndexError, LockError
from whoosh.query import And, AndNot, DateRange, Or, Phrase, Prefix, Query, Term
from whoosh.util.filelock import FileLock, try_for

from indexer.errors import BusyError, IntegrityError, QueryError
from indexer.analysis import bigram_analyzer, is_cjk, tokens, unigram_analyzer
from indexer.text import fold
from indexer.fsutil import fsync_dir

INDEX_FIELDS = (
    "id",
    "title",
    "content",
    "original_name",
    "project",
    "project_name",
    "item_code",
    "item_title",
    "group",
    "person",
    "role",
    "mime_type",
    "document_date",
    "filed_at",
    "pages",
    "vault_path",
)

# Fields searched with the bigram analyzer; a hit in the title counts for more (BM25F).
TEXT_FIELDS = ("title", "content", "original_name")
TITLE_BOOST = 3.0
# Exact-match fields used as filters; indexed folded (so 張偉 finds 张伟, c3 finds C3) and
# stored as given.
FILTER_FIELDS = ("project", "project_name", "item_code", "item_title", "group", "person", "role", "mime_type")

# --type values → a mime type, or a prefix ending in "/".
TYPE_MIME = {
    "pdf": ("application/pdf",),
    "image": ("image/",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/msword"),
    "text": ("text/",),
}

POINTER = "CURRENT"
LOCK_NAME = "LOCK"
_GEN_RE = re.compile(r"gen-(\d{6})")
DEFAULT_LOCK_TIMEOUT = 10.0
# Whoosh's in-memory posting pool per writer before it spills to disk; bounds memory.
WRITER_LIMITMB = 128

MAX_FRAGMENTS = 2
FRAGMENT_CHARS = 120
FRAGMENT_LEAD = 30  # characters of context kept before the first match in a long sentence
# Fragments end at Chinese and Latin sentence punctuation and at line breaks.
_SENTENCE_END = re.compile(r"[。！？；!?;\n]+|\.(?=\s)")

_OPEN_QUOTES = {'"': '"', "“": "”"}
_CLOSE_QUOTES = {"”"}
_NEGATE = "-－"


# ----------------------------------------------------------------------------- hits


@dataclass
class Hit:
    """One search result with its snippet; ``highlights`` are [start, end) spans of it."""

    id: int
    score: float
    title: str
    project: str
    item_code: str
    item_title: str
    group: str
    person: str
    role: str
    mime_type: str
    document_date: date | None
    filed_at: datetime | None
    pages: int
    vault_path: str
    original_name: str
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict:
        """All fields as JSON-ready values: dates in ISO format, highlights as lists."""
        data = asdict(self)
        data["document_date"] = self.document_date.isoformat() if self.document_date else None
        data["filed_at"] = self.filed_at.isoformat() if self.filed_at else None
        data["highlights"] = [list(span) for span in self.highlights]
        return data


# ----------------------------------------------------------------------------- schema


def schema() -> Schema:
    """The index schema (see the module docstring for what each group of fields is for)."""
    bigram = bigram_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=bigram, stored=True, field_boost=TITLE_BOOST),
        # Stored for snippets.  Whoosh already zlib-compresses each document's stored fields
        # (measured: compressing the content ourselves made the index 1% larger).
        content=TEXT(analyzer=bigram, stored=True),
        original_name=TEXT(analyzer=bigram, stored=True),
        # Single characters of title, file name and content, for one-character queries and
        # for query words whose CJK part is one character (A栋, 3#楼).
        chars=TEXT(analyzer=unigram_analyzer()),
        **{name: ID(stored=True) for name in FILTER_FIELDS},
        document_date=DATETIME(stored=True),
        filed_at=DATETIME(stored=True),
        # The date filters use: the document date, else the filing date.
        date=DATETIME(),
        pages=NUMERIC(int, stored=True),
        vault_path=STORED(),
    )


def _fields(doc: Mapping) -> dict:
    """Whoosh field values for one document dict (keys from ``INDEX_FIELDS``)."""
    unknown = set(doc) - set(INDEX_FIELDS)
    if unknown:
        raise ValueError(f"unknown index field(s) {sorted(unknown)}; expected keys from INDEX_FIELDS")
    text = {name: str(doc.get(name) or "") for name in ("title", "content", "original_name", "vault_path")}
    values: dict = {"id": str(int(doc["id"])), "pages": int(doc.get("pages") or 0), **text}
    values["chars"] = "\n".join((text["title"], text["original_name"], text["content"]))
    for name in FILTER_FIELDS:
        raw = str(doc.get(name) or "").strip()
        if raw:
            values[name] = _filter_value(raw)
            values[f"_stored_{name}"] = raw
    document_date = _as_datetime(doc.get("document_date"))
    filed_at = _as_datetime(doc.get("filed_at"))
    if document_date is not None:
        values["document_date"] = document_date
    if filed_at is not None:
        values["filed_at"] = filed_at
    effective = document_date or (datetime.combine(filed_at.date(), time.min) if filed_at else None)
    if effective is not None:
        values["date"] = effective
    return values


def _as_datetime(value: date | datetime | None) -> datetime | None:
    """A naive datetime for Whoosh's DATETIME fields (which cannot compare aware ones)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    return datetime.combine(value, time.min)


def _filter_value(value: str) -> str:
    """How a filter value is indexed and looked up: trimmed and folded."""
    return fold(value.strip())


# ----------------------------------------------------------------------------- queries

# A highlight pattern: (gram, token texts) — a run of adjacent tokens of that analyzer.
Pattern = tuple[int, tuple[str, ...]]


@dataclass
class _Item:
    text: str
    negate: bool = False
    quoted: bool = False

    @property
    def is_or(self) -> bool:
        return self.text == "OR" and not self.quoted and not self.negate


def parse_query(text: str) -> tuple[Query, list[Pattern]]:
    """The Whoosh query for a user's query string, and the patterns to highlight.

    Words are ANDed; ``a OR b`` matches either (OR binds the two words beside it);
    ``-word`` excludes; ``"…"`` (or “…”) is a phrase.  Every word goes through the index's
    analysis, so a Chinese word becomes the phrase of its bigrams.
    """
    if not text or not text.strip():
        raise QueryError('empty search query: type one or more words, e.g. 竣工报告 or "竣工 验收"')
    groups, excluded = _groups(_lex(text))
    positive: list[Query] = []
    patterns: list[Pattern] = []
    for group in groups:
        built = [q for q in (_word_query(item.text) for item in group) if q is not None]
        if built:
            positive.append(Or([q for q, _ in built]) if len(built) > 1 else built[0][0])
            patterns.extend(p for _, p in built)
    if not positive:
        raise _nothing_to_find(text, bool(excluded))
    query = And(positive) if len(positive) > 1 else positive[0]
    negative = [q for q, _ in filter(None, (_word_query(item.text) for item in excluded))]
    if negative:
        query = AndNot(query, Or(negative))
    return query, patterns


def _nothing_to_find(text: str, only_excluded: bool) -> QueryError:
    if only_excluded:
        return QueryError(f"query {text!r} only excludes words: add a word to look for, e.g. 竣工 -草稿")
    return QueryError(f"query {text!r} has no searchable words: type Chinese characters, letters or digits")


def _lex(text: str) -> list[_Item]:
    """Split a query into words and quoted phrases, each possibly negated with '-'."""
    items: list[_Item] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negate = text[i] in _NEGATE and i + 1 < n and not text[i + 1].isspace()
        start = i + 1 if negate else i
        item, i = _lex_one(text, start)
        item.negate = negate
        items.append(item)
    return items


def _lex_one(text: str, i: int) -> tuple[_Item, int]:
    """The word or quoted phrase starting at ``i``, and the index after it."""
    ch = text[i]
    if ch in _OPEN_QUOTES:
        close = text.find(_OPEN_QUOTES[ch], i + 1)
        if close < 0:
            raise QueryError(f"unbalanced quote in query {text!r}: close the phrase with {_OPEN_QUOTES[ch]} or remove the {ch}")
        return _Item(text[i + 1 : close], quoted=True), close + 1
    if ch in _CLOSE_QUOTES:
        raise QueryError(f"unbalanced quote in query {text!r}: a {ch} closes no phrase; remove it")
    j = i
    while j < len(text) and not text[j].isspace() and text[j] not in _OPEN_QUOTES and text[j] not in _CLOSE_QUOTES:
        j += 1
    return _Item(text[i:j]), j


def _groups(items: list[_Item]) -> tuple[list[list[_Item]], list[_Item]]:
    """Positive words grouped by OR (each group matches if any member does), and exclusions."""
    groups: list[list[_Item]] = []
    excluded: list[_Item] = []
    joining = False  # the previous item was OR
    previous: _Item | None = None
    for item in items:
        if item.is_or:
            if previous is None or previous.is_or or previous.negate:
                raise _bad_or()
            joining = True
        elif item.negate:
            if joining:
                raise _bad_or()
            excluded.append(item)
        elif joining:
            groups[-1].append(item)
            joining = False
        else:
            groups.append([item])
        previous = item
    if joining:
        raise _bad_or()
    return groups, excluded


def _bad_or() -> QueryError:
    return QueryError("OR must stand between two words to look for, e.g. 竣工 OR 验收")


def _word_query(text: str) -> tuple[Query, Pattern] | None:
    """The query for one word or phrase, or None when it has nothing searchable."""
    bigrams = tokens(text, 2)
    if not bigrams:
        return None
    if any(len(t.text) == 1 and is_cjk(t.text) for t in bigrams):
        # A one-character CJK run (a one-character query, A栋, 3#楼) may sit inside a longer
        # run in the text, where the bigram fields have no such token: use single characters.
        chars = tuple(t.text for t in tokens(text, 1))
        return _sequence("chars", chars), (1, chars)
    texts = tuple(t.text for t in bigrams)
    return Or([_sequence(name, texts) for name in TEXT_FIELDS]), (2, texts)


def _sequence(fieldname: str, texts: tuple[str, ...]) -> Query:
    """A term, or a phrase of adjacent terms in order (so 京都 does not match 北京大学)."""
    if len(texts) == 1:
        return Term(fieldname, texts[0])
    return Phrase(fieldname, list(texts))


def filter_query(
    *,
    project: str | None = None,
    item: str | None = None,
    person: str | None = None,
    group: str | None = None,
    type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Query | None:
    """The AND of the given filters, or None when there are none."""
    parts: list[Query] = []
    if project:
        parts.append(_any_of(("project", "project_name"), project))
    if item:
        parts.append(_any_of(("item_code", "item_title"), item))
    if person:
        parts.append(Term("person", _filter_value(person)))
    if group:
        parts.append(Term("group", _filter_value(group)))
    if type:
        parts.append(_type_query(type))
    if date_from or date_to:
        parts.append(_date_query(date_from, date_to))
    if not parts:
        return None
    return And(parts) if len(parts) > 1 else parts[0]


def _any_of(fieldnames: tuple[str, ...], value: str) -> Query:
    folded = _filter_value(value)
    return Or([Term(name, folded) for name in fieldnames])


def _type_query(kind: str) -> Query:
    mimes = TYPE_MIME.get(kind.strip().lower())
    if mimes is None:
        raise QueryError(f"unknown document type {kind!r}: use one of {', '.join(TYPE_MIME)}")
    return Or([Prefix("mime_type", m) if m.endswith("/") else Term("mime_type", m) for m in mimes])


def _date_query(date_from: date | None, date_to: date | None) -> Query:
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"the start date {date_from} is after the end date {date_to}: swap them")
    start = datetime.combine(date_from, time.min) if date_from else None
    end = datetime.combine(date_to, time.max) if date_to else None
    return DateRange("date", start, end)  # both ends inclusive


# ----------------------------------------------------------------------------- snippets


def make_snippet(text: str, patterns: list[Pattern]) -> tuple[str, list[tuple[int, int]]]:
    """The best fragment(s) of ``text`` and the spans of matched text inside the snippet.

    Matches are found with the index's own analyzers, so their offsets point at the
    original characters (a Simplified query highlights the Traditional text it matched).
    """
    spans = match_spans(text, patterns)
    fragments = _fragments(text)
    if not fragments:
        return "", []
    chosen = _best_fragments(fragments, spans)
    pieces: list[str] = []
    highlights: list[tuple[int, int]] = []
    offset = 0
    for start, end in chosen:
        start, end = _window(start, end, spans)
        if pieces:
            pieces.append("…")
            offset += 1
        pieces.append(text[start:end])
        highlights.extend(
            (max(s, start) - start + offset, min(e, end) - start + offset) for s, e, _ in spans if s < end and e > start
        )
        offset += end - start
    return "".join(pieces), _merge(highlights)


def match_spans(text: str, patterns: list[Pattern]) -> list[tuple[int, int, int]]:
    """(start, end, pattern number) of every occurrence of each pattern in ``text``."""
    found: list[tuple[int, int, int]] = []
    analysed: dict[int, tuple[list, dict[str, list[int]]]] = {}
    for number, (gram, seq) in enumerate(patterns):
        if gram not in analysed:
            toks = tokens(text, gram)
            where: dict[str, list[int]] = {}
            for i, tok in enumerate(toks):
                where.setdefault(tok.text, []).append(i)
            analysed[gram] = (toks, where)
        toks, where = analysed[gram]
        for i in where.get(seq[0], ()):
            last = i + len(seq) - 1
            if last < len(toks) and all(toks[i + k].text == seq[k] for k in range(1, len(seq))):
                found.append((toks[i].start, toks[last].end, number))
    return sorted(found)


def _fragments(text: str) -> list[tuple[int, int]]:
    """Sentence-like [start, end) ranges of ``text``, trimmed of surrounding whitespace."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(text)))
    trimmed = []
    for s, e in bounds:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def _best_fragments(fragments: list[tuple[int, int]], spans: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Up to MAX_FRAGMENTS fragments with the most distinct matched patterns, in text order."""

    def score(frag: tuple[int, int]) -> tuple[int, int]:
        inside = [n for s, e, n in spans if s < frag[1] and e > frag[0]]
        return len(set(inside)), len(inside)

    scored = [(score(f), i) for i, f in enumerate(fragments)]
    matched = [(sc, i) for sc, i in scored if sc[0] > 0]
    if not matched:
        return [fragments[0]]
    best = sorted(matched, key=lambda x: (-x[0][0], -x[0][1], x[1]))[:MAX_FRAGMENTS]
    return [fragments[i] for _, i in sorted(best, key=lambda x: x[1])]


def _window(start: int, end: int, spans: list[tuple[int, int, int]]) -> tuple[int, int]:
    """Cut a long fragment to FRAGMENT_CHARS around its first match."""
    if end - start <= FRAGMENT_CHARS:
        return start, end
    first = next((s for s, e, _ in spans if s < end and e > start), start)
    begin = max(start, min(first - FRAGMENT_LEAD, end - FRAGMENT_CHARS))
    return begin, min(end, begin + FRAGMENT_CHARS)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined (adjacent bigram matches become one span)."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


# ----------------------------------------------------------------------------- the index


class SearchIndex:
    """The full-text index of filed documents in ``index_dir`` (created if missing)."""

    def __init__(self, index_dir: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT):
        """Open the index, creating an empty one if there is none.

        ``lock_timeout`` is how long a write waits for another writer before BusyError.
        """
        self.dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        self._ix = None
        self._ix_gen: str | None = None
        self._searcher = None
        self.dir.mkdir(parents=True, exist_ok=True)
        if self._pointer_name() is None:
            with self._locked():
                if self._pointer_name() is None:
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
        if self._searcher is not None:
            self._searcher.close()
        if self._ix is not None:
            self._ix.close()
        self._ix = None
        self._ix_gen = None
        self._searcher = None

    # -- writing ---------------------------------------------------------------------

    def add(self, docs: Iterable[dict]) -> int:
        """Add or replace (by id) documents in one commit; return how many were written.

        If ``docs`` raises part-way, nothing from this call is committed.
        """

        def apply(writer) -> int:
            count = 0
            for doc in docs:
                writer.update_document(**_fields(doc))
                count += 1
            return count

        return self._write(apply)

    def delete(self, ids: Iterable[int]) -> int:
        """Remove documents by id; return how many were in the index."""
        return self._write(lambda writer: sum(writer.delete_by_term("id", str(int(i))) for i in ids))

    def rebuild(
        self,
        docs: Iterable[dict],
        *,
        progress: Callable[[int], None] | None = None,
        batch: int = 1000,
    ) -> int:
        """Build a fresh index from ``docs`` and switch to it; return the document count.

        ``docs`` is consumed in batches of ``batch`` (one commit each) so memory stays
        bounded; ``progress`` is called after each batch with the number of documents in
        it.  Until the new index is complete the old one keeps answering searches; if
        ``docs`` raises, the half-built index is removed and the old one stays current.
        """
        if batch < 1:
            raise ValueError("batch must be at least 1")
        with self._locked():
            self._remove_leftovers(keep=self._pointer_name())
            gen = self._next_generation()
            try:
                total = _fill(self.dir / gen, docs, progress, batch)
            except BaseException:
                # Best effort: what is left is removed by the next open or rebuild.
                shutil.rmtree(self.dir / gen, ignore_errors=True)
                raise
            self._write_pointer(gen)
            self.close()
            self._remove_leftovers(keep=gen)
        return total

    # -- reading ---------------------------------------------------------------------

    def ids(self) -> set[int]:
        """Every document id in the index."""
        reader = self._current_searcher().reader()
        if reader.doc_count() == 0:
            return set()  # an empty index has no id column to read
        column = reader.column_reader("id")
        return {int(_text(column[n])) for n in reader.all_doc_ids()}

    def count(self) -> int:
        """How many documents the index holds."""
        return self._current_searcher().doc_count()

    def search(
        self,
        query: str,
        *,
        project: str | None = None,
        item: str | None = None,
        person: str | None = None,
        group: str | None = None,
        type: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int = 20,
    ) -> list[Hit]:
        """Ranked hits for ``query`` (see ``parse_query``) within the given filters.

        ``item`` matches a checklist item's code or title, ``project`` a project's code or
        name, ``type`` is pdf|image|docx|text; dates are inclusive and apply to the document
        date, or the filing date when a document has none.
        """
        if limit < 1:
            raise QueryError(f"limit must be at least 1, not {limit}")
        parsed, patterns = parse_query(query)
        filters = filter_query(
            project=project, item=item, person=person, group=group, type=type, date_from=date_from, date_to=date_to
        )
        results = self._current_searcher().search(parsed, limit=limit, filter=filters)
        return [_hit(r.fields(), r.score, patterns) for r in results]

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
            current = self._valid_pointer()
            if current is not None:
                self._remove_leftovers(keep=current)
            # A damaged pointer: remove nothing; searches say so and `reindex` rebuilds.
        finally:
            lock.release()

    def _adopt_or_create(self) -> None:
        """With no CURRENT, use the newest complete-looking generation, else a new empty one.

        CURRENT is only missing before the very first index was made, or if someone
        deleted it; an index on disk is never discarded for that (verify finds what is off).
        """
        usable = [g for g in self._generations() if whoosh_index.exists_in(str(self.dir / g))]
        if usable:
            self._write_pointer(usable[-1])
        else:
            self._create_generation()
        self._remove_leftovers(keep=self._pointer_name())

    def _open(self):
        """The Whoosh index of the current generation (reopened if a rebuild switched it)."""
        gen = self._current_generation()
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

    def _write(self, apply: Callable[[object], int]) -> int:
        """Run ``apply(writer)`` on the current generation under the lock; one commit."""
        with self._locked():
            return _commit(self._writer(self._open()), apply)

    def _writer(self, ix):
        try:
            return ix.writer(timeout=self.lock_timeout, limitmb=WRITER_LIMITMB, procs=1)
        except LockError as e:
            raise BusyError(
                f"another process holds the Whoosh writer lock in {self.dir / self._ix_gen}; try again when it has finished"
            ) from e

    def _pointer_name(self) -> str | None:
        try:
            return (self.dir / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None

    def _valid_pointer(self) -> str | None:
        """The generation CURRENT names, or None if it is missing or names no folder."""
        name = self._pointer_name()
        if name is None or not _GEN_RE.fullmatch(name) or not (self.dir / name).is_dir():
            return None
        return name

    def _current_generation(self) -> str:
        name = self._valid_pointer()
        if name is None:
            raise IntegrityError(
                f"the search index pointer {self.dir / POINTER} names no index ({self._pointer_name()!r}); "
                "rebuild the index with `dangan reindex`"
            )
        return name

    def _generations(self) -> list[str]:
        return sorted(p.name for p in self.dir.iterdir() if p.is_dir() and _GEN_RE.fullmatch(p.name))

    def _next_generation(self) -> str:
        numbers = [int(_GEN_RE.fullmatch(g).group(1)) for g in self._generations()]
        pointer = self._pointer_name()
        if pointer and _GEN_RE.fullmatch(pointer):
            numbers.append(int(_GEN_RE.fullmatch(pointer).group(1)))
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def _create_generation(self) -> None:
        gen = self._next_generation()
        _fill(self.dir / gen, (), None, 1)
        self._write_pointer(gen)

    def _write_pointer(self, gen: str) -> None:
        """Switch CURRENT to ``gen`` atomically (temp file, fsync, os.replace)."""
        tmp = self.dir / f"{POINTER}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(gen + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.dir / POINTER)
        fsync_dir(self.dir)

    def _remove_leftovers(self, keep: str | None) -> None:
        """Delete generation folders other than ``keep`` (call only while holding the lock)."""
        for gen in self._generations():
            if gen != keep:
                shutil.rmtree(self.dir / gen)
        (self.dir / f"{POINTER}.tmp").unlink(missing_ok=True)


def _commit(writer, apply: Callable[[object], int]) -> int:
    """``apply(writer)``, then commit if it changed anything; on any error, nothing is kept."""
    try:
        count = apply(writer)
    except BaseException:
        writer.cancel()
        raise
    if count:
        writer.commit()
    else:
        writer.cancel()
    return count


def _fill(path: Path, docs: Iterable[dict], progress: Callable[[int], None] | None, batch: int) -> int:
    """Create a Whoosh index at ``path`` and add ``docs`` in committed batches."""
    path.mkdir()
    ix = whoosh_index.create_in(str(path), schema())
    total = 0
    try:
        for chunk in _batches(docs, batch):
            _commit(ix.writer(limitmb=WRITER_LIMITMB, procs=1), lambda writer: _add_all(writer, chunk))
            total += len(chunk)
            if progress is not None:
                progress(len(chunk))
    finally:
        ix.close()
    return total


def _add_all(writer, fields: list[dict]) -> int:
    for values in fields:
        writer.add_document(**values)
    return len(fields)


def _batches(docs: Iterable[dict], size: int) -> Iterator[list[dict]]:
    """Field dicts of ``docs`` in lists of ``size`` (only one batch in memory at a time)."""
    it = iter(docs)
    while True:
        chunk = [_fields(d) for d in itertools.islice(it, size)]
        if not chunk:
            return
        yield chunk


def _open_generation(path: Path):
    try:
        ix = whoosh_index.open_dir(str(path))
    except EmptyIndexError as e:
        raise IntegrityError(f"the search index in {path} is damaged ({e}); rebuild it with `dangan reindex`") from e
    if set(ix.schema.names()) != set(schema().names()):
        ix.close()
        raise IntegrityError(
            f"the search index in {path} was built by another version of dangan; rebuild it with `dangan reindex`"
        )
    return ix


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _hit(stored: dict, score: float, patterns: list[Pattern]) -> Hit:
    """A Hit from a result's stored fields, with the snippet made from its content."""
    snippet, highlights = make_snippet(stored.get("content", ""), patterns)
    document_date = stored.get("document_date")
    return Hit(
        id=int(stored["id"]),
        score=float(score),
        title=stored.get("title", ""),
        project=stored.get("project", ""),
        item_code=stored.get("item_code", ""),
        item_title=stored.get("item_title", ""),
        group=stored.get("group", ""),
        person=stored.get("person", ""),
        role=stored.get("role", ""),
        mime_type=stored.get("mime_type", ""),
        document_date=document_date.date() if document_date else None,
        filed_at=stored.get("filed_at"),
        pages=int(stored.get("pages") or 0),
        vault_path=stored.get("vault_path", ""),
        original_name=stored.get("original_name", ""),
        snippet=snippet,
        highlights=highlights,
    )
