"""The brute-force limit on signing in: failures counted per user name and per address.

After ``USER_LIMIT`` failed sign-ins for one name (or ``ADDRESS_LIMIT`` from one address)
within ``WINDOW``, that name (or address) is locked out for ``FIRST_LOCKOUT``; each further
lockout in a row lasts twice as long, up to ``MAX_LOCKOUT``.  While locked, even the right
password is refused.  The counts live in the catalog (table ``login_throttle``) so the limit
holds across web workers, stations and restarts.  A name nobody has is counted like a real
one, so the answers do not tell which names exist.

The functions here work inside the caller's transaction (``conn``); ``dangan.archive.sessions``
gives them short transactions of their own (no writer lock: see there).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from dangan.archive.schema import login_throttle
from dangan.indexer.errors import LoginThrottledError

USER_LIMIT = 5  # failures for one name within WINDOW before it is locked
ADDRESS_LIMIT = 20  # from one address (an office behind one router shares it: more room)
WINDOW = timedelta(minutes=15)
FIRST_LOCKOUT = timedelta(minutes=5)
MAX_LOCKOUT = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=24)  # a quiet day: the lockout count starts again from zero
KEY_MAX = 200  # the column's width; a hostile name is cut, not stored whole


def user_key(name: str) -> str:
    """The throttle key of a user name (a name as typed, real or not)."""
    return f"user:{name}"[:KEY_MAX]


def address_key(address: str) -> str:
    """The throttle key of a client address."""
    return f"addr:{address or 'unknown'}"[:KEY_MAX]


def check(conn: Connection, keys: list[str], at: datetime) -> None:
    """LoginThrottledError while any of ``keys`` is locked out at ``at``."""
    rows = conn.execute(
        select(login_throttle.c.key, login_throttle.c.locked_until).where(
            login_throttle.c.key.in_(keys), login_throttle.c.locked_until > at
        )
    ).all()
    if rows:
        until = max(r.locked_until for r in rows)
        raise _throttled(sorted(r.key for r in rows), until, at)


def record_failure(conn: Connection, keys: list[str], at: datetime) -> LoginThrottledError | None:
    """Count one failed sign-in against every key; the error to raise if that locks one out.

    Returned, not raised: the caller raises it after its transaction has committed the count.
    """
    _forget_old(conn, at)
    locked = []
    for key in keys:
        limit = USER_LIMIT if key.startswith("user:") else ADDRESS_LIMIT
        until = _count(conn, key, limit, at)
        if until is not None:
            locked.append((key, until))
    return _throttled(sorted(k for k, _ in locked), max(u for _, u in locked), at) if locked else None


def clear(conn: Connection, key: str) -> None:
    """Forget the failures of ``key`` (a right password, a password reset, enabling a user)."""
    conn.execute(delete(login_throttle).where(login_throttle.c.key == key))


def _count(conn: Connection, key: str, limit: int, at: datetime) -> datetime | None:
    """Add one failure to ``key``; the end of the lockout it starts, or None."""
    row = conn.execute(select(login_throttle).where(login_throttle.c.key == key)).mappings().first()
    if row is None:
        conn.execute(insert(login_throttle).values(key=key, failures=1, window_start=at, locked_until=None,
                                                   lockouts=0, last_failure=at))  # fmt: skip
        return None if limit > 1 else _lock(conn, key, 0, at)
    failures, start = row["failures"] + 1, row["window_start"]
    if at - start > WINDOW:  # the window moved on: count afresh (the lockout count stays)
        failures, start = 1, at
    if failures >= limit:
        return _lock(conn, key, row["lockouts"], at)
    conn.execute(update(login_throttle).where(login_throttle.c.key == key)
                 .values(failures=failures, window_start=start, last_failure=at))  # fmt: skip
    return None


def _lock(conn: Connection, key: str, lockouts: int, at: datetime) -> datetime:
    """Lock ``key`` out: the (lockouts+1)-th lockout in a row, twice as long as the last."""
    until = at + min(FIRST_LOCKOUT * (2 ** min(lockouts, 16)), MAX_LOCKOUT)
    conn.execute(update(login_throttle).where(login_throttle.c.key == key)
                 .values(failures=0, window_start=at, locked_until=until, lockouts=lockouts + 1, last_failure=at))  # fmt: skip
    return until


def _forget_old(conn: Connection, at: datetime) -> None:
    """Drop keys quiet for a day and not locked: the table stays as small as the attacks."""
    cutoff = at - FORGET_AFTER
    conn.execute(delete(login_throttle).where(and_(
        login_throttle.c.last_failure < cutoff,
        or_(login_throttle.c.locked_until.is_(None), login_throttle.c.locked_until < at),
    )))  # fmt: skip


def _throttled(keys: list[str], until: datetime, at: datetime) -> LoginThrottledError:
    seconds = max(1, int((until - at).total_seconds()))
    who = " and ".join(("user " + k[5:]) if k.startswith("user:") else ("address " + k[5:]) for k in keys)
    minutes = max(1, -(-seconds // 60))
    return LoginThrottledError("too many failed sign-ins for {who}; try again in {minutes} minutes", seconds,
                               who=who, minutes=minutes)  # fmt: skip
