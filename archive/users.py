"""Users of the web app: names, roles, scrypt password hashes, API tokens and permissions.

Passwords are stored only as ``hashlib.scrypt`` hashes with a random salt; an API token is
shown once when made, stored only as its SHA-256 and expires.  Access can be taken away at
once: a password or role change, disabling or removing a user ends every web session of
theirs (``web_sessions``; see ``dangan.archive.sessions``), and a disabled user's tokens stop
working.  Every function here that writes holds the archive's writer lock.  What each role
may do is decided here, in the library, so the web layer only asks ``allowed(role, action)``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update

from dangan.archive import throttle
from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writing
from dangan.archive.openness import sees_whole
from dangan.archive.schema import api_tokens, users, web_sessions
from dangan.indexer.errors import (
    AccountDisabledError,
    AuthError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TokenExpiredError,
    UsageError,
)
from dangan.indexer.fsutil import write_private

# ``reader`` is the outside or public reader (公开查阅): it reads only records an appraisal
# opened (开放, dangan.archive.openness); ``viewer`` reads the whole archive and changes nothing.
ROLES = ("reader", "viewer", "desk", "manager", "archivist", "admin")
ROLE_LABELS = {
    "reader": "公开查阅",
    "viewer": "只读",
    "desk": "客服",
    "manager": "项目经理",
    "archivist": "档案员",
    "admin": "管理员",
}

# What each role may do beyond reading (every role reads).  admin may do everything.
PERMISSIONS = {
    "read": set(ROLES),
    # pages that sum up every record (completeness, deadlines, statistics…): not the public reader's
    "whole": {r for r in ROLES if sees_whole(r)},
    "forms": {"desk", "admin"},  # render forms (and file them with --file-into's rules)
    "waive": {"manager", "admin"},  # check completeness and waive items
    "file": {"archivist", "admin"},  # upload, file from review, refile
    "edit": {"archivist", "admin"},  # edit metadata, discard, restore
    "users": {"admin"},  # manage users and projects
    # see loans (借阅: who has which record, what is overdue); not a public reader (公开查阅)
    "loans": {"viewer", "desk", "manager", "archivist", "admin"},
}
ACTIONS = tuple(PERMISSIONS)

# scrypt cost: 2**14 × 8 × 1 takes ~50 ms and 16 MiB: slow for a guesser, fine for a login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
NAME_RE = re.compile(r"^[\w.@-]{1,64}$")  # \w includes Chinese characters
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    """A signed-in or stored user (never carries the password hash)."""

    name: str
    role: str
    disabled: bool = False

    def can(self, action: str) -> bool:
        """Whether this user's role allows ``action`` (one of ``ACTIONS``)."""
        return allowed(self.role, action)

    def to_json(self) -> dict:
        return {"name": self.name, "role": self.role, "disabled": self.disabled}


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``; an unknown action is never allowed."""
    return role in PERMISSIONS.get(action, set())


def require(user: User, action: str) -> None:
    """PermissionDeniedError unless ``user`` may do ``action``."""
    if not user.can(action):
        who = ", ".join(sorted(PERMISSIONS.get(action, ())))
        raise PermissionDeniedError(
            "user {name} ({role}) may not {action}; roles that may: {roles}",
            name=user.name, role=user.role, action=action, roles=who,
        )  # fmt: skip


# -- passwords -----------------------------------------------------------------------------
def hash_password(password: str) -> str:
    """A salted scrypt hash in one text field: ``scrypt$n$r$p$salt$hash`` (hex)."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
    except (ValueError, TypeError):  # a damaged hash never matches
        return False
    return hmac.compare_digest(got.hex(), digest)


# -- users ---------------------------------------------------------------------------------
def _validate(name: str, role: str, password: str | None) -> None:
    if not NAME_RE.match(name or ""):
        raise AuthError("user name {name!r}: use 1-64 letters, digits, Chinese characters, '.', '@', '_' or '-'",
                        code="bad-name", name=name)  # fmt: skip
    if role not in ROLES:
        raise AuthError("unknown role {role!r}; use one of {roles}", code="bad-role", role=role, roles="|".join(ROLES))
    if password is not None and len(password) < MIN_PASSWORD:
        raise AuthError("the password for {name} is too short: use at least {min} characters",
                        code="short-password", name=name, min=MIN_PASSWORD)  # fmt: skip


