"""``dangan serve`` (the web app) and ``dangan user`` (who may sign in, with which role)."""

from __future__ import annotations

import sys

import click
from rich.markup import escape
from rich.table import Table

from dangan.archive.users import (
    DEFAULT_TOKEN_DAYS,
    ROLE_LABELS,
    ROLES,
    add_user,
    create_token,
    disable_user,
    enable_user,
    ensure_new_name,
    list_tokens,
    list_users,
    parse_expiry,
    remove_user,
    require_user,
    revoke_token,
    set_password,
    set_role,
    token_id,
)
from dangan.commands.common import console, emit_json, home_option, json_option, state


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 opens it to the office network.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--max-upload-mb", type=click.IntRange(min=1), default=100, show_default=True, help="Largest upload accepted."
)
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
    Taking access away: `user disable`, `user passwd`, `user role` and `user remove`
    end every signed-in session of that user at once; `user token --revoke ID` ends a token.

    \b
    Example:
      dangan user add 王芳 --role archivist
      dangan user list
      dangan user disable 王芳
    """


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.option("--password", help="The password (prompted twice when not given).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@home_option
def user_add(name: str, role: str, password: str | None, password_stdin: bool) -> None:
    """Add a user; the password is prompted and stored only as a scrypt hash.

    A name that exists already is refused (exit 7): change its password with `user passwd`,
    its role with `user role`.

    \b
    Example:
      dangan user add 王芳 --role archivist
    """
    ensure_new_name(state().catalog(), name)  # before asking for a password that would be thrown away
    u = add_user(state().catalog(), name, role, _password(password, password_stdin))
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
    t = Table("用户 user", "角色 role", "状态 state")
    for u in users:
        t.add_row(escape(u.name), f"{u.role} {ROLE_LABELS[u.role]}", "disabled 已停用" if u.disabled else "")
    console().print(t)


def _password(given: str | None, from_stdin: bool) -> str:
    """The password from --password, the first line of stdin, or a prompt (typed twice)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if given is not None:
        return given
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of standard input.")
@home_option
def user_passwd(name: str, password_stdin: bool) -> None:
    """Set a new password; every signed-in session of the user ends (a login lockout lifts).

    \b
    Example:
      dangan user passwd 王芳
      printf '%s\\n' "$NEW_PASSWORD" | dangan user passwd 王芳 --password-stdin
    """
    cat = state().catalog()
    require_user(cat, name)  # "no user" before asking for a password that would be thrown away
    set_password(cat, name, _password(None, password_stdin))
    click.echo(f"New password set for {name}; their sessions have ended")


@user.command("disable")
@click.argument("name")
@home_option
def user_disable(name: str) -> None:
    """Lock a user out now: no sign-in, no API token, every session ends.

    \b
    Example:
      dangan user disable 王芳
    """
    disable_user(state().catalog(), name)
    click.echo(f"{name} is disabled: signed out everywhere, tokens refused (undo: dangan user enable {name})")


@user.command("enable")
@click.argument("name")
@home_option
def user_enable(name: str) -> None:
    """Let a disabled user sign in again (also lifts a lockout after failed sign-ins).

    \b
    Example:
      dangan user enable 王芳
    """
    enable_user(state().catalog(), name)
    click.echo(f"{name} may sign in again")


@user.command("remove")
@click.argument("name")
@home_option
def user_remove(name: str) -> None:
    """Remove a user with their sessions and API tokens (the event log keeps their name).

    \b
    Example:
      dangan user remove 王芳
    """
    remove_user(state().catalog(), name)
    click.echo(f"Removed user {name}; their sessions and API tokens are gone")


@user.command("token")
@click.argument("name", required=False)
@click.option(
    "--expires",
    default=f"{DEFAULT_TOKEN_DAYS}d",
    show_default=True,
    help="How long the new token works: days, hours or weeks (30d, 12h, 8w) or never.",
)
@click.option("--list", "list_all", is_flag=True, help="List tokens (of NAME only, if given): ID, user, expiry.")
@click.option("--revoke", "revoke_id", metavar="ID", help="End the token with this ID (from --list).")
@json_option
@home_option
def user_token(name: str | None, expires: str, list_all: bool, revoke_id: str | None, as_json: bool) -> None:
    """Make an API token for a user (shown once; send it as `Authorization: Bearer TOKEN`).

    \b
    Example:
      dangan user token 王芳 --expires 30d
      curl -H "Authorization: Bearer dgn_…" http://127.0.0.1:8000/api/check/BJ-2024-017
      dangan user token --list
      dangan user token --revoke 3f9a0c1b2d4e
    """
    cat = state().catalog()
    if list_all:
        return _print_tokens(list_tokens(cat, name), as_json)
    if revoke_id is not None:
        t = revoke_token(cat, revoke_id)
        return click.echo(f"Revoked API token {t.id} of {t.user}")
    if not name:
        raise click.UsageError("name the user (dangan user token NAME), or use --list or --revoke ID")
    token = create_token(cat, name, parse_expiry(expires))
    info = next(t for t in list_tokens(cat, name) if t.id == token_id(token))
    until = f"expires {info.expires_at:%Y-%m-%d %H:%M}" if info.expires_at else "never expires"
    click.echo(f"API token {info.id} for {name}, {until}; it is shown only now:", err=True)
    click.echo(token)


def _print_tokens(tokens, as_json: bool) -> None:
    if as_json:
        return emit_json([t.to_json() for t in tokens])
    if not tokens:
        return click.echo("No API tokens. Make one: dangan user token NAME --expires 30d")
    t = Table("ID", "用户 user", "创建 created", "到期 expires")
    for tok in tokens:
        until = (
            "never"
            if tok.expires_at is None
            else f"{tok.expires_at:%Y-%m-%d %H:%M}" + (" (expired)" if tok.expired() else "")
        )
        t.add_row(tok.id, escape(tok.user), f"{tok.created_at:%Y-%m-%d %H:%M}", until)
    console().print(t)
