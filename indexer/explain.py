"""How a query was read, in lines a person can check (``dangan search --explain``).

It says what each word became (a phrase of bigrams, single characters, a code and the ways
its parts may be written), which synonyms were added and at what weight, and which search
level answered: the words as written, all their parts apart, or most of their parts.
"""

from __future__ import annotations

from dangan.indexer.codes import groupings
from dangan.indexer.query import FILL_UP, Form, Reading, Word
from dangan.indexer.thesaurus import Thesaurus

_LEVELS = {
    "phrase": "every word as written (phrases of adjacent characters)",
    "words": "each word was also looked for by all its parts apart, the documents holding them as written "
    "first, then those whose parts stand nearest together",
    "some": "no document holds all parts of every word, so each word was looked for by most of its parts",
    "most": "no document holds every word, so documents holding most of the words were looked for, "
    "those holding more of them first",
}


def explain_lines(reading: Reading, total: int) -> list[str]:
    """The lines of the explanation of ``reading`` after a search found ``total`` documents."""
    thesaurus = reading.thesaurus or Thesaurus()
    lines = [f"query: {reading.text}"]
    for n, group in enumerate(reading.groups, 1):
        joined = " OR ".join(w.text for w in group)
        lines.append(f"word {n}: {joined}" if len(group) == 1 else f"word {n} (any of): {joined}")
        for word in group:
            lines.extend(_word_lines(word, thesaurus))
    for word in reading.excluded:
        lines.append(f"excluded: {word.text} ({_form_text(word.forms[0])})")
    if len(reading.groups) > 1:
        lines.append("words are ANDed: a document must hold every word")
    if reading.level != "phrase" and "phrase" in reading.found:
        lines.append(_as_written(reading.found["phrase"]))
    if total:
        lines.append(f"answered by: {_LEVELS[reading.level]}; {total} document(s) match")
    else:
        lines.append(f"nothing matched, even at the loosest level tried ({reading.level}): {_LEVELS[reading.level]}")
    if reading.levels() == ("phrase",):
        lines.append("no fallback: no word has parts to look for apart (quoted, or a single term)")
    lines.append(f"synonyms from: {thesaurus.source or 'none'} ({len(thesaurus)} words)")
    return lines


def _as_written(count: int) -> str:
    if not count:
        return "as written: no document holds them as written"
    return (f"as written: {count} document(s), fewer than a first page of {FILL_UP}, and a part rare "
            "enough to look for the words apart too")  # fmt: skip


def _word_lines(word: Word, thesaurus: Thesaurus) -> list[str]:
    literal = word.forms[0]
    how = "quoted: always a phrase" if word.quoted else _form_text(literal)
    lines = [f"  {word.text}: {how}"]
    for kind, toks in literal.segments:
        if kind == "code":
            ways = " | ".join(" ".join(seq) for seq in groupings(list(toks)))
            lines.append(f"    code {' '.join(toks)}: written as {ways}; each may continue after a letter/digit boundary "
                         "(HRB400 finds HRB400E)")  # fmt: skip
    for form in word.forms[1:]:
        assert form.synonym is not None  # every form after the first is a synonym's
        found, other = form.synonym
        lines.append(f"    synonym: {found} → {other}, looked for as {form.text} (weight {thesaurus.weight:g})")
    if word.quoted and len(word.forms) == 1:
        lines.append("    no synonyms for a quoted phrase")
    return lines


def _form_text(form: Form) -> str:
    toks = [t for _, seq in form.segments for t in seq]
    if form.gram == 1:
        return f"single characters {' '.join(toks)} in order (a one-character part is found inside longer words)"
    if len(toks) == 1:
        return f"the term {toks[0]}"
    return f"the phrase of {' '.join(toks)}"