def user_lock(cat: Catalog):
    """The archive's writer lock, taken by every function here that writes (as other writers do)."""
    return writing(cat, "user")


def _no_user(name: str) -> NotFoundError:
    return NotFoundError("no user {name}", code="no-user", name=name, fix="`dangan user list` shows them")


def _end_sessions(conn, name: str) -> int:
    """End every web session of ``name`` (inside the caller's transaction); how many."""
    return conn.execute(delete(web_sessions).where(web_sessions.c.user_name == name)).rowcount


def _change(cat: Catalog, name: str, values: dict, action: str, **detail: Any) -> None:
    """Update the user ``name``, end all of its sessions and log ``action``, under the lock."""
    with user_lock(cat), cat.engine.begin() as conn:
        if not conn.execute(update(users).where(users.c.name == name).values(**values)).rowcount:
            raise _no_user(name)
        ended = _end_sessions(conn, name)
        if "password_hash" in values or "disabled_at" in values:  # an admin's reset lifts a lockout
            throttle.clear(conn, throttle.user_key(name))
        cat.log(conn, action, user=name, sessions_ended=ended, **detail)


def ensure_new_name(cat: Catalog, name: str) -> None:
    """ConflictError (exit 7) naming what to do instead if a user ``name`` exists already."""
    if get_user(cat, name) is not None:
        raise ConflictError("user {name} already exists", code="user-exists", name=name,
                            fix=f"to change the password run `dangan user passwd {name}`, "
                            f"the role `dangan user role {name} ROLE`")  # fmt: skip


def require_user(cat: Catalog, name: str) -> User:
    """The user ``name``; NotFoundError (exit 5) if there is none."""
    found = get_user(cat, name)
    if found is None:
        raise _no_user(name)
    return found


def add_user(cat: Catalog, name: str, role: str, password: str) -> User:
    """Store a new user with a hashed password; ConflictError if the name is taken."""
    _validate(name, role, password)
    digest = hash_password(password)  # ~50 ms: not while holding the lock
    with user_lock(cat), cat.engine.begin() as conn:
        if conn.execute(select(users.c.name).where(users.c.name == name)).first():
            ensure_new_name(cat, name)  # raises: the name was taken
        conn.execute(insert(users).values(name=name, role=role, password_hash=digest, created_at=now()))
        cat.log(conn, "user-added", user=name, role=role)
    return User(name, role)


def set_role(cat: Catalog, name: str, role: str) -> User:
    """Change a user's role (admin work), logged; the user's sessions end (sign in again)."""
    _validate(name, role, None)
    if role != "admin":
        _keep_an_admin(cat, name, "take the admin role from")
    _change(cat, name, {"role": role}, "user-role-changed", role=role)
    return User(name, role)


def set_password(cat: Catalog, name: str, password: str) -> None:
    """Give ``name`` a new password; every session of theirs ends and a login lockout lifts."""
    _validate(name, ROLES[0], password)
    _change(cat, name, {"password_hash": hash_password(password)}, "user-password-changed")


def disable_user(cat: Catalog, name: str) -> None:
    """Lock ``name`` out: no sign-in, no API token, every session ends now."""
    _keep_an_admin(cat, name, "disable")
    _change(cat, name, {"disabled_at": now()}, "user-disabled")


def enable_user(cat: Catalog, name: str) -> None:
    """Let a disabled user sign in again (also lifts a lockout after failed sign-ins)."""
    _change(cat, name, {"disabled_at": None}, "user-enabled")


def remove_user(cat: Catalog, name: str) -> None:
    """Remove ``name`` with their sessions and API tokens; events keep naming them."""
    _keep_an_admin(cat, name, "remove")
    with user_lock(cat), cat.engine.begin() as conn:
        if not conn.execute(select(users.c.name).where(users.c.name == name)).first():
            raise _no_user(name)
        ended = _end_sessions(conn, name)
        tokens = conn.execute(delete(api_tokens).where(api_tokens.c.user_name == name)).rowcount
        throttle.clear(conn, throttle.user_key(name))
        conn.execute(delete(users).where(users.c.name == name))
        cat.log(conn, "user-removed", user=name, sessions_ended=ended, tokens_revoked=tokens)


