"""Access that can be taken away (issue 25, items 1-4), each attack reproduced.

1. a cookie replayed after logout (or after a password/role change, or disabling) is refused;
2. a user can be locked out: passwd, disable, enable, remove, tokens that expire and are revoked;
3. guessing passwords is throttled per name and per address, in the catalog, right password too;
4. dangan.toml and the web app's key are private files, and an exposed one is warned about.
"""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dangan.archive.catalog import Catalog, now
from dangan.archive.create import init_home
from dangan.archive.schema import api_tokens, login_throttle, web_sessions
from dangan.archive.sessions import sign_in
from dangan.archive.users import (
    add_user,
    authenticate,
    create_token,
    disable_user,
    list_tokens,
    session_secret,
    set_password,
    set_role,
    user_for_token,
)
from dangan.indexer.errors import AccountDisabledError, AuthError, ConflictError, LoginThrottledError, TokenExpiredError
from tests.test_web import app, as_role, filed_doc  # noqa: F401  (app is a fixture)
from tests.webutil import PASSWORD, csrf_of, make_client

CODE = "BJ-2024-017"


def _title(home, doc: int) -> str:
    with Catalog.open(home) as cat:
        return cat.document(doc)["title"]


def _try_login(client, name: str, password: str):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf": token, "name": name, "password": password, "next": "/search"})


# -- 1. logging out ends the session ------------------------------------------------------------
def test_a_cookie_replayed_after_logout_cannot_edit_a_title(app, home, tmp_path):  # noqa: F811
    doc = filed_doc(home, tmp_path, item="C14")
    archivist, csrf = as_role(app, "archivist")
    stolen = dict(archivist.cookies)  # what an attacker copied while the user was signed in
    with make_client(app, cookies=stolen) as replay:
        assert replay.get(f"/documents/{doc}").status_code == 200  # the copy works while the session lives
        assert archivist.post("/logout", data={"csrf": csrf}).headers["location"] == "/login"
        r = replay.post(f"/documents/{doc}/edit", data={"csrf": csrf, "title": "被篡改的题名"})
        assert r.status_code == 401 and "请先登录。" in r.text
        r = replay.get(f"/documents/{doc}")
        assert r.status_code == 303 and r.headers["location"] == f"/login?next=/documents/{doc}"
    assert _title(home, doc) != "被篡改的题名"
    with Catalog.open(home) as cat:
        assert cat.engine.connect().execute(select(web_sessions)).all() == []  # only its SHA-256 was ever kept


def test_a_cookie_signed_with_the_homes_key_but_naming_no_live_session_is_refused(app, home):  # noqa: F811
    """What a cookie from before schema 10 (or one forged with a stolen .web-secret) carries."""
    import base64
    import json

    from itsdangerous import TimestampSigner

    signer = TimestampSigner(session_secret(home.root))
    for session in ({"user": "admin"}, {"user": "admin", "sid": "made-up"}, {"sid": ["not", "text"]}):
        cookie = signer.sign(base64.b64encode(json.dumps(session).encode())).decode()
        with make_client(app, cookies={"dangan_session": cookie}) as c:
            assert c.get("/admin").headers["location"] == "/login?next=/admin", session


@pytest.mark.parametrize("change", ["password", "role", "disable"])
def test_a_password_role_change_or_disabling_ends_every_session_of_that_user(app, home, change):  # noqa: F811
    (office, _), (laptop, _) = as_role(app, "archivist"), as_role(app, "archivist")
    other, _ = as_role(app, "viewer")
    with Catalog.open(home) as cat:
        {"password": lambda: set_password(cat, "archivist", "new-secret-456"),
         "role": lambda: set_role(cat, "archivist", "viewer"),
         "disable": lambda: disable_user(cat, "archivist")}[change]()  # fmt: skip
    for client in (office, laptop):
        assert client.get("/search").headers["location"] == "/login?next=/search"
    assert other.get("/search").status_code == 200  # nobody else is signed out
    if change == "disable":
        r = _try_login(make_client(app), "archivist", PASSWORD)
        assert r.status_code == 403 and "该账号已停用，请联系管理员。" in r.text


