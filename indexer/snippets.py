"""Snippets for search hits: the best sentence(s) of a document and the spans to highlight.

Matches are found with the index's own analyzers rather than by searching for the query
string, so a Simplified query highlights the Traditional text it matched and the spans are
offsets into the original characters (``fold`` keeps one character for one).
"""

from __future__ import annotations

import bisect
import re

from dangan.indexer.analysis import bigram_token_after, has_spaced_run, is_cjk, token_columns
from dangan.indexer.codes import MIN_INSIDE, continues_at_boundary, holds_part
from dangan.indexer.query import Pattern
from dangan.indexer.text import fold

MAX_FRAGMENTS = 2
FRAGMENT_CHARS = 120
FRAGMENT_LEAD = 30  # characters of context kept before the first match in a long sentence
# Fragments end at Chinese and Latin sentence punctuation and at line breaks.
_SENTENCE_END = re.compile(r"[。！？；!?;\n]+|\.(?=\s)")


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
    analysed: dict[int, tuple[list[str], list[int], list[int]]] = {}
    folded = None
    walkable: bool | None = None  # no spaced CJK run: tokens can be walked from any place
    for number, (gram, seq) in enumerate(patterns):
        folded = fold(text) if folded is None else folded
        if gram == 2 and _bigram_first(seq):
            walkable = not has_spaced_run(folded) if walkable is None else walkable
            if walkable:
                found.extend((s, e, number) for s, e in _walk(folded, seq))
                continue
        if gram not in analysed:
            analysed[gram] = token_columns(folded, gram)
        texts, starts, ends = analysed[gram]
        width = len(seq)
        for i in _starts(texts, seq[0]):
            last = i + width - 1
            if last < len(texts) and all(_same(texts[i + k], seq[k]) for k in range(1, width)):
                found.append((starts[i], ends[last], number))
    return sorted(found)


def _bigram_first(seq: tuple[str, ...]) -> bool:
    """A pattern starting with a CJK bigram (most are): its places are found in the text
    itself, without tokenising all of it (which took most of a search's time)."""
    return len(seq[0]) == 2 and is_cjk(seq[0][0]) and is_cjk(seq[0][1])


def _walk(folded: str, seq: tuple[str, ...]) -> list[tuple[int, int]]:
    """[start, end) of each occurrence of ``seq`` in ``folded`` (no spaced runs): the first
    bigram found with str.find, the tokens after it walked one by one (as ``token_columns``
    would list them: a run's next bigram, else the next run's or word's first token)."""
    out = []
    p = folded.find(seq[0])
    while p >= 0:
        token: tuple[str, int, int] | None = (seq[0], p, p + 2)  # two CJK characters side by side: a bigram
        for want in seq[1:]:
            assert token is not None  # the loop breaks on None
            token = bigram_token_after(folded, token)
            if token is None or not _same(token[0], want):
                break
        else:
            assert token is not None
            out.append((p, token[2]))
        p = folded.find(seq[0], p + 1)
    return out


def _starts(texts: list[str], first: str) -> list[int]:
    """Where a pattern may start: its first token, or for a code a token continuing it at a
    letter/digit boundary (the search found HRB400E for HRB400, so that is what to highlight)."""
    if not first.isascii():
        out: list[int] = []
        try:  # list.index scans in C: most tokens of a text are none of the query's
            i = texts.index(first)
            while True:
                out.append(i)
                i = texts.index(first, i + 1)
        except ValueError:
            return out
    like = {tok for tok in set(texts) if tok.isascii() and _same(tok, first)}
    return [i for i, tok in enumerate(texts) if tok in like] if like else []


def _same(tok: str, want: str) -> bool:
    if tok == want:
        return True
    if not want.isascii():
        return False
    return continues_at_boundary(want, tok) or (len(want) >= MIN_INSIDE and holds_part(tok, want))


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
        piece = text[s:e]
        left = len(piece) - len(piece.lstrip())  # str.strip drops what str.isspace calls space
        right = len(piece.rstrip())
        if right > left:
            trimmed.append((s + left, s + right))
    return trimmed


def _best_fragments(fragments: list[tuple[int, int]], spans: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Up to MAX_FRAGMENTS fragments with the most distinct matched patterns, in text order."""

    # Each span counted in every fragment it overlaps, found by bisection over the fragments'
    # ends (they are sorted and apart): one pass over the spans, not one per fragment.
    inside: dict[int, list[int]] = {}
    frag_ends = [end for _start, end in fragments]
    for s, e, n in spans:
        i = bisect.bisect_right(frag_ends, s)
        while i < len(fragments) and fragments[i][0] < e:
            inside.setdefault(i, []).append(n)
            i += 1
    matched = [((len(set(found)), len(found)), i) for i, found in sorted(inside.items())]
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
