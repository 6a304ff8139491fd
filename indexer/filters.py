"""Search filters as one value: ``Filters`` names every filter once, for every caller.

The command line, the index and anything else that narrows a search pass a ``Filters``
instead of spelling out project, item, person, … each time, so adding a filter means adding
one field here and one clause to ``Filters.clauses`` (which every engine reads).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from dangan.indexer.errors import QueryError
from dangan.indexer.schema import filter_value

if TYPE_CHECKING:
    from whoosh.query import Query

# --type values → a mime type, or a prefix ending in "/".
TYPE_MIME = {
    "pdf": ("application/pdf",),
    "image": ("image/",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/msword"),
    "text": ("text/",),
}


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to; every field is optional and they combine with AND.

    ``project`` matches a project's code or name, ``item`` a checklist item's code or title,
    ``person`` and ``group`` match exactly (folded, so 張偉 finds 张伟), ``type`` is one of
    ``TYPE_MIME`` (pdf|image|docx|text); ``date_from``/``date_to`` are inclusive and apply to
    the document date, or the filing date when a document has none.
    """

    project: str | None = None
    item: str | None = None
    person: str | None = None
    group: str | None = None
    type: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def given(self) -> bool:
        """Whether any filter was given at all (even an empty string), e.g. to word a message."""
        return any(getattr(self, f.name) is not None for f in fields(self))

    def clauses(self) -> list[Clause]:
        """The filters that are set (empty values are ignored), engine-neutral, all to be ANDed:
        ``("terms", ((field, value), …))`` matches any of those exact terms, ``("prefix", field,
        value)`` a term starting with value, and ``("any", [clause, …])`` any of its clauses;
        ``("dates", start, end)`` the ``date`` field within [start, end] (either may be None),
        ``("ids", frozenset)`` one of these document ids.
        Every search engine builds its filter from these, so both filter alike."""
        parts: list[Clause] = []
        if self.project:
            parts.append(_any_of(("project", "project_name"), self.project))
        if self.item:
            parts.append(_any_of(("item_code", "item_title"), self.item))
        if self.person:
            parts.append(("terms", (("person", filter_value(self.person)),)))
        if self.group:
            parts.append(("terms", (("group", filter_value(self.group)),)))
        if self.type:
            parts.append(_type_clause(self.type))
        if self.date_from or self.date_to:
            parts.append(_date_clause(self.date_from, self.date_to))
        return parts

    def query(self) -> Query | None:
        """The Whoosh query of ``clauses`` (their AND), or None when no filter is set."""
        from whoosh.query import And

        parts = [_whoosh(c) for c in self.clauses()]
        if not parts:
            return None
        return And(parts) if len(parts) > 1 else parts[0]


# An engine-neutral filter clause (see ``Filters.clauses``).
Clause = tuple


def _whoosh(clause: Clause) -> Query:
    from whoosh.query import DateRange, Or, Prefix, Term

    kind = clause[0]
    if kind == "terms":
        terms = [Term(name, value) for name, value in clause[1]]
        return terms[0] if len(terms) == 1 else Or(terms)
    if kind == "prefix":
        return Prefix(clause[1], clause[2])
    if kind == "any":
        return Or([_whoosh(c) for c in clause[1]])
    if kind == "ids":
        return Or([Term("id", str(i)) for i in sorted(clause[1])])
    return DateRange("date", clause[1], clause[2])  # both ends inclusive


def _any_of(fieldnames: tuple[str, ...], value: str) -> Clause:
    folded = filter_value(value)
    return ("terms", tuple((name, folded) for name in fieldnames))


def _type_clause(kind: str) -> Clause:
    mimes = TYPE_MIME.get(kind.strip().lower())
    if mimes is None:
        raise QueryError("unknown document type {kind!r}: use one of {kinds}", kind=kind, kinds=", ".join(TYPE_MIME))
    return ("any", [("prefix", "mime_type", m) if m.endswith("/") else ("terms", (("mime_type", m),)) for m in mimes])


def _date_clause(date_from: date | None, date_to: date | None) -> Clause:
    if date_from and date_to and date_from > date_to:
        raise QueryError(
            "the start date {first} is after the end date {last}: swap them", first=date_from, last=date_to
        )
    start = datetime.combine(date_from, time.min) if date_from else None
    end = datetime.combine(date_to, time.max) if date_to else None
    return ("dates", start, end)
