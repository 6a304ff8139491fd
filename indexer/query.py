"""Turning a user's query string into a Whoosh query and the patterns to highlight.

The syntax is small on purpose (users type a few words, not Lucene): words are ANDed,
``a OR b`` matches either, ``-word`` excludes, ``"…"`` or “…” is a phrase.  Every word goes
through the index's own analysis, so a Chinese word becomes the phrase of its bigrams and a
Traditional query finds Simplified text.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.query import And, AndNot, Or, Query, Term

from dangan.indexer.analysis import is_cjk, tokens
from dangan.indexer.errors import QueryError
from dangan.indexer.phrase import Adjacent
from dangan.indexer.schema import TEXT_FIELDS

# A highlight pattern: (gram, token texts) — a run of adjacent tokens of that analyzer.
Pattern = tuple[int, tuple[str, ...]]

_OPEN_QUOTES = {'"': '"', "“": "”"}
_CLOSE_QUOTES = {"”"}
_NEGATE = "-－"


@dataclass
class _Item:
    """One lexed word or quoted phrase of a query."""

    text: str
    negate: bool = False
    quoted: bool = False

    @property
    def is_or(self) -> bool:
        """A bare OR between two words (a quoted or negated "OR" is a word)."""
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
    return Adjacent(fieldname, list(texts))
