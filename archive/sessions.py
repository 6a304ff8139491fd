"""Web sessions kept in the catalog, and signing in under the brute-force limit.

A browser that signs in gets a random session id inside its signed cookie; the catalog keeps
only the id's SHA-256 (table ``web_sessions``) with the user and an end time.  Every request
looks the id up, so a session ends on the server the moment its row goes: at logout, or when
``dangan.archive.users`` changes the user's password or role, disables or removes them.  A copy of an
old cookie is then worth nothing.

Sessions and sign-in counts are written in their own short transactions, without the
archive's writer lock: signing in must not wait for a long ``verify --repair`` or an OCR batch
on another station, and these rows touch nothing a filing writer reads.  Two failures counted
at the same instant may race (one counted, not two); the limit is then one attempt looser.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, insert, select

from dangan.archive import throttle
from dangan.archive.catalog import Catalog, now
from dangan.archive.schema import users, web_sessions
from dangan.archive.users import User, authenticate, user_for_token
from dangan.indexer.errors import AccountDisabledError, AuthError, TokenExpiredError

SESSION_HOURS = 12  # a session (and its cookie) lasts a working day at most


def _sha(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def sign_in(cat: Catalog, name: str, password: str, address: str) -> tuple[User, str]:
    """Check the password under the brute-force limit; the user and a new session id.

    LoginThrottledError (with ``retry_after`` seconds) while the name or the address is locked
    out, even for the right password; AuthError for a wrong one (which counts towards the
    limit); AccountDisabledError for a disabled user's right password.
    """
    keys = [throttle.user_key(name), throttle.address_key(address)]
    with cat.engine.connect() as conn:
        throttle.check(conn, keys, now())
    try:
        user = authenticate(cat, name, password)  # scrypt, ~50 ms: outside the writer lock
    except AccountDisabledError:
        raise
    except AuthError:
        with cat.engine.begin() as conn:  # no writer lock: see the module docstring
            locked = throttle.record_failure(conn, keys, now())
        if locked is not None:  # this failure was the last straw
            raise locked from None
        raise
    session_id = secrets.token_urlsafe(32)
    at = now()
    with cat.engine.begin() as conn:  # no writer lock: see the module docstring
        throttle.check(conn, keys, at)  # a lockout that began while the password was checked
        throttle.clear(conn, throttle.user_key(name))
        conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= at))
        conn.execute(insert(web_sessions).values(session_sha256=_sha(session_id), user_name=user.name, created_at=at,
                                                 expires_at=at + timedelta(hours=SESSION_HOURS)))  # fmt: skip
    return user, session_id


def token_sign_in(cat: Catalog, token: str, address: str) -> User:
    """The user of an API token, with guessing throttled per address like passwords.

    An unknown token counts as a failed sign-in from ``address``; while the address is locked
    out every token from it is refused with LoginThrottledError (HTTP 429 with Retry-After).
    """
    keys = [throttle.address_key(address)]
    with cat.engine.connect() as conn:
        throttle.check(conn, keys, now())
    try:
        return user_for_token(cat, token)
    except (TokenExpiredError, AccountDisabledError):
        raise  # a real token: no guess
    except AuthError:
        with cat.engine.begin() as conn:  # no writer lock: see the module docstring
            locked = throttle.record_failure(conn, keys, now())
        if locked is not None:
            raise locked from None
        raise


def user_for_session(cat: Catalog, session_id: str | None) -> User | None:
    """The user of a live session, or None (ended, expired, unknown, or the user disabled)."""
    if not session_id or not isinstance(session_id, str):
        return None
    with cat.engine.connect() as conn:
        r = conn.execute(
            select(users.c.name, users.c.role)
            .join(web_sessions, web_sessions.c.user_name == users.c.name)
            .where(
                web_sessions.c.session_sha256 == _sha(session_id),
                web_sessions.c.expires_at > now(),
                users.c.disabled_at.is_(None),
            )  # fmt: skip
        ).first()
    return User(r.name, r.role) if r else None


def end_session(cat: Catalog, session_id: str | None) -> None:
    """End one session (logout): a copy of its cookie is refused from now on."""
    if not session_id or not isinstance(session_id, str):
        return
    with cat.engine.begin() as conn:  # no writer lock: see the module docstring
        conn.execute(delete(web_sessions).where(web_sessions.c.session_sha256 == _sha(session_id)))
