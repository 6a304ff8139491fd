"""Chinese text analysis for the search index: folding, CJK bigrams and unigrams.

Text is folded before tokenising: Traditional characters become Simplified (OpenCC's
``t2s`` data, applied character by character), full-width ASCII becomes half-width and
A–Z become a–z.  Every fold maps one character to one character, so the folded string
has the same length as the original and token offsets point into the *original* text —
that is what lets a Simplified query highlight the Traditional words it matched.

Runs of CJK ideographs become overlapping character bigrams (a one-character run stays
a unigram); whitespace inside a run is skipped, because OCR spaces characters out and PDF
text breaks lines mid-word.  Latin letters and digits become lower-cased words.  The unigram analyzer
splits CJK runs into single characters so one-character queries can be answered from a
separate field.

Whoosh pickles analyzers into the index's table of contents, so ``ChineseTokenizer``
must keep this import path and name, and hold nothing but its small ``gram`` setting.  It
is made on first use (the module's ``__getattr__``): it subclasses Whoosh's ``Tokenizer``,
and the tantivy engine, which uses the functions here, never imports Whoosh.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, NamedTuple

from dangan.indexer.text import fold

# CJK ideographs: Extension A, the unified block, compatibility ideographs, the
# supplementary planes (Extension B onwards) and 〇, which is used as a digit in dates.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A CJK run may contain whitespace: OCR puts spaces between characters and PDF text breaks
# lines inside words, while Chinese itself never separates words with spaces.
_TOKEN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+(?:\s+[{_CJK}]+)*)|(?P<word>[^\W_{_CJK}]+)")
_CJK_RE = re.compile(rf"[{_CJK}]")
_SPACE_RE = re.compile(r"\s")
# Whitespace inside a CJK run (OCR spacing, broken lines): the one case where a bigram's two
# characters are not next to each other in the text.
_SPACED_CJK_RE = re.compile(rf"[{_CJK}]\s+[{_CJK}]")


def has_spaced_run(folded: str) -> bool:
    """Whether any CJK run of ``folded`` holds whitespace (its bigrams then bridge it)."""
    return _SPACED_CJK_RE.search(folded) is not None


def bigram_token_after(folded: str, token: tuple[str, int, int]) -> tuple[str, int, int] | None:
    """The token after ``token`` in text without spaced runs (gram 2), None at the end: the
    next bigram of the same run, else the first token of the next run or word."""
    _text, start, end = token
    if end - start == 2 and _CJK_RE.match(folded, start) and _CJK_RE.match(folded, end) is not None:
        return folded[start + 1 : start + 3], start + 1, start + 3
    match = _TOKEN_RE.search(folded, end)
    if match is None:
        return None
    if match.lastgroup == "word":
        return match.group().lower(), match.start(), match.end()
    first = match.start()
    width = 2 if match.end() - first >= 2 else 1
    return folded[first : first + width], first, first + width


class Tok(NamedTuple):
    """One token: its folded text, position and [start, end) offsets in the original."""

    text: str
    pos: int
    start: int
    end: int


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a CJK ideograph (the characters that are split into n-grams)."""
    return bool(_CJK_RE.fullmatch(ch))


def iter_tokens(text: str, gram: int = 2) -> Iterator[Tok]:
    """Tokens of ``text``: CJK runs as ``gram``-grams (bigrams or unigrams), Latin words.

    A CJK run shorter than ``gram`` is one token.  Positions are consecutive across CJK
    and Latin tokens, so a phrase of query tokens matches only adjacent text.
    """
    for pos, (tok, start, end) in enumerate(raw_tokens(fold(text), gram)):
        yield Tok(tok, pos, start, end)


def raw_tokens(folded: str, gram: int) -> Iterator[tuple[str, int, int]]:
    """(text, start, end) of each token of already folded text; plain tuples, as this is
    the inner loop of indexing."""
    for match in _TOKEN_RE.finditer(folded):
        start = match.start()
        run = match.group()
        if match.lastgroup == "word":
            yield run.lower(), start, match.end()
        elif _SPACE_RE.search(run) is None:
            width = min(gram, len(run))
            for i in range(start, start + len(run) - width + 1):
                yield folded[i : i + width], i, i + width
        else:
            yield from _spaced_run(folded, start, run, gram)


def token_texts(folded: str, gram: int) -> Iterator[str]:
    """The texts ``raw_tokens`` yields, without offsets: the indexing loop needs no more."""
    for match in _TOKEN_RE.finditer(folded):
        run = match.group()
        if match.lastgroup == "word":
            yield run.lower()
        elif len(run) == 1 or gram == 1 and _SPACE_RE.search(run) is None:
            yield from run
        elif _SPACE_RE.search(run) is None:
            # Bigrams of a run: each character joined to the next (in C, not a Python loop).
            yield from map(str.__add__, run, run[1:])
        else:
            yield from (text for text, _start, _end in _spaced_run(folded, match.start(), run, gram))


