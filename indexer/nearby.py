"""Queries the relaxed search levels need and Whoosh lacks.

``Nearby`` matches documents that hold at least ``need`` of its pieces (all of them: the
words of a compound apart; fewer: a minimum-should-match, which Whoosh's ``Or(minmatch=)``
accepts but does not implement) and scores them by how close together the words stand, so
塔吊 and 租赁 in one sentence rank above 塔吊 on page 1 and 租赁 on page 9.

``CodePhrase`` is a phrase whose Latin/digit tokens may continue at a letter/digit boundary
(HRB400 → HRB400E); the continuations are looked up in the segment's term list when the
query runs, since they depend on what was indexed.

``Excluding`` is Whoosh's ``AndNot`` with its first-document check fixed.
"""

from __future__ import annotations

import heapq
import itertools

from whoosh.matching import AndNotMatcher, Matcher, NullMatcher
from whoosh.query import AndNot, Query, Term
from whoosh.query.compound import DefaultOr as Or

from dangan.indexer.codes import MAX_CONTINUATIONS, MAX_PHRASES, MIN_INSIDE, continues_at_boundary, terms_holding
from dangan.indexer.phrase import Adjacent

# A proximity factor of 1 + 1 / (1 + gap / PROXIMITY_SCALE): 2× for adjacent words, 1.5× with
# four other tokens between them, barely more than 1× a page apart.
PROXIMITY_SCALE = 4.0


class Nearby(Query):
    """Documents holding at least ``need`` of ``pieces`` (queries of one field), scored by the
    sum of their scores times a proximity factor from the positions of ``words`` (terms of
    ``fieldname``)."""

    def __init__(self, pieces: list[Query], fieldname: str, words: list[str], need: int, boost: float = 1.0):
        self.pieces = list(pieces)
        self.fieldname = fieldname
        self.words = list(dict.fromkeys(words))
        self.need = max(1, min(need, len(self.pieces)))
        self.boost = boost

    def __repr__(self) -> str:
        return f"Nearby({self.pieces!r}, {self.fieldname!r}, need={self.need})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and (self.pieces, self.fieldname, self.words, self.need, self.boost) == (
            other.pieces, other.fieldname, other.words, other.need, other.boost)  # fmt: skip

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, tuple(self.words), self.need))

    def estimate_size(self, ixreader) -> int:
        return max((p.estimate_size(ixreader) for p in self.pieces), default=0)

    def matcher(self, searcher, context=None):
        pieces = [p.matcher(searcher, context) for p in self.pieces]
        if sum(m.is_active() for m in pieces) < self.need:
            return NullMatcher()
        reader = searcher.reader()
        positional = []
        for word in self.words:
            if (self.fieldname, word) in reader:
                positional.append(Term(self.fieldname, word).matcher(searcher, context))
        return NearbyMatcher(pieces, positional, self.need, self.boost)


class NearbyMatcher(Matcher):
    """Walks the documents where at least ``need`` piece matchers agree."""

    def __init__(self, pieces: list, positional: list, need: int, boost: float):
        self.pieces = pieces
        self.positional = positional
        self.need = need
        self.boost = boost
        self._id = None
        self._settle(-1)

    def _settle(self, target: int) -> None:
        """Move to the first document ≥ ``target`` that ``need`` pieces hold."""
        while True:
            for m in self.pieces:
                if m.is_active() and m.id() < target:
                    m.skip_to(target)
            ids = sorted(m.id() for m in self.pieces if m.is_active())
            if len(ids) < self.need:
                self._id = None
                return
            if ids[0] == ids[self.need - 1]:
                self._id = ids[0]
                return
            target = ids[self.need - 1]  # no earlier document can have ``need`` pieces

    def is_active(self) -> bool:
        return self._id is not None

    def id(self) -> int:
        assert self._id is not None  # Whoosh asks only an active matcher
        return self._id

    def next(self) -> None:
        assert self._id is not None  # Whoosh moves only an active matcher
        self._settle(self._id + 1)

    def skip_to(self, target: int) -> None:
        if self._id is not None and target > self._id:
            self._settle(target)

    def copy(self):
        return NearbyMatcher(
            [m.copy() for m in self.pieces], [m.copy() for m in self.positional], self.need, self.boost
        )

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()

    def supports_block_quality(self) -> bool:
        return False

    def weight(self) -> float:
        return self.score()

    def score(self) -> float:
        doc = self._id
        assert doc is not None  # Whoosh scores only an active matcher
        base = sum(m.score() for m in self.pieces if m.is_active() and m.id() == doc)
        return base * self.boost * (1.0 + 1.0 / (1.0 + self._gap(doc) / PROXIMITY_SCALE))

    def _gap(self, doc: int) -> float:
        """Tokens between the words beyond adjacency in the tightest window holding each word
        present (0 for the exact phrase); a large number when fewer than two are present."""
        lists = []
        for m in self.positional:
            if m.is_active() and m.id() < doc:
                m.skip_to(doc)
            if m.is_active() and m.id() == doc:
                lists.append(m.value_as("positions"))
        if len(lists) < 2:
            return 1_000.0
        return max(0, smallest_window(lists) - (len(lists) - 1))


