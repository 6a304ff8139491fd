"""Commands that bring documents in: ingest (one shot) and watch (the inbox watcher)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from archive.dblock import writer_lock
from archive.inbox import collect
from archive.ingest import Record, ingest_paths, summarize
from archive.recovery import reconcile
from archive.watcher import Watcher
from commands.common import emit_json, err_console, home_option, json_option, progress_bar, state
from indexer.errors import ExitCode

OUTCOME_MARK = {"filed": "[green]filed[/]", "review": "[yellow]review[/]", "duplicate": "[blue]duplicate[/]", "failed": "[red]failed[/]"}


def _line(rec: Record) -> str:
    where = f" → {escape(rec.vault_rel)}" if rec.vault_rel else ""
    return f"{OUTCOME_MARK.get(rec.outcome, rec.outcome)} {escape(rec.path.name)}{where}  [dim]{escape(rec.message)}[/]"


def _summary_line(counts: dict) -> str:
    return (
        f"{counts['inputs']} input(s): {counts['filed']} filed, {counts['review']} to review, "
        f"{counts['duplicate']} duplicate(s), {counts['failed']} failed"
    )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--project", help="File everything under this project code.")
@json_option
@home_option
def ingest(paths: tuple[Path, ...], project: str | None, as_json: bool) -> None:
    """File documents (PDF, images, DOCX, TXT) or whole folders now.

    Files under the home's inbox are removed once filed (failures go to inbox/.failed/,
    duplicates to inbox/.duplicates/); files elsewhere are copied and left in place.

    \b
    Example:
      dangan ingest ~/scans/*.pdf --project BJ-2024-017
      dangan ingest ./dangan-home/inbox --json
    """
    cat = state().catalog()
    out = err_console()
    with writer_lock(cat):  # exclusive: the repair must see no station half-way through a file
        reconcile(cat)
    with writer_lock(cat, shared=True):  # stations sharing a PostgreSQL catalog file side by side
        total = len(collect(paths))
        with progress_bar(total, "ingest", enabled=not as_json) as bar:
            def tick(rec: Record) -> None:
                bar.advance(1, description=rec.path.name[:30])
                if not as_json:
                    out.print(_line(rec))

            records = ingest_paths(cat, paths, project=project, progress=tick)
    counts = summarize(records)
    if as_json:
        emit_json({"summary": counts, "inputs": [r.to_json() for r in records]})
    else:
        click.echo(_summary_line(counts))
        if counts["review"]:
            click.echo("See what needs a decision: dangan review")
    _exit_if_failed(counts)


@click.command()
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path), help="Folder to watch (default: the home's inbox/).")
@click.option("--once", is_flag=True, help="Process what is there (waiting for files still being copied) and exit.")
@click.option("--stable", "stable", type=float, help="Seconds a file's size and mtime must stay unchanged (default from dangan.toml).")
@json_option
@home_option
def watch(inbox: Path | None, once: bool, stable: float | None, as_json: bool) -> None:
    """Watch the inbox and file documents as they arrive; inbox/<CODE>/… means project CODE.

    Stops cleanly on Ctrl-C or SIGTERM after the file being filed.

    \b
    Example:
      dangan watch
      dangan watch --once --json
    """
    cat = state().catalog()
    with writer_lock(cat):
        reconcile(cat, inbox=inbox)
    out = err_console()
    w = Watcher(cat, inbox, stable_seconds=stable, on_record=None if as_json else lambda r: out.print(_line(r)))
    w.install_signal_handlers()
    if not as_json:
        click.echo(f"Watching {w.inbox} (files settle for {w.tracker.delay:g}s){'' if once else '; Ctrl-C to stop'}", err=True)
    records = w.run(once=once)
    counts = summarize(records)
    if as_json:
        emit_json({"summary": counts, "inputs": [r.to_json() for r in records]})
    else:
        click.echo(_summary_line(counts))
    _exit_if_failed(counts)


def _exit_if_failed(counts: dict) -> None:
    """Exit 4 when any input could not be filed, so a script or cron job notices (the summary
    above still lists every input)."""
    if counts["failed"]:
        raise click.exceptions.Exit(int(ExitCode.input_error))


def register(main: click.Group) -> None:
    """Attach this module's commands to the dangan group."""
    for cmd in (ingest, watch):
        main.add_command(cmd)
