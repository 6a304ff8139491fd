"""The grant commands: `grant VOL|DOC… --to NAME --until DATE --purpose P`, `grant list`, `grant revoke`."""

from __future__ import annotations

import click

from dangan.archive.days import today
from dangan.archive.grants import create_grant, list_grants, revoke_grant, token_of
from dangan.commands.common import emit_json, home_option, json_option, state


class _GrantGroup(click.Group):
    """`grant list` and `grant revoke` are subcommands; anything else (`grant '#12' --to …`) makes a grant."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@click.group("grant", cls=_GrantGroup)
def grant() -> None:
    """Time-limited read links (电子利用) to documents or volumes, watermarked, every view logged.

    \b
    Example:
      dangan grant BJ-2024-017:2 '#12' --to 王审计 --org 信达会计师事务所 --until 2025-03-31 --purpose 年度审计
      dangan grant list
      dangan grant revoke 3
    """


@grant.command("create", hidden=True)
@click.argument("names", nargs=-1, required=True, metavar="VOL|DOC...")
@click.option("--to", "to", required=True, help="The reader's name.")
@click.option("--org", help="The reader's company or department (an outside party).")
@click.option("--until", required=True, help="The last day the link works, YYYY-MM-DD.")
@click.option("--purpose", required=True, help="What it is read for (利用目的).")
@home_option
def create_cmd(names: tuple[str, ...], to: str, org: str | None, until: str, purpose: str) -> None:
    """Grant reading volumes (PROJECT:案卷号) or documents (#id) until a day; prints the link.

    \b
    Example:
      dangan grant create BJ-2024-017:2 --to 王审计 --org 信达会计师事务所 --until 2025-03-31 --purpose 年度审计
    """
    cat = state().catalog()
    g = create_grant(cat, list(names), to=to, org=org, until=until, purpose=purpose)
    click.echo(f"grant {g.id}: {g.reader()} may read {len(g.document_ids)} document(s) until {g.until.isoformat()}")
    click.echo(f"link: /g/{token_of(cat, g.id)}  (on the dangan web server, e.g. http://HOST:8000/g/…)")


@grant.command("list")
@click.option("--today", "today_text", hidden=True, help="Judge expiry as of this day, YYYY-MM-DD.")
@json_option
@home_option
def list_cmd(today_text: str | None, as_json: bool) -> None:
    """Every grant, newest first, with its status (有效/已过期/已撤销).

    \b
    Example:
      dangan grant list --json
    """
    day, rows = today(today_text), list_grants(state().catalog())
    if as_json:
        emit_json([g.to_json(day) for g in rows])
        return
    if not rows:
        click.echo("no grants")
    for g in rows:
        click.echo(f"{g.id}  {g.reader()}  {g.what}  until {g.until.isoformat()}  {g.purpose}  {g.status(day)}")


@grant.command("revoke")
@click.argument("grant_id", type=int)
@home_option
def revoke_cmd(grant_id: int) -> None:
    """Revoke a grant: its link stops working at once.

    \b
    Example:
      dangan grant revoke 3
    """
    g = revoke_grant(state().catalog(), grant_id)
    click.echo(f"revoked grant {g.id} of {g.reader()}")
