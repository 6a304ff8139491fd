"""Commands that bring documents in: ingest (one shot) and watch (the inbox watcher)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from dangan.archive.dblock import writing
from dangan.archive.intake.inbox import collect, hidden_files, passed_over
from dangan.archive.intake.ingest import Record, ingest_paths, summarize
from dangan.archive.intake.names import printable
from dangan.archive.intake.recovery import reconcile
from dangan.archive.intake.watcher import Watcher
from dangan.commands.common import emit_json, err_console, home_option, json_option, progress_bar, say_waiting, state
from dangan.indexer.errors import ExitCode

OUTCOME_MARK = {
    "filed": "[green]filed[/]",
    "review": "[yellow]review[/]",
    "duplicate": "[blue]duplicate[/]",
    "failed": "[red]failed[/]",
}


def _line(rec: Record) -> str:
    # Names are shown with control characters escaped: a name may carry terminal escape codes.
    where = f" → {escape(printable(rec.vault_rel))}" if rec.vault_rel else ""
    name, message = printable(rec.path.name), printable(rec.message)
    return f"{OUTCOME_MARK.get(rec.outcome, rec.outcome)} {escape(name)}{where}  [dim]{escape(message)}[/]"


def _hidden_line(hidden: list[Path]) -> str:
    shown = ", ".join(printable(p.name) for p in hidden[:5]) + (", …" if len(hidden) > 5 else "")
    return f'ignored {len(hidden)} hidden file(s) (names starting with "."): {shown}; rename them to file them'


def _short(path: Path) -> str:
    """A name as shown in a summary: a folder 1,100 deep is shortened in the middle."""
    text = printable(str(path))
    return text if len(text) <= 80 else f"{text[:30]}…{text[-40:]}"


def _passed_line(passed: list[tuple[Path, str]]) -> str:
    shown = "; ".join(f"{_short(p) if p.is_dir() else printable(p.name)} ({why})" for p, why in passed[:5]) + (
        "; …" if len(passed) > 5 else ""
    )
    return f"skipped {len(passed)}: {shown}"


def _report_ignored(as_json: bool, counts: dict, records: list[Record], folders: list[Path]) -> None:
    """The summary, then one line each for hidden files and for what was passed over."""
    hidden, passed = hidden_files(folders), passed_over(folders)
    if as_json:
        emit_json(
            {
                "summary": counts,
                "inputs": [r.to_json() for r in records],
                "ignored": [printable(str(p)) for p in hidden],
                "skipped": [{"path": printable(str(p)), "why": why} for p, why in passed],
            }
        )
        return
    click.echo(_summary_line(counts))
    if hidden:
        click.echo(_hidden_line(hidden))
    if passed:
        click.echo(_passed_line(passed))


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
    """File documents (PDF, images, Office/WPS, OFD, e-mail, TXT) or whole folders now.

    Files under the home's inbox are removed once filed (failures go to inbox/.failed/,
    duplicates to inbox/.duplicates/); files elsewhere are copied and left in place.

    \b
    Example:
      dangan ingest ~/scans/*.pdf --project BJ-2024-017
      dangan ingest ./dangan-home/inbox --json
    """
    cat = state().catalog()
    out = err_console()
    _warn_index(reconcile(cat))
    total = len(collect(paths))
    with progress_bar(total, "ingest", enabled=not as_json) as bar:

        def tick(rec: Record) -> None:
            bar.advance(1, description=printable(rec.path.name)[:30])
            if not as_json:
                out.print(_line(rec))

        # ingest_paths takes the lock per file, for its writing steps only: reading and OCR run outside it.
        records = ingest_paths(cat, paths, project=project, progress=tick)
    counts = summarize(records)
    _report_ignored(as_json, counts, records, list(paths))
    if counts["review"] and not as_json:
        click.echo("See what needs a decision: dangan review")
    _exit_if_failed(counts)


@click.command()
@click.option(
    "--inbox", type=click.Path(file_okay=False, path_type=Path), help="Folder to watch (default: the home's inbox/)."
)
@click.option("--once", is_flag=True, help="Process what is there (waiting for files still being copied) and exit.")
@click.option(
    "--stable",
    "stable",
    type=float,
    help="Seconds a file's size and mtime must stay unchanged (default from dangan.toml).",
)
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
    with writing(cat, "watch", forever=True):  # a watcher waits as long as it takes
        _warn_index(reconcile(cat, inbox=inbox))
    out = err_console()
    w = Watcher(
        cat,
        inbox,
        stable_seconds=stable,
        on_record=None if as_json else lambda r: out.print(_line(r)),
        on_wait=say_waiting,
        on_note=lambda m: click.echo(f"note: {printable(m)}", err=True),
    )
    w.install_signal_handlers()
    if not as_json:
        click.echo(
            f"Watching {w.inbox} (files settle for {w.tracker.delay:g}s){'' if once else '; Ctrl-C to stop'}", err=True
        )
    records = w.run(once=once)
    counts = summarize(records)
    _report_ignored(as_json, counts, records, [w.inbox])
    _exit_if_failed(counts)


def _warn_index(rep) -> None:
    """One line when the search index is damaged: filing goes on, search waits for the repair."""
    if rep.index_damaged:
        click.echo(
            f"warning: {printable(rep.index_damaged)}; filing goes on and new documents wait in the index queue "
            "until `dangan verify --repair` rebuilds the index",
            err=True,
        )


def _exit_if_failed(counts: dict) -> None:
    """Exit 4 when any input could not be filed, so a script or cron job notices (the summary
    above still lists every input)."""
    if counts["failed"]:
        raise click.exceptions.Exit(int(ExitCode.input_error))