def _keep_an_admin(cat: Catalog, name: str, verb: str) -> None:
    """ConflictError if ``name`` is the last enabled admin: nobody could manage users any more."""
    with cat.engine.connect() as conn:
        admins = [
            r.name
            for r in conn.execute(select(users.c.name).where(users.c.role == "admin", users.c.disabled_at.is_(None)))
        ]
    if admins == [name]:
        raise ConflictError("{name} is the only admin left", code="last-admin", name=name,
                            fix=f"make another admin first (`dangan user role OTHER admin`), then {verb} {name}")  # fmt: skip


def _user(row) -> User:
    return User(row.name, row.role, row.disabled_at is not None)


def list_users(cat: Catalog) -> list[User]:
    """Every user, by name."""
    with cat.engine.connect() as conn:
        return [
            _user(r)
            for r in conn.execute(select(users.c.name, users.c.role, users.c.disabled_at).order_by(users.c.name))
        ]


def get_user(cat: Catalog, name: str) -> User | None:
    """The user of that name (disabled or not), or None."""
    with cat.engine.connect() as conn:
        r = conn.execute(select(users.c.name, users.c.role, users.c.disabled_at).where(users.c.name == name)).first()
    return _user(r) if r else None


def _disabled(name: str) -> AccountDisabledError:
    return AccountDisabledError(
        "user {name} is disabled", name, fix=f"an admin can enable it: dangan user enable {name}"
    )


def authenticate(cat: Catalog, name: str, password: str) -> User:
    """The user whose name and password match; AuthError (one message for both) otherwise.

    A disabled user with the right password gets AccountDisabledError (they know the password,
    so saying so tells nothing away).  The brute-force limit is ``dangan.archive.sessions.sign_in``'s.
    """
    with cat.engine.connect() as conn:
        r = conn.execute(select(users).where(users.c.name == name)).mappings().first()
    # Hash even for an unknown name, so the time taken does not tell which names exist.
    stored = r["password_hash"] if r else hash_password("not a user")
    if not r or not check_password(password, stored):
        raise AuthError("wrong user name or password")  # (a template without fields)
    if r["disabled_at"] is not None:
        raise _disabled(name)
    return User(r["name"], r["role"])


# -- API tokens ----------------------------------------------------------------------------
DEFAULT_TOKEN_DAYS = 90  # a token made without --expires lasts this long
TOKEN_ID_LEN = 12  # a token's ID: the first hex digits of its SHA-256 (tells nothing of the token)
DURATION_RE = re.compile(r"^(\d{1,5})\s*([dhw])$")


@dataclass(frozen=True)
class TokenInfo:
    """An API token as listed: its ID (never the token), owner and times."""

    id: str
    user: str
    created_at: datetime
    expires_at: datetime | None

    def expired(self, at: datetime | None = None) -> bool:
        """Whether the token's time has run out at ``at`` (now by default)."""
        return self.expires_at is not None and self.expires_at <= (at or now())

    def to_json(self) -> dict:
        return {"id": self.id, "user": self.user, "created_at": self.created_at, "expires_at": self.expires_at,
                "expired": self.expired()}  # fmt: skip


def parse_expiry(text: str) -> timedelta | None:
    """``30d``, ``12h``, ``8w`` as a timedelta; ``never`` as None; UsageError otherwise."""
    text = (text or "").strip().lower()
    if text == "never":
        return None
    m = DURATION_RE.match(text)
    if not m or int(m.group(1)) == 0:
        raise UsageError("--expires {text!r}: give days, hours or weeks, e.g. 30d, 12h, 8w, or never", text=text)
    unit = {"d": "days", "h": "hours", "w": "weeks"}[m.group(2)]
    return timedelta(**{unit: int(m.group(1))})


