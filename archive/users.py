"""Users of the web app: names, roles, scrypt password hashes, API tokens and permissions.

Passwords are stored only as ``hashlib.scrypt`` hashes with a random salt; an API token is
shown once when made and stored only as its SHA-256.  What each role may do is decided here,
in the library, so the web layer only asks ``allowed(role, action)``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from dangan.archive.catalog import Catalog, now
from dangan.archive.schema import api_tokens, users
from dangan.indexer.errors import AuthError, ConflictError, NotFoundError, PermissionDeniedError
from dangan.indexer.fsutil import atomic_write

ROLES = ("viewer", "desk", "manager", "archivist", "admin")
ROLE_LABELS = {"viewer": "只读", "desk": "客服", "manager": "项目经理", "archivist": "档案员", "admin": "管理员"}

# What each role may do beyond reading (every role reads).  admin may do everything.
PERMISSIONS = {
    "read": set(ROLES),
    "forms": {"desk", "admin"},  # render forms (and file them with --file-into's rules)
    "waive": {"manager", "admin"},  # check completeness and waive items
    "file": {"archivist", "admin"},  # upload, file from review, refile
    "edit": {"archivist", "admin"},  # edit metadata, discard, restore
    "users": {"admin"},  # manage users and projects
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

    def can(self, action: str) -> bool:
        """Whether this user's role allows ``action`` (one of ``ACTIONS``)."""
        return allowed(self.role, action)

    def to_json(self) -> dict:
        return {"name": self.name, "role": self.role}


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``; an unknown action is never allowed."""
    return role in PERMISSIONS.get(action, set())


def require(user: User, action: str) -> None:
    """PermissionDeniedError unless ``user`` may do ``action``."""
    if not user.can(action):
        who = ", ".join(sorted(PERMISSIONS.get(action, ())))
        raise PermissionDeniedError(f"user {user.name} ({user.role}) may not {action}; roles that may: {who}")


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
        raise AuthError(f"user name {name!r}: use 1-64 letters, digits, Chinese characters, '.', '@', '_' or '-'")
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}; use one of {'|'.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AuthError(f"the password for {name} is too short: use at least {MIN_PASSWORD} characters")


def add_user(cat: Catalog, name: str, role: str, password: str) -> User:
    """Store a new user with a hashed password; ConflictError if the name is taken."""
    _validate(name, role, password)
    with cat.engine.begin() as conn:
        if conn.execute(select(users.c.name).where(users.c.name == name)).first():
            raise ConflictError(f"user {name} already exists; pick another name")
        conn.execute(insert(users).values(name=name, role=role, password_hash=hash_password(password), created_at=now()))
        cat.log(conn, "user-added", user=name, role=role)
    return User(name, role)


def set_role(cat: Catalog, name: str, role: str) -> User:
    """Change a user's role (admin work), logged."""
    _validate(name, role, None)
    with cat.engine.begin() as conn:
        if not conn.execute(update(users).where(users.c.name == name).values(role=role)).rowcount:
            raise NotFoundError(f"no user {name}; `dangan user list` shows them")
        cat.log(conn, "user-role-changed", user=name, role=role)
    return User(name, role)


def list_users(cat: Catalog) -> list[User]:
    """Every user, by name."""
    with cat.engine.connect() as conn:
        return [User(r.name, r.role) for r in conn.execute(select(users.c.name, users.c.role).order_by(users.c.name))]


def get_user(cat: Catalog, name: str) -> User | None:
    """The user of that name, or None."""
    with cat.engine.connect() as conn:
        r = conn.execute(select(users.c.name, users.c.role).where(users.c.name == name)).first()
    return User(r.name, r.role) if r else None


def authenticate(cat: Catalog, name: str, password: str) -> User:
    """The user whose name and password match; AuthError (one message for both) otherwise."""
    with cat.engine.connect() as conn:
        r = conn.execute(select(users).where(users.c.name == name)).mappings().first()
    # Hash even for an unknown name, so the time taken does not tell which names exist.
    stored = r["password_hash"] if r else hash_password("not a user")
    if not r or not check_password(password, stored):
        raise AuthError("wrong user name or password")
    return User(r["name"], r["role"])


# -- API tokens ----------------------------------------------------------------------------
def _token_sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(cat: Catalog, name: str) -> str:
    """A new API token for ``name``; only its SHA-256 is stored, so show it once."""
    if get_user(cat, name) is None:
        raise NotFoundError(f"no user {name}; add one first: dangan user add {name} --role viewer")
    token = "dgn_" + secrets.token_urlsafe(32)
    with cat.engine.begin() as conn:
        conn.execute(insert(api_tokens).values(token_sha256=_token_sha(token), user_name=name, created_at=now()))
        cat.log(conn, "token-created", user=name)
    return token


def revoke_tokens(cat: Catalog, name: str) -> int:
    """Remove every API token of ``name``; returns how many."""
    with cat.engine.begin() as conn:
        n = conn.execute(delete(api_tokens).where(api_tokens.c.user_name == name)).rowcount
        cat.log(conn, "tokens-revoked", user=name, count=n)
    return n


def user_for_token(cat: Catalog, token: str) -> User:
    """The user an API token belongs to; AuthError for an unknown token."""
    with cat.engine.connect() as conn:
        r = conn.execute(
            select(users.c.name, users.c.role)
            .join(api_tokens, api_tokens.c.user_name == users.c.name)
            .where(api_tokens.c.token_sha256 == _token_sha(token or ""))
        ).first()
    if r is None:
        raise AuthError("unknown API token; make one with `dangan user token NAME`")
    return User(r.name, r.role)


# -- the web app's signing key ---------------------------------------------------------------
def session_secret(home_root: Path) -> str:
    """The key that signs session cookies: made once per home, kept private (mode 0600)."""
    path = Path(home_root) / ".web-secret"
    try:
        value = path.read_text(encoding="ascii").strip()
        if len(value) >= 32:
            return value
    except FileNotFoundError:
        pass
    value = secrets.token_hex(32)
    atomic_write(path, value.encode("ascii"))
    os.chmod(path, 0o600)
    return value
