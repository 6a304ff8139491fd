"""One search request, as the CLI, the search page and the JSON API all make it.

:class:`SearchRequest` holds what was asked (words, filters, the window); ``from_params``
reads it from a query string (the page and the API).  :func:`run_search` resolves the
filters against the catalog (``dangan.archive.searchfilters``: an unknown project, item or person
is an error listing what there is) and returns one window of hits with the total ("20 of 55").

Light on purpose: a plain ``dangan search`` imports neither SQLAlchemy nor the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from dangan.archive.days import parse_day
from dangan.indexer.errors import UsageError
from dangan.indexer.filters import TYPE_MIME, Filters
from dangan.indexer.index import Hit, SearchIndex

if TYPE_CHECKING:
    from dangan.archive.catalog import Catalog

MAX_LIMIT = 100  # hits in one window from a query string (the CLI's --limit is the user's own)


@dataclass(frozen=True)
class SearchRequest:
    """What one search asks for: the words, the filters as typed, and the window of hits."""

    query: str
    project: str | None = None
    item: str | None = None
    person: str | None = None
    group: str | None = None
    type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    offset: int = 0
    limit: int = 20

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, per_page: int = 20) -> "SearchRequest":
        """A request from a query string: q, project, item, person, group, type, from, to, and
        page (of ``per_page``) or offset/limit.  Bad values are UsageErrors naming the parameter."""
        kind = params.get("type") or None
        if kind and kind not in TYPE_MIME:
            raise UsageError(f"unknown type {kind!r}; use one of {'|'.join(TYPE_MIME)}")
        limit = _number(params, "limit", per_page, low=1, high=MAX_LIMIT)
        offset = (
            (_number(params, "page", 1, low=1) - 1) * limit
            if params.get("page")
            else _number(params, "offset", 0, low=0)
        )
        return cls(
            query=(params.get("q") or "").strip(), type=kind, offset=offset, limit=limit,
            **{k: (params.get(k) or "").strip() or None for k in ("project", "item", "person", "group")},
            date_from=_day(params.get("from"), "from"), date_to=_day(params.get("to"), "to"),
        )  # fmt: skip

    def names_filters(self) -> bool:
        """Whether a filter must be checked against the catalog (project, item or person)."""
        return bool(self.project or self.item or self.person)


@dataclass(frozen=True)
class SearchPage:
    """One window of hits, how many match in all, and the filters as the index was asked."""

    hits: list[Hit]
    total: int
    offset: int
    limit: int
    filters: Filters = field(default_factory=Filters)
    # The search level that answered (``indexer.query.LEVELS``): "most" when no document held
    # every word and the page shows those holding most of them, which the page says.
    level: str = "phrase"

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


def resolve_filters(cat: Catalog | None, req: SearchRequest) -> Filters:
    """The request's filters as the index stores them; unknown project/item/person raise.

    ``cat`` may be None when no filter names a project, item or person (a plain search
    needs no catalog: the CLI then skips opening it).
    """
    known: dict = {}
    if req.names_filters():
        if cat is None:
            raise UsageError("a project, item or person filter needs the catalog")
        from dangan.archive.searchfilters import check_filters  # SQLAlchemy only when a filter needs it

        known = check_filters(cat, project=req.project, item=req.item, person=req.person)
    return Filters(group=req.group, type=req.type, date_from=req.date_from, date_to=req.date_to, **known)


def run_search(req: SearchRequest, index: SearchIndex | Callable[[], SearchIndex], cat: Catalog | None) -> SearchPage:
    """Resolve the filters and return hits ``offset+1 … offset+limit`` with the total.

    ``index`` may be a function giving the index: a web worker thread must look up its own
    (a Whoosh searcher is not shared between threads), so it is called here, in the caller's
    thread, not where the request was made.
    """
    filters = resolve_filters(cat, req)
    ix = index() if callable(index) else index
    hits, total = ix.search_window(req.query, filters, offset=req.offset, limit=req.limit)
    if total == 0 and cat is not None:
        from dangan.archive.searchsync import check_index_usable  # an empty index may be a lost one, not "no match"

        check_index_usable(cat)
    return SearchPage(hits, total, req.offset, req.limit, filters, ix.answered_by)


def _number(params: Mapping[str, str], name: str, default: int, *, low: int, high: int | None = None) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        upto = f" to {high}" if high is not None else ""
        raise UsageError(f"{name} {raw!r}: use a whole number from {low}{upto}")
    return int(raw)


def _day(text: str | None, name: str) -> date | None:
    return parse_day(text, name) if text else None
