"""``dangan import catalog`` and ``dangan import attach``: adopting the archive a company already has."""

from __future__ import annotations

from pathlib import Path

import click

from dangan.commands.common import emit_json, home_option, json_option, progress_bar, state
from dangan.indexer.errors import ExitCode


@click.group("import")
def import_group() -> None:
    """Import an existing Excel/CSV 目录 and attach (挂接) its folders of scans.

    \b
    Example:
      dangan import catalog 卷内目录.xlsx --project BJ-2010-003 --dry-run
      dangan import catalog 卷内目录.xlsx --project BJ-2010-003
      dangan import attach /mnt/scans/BJ-2010-003 --by 档号
    """


@import_group.command("catalog")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--project", required=True, help="The project the rows belong to (add it first with `dangan project add`)."
)
@click.option("--level", type=click.Choice(["document", "volume"]), default="document", show_default=True,
              help="document: one row a document (卷内目录); volume: one row a volume (案卷目录).")  # fmt: skip
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Take FIELD from COLUMN (repeatable), e.g. --map 题名=案卷题名.",
)
@click.option("--sheet", help="Worksheet of an Excel file (default: the first).")
@click.option("--dry-run", is_flag=True, help="Check every row and show the mapping; write nothing.")
@json_option
@home_option
def catalog_cmd(
    file: Path, project: str, level: str, maps: tuple[str, ...], sheet: str | None, dry_run: bool, as_json: bool
) -> None:
    """Read a legacy 目录 (XLSX, UTF-8 or GBK CSV) and record its rows by 档号.

    Every row is checked before anything is written (bad dates, duplicate 档号, unknown
    items); with any problem nothing is imported (exit 4).  Running it again updates rows
    that changed and never doubles one.

    \b
    Example:
      dangan import catalog 卷内目录.xlsx --project BJ-2010-003 --dry-run
      dangan import catalog 目录.csv --project BJ-2010-003 --map 题名=文件材料题名
    """
    from dangan.archive.legacy import FIELD_LABELS, apply_import, parse_map_options, plan_import

    cat = state().catalog()
    plan = plan_import(cat, file, project, level=level, overrides=parse_map_options(maps), sheet=sheet)
    if not plan.problems and not dry_run:
        apply_import(cat, plan)
    if as_json:
        emit_json(plan.to_json())
    else:
        click.echo("Columns: " + ", ".join(f"{FIELD_LABELS[f]} ← {h}" for f, h in plan.mapping.items()))
        if plan.ignored:
            click.echo("Not imported: " + ", ".join(plan.ignored))
        for line in plan.problems:
            click.echo(line, err=True)
        _summary(plan, dry_run)
    if plan.problems:
        raise click.exceptions.Exit(int(ExitCode.input_error))


def _summary(plan, dry_run: bool) -> None:
    if plan.problems:
        click.echo(
            f"{len(plan.rows)} row(s) read, {len(plan.problems)} problem(s): nothing imported. Fix the rows and run it again."
        )
    elif dry_run:
        click.echo(f"{len(plan.rows)} row(s) read, all good; nothing written (--dry-run).")
    else:
        click.echo(
            f"Imported {len(plan.rows)} row(s) into {plan.project}: {plan.created} new, {plan.updated} updated, {plan.unchanged} unchanged."
        )


@import_group.command("attach")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--by", type=click.Choice(["档号", "name", "pattern"]), default="档号", show_default=True,
              help="档号: the file name holds the 档号; name: the file name is the 题名; pattern: --pattern finds the 档号.")  # fmt: skip
@click.option("--pattern", help="With --by pattern: a regular expression with (?P<code>…) around the 档号.")
@click.option("--project", help="Attach only to this project's rows.")
@click.option("--dry-run", is_flag=True, help="Show what would be attached; file nothing.")
@json_option
@home_option
def attach_cmd(folder: Path, by: str, pattern: str | None, project: str | None, dry_run: bool, as_json: bool) -> None:
    """File each scan under FOLDER as the imported row its name points to (挂接).

    The scans are copied (the folder is left as it is) and go through the normal pipeline
    with the row's fields as the truth.  Run it again after an interruption: rows that have
    their scan are skipped.

    \b
    Example:
      dangan import attach /mnt/scans --by 档号
      dangan import attach /mnt/scans --by pattern --pattern '^(?P<code>\\d{4}-[A-Z]+-\\d{3})'
    """
    from dangan.archive.intake.inbox import collect
    from dangan.archive.legacy_attach import attach

    cat = state().catalog()
    with progress_bar(len(collect([folder])), "attach", enabled=not as_json) as bar:
        result = attach(cat, folder, by=by, pattern=pattern, project=project, dry_run=dry_run, progress=bar.advance)
    if as_json:
        emit_json(result.to_json())
    else:
        for f in result.failed:
            click.echo(f"failed {f['file']} ({f['archive_code']}): {f['error']}", err=True)
        for name in result.unmatched:
            click.echo(f"no row {name}", err=True)
        verb = "would attach" if dry_run else "attached"
        click.echo(
            f"{len(result.attached)} {verb}, {result.already} already attached, {len(result.failed)} failed, "
            f"{len(result.unmatched)} file(s) naming no row, {len(result.rows_without_file)} row(s) without a scan."
        )
    if result.failed:
        raise click.exceptions.Exit(int(ExitCode.input_error))