# -- 2. locking someone out -----------------------------------------------------------------------
@pytest.mark.parametrize("home", ["sqlite", "postgresql"], indirect=True)
def test_passwd_disable_enable_and_remove_from_the_command_line(cli, home):
    cli("user", "add", "li", "--role", "archivist", input="password1\npassword1\n")
    cli("user", "add", "boss", "--role", "admin", input="password1\npassword1\n")
    r = cli("user", "passwd", "li", "--password-stdin", input="new-password-2\n")
    assert r.exit_code == 0 and r.output == "New password set for li; their sessions have ended\n"
    with Catalog.open(home) as cat:
        with pytest.raises(AuthError, match="^wrong user name or password$"):
            authenticate(cat, "li", "password1")
        assert authenticate(cat, "li", "new-password-2").role == "archivist"
    r = cli("user", "passwd", "li", "--password-stdin", input="")
    assert r.exit_code == 2 and "Error: the password for li is too short: use at least 8 characters" in r.output
    r = cli("user", "passwd", "li", input="short\nshort\n")
    assert r.exit_code == 2 and "Error: the password for li is too short: use at least 8 characters" in r.output
    r = cli("user", "disable", "li")
    assert r.output == "li is disabled: signed out everywhere, tokens refused (undo: dangan user enable li)\n"
    with (
        Catalog.open(home) as cat,
        pytest.raises(
            AccountDisabledError, match="^user li is disabled; an admin can enable it: dangan user enable li$"
        ),
    ):
        authenticate(cat, "li", "new-password-2")
    assert cli("user", "list").output.count("disabled 已停用") == 1
    assert cli("user", "enable", "li").output == "li may sign in again\n"
    r = cli("user", "remove", "li")
    assert r.output == "Removed user li; their sessions and API tokens are gone\n"
    for verb in ("passwd", "disable", "enable", "remove"):
        r = cli("user", verb, "li")
        assert r.exit_code == 5 and r.output == "Error: no user li; `dangan user list` shows them\n", verb
    r = cli("user", "disable", "boss")
    assert r.exit_code == 7 and r.output == (
        "Error: boss is the only admin left; make another admin first (`dangan user role OTHER admin`), then disable boss\n"
    )


