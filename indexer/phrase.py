"""Phrase queries checked on the documents that hold every term, with sets of positions.

A Chinese word is searched as the phrase of its bigrams (施工方案 → 施工 工方 方案), so
almost every query is a phrase.  Whoosh's ``Phrase`` already intersects the terms' posting
lists first, then for every document in the intersection builds a ``Span`` object per
position of every term and walks them pairwise in Python: at 10,000 documents that was half
of a query's time (bench/README.md).  ``Adjacent`` keeps the intersection and checks the
candidates with integer sets instead: term *k* must sit at a start position plus *k*, so
the phrase occurs where ``positions(t0) ∩ (positions(t1) − 1) ∩ (positions(t2) − 2) …`` is
not empty, all of it in C.  It matches exactly what ``Phrase`` matches (slop 1, in order) and
scores the same (the intersection's score).
"""

from __future__ import annotations

from whoosh import matching
from whoosh.matching import NullMatcher
from whoosh.query import Phrase, Term
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.util import make_binary_tree


class Adjacent(Phrase):
    """Whoosh's ``Phrase`` of adjacent words, with the faster position check."""

    def matcher(self, searcher, context=None):
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return NullMatcher()
        field = searcher.schema[fieldname]
        reader = searcher.reader()
        terms = []
        for word in self.words:
            word = field.to_bytes(word)
            if (fieldname, word) not in reader:
                return NullMatcher()  # a missing term: nothing can match
            terms.append(Term(fieldname, word))
        matcher = AdjacentMatcher([term.matcher(searcher, context) for term in terms])
        if self.boost != 1.0:
            matcher = matching.WrappingMatcher(matcher, boost=self.boost)
        return matcher


class AdjacentMatcher(SpanWrappingMatcher):
    """The intersection of the terms' matchers, keeping documents where they are adjacent."""

    def __init__(self, matchers: list):
        self.ms = matchers
        # The same tree of intersections as Whoosh's phrase matcher, so scores add up alike.
        super().__init__(make_binary_tree(matching.IntersectionMatcher, matchers))

    def copy(self):
        return self.__class__([m.copy() for m in self.ms])

    def _replacement(self, newchild):
        # Replacing the child (Whoosh's quality optimisation) would lose the term matchers
        # the positions are read from: keep the whole matcher instead.
        return self

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()

    def _get_spans(self) -> list:
        starts = set(self.ms[0].value_as("positions"))
        for offset, matcher in enumerate(self.ms[1:], 1):
            if not starts:
                return []
            starts.intersection_update(map(offset.__rsub__, matcher.value_as("positions")))
        last = len(self.ms) - 1
        return [Span(start, start + last) for start in sorted(starts)]
