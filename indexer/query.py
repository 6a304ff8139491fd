"""Reading a user's query: words, phrases, codes and synonyms, at three levels of strictness.

The syntax is small on purpose (users type a few words, not Lucene): words are ANDed,
``a OR b`` matches either, ``-word`` excludes, ``"…"`` or “…” is a phrase.  Every word goes
through the index's own analysis, so a Chinese word becomes the phrase of its bigrams and a
Traditional query finds Simplified text.

People type compounds without spaces (塔吊租赁, 结构竣工图) that the wanted document holds
only apart, and several words of which the wanted document lacks one (a place it names
otherwise, a word of another region), so a search tries up to four levels (``LEVELS``) and
stops at the first that finds anything:

``phrase``  every word as written (a Chinese word as the phrase of its bigrams); found in
            fewer documents than a first page (``FILL_UP``) while a word holds a rare part
            (``Reading.enough``), the next level is tried too, so the documents holding the
            words apart follow those holding them as written;
``words``   each unquoted word of several tokens by all its parts anywhere in one field —
            every character covered by one of its bigrams present, codes as codes —
            ranked by how close together they stand, the exact phrase first;
``some``    the same words by most of their parts (a minimum-should-match);
``most``    for a query of several words: documents holding most of the words (all but one
            of two or three), each word by all its parts, those holding more ranked first.

Quoted words stay phrases at every level.  A word holding a thesaurus word is also looked
for with each synonym put in its place, at the thesaurus's lower weight (``thesaurus``).
Latin/digit codes match by their letter/digit parts and by prefix (``codes``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from dangan.indexer.analysis import is_cjk, tokens
from dangan.indexer.codes import groupings
from dangan.indexer.errors import QueryError
from dangan.indexer.schema import TEXT_FIELDS
from dangan.indexer.thesaurus import Thesaurus

if TYPE_CHECKING:
    pass

# A highlight pattern: (gram, token texts) — a run of adjacent tokens of that analyzer.
Pattern = tuple[int, tuple[str, ...]]

LEVELS = ("phrase", "words", "some", "most")
# A 2,000-term OR query took 9.8 s: more terms than this is refused with a message.
MAX_QUERY_TERMS = 200
# In the relaxed levels the exact phrase scores this much more, so it ranks first.
PHRASE_BOOST = 3.0
# The ``some`` level needs this share of a word's parts (at least one, at most all but one).
SOME_SHARE = 0.6
MAX_CODE_VARIANTS = 16
# A phrase found in fewer documents than this (a first page) is followed by the documents
# holding its words apart (华正监理 → 华正工程监理咨询有限公司) — when one of its parts is rare:
# in at most RARE_SHARE of the documents, or RARE_MIN.  A compound of common words only
# (单位工程质量竣工验收) apart matched 88% of a 100,000-document index, which is no answer and
# made Whoosh's p95 17× slower; a rare part keeps the match meaningful and the search cheap.
FILL_UP = 10
RARE_MIN = 20
RARE_SHARE = 0.005
# ``Or`` is Whoosh's binary tree of unions: its automatic choice, below 5,000 documents, loads
# every posting of an OR of three or more clauses into arrays first (3-4× slower there).

_OPEN_QUOTES = {'"': '"', "“": "”"}
_CLOSE_QUOTES = {"”"}
_NEGATE = "-－"


class QueryTooLongError(QueryError):
    """A query with more search terms than ``MAX_QUERY_TERMS``."""


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


@dataclass
class Form:
    """One form a query word is looked for in: as typed, or with a synonym put in."""

    text: str
    weight: float
    gram: int  # 2: the bigram fields; 1: the single-character field
    segments: list[tuple[str, tuple[str, ...]]]  # ("cjk", bigrams) or ("code", Latin tokens), in order
    synonym: tuple[str, str] | None = None  # (thesaurus word found, synonym put in its place)

    @property
    def fields(self) -> tuple[str, ...]:
        return TEXT_FIELDS if self.gram == 2 else ("chars",)

    @property
    def terms(self) -> int:
        return sum(len(toks) for _, toks in self.segments)

    def variants(self) -> list[tuple[tuple[str, ...], tuple[bool, ...]]]:
        """Token sequences the document may hold (one per grouping of its codes), each with
        which tokens may continue at a letter/digit boundary."""
        options = [
            [(seq, (True,) * len(seq)) for seq in groupings(list(toks))] if kind == "code" else [(toks, (False,) * len(toks))]
            for kind, toks in self.segments
        ]  # fmt: skip
        out = []
        for combo in itertools.islice(itertools.product(*options), MAX_CODE_VARIANTS):
            out.append((sum((c[0] for c in combo), ()), sum((c[1] for c in combo), ())))
        return out

    def has_code(self) -> bool:
        return any(kind == "code" for kind, _ in self.segments)


@dataclass
class Word:
    """One word or quoted phrase of the query and the forms it is looked for in."""

    text: str
    quoted: bool
    forms: list[Form] = field(default_factory=list)

    def relaxable(self) -> bool:
        """Whether the relaxed levels may look for this word's parts apart."""
        return not self.quoted and any(f.gram == 2 and f.terms > 1 for f in self.forms)


