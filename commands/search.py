"""The ``dangan search`` command: ranked hits with highlighted snippets, or JSON for scripts."""

from __future__ import annotations

from datetime import date

import click
from rich.markup import escape

from dangan.commands.common import console, emit_json, home_option, json_option, state
from dangan.indexer.index import TYPE_MIME, Hit, SearchIndex


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Parse --from/--to with the one date parser; a bad value names the option and the form."""
    from dangan.archive.days import parse_day

    return None if value is None else parse_day(value, param.opts[0])


@click.command()
@click.argument("query", nargs=-1)
@click.option("--project", help="Only this project (code or name).")
@click.option("--item", help="Only this checklist item (code or title).")
@click.option("--person", help="Only documents filed under this responsible person.")
@click.option("--group", help="Only this checklist group.")
@click.option("--type", "doc_type", type=click.Choice(list(TYPE_MIME)), help="Only this kind of file.")
@click.option("--from", "date_from", callback=_date, metavar="YYYY-MM-DD", help="Documents dated on or after this day.")
@click.option("--to", "date_to", callback=_date, metavar="YYYY-MM-DD", help="Documents dated on or before this day.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many hits (a page)."
)
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many hits first.")
@click.option("--page", type=click.IntRange(min=1), help="Page N of --limit hits (same as --offset (N-1)*limit).")
@click.option(
    "--explain", is_flag=True, help="Also say how the query was read: phrases, codes, synonyms, fallback used."
)
@json_option
@home_option
def search(
    query, project, item, person, group, doc_type, date_from, date_to, limit, offset, page, explain, as_json
) -> None:
    """Find filed documents by words in Simplified or Traditional Chinese.

    Words are ANDed; `A OR B` matches either; `-word` excludes; "quoted words" must be
    adjacent.  A Chinese word is found inside longer words (竣工 finds 竣工报告), and
    竣工報告 finds 竣工报告.  Dates are the document's date, else its filing date.

    \b
    Example:
      dangan search 竣工报告
      dangan search 施工組織設計 --project BJ-2024-017
      dangan search '"竣工报告" OR 交工 -草稿' --from 2024-01-01 --to 2024-06-30
      dangan search 测量 --person 赵磊 --type pdf --json
      dangan search 塔吊租赁 --explain
    """
    from dangan.archive.searchrequest import SearchRequest, run_search  # here: `dangan --help` stays light

    text = " ".join(query)
    req = SearchRequest(text, project=project, item=item, person=person, group=group, type=doc_type, date_from=date_from,
                        date_to=date_to, offset=(page - 1) * limit if page else offset, limit=limit)  # fmt: skip
    # The catalog is opened only to check named filters: a plain search needs the index alone
    # (opening the catalog costs the SQLAlchemy import and a checklist read per project).
    cat = state().catalog() if req.names_filters() else None
    with SearchIndex((cat.home if cat else state().home_obj()).index_dir) as index:
        result = run_search(req, index, cat)
        if explain:  # on stderr with --json, so the JSON stays parseable
            click.echo("\n".join(index.explain(text, result.filters)), err=as_json)
    hits, total, offset, filters = result.hits, result.total, result.offset, result.filters
    if total == 0 and cat is None:
        from dangan.archive.searchsync import check_index_usable  # an empty index may be a lost one, not "no match"

        check_index_usable(state().catalog())
    if as_json:
        emit_json([h.to_json() for h in hits])
    elif not hits:
        click.echo(
            f"No documents match {text}{' with those filters' if filters.given() else ''}"
            + (f" beyond the first {total}." if total else ".")
        )
    else:
        if result.level == "most":
            click.echo(f"No document holds every word of {text}; these hold most of them.")
        _print_hits(hits, offset)
        click.echo(_count_line(len(hits), total, offset, limit))


def _count_line(shown: int, total: int, offset: int, limit: int) -> str:
    """ "20 of 55" (with the range when paging) and how to see more."""
    span = f"{shown}" if offset == 0 else f"{offset + 1}–{offset + shown}"
    more = f"; next: --offset {offset + shown}" if offset + shown < total else ""
    return f"{span} of {total} document(s){more}"


def _print_hits(hits: list[Hit], offset: int = 0) -> None:
    out = console()
    for rank, hit in enumerate(hits, offset + 1):
        out.print(f"[bold]{rank}. {escape(hit.title or hit.original_name)}[/]  [dim]score {hit.score:.2f}[/]")
        out.print(f"   {escape(_where(hit))}")
        if hit.snippet:
            out.print(f"   {highlight_markup(hit.snippet, hit.highlights)}")


def _where(hit: Hit) -> str:
    """project · item code and title · person · date · vault path (blank parts left out)."""
    day = hit.document_date or (hit.filed_at.date() if hit.filed_at else None)
    item = " ".join(p for p in (hit.item_code, hit.item_title) if p)
    parts = (hit.project, item, hit.person, day.isoformat() if day else "", hit.vault_path)
    return " · ".join(p for p in parts if p)


def highlight_markup(snippet: str, spans: list[tuple[int, int]]) -> str:
    """Rich markup of ``snippet`` with the ``spans`` emphasised and everything else escaped."""
    parts: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        parts.append(escape(snippet[pos:start]))
        parts.append(f"[bold yellow]{escape(snippet[start:end])}[/]")
        pos = end
    parts.append(escape(snippet[pos:]))
    return "".join(parts)