def _token_sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id(token: str) -> str:
    """The ID under which ``token`` is listed and revoked."""
    return _token_sha(token)[:TOKEN_ID_LEN]


def create_token(cat: Catalog, name: str, expires: timedelta | None = timedelta(days=DEFAULT_TOKEN_DAYS)) -> str:
    """A new API token for ``name``, valid for ``expires`` (None: no end); only its SHA-256 is stored."""
    if get_user(cat, name) is None:
        raise NotFoundError("no user {name}", name=name, fix=f"add one first: dangan user add {name} --role viewer")
    token = "dgn_" + secrets.token_urlsafe(32)
    made = now()
    until = made + expires if expires is not None else None
    with user_lock(cat), cat.engine.begin() as conn:
        conn.execute(
            insert(api_tokens).values(token_sha256=_token_sha(token), user_name=name, created_at=made, expires_at=until)
        )
        cat.log(conn, "token-created", user=name, token=token_id(token), expires_at=until)
    return token


def list_tokens(cat: Catalog, name: str | None = None) -> list[TokenInfo]:
    """Every API token (of ``name`` only, if given), oldest first."""
    q = select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.token_sha256)
    if name is not None:
        q = q.where(api_tokens.c.user_name == name)
    with cat.engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [TokenInfo(r["token_sha256"][:TOKEN_ID_LEN], r["user_name"], r["created_at"], r["expires_at"]) for r in rows]


def revoke_token(cat: Catalog, tid: str) -> TokenInfo:
    """Remove the API token with ID ``tid`` (from ``list_tokens``); NotFoundError if none."""
    tid = (tid or "").strip().lower()
    found = [t for t in list_tokens(cat) if t.id == tid] if re.fullmatch(r"[0-9a-f]{%d}" % TOKEN_ID_LEN, tid) else []
    if not found:
        raise NotFoundError(
            "no API token {id}", code="no-token", id=tid, fix="`dangan user token --list` shows their IDs"
        )
    with user_lock(cat), cat.engine.begin() as conn:
        conn.execute(
            delete(api_tokens).where(api_tokens.c.token_sha256.startswith(tid), api_tokens.c.user_name == found[0].user)
        )
        cat.log(conn, "token-revoked", user=found[0].user, token=tid)
    return found[0]


def revoke_tokens(cat: Catalog, name: str) -> int:
    """Remove every API token of ``name``; returns how many."""
    with user_lock(cat), cat.engine.begin() as conn:
        n = conn.execute(delete(api_tokens).where(api_tokens.c.user_name == name)).rowcount
        cat.log(conn, "tokens-revoked", user=name, count=n)
    return n


def user_for_token(cat: Catalog, token: str) -> User:
    """The user an API token belongs to; AuthError for an unknown, expired or disabled one."""
    with cat.engine.connect() as conn:
        r = conn.execute(
            select(users.c.name, users.c.role, users.c.disabled_at, api_tokens.c.expires_at)
            .join(api_tokens, api_tokens.c.user_name == users.c.name)
            .where(api_tokens.c.token_sha256 == _token_sha(token or ""))
        ).first()
    if r is None:
        raise AuthError("unknown API token", fix="make one with `dangan user token NAME`")
    if r.expires_at is not None and r.expires_at <= now():
        tid = token_id(token)
        raise TokenExpiredError("API token {id} of {name} expired on {at}", tid, r.expires_at, id=tid, name=r.name,
                                at=f"{r.expires_at:%Y-%m-%d %H:%M}",
                                fix=f"make a new one: dangan user token {r.name} --expires 30d")  # fmt: skip
    if r.disabled_at is not None:
        raise _disabled(r.name)
    return User(r.name, r.role)


# -- the web app's signing key ---------------------------------------------------------------
def session_secret(home_root: Path) -> str:
    """The key that signs session cookies: made once per home, private (mode 0600) from the start."""
    path = Path(home_root) / ".web-secret"
    try:
        value = path.read_text(encoding="ascii").strip()
        if len(value) >= 32:
            return value
    except FileNotFoundError:
        pass
    value = secrets.token_hex(32)
    write_private(path, value)
    return value