@dataclass
class Reading:
    """How a query was read: groups of ORed words (ANDed together) and excluded words."""

    text: str
    groups: list[list[Word]]
    excluded: list[Word]
    thesaurus: Thesaurus | None = None
    level: str = "phrase"  # the level that answered (set by the search)
    found: dict[str, int] = field(default_factory=dict)  # documents found at each level tried

    def levels(self) -> tuple[str, ...]:
        """The levels worth trying: a word's parts apart only when some word can be relaxed,
        most of the words only when there are several."""
        relax = any(w.relaxable() for g in self.groups for w in g)
        return ("phrase",) + (("words", "some") if relax else ()) + (("most",) if len(self.groups) > 1 else ())

    def enough(
        self, level: str, count: int, rare: Callable[[list[tuple[tuple[str, ...], tuple[str, ...]]]], bool]
    ) -> bool:
        """Whether the search stops at ``level``, which found ``count`` documents (``FILL_UP``).

        ``rare(parts)`` is the engine's answer to "does some part stand in at most
        ``rare_limit`` of the live documents?", a part given as (fields, tokens any of which
        will do): the pieces the ``words`` level requires (``pieces``).  Live documents only,
        so a commit that replaces documents never changes an answer.  Asked only when it
        matters."""
        self.level = level
        self.found[level] = count
        if not count:
            return False
        if level != "phrase" or count >= FILL_UP or "words" not in self.levels():
            return True
        # Only a word typed with parts (not one relaxable through a longer synonym alone: 加氟's
        # 补充制冷剂 apart would outrank 加氟 as written) is followed by its parts apart.
        typed = [w.forms[0] for w in self.relaxed_words() if w.forms[0].gram == 2 and w.forms[0].terms > 1]
        return not typed or not rare([(form.fields, piece) for form in typed for piece in pieces(form)])

    def relaxed_words(self) -> list[Word]:
        """The words the relaxed levels look for by their parts apart."""
        return [w for g in self.groups for w in g if w.relaxable()]

    def words_needed(self) -> int:
        """How many of the query's words the ``most`` level needs: all but one of two or
        three, ``SOME_SHARE`` of more (at least one)."""
        n = len(self.groups)
        return max(1, min(n - 1, math.ceil(SOME_SHARE * n)))

    def patterns(self, level: str = "phrase") -> list[Pattern]:
        """What to highlight in snippets at ``level``."""
        out: list[Pattern] = []
        for word in (w for g in self.groups for w in g):
            for form in word.forms:
                if level != "phrase" and word.relaxable() and form.gram == 2:
                    out.extend((2, (t,)) for kind, toks in form.segments if kind == "cjk" for t in toks)
                    out.extend(
                        (2, seq) for kind, toks in form.segments if kind == "code" for seq in groupings(list(toks))
                    )
                else:
                    out.extend((form.gram, seq) for seq, _ in form.variants())
        return out


def rare_limit(documents: int) -> int:
    """How many live documents a part may stand in and still count as rare (``FILL_UP``)."""
    return max(RARE_MIN, int(RARE_SHARE * documents))