def smallest_window(lists: list[list[int]]) -> int:
    """The smallest max − min over one position taken from each sorted list."""
    heap = [(lst[0], i, 0) for i, lst in enumerate(lists)]
    heapq.heapify(heap)
    top = max(lst[0] for lst in lists)
    best = top - heap[0][0]
    while True:
        low, i, k = heapq.heappop(heap)
        best = min(best, top - low)
        if k + 1 == len(lists[i]) or best == 0:
            return best
        nxt = lists[i][k + 1]
        top = max(top, nxt)
        heapq.heappush(heap, (nxt, i, k + 1))


class CodePhrase(Query):
    """Adjacent tokens of one field where the ``expandable`` ones may continue at a
    letter/digit boundary (looked up in the segment's terms when the query runs)."""

    def __init__(self, fieldname: str, texts: tuple[str, ...], expandable: tuple[bool, ...], boost: float = 1.0):
        self.fieldname = fieldname
        self.texts = tuple(texts)
        self.expandable = tuple(expandable)
        self.boost = boost

    def __repr__(self) -> str:
        return f"CodePhrase({self.fieldname!r}, {self.texts!r})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and (self.fieldname, self.texts, self.expandable, self.boost) == (
            other.fieldname, other.texts, other.expandable, other.boost)  # fmt: skip

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, self.texts))

    def estimate_size(self, ixreader) -> int:
        return min((ixreader.doc_frequency(self.fieldname, t) for t in self.texts), default=0)

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        options = []
        for text, expand in zip(self.texts, self.expandable):
            alternatives = [text]
            if expand:
                more = itertools.chain(
                    _continuations(reader, self.fieldname, text), _inside(reader, self.fieldname, text)
                )
                alternatives += list(itertools.islice(dict.fromkeys(more), MAX_CONTINUATIONS))
            options.append(alternatives)
        phrases: list[Query] = []
        for combo in itertools.islice(itertools.product(*options), MAX_PHRASES):
            phrases.append(Term(self.fieldname, combo[0]) if len(combo) == 1 else Adjacent(self.fieldname, list(combo)))
        query = phrases[0] if len(phrases) == 1 else Or(phrases)
        if self.boost != 1.0:
            query = query.with_boost(self.boost)
        return query.matcher(searcher, context)


def _inside(reader, fieldname: str, part: str):
    """Indexed Latin/digit terms holding ``part`` after a letter/digit boundary (50300 →
    gb50300, 400 → hrb400e): a code found by a later part.  Parts shorter than
    ``MIN_INSIDE`` are not looked for inside others (3 would be in every code)."""
    if len(part) < MIN_INSIDE:
        return
    yield from terms_holding(_latin_terms(reader, fieldname), part)


def _latin_terms(reader, fieldname: str) -> str:
    """The field's terms of letters and digits (they sort before CJK), one a line, read once
    per reader: a segment's terms never change, and a search keeps its reader between queries."""
    cache = reader.__dict__.setdefault("_dangan_latin_terms", {})
    if fieldname not in cache:
        terms = []
        if fieldname in reader.schema:
            for raw in reader.lexicon(fieldname):
                if raw[:1] >= b"\x80":
                    break
                terms.append(raw.decode("ascii", "replace"))
        cache[fieldname] = "\n".join(terms)
    return cache[fieldname]


def _continuations(reader, fieldname: str, prefix: str):
    """Indexed terms that continue ``prefix`` at a letter/digit boundary."""
    if fieldname not in reader.schema:
        return
    for raw in reader.expand_prefix(fieldname, prefix):
        term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if continues_at_boundary(prefix, term):
            yield term


class Excluding(AndNot):
    """``a`` without the documents of ``b`` (``-word``), with Whoosh's first-document bug fixed.

    Whoosh's ``AndNotMatcher`` checks its first document against the excluded matcher only
    when that matcher already stands on the same document; when it stands on an earlier one,
    the first match is kept even if it holds the excluded word.  In an index of several
    segments "验收 -草稿" returned a document holding 草稿 (found by tests/test_search_threads.py).
    """

    def matcher(self, searcher, context=None):
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return ExcludingMatcher(scored, excluded)


class ExcludingMatcher(AndNotMatcher):
    """``AndNotMatcher`` whose first document is checked like every later one."""

    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()
