"""Latin/digit codes in queries: the ways a document may have written them as index tokens.

The index keeps a run of letters and digits as one token (HRB400E → ``hrb400e``, GB50300-2013
→ ``gb50300`` ``2013``) and that cannot change without rebuilding every index, so codes are
matched on the query side:

* by their letter/digit parts: where letters meet digits, a document may have written them
  together or apart (GB50300 / GB 50300, HRB 400 / HRB400), so a query code stands for every
  such grouping of its parts;
* by prefix at a letter/digit boundary: HRB400 finds HRB400E and C30 finds C30P8, but C3
  does not find C30 (a digit continuing a number is another number);
* by a later part (50300 finds GB50300), looked up among the index's Latin/digit terms.
"""

from __future__ import annotations

import itertools
import re

_PART = re.compile(r"[0-9]+|[^\W\d_]+")
# Past this many places where letters meet digits, only the typed form and the fully split
# form are tried (2**n groupings would each be a phrase to look up).
MAX_JOINABLE = 4
# Continuations of one code token looked up at most (a prefix is typed to narrow, not to list),
# the shortest part looked for inside longer codes, and the phrases one code may become.
# Both engines' code phrases use them (``nearby.CodePhrase``, ``tantivy_query``).
MAX_CONTINUATIONS = 16
MIN_INSIDE = 3
MAX_PHRASES = 32


def parts(token: str) -> list[str]:
    """A Latin/digit token split where letters meet digits: hrb400e → hrb, 400, e."""
    return _PART.findall(token) or [token]


def is_digit(part: str) -> bool:
    return part[:1].isdigit()


def groupings(chain: list[str]) -> list[tuple[str, ...]]:
    """Every token sequence a document may hold for a chain of query tokens (typed form first).

    ``chain`` is consecutive Latin/digit tokens of one query word (GB50300-2013 → gb50300,
    2013).  Between two parts, letters meeting digits may be written together or apart;
    anything else (two numbers on either side of a dash) stays apart, as the index splits it.
    """
    pieces: list[str] = []
    joined_now: list[bool] = []  # per boundary: joined in the query as typed
    joinable: list[bool] = []  # per boundary: letters meet digits
    for token in chain:
        for k, part in enumerate(parts(token)):
            if pieces:
                joined_now.append(k > 0)
                joinable.append(is_digit(part) != is_digit(pieces[-1]))
            pieces.append(part)
    free = [i for i, ok in enumerate(joinable) if ok]
    if len(free) > MAX_JOINABLE:
        choices = [tuple(joined_now[i] for i in free), (False,) * len(free), (True,) * len(free)]
    else:
        typed = tuple(joined_now[i] for i in free)
        choices = [typed] + [c for c in itertools.product((True, False), repeat=len(free)) if c != typed]
    out: list[tuple[str, ...]] = []
    for choice in choices:
        joins = list(joined_now)
        for i, join in zip(free, choice):
            joins[i] = join
        seq = _join(pieces, joins)
        if seq not in out:
            out.append(seq)
    return out


def _join(pieces: list[str], joins: list[bool]) -> tuple[str, ...]:
    tokens = [pieces[0]]
    for piece, join in zip(pieces[1:], joins):
        if join:
            tokens[-1] += piece
        else:
            tokens.append(piece)
    return tuple(tokens)


def continues_at_boundary(prefix: str, term: str) -> bool:
    """Whether ``term`` extends ``prefix`` across a letter/digit boundary (hrb400 → hrb400e)."""
    if len(term) <= len(prefix) or not term.startswith(prefix):
        return False
    nxt = term[len(prefix)]
    if not (nxt.isdigit() or nxt.isalpha()):
        return False
    return nxt.isdigit() != prefix[-1].isdigit()


def holds_part(term: str, part: str) -> bool:
    """Whether ``term`` holds ``part`` starting after a letter/digit boundary and ending at
    one or at its end (gb50300 holds 50300, hrb400e holds 400; c300 does not hold 30)."""
    at = term.find(part, 1)
    while at > 0:
        end = at + len(part)
        if term[at - 1].isdigit() != part[0].isdigit() and (end == len(term) or continues_at_boundary(part, term[at:])):
            return True
        at = term.find(part, at + 1)
    return False


def terms_holding(lines: str, part: str) -> list[str]:
    """The terms of ``lines`` (one a line) that hold ``part`` after a letter/digit boundary
    (``holds_part``), in their order, each once: found with str.find where the part occurs
    rather than by a Python loop over every term (100,000 file-name numbers took 0.1 s)."""
    found: dict[str, None] = {}
    at = lines.find(part)
    while at >= 0:
        start = lines.rfind("\n", 0, at) + 1
        end = lines.find("\n", at)
        term = lines[start : end if end >= 0 else len(lines)]
        if at > start and holds_part(term, part):
            found[term] = None
        at = lines.find(part, at + 1)
    return list(found)
