"""Commands on filed documents: review, file, refile, reindex, verify."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from dangan.archive.intake.filing import file_reviewed, refile, review_queue
from dangan.archive.searchsync import optimize_index, rebuild_index
from dangan.archive.verify import verify as verify_catalog
from dangan.commands.common import console, emit_json, home_option, json_option, progress_bar, state
from dangan.indexer.errors import ExitCode


@click.command()
@json_option
@home_option
def review(as_json: bool) -> None:
    """Documents the classifier could not place, with its best suggestions.

    \b
    Example:
      dangan review
      dangan file 12 --project BJ-2024-017 --item C07
    """
    docs = review_queue(state().catalog())
    if as_json:
        return emit_json(
            [
                {
                    k: d[k]
                    for k in (
                        "id",
                        "original_name",
                        "title",
                        "project_code",
                        "vault_path",
                        "suggestions",
                        "confidence",
                        "reason",
                    )
                }
                for d in docs
            ]
        )
    if not docs:
        click.echo("Nothing waits in review.")
        return
    t = Table("id", "file", "title", "project", "suggestions (item score)", "why")
    for d in docs:
        sugg = ", ".join(f"{s['item']} {s['title']} {s['score']:g}" for s in d["suggestions"]) or "-"
        t.add_row(
            str(d["id"]),
            escape(d["original_name"]),
            escape(d["title"]),
            d["project_code"] or "-",
            escape(sugg),
            escape(d["reason"] or "-"),
        )
    console().print(t)
    click.echo(f"{len(docs)} document(s) in review. Place one: dangan file ID --project CODE --item ITEM")


@click.command("file")
@click.argument("doc_id", type=int)
@click.option("--project", "project", help="Project code to file it under (default: the project review shows).")
@click.option(
    "--item", required=True, help="Checklist item: code, title, part of the title or an alias (C14, 施工日志)."
)
@json_option
@home_option
def file_cmd(doc_id: int, project: str | None, item: str, as_json: bool) -> None:
    """Place a document waiting in review under a project and checklist item.

    \b
    Example:
      dangan file 12 --project BJ-2024-017 --item C07
      dangan file 14 --item 施工日志        # the project review already shows
    """
    cat = state().catalog()
    d = file_reviewed(cat, doc_id, project=project, item=item)
    if as_json:
        return emit_json(_doc_json(d))
    click.echo(f"Filed #{d['id']} under {d['project_code']} {d['item_code']} ({d['person'] or '-'}): {d['vault_path']}")


@click.command("refile")
@click.argument("doc_id", type=int)
@click.option("--item", required=True, help="New checklist item: code, title, part of the title or an alias.")
@click.option("--project", help="Move to another project as well.")
@json_option
@home_option
def refile_cmd(doc_id: int, item: str, project: str | None, as_json: bool) -> None:
    """Move a filed document to another checklist item (vault, catalog and index together).

    \b
    Example:
      dangan refile 7 --item C05
    """
    cat = state().catalog()
    d = refile(cat, doc_id, item=item, project=project)
    if as_json:
        return emit_json(_doc_json(d))
    click.echo(f"Refiled #{d['id']} to {d['project_code']} {d['item_code']} ({d['person'] or '-'}): {d['vault_path']}")


def _doc_json(d: dict) -> dict:
    """A document as scripts read it (the catalog row without its crash-recovery marker)."""
    return {k: v for k, v in d.items() if k != "inbox_path"}


@click.command()
@click.option("--optimize", is_flag=True, help="Only merge the index's segments into one (no rebuild).")
@click.option(
    "--engine",
    type=click.Choice(["whoosh", "tantivy"]),
    help="Build the new index with this search engine and record it in dangan.toml ([index] engine).",
)
@home_option
def reindex(optimize: bool, engine: str | None) -> None:
    """Rebuild the search index from the catalog (beside the old one, swapped when complete).

    A rebuild writes a segment per batch and merges them only past 16; ingest adds small
    segments (merged automatically past 8).  `--optimize` merges them all into one without
    rebuilding (searches keep answering meanwhile).

    \b
    Example:
      dangan reindex
      dangan reindex --optimize
      dangan reindex --engine tantivy
    """
    cat = state().catalog()
    if optimize and engine:
        raise click.UsageError("--optimize merges the index as it is; use --engine without it to rebuild")
    if optimize:
        before = optimize_index(cat)
        if before == 0:  # the tantivy engine
            click.echo("The tantivy search index merges its segments itself; nothing to merge.")
            return
        click.echo(
            f"Merged the search index from {before} segment(s) into one."
            if before > 1
            else "The search index is already one segment."
        )
        return
    total = cat.count_documents()
    with progress_bar(total, "reindex") as bar:
        n = rebuild_index(cat, progress=lambda k: bar.advance(k), engine=engine)
    click.echo(f"Reindexed {n} document(s)" + (f" with {engine}." if engine else "."))


@click.command()
@click.option(
    "--repair",
    is_flag=True,
    help="Fix the index (re-index, drop orphans, rebuild if damaged) and restore missing or changed vault files from originals dropped into the inbox again.",
)
@json_option
@home_option
def verify(repair: bool, as_json: bool) -> None:
    """Check every stored file against its SHA-256 and the index against the catalog.

    Exit code 0 when clean, 8 when anything disagrees.

    \b
    Example:
      dangan verify
      dangan verify --repair --json
    """
    cat = state().catalog()
    total = cat.count_documents()
    with progress_bar(total, "verify", enabled=not as_json) as bar:
        rep = verify_catalog(cat, repair=repair, progress=bar.advance)
    if as_json:
        emit_json(rep.to_json())
    else:
        _print_verify(rep)
    if not rep.clean:
        raise click.exceptions.Exit(int(ExitCode.verify_failed))


def _print_verify(rep) -> None:
    click.echo(f"Checked {rep.documents} document(s).")
    for label, rows in (("missing file", rep.missing_files), ("changed file (SHA-256 differs)", rep.changed_files)):
        for r in rows:
            click.echo(f"  {label}: #{r['id']} {r['vault_path']}")
    for rel in rep.orphan_files:
        click.echo(f"  orphan file (no catalog row): {rel}")
    if rep.missing_in_index:
        click.echo(f"  not in the index: {', '.join(map(str, rep.missing_in_index))}")
    if rep.orphans_in_index:
        click.echo(f"  in the index but not the catalog: {', '.join(map(str, rep.orphans_in_index))}")
    if rep.index_damaged:
        click.echo(f"  {rep.index_damaged}")
    if rep.index_stale:
        click.echo("  the index was built before Taiwan spellings were folded (紀錄 as 记录, 計畫 as 计划): "
                   "rebuild it with `dangan reindex` or `dangan verify --repair`")  # fmt: skip
    if rep.repaired.get("restored"):
        click.echo(f"  restored from originals dropped again: {', '.join(map(str, rep.repaired['restored']))}")
    if rep.repaired.get("index"):
        rebuilt = rep.repaired.get("rebuilt")
        click.echo(
            "  index repaired." if rebuilt is None else f"  index rebuilt from the catalog ({rebuilt} document(s))."
        )
    click.echo(
        "Clean."
        if rep.clean
        else "Problems found; see above (drop the original of a missing or changed file into the inbox and run dangan verify --repair)."
    )
