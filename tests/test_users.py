"""Users and roles: `dangan user add/list/role/token`, password hashes, what each role may do."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.schema import api_tokens, users
from dangan.archive.users import (
    PERMISSIONS,
    add_user,
    allowed,
    authenticate,
    check_password,
    create_token,
    hash_password,
    user_for_token,
)
from dangan.indexer.errors import AuthError, ConflictError


def test_user_add_prompts_for_the_password_and_stores_only_a_hash(cli, home):
    r = cli("user", "add", "王芳", "--role", "archivist", input="correct-horse\ncorrect-horse\n")
    assert r.exit_code == 0 and "Added user 王芳 (archivist 档案员)" in r.output
    with Catalog.open(home) as cat:
        stored = cat.engine.connect().execute(select(users.c.password_hash)).scalar_one()
        assert "correct-horse" not in stored and stored.startswith("scrypt$")
        assert authenticate(cat, "王芳", "correct-horse").role == "archivist"
        added = [e for e in cat.events() if e["action"] == "user-added"]
        assert added[0]["detail"] == {"user": "王芳", "role": "archivist"} and added[0]["actor"]  # the OS user


def test_user_list_role_and_bad_input(cli):
    cli("user", "add", "li", "--role", "viewer", input="password1\npassword1\n")
    r = cli("user", "add", "li", "--role", "viewer", input="password1\npassword1\n")
    assert r.exit_code == 7 and r.output == (  # refused before asking for a password
        "Error: user li already exists; to change the password run `dangan user passwd li`, "
        "the role `dangan user role li ROLE`\n"
    )
    r = cli("user", "add", "x y", "--role", "viewer", input="password1\npassword1\n")
    assert r.exit_code == 2 and "user name 'x y': use 1-64 letters" in r.output
    r = cli("user", "add", "zhao", "--role", "viewer", input="short\nshort\n")
    assert r.exit_code == 2 and "Error: the password for zhao is too short: use at least 8 characters" in r.output
    assert cli("user", "role", "li", "manager").output.strip() == "li is now manager (项目经理)"
    assert json.loads(cli("user", "list", "--json").output) == [{"name": "li", "role": "manager", "disabled": False}]


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(cat):
    add_user(cat, "wang", "desk", "password1")
    for name, pw in (("wang", "password2"), ("nobody", "password1")):
        with pytest.raises(AuthError, match="^wrong user name or password$"):
            authenticate(cat, name, pw)
    with pytest.raises(ConflictError):
        add_user(cat, "wang", "desk", "password1")


def test_a_damaged_hash_never_matches():
    good = hash_password("password1")
    assert check_password("password1", good) and not check_password("password2", good)
    for bad in ("", "scrypt$1$2", "md5$x$y$z$00$00", good.replace("scrypt", "bcrypt")):
        assert not check_password("password1", bad)


def test_tokens_are_stored_as_their_hash_and_name_their_user(cli, home):
    cli("user", "add", "api", "--role", "viewer", input="password1\npassword1\n")
    token = cli("user", "token", "api").stdout.strip()  # the notice with its ID and expiry goes to stderr
    with Catalog.open(home) as cat:
        assert user_for_token(cat, token).name == "api"
        assert token not in str(cat.engine.connect().execute(select(api_tokens)).all())
        with pytest.raises(AuthError):
            user_for_token(cat, token + "x")
    assert cli("user", "token", "ghost").exit_code == 5


def test_what_each_role_may_do():
    may = {
        role: {a for a in PERMISSIONS if allowed(role, a)}
        for role in ("reader", "viewer", "desk", "manager", "archivist", "admin")
    }
    assert may == {
        "reader": {"read"},  # open records only, no page summing up every record, no borrowers
        "viewer": {"read", "whole", "loans"},
        "desk": {"read", "whole", "forms", "loans"},
        "manager": {"read", "whole", "waive", "loans"},
        "archivist": {"read", "whole", "file", "edit", "loans"},
        "admin": set(PERMISSIONS),
    }
    assert not allowed("reader", "loans")  # a public reader does not see who borrowed what
    assert not allowed("admin", "no-such-action")


def test_an_old_catalog_gains_users_and_event_actors(home):
    from sqlalchemy import text, update

    from dangan.archive import migrations
    from dangan.archive.schema import meta

    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        conn.execute(text("DROP TABLE api_tokens"))
        conn.execute(text("DROP TABLE users"))
        conn.execute(text("ALTER TABLE events DROP COLUMN actor"))
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="2"))
    with Catalog.open(home) as cat:
        assert cat.schema_version() == migrations.latest_version()
        add_user(cat, "wang", "desk", "password1")
        assert create_token(cat, "wang").startswith("dgn_")
        steps = [e for e in cat.events() if e["action"] == "migrated"]
        assert steps[-1]["actor"]  # the step that added the column is the first to record it


def test_serve_on_a_taken_port_says_so_in_one_line(cli):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        r = cli("serve", "--port", str(port))
    assert r.exit_code == 7
    assert f"Error: cannot listen on 127.0.0.1:{port} (Address already in use); pick another with --port" in r.output
