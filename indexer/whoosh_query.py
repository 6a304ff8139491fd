"""A query's reading (``dangan.indexer.query``) as a Whoosh query.

Split from ``query.py`` so that reading a query needs no Whoosh: the tantivy engine builds
its own query from the same reading (``tantivy_query``), clause for clause like this one.
"""

from __future__ import annotations

import math

from whoosh.query import And, Query, Term
from whoosh.query.compound import DefaultOr as Or

from dangan.indexer.codes import groupings
from dangan.indexer.nearby import CodePhrase, Excluding, Nearby
from dangan.indexer.phrase import Adjacent
from dangan.indexer.query import (
    PHRASE_BOOST,
    SOME_SHARE,
    Form,
    Pattern,
    Reading,
    Word,
    coverage,
    read_query,
    synonym_boost,
)
from dangan.indexer.thesaurus import Thesaurus


def parse_query(text: str, thesaurus: Thesaurus | None = None) -> tuple[Query, list[Pattern]]:
    """The Whoosh query of the ``phrase`` level of ``text`` and the patterns to highlight."""
    reading = read_query(text, thesaurus)
    return reading_query(reading, "phrase"), reading.patterns("phrase")


def reading_query(reading: Reading, level: str) -> Query:
    """The Whoosh query of ``reading`` at ``level``."""
    if level == "most":  # most of the words, each by all its parts; scores add, so more rank first
        groups = [_any([_word_query(w, "words") for w in group]) for group in reading.groups]
        query: Query = Nearby(groups, "", [], reading.words_needed())
    else:
        positive = [_any([_word_query(w, level) for w in group]) for group in reading.groups]
        query = positive[0] if len(positive) == 1 else And(positive)
    if reading.excluded:
        query = Excluding(query, _any([_word_query(w, "phrase") for w in reading.excluded]))
    return query


def _any(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Or(queries)


def _word_query(word: Word, level: str) -> Query:
    """A word at ``level``: its forms ORed, synonyms at their lower weight."""
    relax = level != "phrase" and word.relaxable()
    out = []
    for form in word.forms:
        if relax and form.gram == 2 and form.terms > 1:
            query = _any([_relaxed(form, name, level) for name in form.fields])
        else:
            query = _any([_strict(form, name) for name in form.fields])
        out.append(query if form.weight == 1.0 else query.with_boost(synonym_boost(word.forms[0], form)))
    return _any(out)


def _strict(form: Form, fieldname: str) -> Query:
    """The form as written in one field: a term, a phrase, or the phrases of its codes."""
    if not form.has_code():
        return _sequence(fieldname, form.variants()[0][0])
    variants = form.variants()
    typed = len(variants[0][0])
    # A grouping of more tokens would score more terms: scale it to the typed form's size.
    return _any([CodePhrase(fieldname, seq, flags, boost=min(1.0, typed / len(seq))) for seq, flags in variants])


def _sequence(fieldname: str, texts: tuple[str, ...]) -> Query:
    """A term, or a phrase of adjacent terms in order (so 京都 does not match 北京大学)."""
    if len(texts) == 1:
        return Term(fieldname, texts[0])
    return Adjacent(fieldname, list(texts))


def _relaxed(form: Form, fieldname: str, level: str) -> Query:
    """The form's parts apart in one field (``words``: all, ``some``: most), the exact
    phrase boosted so it ranks first."""
    pieces: list[Query] = []
    words: list[str] = []
    for kind, toks in form.segments:
        words.extend(toks)
        if kind == "code":
            pieces.append(_any([CodePhrase(fieldname, seq, (True,) * len(seq)) for seq in groupings(list(toks))]))
        elif level == "some" or len(toks) == 1:
            pieces.extend(Term(fieldname, t) for t in toks)
        else:
            pieces.extend(_coverage(fieldname, toks))
    if level == "some":
        need = max(1, min(math.ceil(SOME_SHARE * len(pieces)), len(pieces) - 1))
    else:
        need = len(pieces)
    return Or([_strict(form, fieldname).with_boost(PHRASE_BOOST), Nearby(pieces, fieldname, words, need)])


def _coverage(fieldname: str, bigrams: tuple[str, ...]) -> list[Query]:
    """``query.coverage`` as Whoosh queries: a term, or either of two terms."""
    return [_any([Term(fieldname, t) for t in key]) for key in coverage(bigrams)]
