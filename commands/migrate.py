"""``dangan migrate``: bring the catalog's schema up to this release, saying what was applied."""

from __future__ import annotations

import click

from dangan.archive.catalog import migrate_home
from dangan.commands.common import emit_json, home_option, json_option, state


@click.command()
@json_option
@home_option
def migrate(as_json: bool) -> None:
    """Bring the catalog's schema up to date (SQLite or PostgreSQL); safe to run again.

    Every dangan command does this on its own at start; run it by hand after an upgrade to
    see what changes, or once on the server before the stations are upgraded.

    \b
    Example:
      dangan migrate
      dangan migrate --json
    """
    result = migrate_home(state().home_obj())
    if as_json:
        return emit_json(result)
    url = result["catalog"]
    if result["created"]:
        click.echo(f"Created the catalog at {url} (schema {result['to']}).")
    elif not result["applied"]:
        click.echo(f"Catalog {url} is up to date (schema {result['to']}).")
    else:
        click.echo(f"Migrated the catalog at {url} from schema {result['from']} to {result['to']}:")
        for line in result["applied"]:
            click.echo(f"  {line}")