def test_tokens_expire_and_can_be_listed_and_revoked(cli, home, app):  # noqa: F811
    r = cli("user", "token", "viewer", "--expires", "30d")
    token = r.stdout.strip()
    with Catalog.open(home) as cat:
        [info] = list_tokens(cat, "viewer")
    assert f"API token {info.id} for viewer, expires " in r.stderr and info.expires_at - info.created_at == timedelta(
        days=30
    )
    listed = cli("user", "token", "--list").output
    assert info.id in listed and token not in listed
    api = make_client(app, headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/review").status_code == 200
    with Catalog.open(home) as cat, cat.engine.begin() as conn:  # thirty days later
        conn.execute(update(api_tokens).values(expires_at=now() - timedelta(minutes=1)))
    r = api.get("/api/review")
    assert r.status_code == 401 and r.json()["error"].startswith(f"API 令牌 {info.id} 已于 ")
    assert r.json()["error"].endswith(" 过期，请管理员重新生成。")
    with (
        Catalog.open(home) as cat,
        pytest.raises(
            TokenExpiredError,
            match=f"^API token {info.id} of viewer expired on .*; make a new one: dangan user token viewer --expires 30d$",
        ),
    ):
        user_for_token(cat, token)
    assert "(expired)" in cli("user", "token", "--list").output
    r = cli("user", "token", "--revoke", info.id)
    assert r.exit_code == 0 and r.output == f"Revoked API token {info.id} of viewer\n"
    assert api.get("/api/review").status_code == 401
    r = cli("user", "token", "--revoke", info.id)
    assert (
        r.exit_code == 5 and r.output == f"Error: no API token {info.id}; `dangan user token --list` shows their IDs\n"
    )
    r = cli("user", "token", "--revoke", "'; DROP TABLE users; --")
    assert r.exit_code == 5 and r.output.startswith("Error: no API token '; drop table users; --;")
    r = cli("user", "token", "viewer", "--expires", "0d")
    assert r.exit_code == 2 and "Error: --expires '0d': give days" in r.output
    r = cli("user", "token", "viewer", "--expires", "soon")
    assert (
        r.exit_code == 2
        and r.output == "Error: --expires 'soon': give days, hours or weeks, e.g. 30d, 12h, 8w, or never\n"
    )
    r = cli("user", "token")
    assert r.exit_code == 2 and "name the user (dangan user token NAME), or use --list or --revoke ID" in r.output


def test_a_disabled_users_token_is_refused(home, app):  # noqa: F811
    with Catalog.open(home) as cat:
        token = create_token(cat, "desk", expires=None)
        disable_user(cat, "desk")
    r = make_client(app, headers={"Authorization": f"Bearer {token}"}).get("/api/review")
    assert r.status_code == 401 and r.json()["error"] == "该账号已停用，请联系管理员。"


def test_the_admin_page_disables_resets_and_revokes_with_the_same_functions(app, home):  # noqa: F811
    admin, csrf = as_role(app, "admin")
    victim, _ = as_role(app, "archivist")
    r = admin.post("/admin/users/archivist/disable", data={"csrf": csrf})
    assert r.headers["location"] == "/admin?done=disabled"
    page = admin.get(r.headers["location"]).text
    assert "已停用；该用户已在所有地方退出，API 令牌也不再可用。" in page and '<td class="state">已停用</td>' in page
    assert victim.get("/search").status_code == 303
    admin.post("/admin/users/archivist/enable", data={"csrf": csrf})
    r = admin.post("/admin/users/archivist/password", data={"csrf": csrf, "password": "reset-by-admin-1"})
    assert "已重设密码；该用户的所有会话已结束，须用新密码登录。" in admin.get(r.headers["location"]).text
    assert _try_login(make_client(app), "archivist", PASSWORD).status_code == 401
    assert _try_login(make_client(app), "archivist", "reset-by-admin-1").status_code == 303
    r = admin.post("/admin/users/archivist/password", data={"csrf": csrf, "password": "short"})
    assert r.status_code == 400 and "密码太短：至少 8 位。" in r.text
    with Catalog.open(home) as cat:
        create_token(cat, "archivist")
        [tok] = list_tokens(cat)
    assert f'data-token="{tok.id}"' in admin.get("/admin").text
    r = admin.post(f"/admin/tokens/{tok.id}/revoke", data={"csrf": csrf})
    assert "已吊销该 API 令牌。" in admin.get(r.headers["location"]).text
    with Catalog.open(home) as cat:
        assert list_tokens(cat) == []
    r = admin.post("/admin/users", data={"csrf": csrf, "name": "archivist", "role": "viewer", "password": "password1"})
    assert (
        r.status_code == 409 and "用户 archivist 已存在：要改密码、角色或停用，请用用户表中该用户一行的按钮。" in r.text
    )
    assert "dangan" not in r.text.split("<main", 1)[-1]  # no command shown on a page
    r = admin.post("/admin/users/admin/disable", data={"csrf": csrf})
    assert r.status_code == 409 and "admin 是唯一的管理员：请先让另一位用户成为管理员。" in r.text
    with Catalog.open(home) as cat, pytest.raises(ConflictError):
        add_user(cat, "admin", "admin", "password1")


# -- 3. brute force ------------------------------------------------------------------------------
def test_five_wrong_passwords_lock_the_name_even_for_the_right_one_across_restarts(app, home):  # noqa: F811
    from dangan.web.app import create_app

    guesser = make_client(app)
    for _ in range(4):
        r = _try_login(guesser, "admin", "guess-password")
        assert r.status_code == 401 and "用户名或密码错误。" in r.text
    r = _try_login(guesser, "admin", "guess-password")
    assert r.status_code == 429 and "登录失败次数过多，请 5 分钟后再试" in r.text and r.headers["retry-after"] == "300"
    r = _try_login(guesser, "admin", PASSWORD)  # the right password during the lockout
    assert r.status_code == 429 and "登录失败次数过多，请 5 分钟后再试" in r.text
    restarted = make_client(create_app(home))  # another worker, or the server restarted
    assert _try_login(restarted, "admin", PASSWORD).status_code == 429
    assert _try_login(restarted, "viewer", PASSWORD).status_code == 303  # another name is not locked
    with Catalog.open(home) as cat, cat.engine.begin() as conn:  # five minutes later
        conn.execute(update(login_throttle).values(locked_until=now() - timedelta(seconds=1)))
    for _ in range(5):  # the next round locks for twice as long
        r = _try_login(guesser, "admin", "guess-password")
    assert r.status_code == 429 and "请 10 分钟后再试" in r.text and r.headers["retry-after"] == "600"


def test_guessing_api_tokens_gets_429_with_retry_after_even_for_a_real_token(home, app):  # noqa: F811
    with Catalog.open(home) as cat:
        real = create_token(cat, "viewer")
    api = make_client(app)
    for i in range(19):
        r = api.get("/api/review", headers={"Authorization": f"Bearer dgn_guess{i}"})
        assert r.status_code == 401
    r = api.get("/api/review", headers={"Authorization": "Bearer dgn_guess19"})
    assert r.status_code == 429 and r.headers["retry-after"] == "300"
    assert r.json()["error"] == "登录失败次数过多，请 5 分钟后再试。" and r.json()["status"] == 429
    r = api.get("/api/review", headers={"Authorization": f"Bearer {real}"})
    assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 300


@pytest.mark.parametrize("home", ["sqlite", "postgresql"], indirect=True)
def test_guessing_many_names_from_one_address_locks_the_address(home):
    with Catalog.open(home) as cat:
        add_user(cat, "wang", "viewer", "password1")
        for i in range(19):
            with pytest.raises(AuthError, match="^wrong user name or password$"):
                sign_in(cat, f"guess{i}", "password1", "10.0.0.66")
        with pytest.raises(
            LoginThrottledError, match="^too many failed sign-ins for address 10.0.0.66; try again in 5 minutes$"
        ) as e:
            sign_in(cat, "guess19", "password1", "10.0.0.66")
        assert e.value.retry_after == 300 and e.value.exit_code == 10
        with pytest.raises(LoginThrottledError):  # the right password, from that address
            sign_in(cat, "wang", "password1", "10.0.0.66")
        assert sign_in(cat, "wang", "password1", "10.0.0.7")[0].name == "wang"  # from elsewhere


# -- 4. secrets on disk -----------------------------------------------------------------------------
def test_dangan_toml_and_the_web_key_are_created_private(tmp_path):
    old = os.umask(0o022)
    try:
        home, _ = init_home(tmp_path / "home")
        key = session_secret(home.root)
    finally:
        os.umask(old)
    assert stat.S_IMODE(home.config_path.stat().st_mode) == 0o600
    assert stat.S_IMODE((home.root / ".web-secret").stat().st_mode) == 0o600 and len(key) == 64
    assert home.exposed_secrets() is None


@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_a_readable_dangan_toml_with_a_password_is_warned_about(home, cli):
    toml = home.config_path
    text = toml.read_text(encoding="utf-8")
    url = home.setting("catalog", "url")
    toml.write_text(text.replace(url, url.replace("://dangan@", "://dangan:s3cret@")), encoding="utf-8")
    assert "s3cret" in toml.read_text(encoding="utf-8")  # trust authentication ignores the password
    toml.chmod(0o644)
    r = cli("verify")
    warning = (f"Warning: {toml} holds the catalog's database password and other users may read it "
               f"(mode 0644); make it private: chmod 600 {toml}\n")  # fmt: skip
    assert r.exit_code == 0 and r.stderr.count(warning) == 1
    assert cli("user", "list").stderr == warning
    toml.chmod(0o600)
    assert cli("verify").stderr == ""


@pytest.mark.parametrize("home", ["sqlite", "postgresql"], indirect=True)
def test_a_schema_9_catalog_gains_sessions_throttle_and_expiry_and_old_tokens_keep_working(home):
    from sqlalchemy import text

    from dangan.archive import migrations
    from dangan.archive.catalog import meta

    with Catalog.open(home) as cat:
        add_user(cat, "wang", "desk", "password1")
        token = create_token(cat, "wang")
    with Catalog.open(home) as cat, cat.engine.begin() as conn:  # back to schema 9
        conn.execute(text("DROP TABLE web_sessions"))
        conn.execute(text("DROP TABLE login_throttle"))
        conn.execute(text("ALTER TABLE users DROP COLUMN disabled_at"))
        conn.execute(text("ALTER TABLE api_tokens DROP COLUMN expires_at"))
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="9"))
    with Catalog.open(home) as cat:
        assert cat.schema_version() == migrations.latest_version()
        assert user_for_token(cat, token).name == "wang"  # made before expiry existed: it never expires
        assert [t.expires_at for t in list_tokens(cat)] == [None]
        assert sign_in(cat, "wang", "password1", "127.0.0.1")[0].name == "wang"
        disable_user(cat, "wang")
        with pytest.raises(AccountDisabledError):
            user_for_token(cat, token)