def token_columns(folded: str, gram: int) -> tuple[list[str], list[int], list[int]]:
    """What ``raw_tokens`` yields, as three lists (texts, starts, ends), built a run at a time
    by list operations in C: snippets tokenise the whole text of every hit shown, and the
    per-token generator was nine tenths of a tantivy search's time (bench/README.md)."""
    texts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _TOKEN_RE.finditer(folded):
        start, end = match.span()
        run = match.group()
        if match.lastgroup == "word":
            texts.append(run.lower())
            starts.append(start)
            ends.append(end)
        elif _SPACE_RE.search(run) is not None:
            for text, first, last in _spaced_run(folded, start, run, gram):
                texts.append(text)
                starts.append(first)
                ends.append(last)
        elif gram == 1 or len(run) == 1:
            texts.extend(run)
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
        else:
            texts.extend(map(str.__add__, run, run[1:]))
            starts.extend(range(start, end - 1))
            ends.extend(range(start + 2, end + 1))
    return texts, starts, ends


def _spaced_run(folded: str, start: int, run: str, gram: int) -> Iterator[tuple[str, int, int]]:
    """N-grams of a CJK run with whitespace inside: the characters are joined across it,
    and a token's offsets span the whitespace it bridges."""
    where = [start + i for i, ch in enumerate(run) if not ch.isspace()]
    width = min(gram, len(where))
    for k in range(len(where) - width + 1):
        first, last = where[k], where[k + width - 1]
        yield "".join(folded[i] for i in where[k : k + width]), first, last + 1


def tokens(text: str, gram: int = 2) -> list[Tok]:
    """All tokens of ``text`` as a list (see ``iter_tokens``)."""
    return list(iter_tokens(text, gram))


def _make_tokenizer_class() -> type:
    """``ChineseTokenizer`` and its helper, defined against Whoosh's ``Tokenizer`` (imported now)."""
    from whoosh.analysis import Token, Tokenizer

    class ChineseTokenizer(Tokenizer):
        """Whoosh tokenizer: folded text, CJK ``gram``-grams and lower-cased Latin words."""

        def __init__(self, gram: int = 2):
            if gram not in (1, 2):
                raise ValueError(f"gram must be 1 or 2, not {gram!r}")
            self.gram = gram

        def __eq__(self, other):
            return self.__class__ is other.__class__ and self.gram == other.gram

        def __hash__(self):
            return hash((self.__class__.__name__, self.gram))

        def __call__(
            self,
            value,
            positions=False,
            chars=False,
            keeporiginal=False,
            removestops=True,
            start_pos=0,
            start_char=0,
            tokenize=True,
            mode="",
            **kwargs,
        ):
            """Yield Whoosh tokens (one reused Token object, as Whoosh expects)."""
            t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
            if not tokenize:
                yield _whole(t, value, positions, chars, start_pos, start_char)
                return
            pos = start_pos
            for text, start, end in raw_tokens(fold(value), self.gram):
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = value[start:end]
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = start_char + start
                    t.endchar = start_char + end
                pos += 1
                yield t

    # Pickled by module and qualified name: the name Whoosh's table of contents has always held.
    ChineseTokenizer.__module__ = __name__
    ChineseTokenizer.__qualname__ = "ChineseTokenizer"
    return ChineseTokenizer


def _whole(t: Any, value: str, positions: bool, chars: bool, start_pos: int, start_char: int) -> Any:
    """The untokenized value as one folded token (Whoosh asks for this with tokenize=False)."""
    t.original = value
    t.text = fold(value).lower()
    t.boost = 1.0
    t.stopped = False
    if positions:
        t.pos = start_pos
    if chars:
        t.startchar = start_char
        t.endchar = start_char + len(value)
    return t


def __getattr__(name: str) -> Any:
    """``ChineseTokenizer``, made once on first use (what Whoosh's unpickling looks up too)."""
    if name == "ChineseTokenizer":
        made = globals()
        if name not in made:  # called directly by the analyzers below, too
            made[name] = _make_tokenizer_class()
        return made[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def bigram_analyzer() -> Any:
    """The analyzer of the title/content fields: CJK bigrams plus Latin words."""
    return __getattr__("ChineseTokenizer")(gram=2)


def unigram_analyzer() -> Any:
    """The analyzer of the one-character field: CJK single characters plus Latin words."""
    return __getattr__("ChineseTokenizer")(gram=1)
