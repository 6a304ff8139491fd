"""What the search index stores: its fields, the Whoosh schema, and document → field values.

Documents reach the index as plain dicts keyed by ``INDEX_FIELDS``; ``doc_fields`` turns one
into the values Whoosh writes.  Filter fields are indexed folded (so 張偉 finds 张伟, c3 finds
C3) and stored as given, so a hit shows what the catalog holds.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Mapping

from dangan.indexer.text import fold

if TYPE_CHECKING:
    from whoosh.fields import TEXT, Schema

INDEX_FIELDS = (
    "id",
    "title",
    "content",
    "original_name",
    "project",
    "project_name",
    "item_code",
    "item_title",
    "group",
    "person",
    "role",
    "mime_type",
    "document_date",
    "filed_at",
    "pages",
    "vault_path",
)

# Fields searched with the bigram analyzer; a hit in the title counts for more (BM25F).
TEXT_FIELDS = ("title", "content", "original_name")
TITLE_BOOST = 3.0
# Exact-match fields used as filters; indexed folded (so 張偉 finds 张伟, c3 finds C3) and
# stored as given.
FILTER_FIELDS = ("project", "project_name", "item_code", "item_title", "group", "person", "role", "mime_type")


def schema() -> Schema:
    """The Whoosh index schema (see the module docstring for what each group of fields is for)."""
    from whoosh.fields import DATETIME, ID, NUMERIC, STORED, Schema  # the Whoosh engine only

    from dangan.indexer.analysis import bigram_analyzer, unigram_analyzer

    bigram = bigram_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=_text(bigram, stored=True, field_boost=TITLE_BOOST),
        # Stored for snippets.  Whoosh already zlib-compresses each document's stored fields
        # (measured: compressing the content ourselves made the index 1% larger).
        content=_text(bigram, stored=True),
        original_name=_text(bigram, stored=True),
        # Single characters of title, file name and content, for one-character queries and
        # for query words whose CJK part is one character (A栋, 3#楼).
        chars=_text(unigram_analyzer()),
        **{name: ID(stored=True) for name in FILTER_FIELDS},
        document_date=DATETIME(stored=True),
        filed_at=DATETIME(stored=True),
        # The date filters use: the document date, else the filing date.
        date=DATETIME(),
        pages=NUMERIC(int, stored=True),
        vault_path=STORED(),
    )


def _text(analyzer, *, stored: bool = False, field_boost: float = 1.0) -> TEXT:
    """A text field whose positions are packed (see ``dangan.indexer.postings``)."""
    from whoosh.fields import TEXT

    from dangan.indexer.postings import PackedPositions

    field = TEXT(analyzer=analyzer, stored=stored, field_boost=field_boost)
    field.format = PackedPositions(field_boost=field_boost)
    return field


def doc_fields(doc: Mapping) -> dict:
    """Whoosh field values for one document dict (keys from ``INDEX_FIELDS``)."""
    unknown = set(doc) - set(INDEX_FIELDS)
    if unknown:
        raise ValueError(f"unknown index field(s) {sorted(unknown)}; expected keys from INDEX_FIELDS")
    text = {name: str(doc.get(name) or "") for name in ("title", "content", "original_name", "vault_path")}
    values: dict = {"id": str(int(doc["id"])), "pages": int(doc.get("pages") or 0), **text}
    values["chars"] = "\n".join((text["title"], text["original_name"], text["content"]))
    for name in FILTER_FIELDS:
        raw = str(doc.get(name) or "").strip()
        if raw:
            values[name] = filter_value(raw)
            values[f"_stored_{name}"] = raw
    values.update(_date_fields(doc))
    return values


def _date_fields(doc: Mapping) -> dict:
    """The stored dates and the ``date`` the filters use (document date, else filing day)."""
    values: dict = {}
    document_date = _as_datetime(doc.get("document_date"))
    filed_at = _as_datetime(doc.get("filed_at"))
    if document_date is not None:
        values["document_date"] = document_date
    if filed_at is not None:
        values["filed_at"] = filed_at
    effective = document_date or (datetime.combine(filed_at.date(), time.min) if filed_at else None)
    if effective is not None:
        values["date"] = effective
    return values


def _as_datetime(value: date | datetime | None) -> datetime | None:
    """A naive datetime for Whoosh's DATETIME fields (which cannot compare aware ones)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    return datetime.combine(value, time.min)


def filter_value(value: str) -> str:
    """How a filter value is indexed and looked up: trimmed and folded."""
    return fold(value.strip())
