"""`dangan synonyms update`: bring a home's copy of the trade thesaurus up to the shipped lists.

``dangan init`` copies the shipped synonym lists into the home, where people edit them, and a
search reads that copy; groups dangan ships later reach the home only through this command.
"""

from __future__ import annotations

import tomllib
from datetime import date

import click

from dangan.commands.common import emit_json, home_option, json_option, state
from dangan.indexer.thesaurus import SYNONYMS_NAME, add_groups, missing_groups


@click.group("synonyms")
def synonyms() -> None:
    """The search thesaurus of this home (synonyms.toml).

    \b
    Example:
      dangan synonyms update --dry-run
      dangan synonyms update
    """


@synonyms.command("update")
@click.option("--dry-run", is_flag=True, help="List the groups that would be added; change nothing.")
@json_option
@home_option
def update(dry_run: bool, as_json: bool) -> None:
    """Add the shipped groups this home's synonyms.toml lacks, as one new table at its end.

    Nothing written in the file is changed. A shipped group deleted from the copy on purpose
    comes back: see the list with --dry-run first.

    \b
    Example:
      dangan synonyms update --dry-run
      dangan synonyms update --json
    """
    path = state().home_obj().root / SYNONYMS_NAME
    if not path.is_file():
        click.echo(f"{path} does not exist: searches use the shipped lists, which are current.")
        return
    groups = missing_groups(path)
    table = _new_table_name(path)
    if groups and not dry_run:
        add_groups(path, groups, table)
    if as_json:
        emit_json({"file": str(path), "table": table if groups else None, "added": not dry_run,
                   "groups": [{"from": name, "words": words} for name, words in groups]})  # fmt: skip
        return
    for name, words in groups:
        click.echo(f"  [{name}] {' = '.join(words)}")
    if not groups:
        click.echo(f"{path} already holds every shipped group.")
    elif dry_run:
        click.echo(f"{len(groups)} group(s) would be added to {path} as [{table}] (nothing changed).")
    else:
        click.echo(f"Added {len(groups)} group(s) to {path} as [{table}]; the next search uses them.")


def _new_table_name(path) -> str:
    """``added_YYYYMMDD``, with a number after it when the file already has that table."""
    have = tomllib.loads(path.read_text(encoding="utf-8"))
    base = f"added_{date.today():%Y%m%d}"
    name, n = base, 1
    while name in have:
        n += 1
        name = f"{base}_{n}"
    return name
