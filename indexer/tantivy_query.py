"""A query's reading (``dangan.indexer.query``) as a tantivy query, clause for clause.

The Whoosh engine builds its query from a ``Reading`` in ``query.py``; this module builds the
same tree for tantivy from the same reading, so both engines match the same documents:

* a word form as written is a term or a phrase of adjacent tokens in one field (tantivy's
  ``PhraseQuery`` with slop 0 is Whoosh's ``Adjacent``);
* a code token may continue at a letter/digit boundary or be found inside a longer code:
  the continuations are looked up in the term dictionary when the query is built, with the
  same rules, order and caps as ``nearby.CodePhrase`` (``codes.continues_at_boundary`` and
  ``codes.holds_part``, at most ``MAX_CONTINUATIONS`` per token and ``MAX_PHRASES`` phrases);
* ``Nearby`` (a word's parts apart) is a boolean query whose ``minimum_number_should_match``
  is the number of parts needed; the exact phrase is ORed in at ``PHRASE_BOOST``.

What differs is only the score: tantivy scores BM25 per field (the title clause boosted by
``TITLE_BOOST``) where Whoosh scores BM25F, and ``Nearby``'s proximity factor is not applied,
so documents holding a compound's parts apart are ranked by their terms alone.
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime, timezone

from tantivy import FieldType, Occur, Query, Schema

from dangan.indexer.codes import (
    MAX_CONTINUATIONS,
    MAX_PHRASES,
    MIN_INSIDE,
    continues_at_boundary,
    groupings,
    terms_holding,
)
from dangan.indexer.query import PHRASE_BOOST, SOME_SHARE, Form, Reading, Word, coverage, synonym_boost
from dangan.indexer.schema import TITLE_BOOST

# Latin/digit terms start with one of these (the analysis lower-cases A–Z; ``_`` is no word
# character there): the ASCII part of a field's term dictionary, in byte order.
_ASCII_STARTS = "0123456789abcdefghijklmnopqrstuvwxyz"
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$#&\-~])")


class QueryBuilder:
    """Builds tantivy queries against one searcher (whose term dictionary code lookups read)."""

    def __init__(self, schema: Schema, searcher) -> None:
        self.schema = schema
        self.searcher = searcher
        self._prefixed: dict[tuple[str, str], list[str]] = {}
        self._latin: dict[str, str] = {}
        self._held: dict[tuple[str, str], list[str]] = {}

    # -- the reading ---------------------------------------------------------------------

    def reading(self, reading: Reading, level: str) -> Query:
        """The query of ``reading`` at ``level`` (``query.LEVELS``), exclusions included."""
        if level == "most":  # whoosh_query's Nearby of the words: at least words_needed() of them
            groups = [_any([self.word(w, "words") for w in group]) for group in reading.groups]
            query = Query.boolean_query([(Occur.Should, g) for g in groups], reading.words_needed())
        else:
            positive = [_any([self.word(w, level) for w in group]) for group in reading.groups]
            query = positive[0] if len(positive) == 1 else Query.boolean_query([(Occur.Must, p) for p in positive])
        if reading.excluded:
            excluded = _any([self.word(w, "phrase") for w in reading.excluded])
            query = Query.boolean_query([(Occur.Must, query), (Occur.MustNot, excluded)])
        return query

    def word(self, word: Word, level: str) -> Query:
        """A word at ``level``: its forms ORed, synonyms at their lower weight (``query._word_query``)."""
        relax = level != "phrase" and word.relaxable()
        out = []
        for form in word.forms:
            if relax and form.gram == 2 and form.terms > 1:
                query = _any([_in_field(self.relaxed(form, name, level), name) for name in form.fields])
            else:
                query = _any([_in_field(self.strict(form, name), name) for name in form.fields])
            out.append(query if form.weight == 1.0 else Query.boost_query(query, synonym_boost(word.forms[0], form)))
        return _any(out)

    def strict(self, form: Form, fieldname: str) -> Query:
        """The form as written in one field: a term, a phrase, or the phrases of its codes."""
        if not form.has_code():
            return self.sequence(fieldname, form.variants()[0][0])
        variants = form.variants()
        typed = len(variants[0][0])
        return _any(
            [self.code_phrase(fieldname, seq, flags, boost=min(1.0, typed / len(seq))) for seq, flags in variants]
        )

    def relaxed(self, form: Form, fieldname: str, level: str) -> Query:
        """The form's parts apart (``words``: all, ``some``: most), the exact phrase boosted."""
        pieces: list[Query] = []
        for kind, toks in form.segments:
            if kind == "code":
                pieces.append(
                    _any([self.code_phrase(fieldname, seq, (True,) * len(seq)) for seq in groupings(list(toks))])
                )
            elif level == "some" or len(toks) == 1:
                pieces.extend(self.term(fieldname, t) for t in toks)
            else:
                pieces.extend(self._coverage(fieldname, toks))
        if level == "some":
            need = max(1, min(math.ceil(SOME_SHARE * len(pieces)), len(pieces) - 1))
        else:
            need = len(pieces)
        nearby = Query.boolean_query([(Occur.Should, p) for p in pieces], max(1, min(need, len(pieces))))
        return _any([Query.boost_query(self.strict(form, fieldname), PHRASE_BOOST), nearby])

    def _coverage(self, fieldname: str, bigrams: tuple[str, ...]) -> list[Query]:
        """``query.coverage`` as tantivy queries: a term, or either of two terms."""
        return [_any([self.term(fieldname, t) for t in key]) for key in coverage(bigrams)]

    # -- terms, phrases, codes -----------------------------------------------------------

    def term(self, fieldname: str, text: str) -> Query:
        return Query.term_query(self.schema, fieldname, text)

    def sequence(self, fieldname: str, texts: tuple[str, ...]) -> Query:
        """A term, or a phrase of adjacent terms in order."""
        if len(texts) == 1:
            return self.term(fieldname, texts[0])
        return Query.phrase_query(self.schema, fieldname, list(texts))

    def code_phrase(
        self, fieldname: str, texts: tuple[str, ...], expandable: tuple[bool, ...], boost: float = 1.0
    ) -> Query:
        """``nearby.CodePhrase``: adjacent tokens, the expandable ones also as the indexed terms
        that continue them at a letter/digit boundary or hold them after one."""
        options = []
        for text, expand in zip(texts, expandable):
            alternatives = [text]
            if expand:
                more = itertools.chain(self._continuations(fieldname, text), self._inside(fieldname, text))
                alternatives += list(itertools.islice(dict.fromkeys(more), MAX_CONTINUATIONS))
            options.append(alternatives)
        combos = itertools.islice(itertools.product(*options), MAX_PHRASES)
        query = _any([self.sequence(fieldname, combo) for combo in combos])
        return query if boost == 1.0 else Query.boost_query(query, boost)

    def _terms_with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        """Indexed terms of ``fieldname`` starting with ``prefix``, in byte order (as Whoosh lists them)."""
        key = (fieldname, prefix)
        if key not in self._prefixed:
            found = self.searcher.terms_with_prefix(fieldname, prefix)
            self._prefixed[key] = sorted(term for term, _count in found)
        return self._prefixed[key]

    def _continuations(self, fieldname: str, prefix: str):
        for term in self._terms_with_prefix(fieldname, prefix):
            if continues_at_boundary(prefix, term):
                yield term

    def _inside(self, fieldname: str, part: str):
        """Latin/digit terms holding ``part`` after a letter/digit boundary (``nearby._inside``)."""
        if len(part) < MIN_INSIDE:
            return
        if fieldname not in self._latin:
            # One string of the terms, a line each: a regular expression picks the few holding
            # the part (a Python loop over 100,000 file-name numbers took 0.1 s a field).
            self._latin[fieldname] = "\n".join(t for c in _ASCII_STARTS for t in self._terms_with_prefix(fieldname, c))
        key = (fieldname, part)
        if key not in self._held:
            self._held[key] = terms_holding(self._latin[fieldname], part)
        yield from self._held[key]

    # -- filters -------------------------------------------------------------------------

    def filters(self, clauses: list) -> Query | None:
        """The AND of ``Filters.clauses()`` (None for none), scoring nothing."""
        parts = [self._clause(c) for c in clauses]
        if not parts:
            return None
        both = parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Must, p) for p in parts])
        return Query.const_score_query(both, 0.0)

    def _clause(self, clause: tuple) -> Query:
        kind = clause[0]
        if kind == "terms":
            return _any([Query.term_query(self.schema, name, value) for name, value in clause[1]])
        if kind == "prefix":
            return Query.regex_query(self.schema, clause[1], _REGEX_SPECIAL.sub(r"\\\1", clause[2]) + ".*")
        if kind == "any":
            return _any([self._clause(c) for c in clause[1]])
        if kind == "ids":
            return Query.term_set_query(self.schema, "id", sorted(clause[1]))
        return Query.range_query(self.schema, "date", FieldType.Date, utc(clause[1]), utc(clause[2]))


def utc(value: datetime | None) -> datetime | None:
    """A naive datetime (as the index stores dates, see ``schema._as_datetime``) marked UTC,
    so tantivy stores and compares the wall-clock value unchanged."""
    return None if value is None else value.replace(tzinfo=timezone.utc)


def _any(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])


def _in_field(query: Query, fieldname: str) -> Query:
    """A title match counts ``TITLE_BOOST`` times (Whoosh's BM25F field boost)."""
    return Query.boost_query(query, TITLE_BOOST) if fieldname == "title" else query