def coverage(bigrams: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every character of a CJK run covered by one of its bigrams, as the bigrams the ``words``
    level requires, each a tuple any of which will do: the first and the last, and for each
    inner character not covered by those either bigram it is part of.  A compound of words
    (塔吊|租赁) keeps each word's bigrams and may lose only those across a word boundary (工方
    in 施工方案 is never required alone).  Both engines build their queries from this."""
    keys: list[tuple[str, ...]] = [(bigrams[0],), (bigrams[-1],)]
    ends = {bigrams[0], bigrams[-1]}
    keys += [(left, right) for left, right in zip(bigrams, bigrams[1:]) if not {left, right} & ends]
    return list(dict.fromkeys(keys))


def pieces(form: Form) -> list[tuple[str, ...]]:
    """What the ``words`` level requires of a form (``coverage`` of each CJK run, a code's
    tokens one by one), each piece a tuple of tokens any of which will do."""
    out: list[tuple[str, ...]] = []
    for kind, toks in form.segments:
        out += coverage(toks) if kind == "cjk" and len(toks) > 1 else [(t,) for t in toks]
    return list(dict.fromkeys(out))


def read_query(text: str, thesaurus: Thesaurus | None = None) -> Reading:
    """How ``text`` is read (see the module docstring); QueryError saying what to type.

    ``thesaurus`` adds synonym forms (None: none).  More than ``MAX_QUERY_TERMS`` terms is
    refused with ``QueryTooLongError``.
    """
    if not text or not text.strip():
        raise QueryError('empty search query: type one or more words, e.g. 竣工报告 or "竣工 验收"')
    item_groups, excluded_items = _groups(_join_codes(_lex(text)))
    groups = [[w for w in (_word(item, thesaurus) for item in group) if w.forms] for group in item_groups]
    groups = [g for g in groups if g]
    excluded = [w for w in (_word(item, None) for item in excluded_items) if w.forms]
    if not groups:
        raise _nothing_to_find(text, bool(excluded))
    literal = sum(w.forms[0].terms for w in itertools.chain(excluded, *groups))
    if literal > MAX_QUERY_TERMS:
        raise QueryTooLongError(
            f"the query has {literal:,} search terms, more than the {MAX_QUERY_TERMS} allowed: "
            "search for a few distinctive words instead of a whole passage"
        )
    return Reading(text, groups, excluded, thesaurus)


def _nothing_to_find(text: str, only_excluded: bool) -> QueryError:
    if only_excluded:
        return QueryError("query {text!r} only excludes words: add a word to look for, e.g. 竣工 -草稿", text=text)
    return QueryError("query {text!r} has no searchable words: type Chinese characters, letters or digits", text=text)


# ----------------------------------------------------------------------------- lexing


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
            raise QueryError(
                "unbalanced quote in query {text!r}: close the phrase with {close} or remove the {open}",
                text=text,
                close=_OPEN_QUOTES[ch],
                open=ch,  # fmt: skip
            )
        return _Item(text[i + 1 : close], quoted=True), close + 1
    if ch in _CLOSE_QUOTES:
        raise QueryError(
            "unbalanced quote in query {text!r}: a {close} closes no phrase; remove it", text=text, close=ch
        )
    j = i
    while j < len(text) and not text[j].isspace() and text[j] not in _OPEN_QUOTES and text[j] not in _CLOSE_QUOTES:
        j += 1
    return _Item(text[i:j]), j


def _plain_code(item: _Item) -> bool:
    return not (item.quoted or item.negate or item.is_or) and item.text.isascii()


def _join_codes(items: list[_Item]) -> list[_Item]:
    """ "GB 50300-2013", "HRB 400": letters followed by a word starting with a digit are one
    code (a document may write it with or without the space)."""
    out: list[_Item] = []
    for item in items:
        prev = out[-1] if out else None
        if prev and _plain_code(prev) and _plain_code(item) and prev.text[-1:].isalpha() and item.text[:1].isdigit():
            prev.text = f"{prev.text} {item.text}"
        else:
            out.append(item)
    return out


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


# ----------------------------------------------------------------------------- analysis


def _word(item: _Item, thesaurus: Thesaurus | None) -> Word:
    """The word of a lexed item with its literal form and (unless quoted) its synonym forms."""
    word = Word(item.text, item.quoted)
    literal = _form(item.text, 1.0)
    if literal is None:
        return word
    word.forms.append(literal)
    if thesaurus is not None and not item.quoted:
        for variant, found, other in thesaurus.variants(item.text):
            form = _form(variant, thesaurus.weight, (found, other))
            if form is not None:
                word.forms.append(form)
    return word


def _form(text: str, weight: float, synonym: tuple[str, str] | None = None) -> Form | None:
    """The analysed form of ``text``, or None when it has nothing searchable."""
    bigrams = tokens(text, 2)
    if not bigrams:
        return None
    # A one-character CJK run (a one-character query, A栋, 3#楼) may sit inside a longer run
    # in the text, where the bigram fields have no such token: use single characters.
    gram = 1 if any(len(t.text) == 1 and is_cjk(t.text) for t in bigrams) else 2
    toks = bigrams if gram == 2 else tokens(text, 1)
    segments: list[tuple[str, list[str]]] = []
    previous = None
    for tok in toks:
        kind = "cjk" if is_cjk(tok.text[0]) else "code"
        joined = (
            previous is not None
            and segments[-1][0] == kind
            and (kind == "code" or gram == 1 or tok.start < previous.end)
        )
        if joined:
            segments[-1][1].append(tok.text)
        else:
            segments.append((kind, [tok.text]))
        previous = tok
    return Form(text, weight, gram, [(kind, tuple(texts)) for kind, texts in segments], synonym)


def synonym_boost(literal: Form, form: Form) -> float:
    """A synonym's weight, scaled down when it has more terms than the literal word: a phrase
    scores the sum of its terms, so 塔式起重机 (4 bigrams) would outscore 塔吊 (1) without it."""
    return form.weight * min(1.0, literal.terms / form.terms)
