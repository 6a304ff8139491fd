"""``dangan serve`` (the web app) and ``dangan user`` (who may sign in, with which role)."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from dangan.archive.users import ROLE_LABELS, ROLES, add_user, create_token, list_users, set_role
from dangan.commands.common import console, emit_json, home_option, json_option, state


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; 0.0.0.0 opens it to the office network.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--max-upload-mb", type=click.IntRange(min=1), default=100, show_default=True, help="Largest upload accepted.")
@home_option
def serve(host: str, port: int, max_upload_mb: int) -> None:
    """Serve the archive in a browser: search, documents, review, completeness, upload, forms.

    Only people added with `dangan user add` can sign in.  It listens on this machine only
    unless --host says otherwise.

    \b
    Example:
      dangan user add 王芳 --role archivist
      dangan serve --port 8000
      dangan serve --host 0.0.0.0 --port 8080     # reachable from the office network
    """
    from dangan.web.app import check_port, run

    home = state().home_obj()
    check_port(host, port)
    state().catalog()  # open (and migrate) now, so a broken catalog fails here, not in the browser
    if not list_users(state().catalog()):
        click.echo("No users yet: nobody can sign in. Add one: dangan user add NAME --role admin", err=True)
    click.echo(f"Serving {home.root} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    run(home.root, host, port, max_upload_mb=max_upload_mb)


@click.group()
def user() -> None:
    """People who may sign in to `dangan serve`, and their roles.

    \b
    Roles: viewer reads; desk renders forms; manager checks and waives;
    archivist uploads, files and edits; admin does everything and manages users.

    \b
    Example:
      dangan user add 王芳 --role archivist
      dangan user list
    """


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.password_option(help="The password (prompted twice when not given).")
@home_option
def user_add(name: str, role: str, password: str) -> None:
    """Add a user; the password is prompted and stored only as a scrypt hash.

    \b
    Example:
      dangan user add 王芳 --role archivist
    """
    u = add_user(state().catalog(), name, role, password)
    click.echo(f"Added user {u.name} ({u.role} {ROLE_LABELS[u.role]})")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@home_option
def user_role(name: str, role: str) -> None:
    """Change a user's role.

    \b
    Example:
      dangan user role 王芳 manager
    """
    u = set_role(state().catalog(), name, role)
    click.echo(f"{u.name} is now {u.role} ({ROLE_LABELS[u.role]})")


@user.command("list")
@json_option
@home_option
def user_list(as_json: bool) -> None:
    """List users and their roles.

    \b
    Example:
      dangan user list --json
    """
    users = list_users(state().catalog())
    if as_json:
        return emit_json([u.to_json() for u in users])
    if not users:
        click.echo("No users yet. Add one: dangan user add NAME --role admin")
        return
    t = Table("用户 user", "角色 role")
    for u in users:
        t.add_row(escape(u.name), f"{u.role} {ROLE_LABELS[u.role]}")
    console().print(t)


@user.command("token")
@click.argument("name")
@home_option
def user_token(name: str) -> None:
    """Make an API token for a user (shown once; send it as `Authorization: Bearer TOKEN`).

    \b
    Example:
      dangan user token 王芳
      curl -H "Authorization: Bearer dgn_…" http://127.0.0.1:8000/api/check/BJ-2024-017
    """
    click.echo(create_token(state().catalog(), name))


def register(main: click.Group) -> None:
    """Attach serve and user to the dangan group."""
    main.add_command(serve)
    main.add_command(user)
