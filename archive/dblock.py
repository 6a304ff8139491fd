"""Locks between stations that share one catalog: the writer lock and the index lock.

With the embedded SQLite catalog everything runs on one machine, so the home's ``flock``
file (``archive.lock``) is the writer lock and every writer holds it exclusively.

With a PostgreSQL catalog several stations on several machines write at once, and ``flock``
does not reach across machines (nor work reliably on network shares).  The database holds
the locks instead: PostgreSQL advisory locks, scoped to the catalog's database and released
by the server when the holding connection ends — so a station killed with SIGKILL (or whose
machine dies, once the server notices the dropped connection) never leaves a stale lock.

- The **writer lock** is taken *shared* by ingest batches (stations file in parallel: the
  unique SHA-256 and vault-path constraints and one transaction per document decide who
  files what) and *exclusive* by the start-up repair, reindex, verify and hand filing,
  which must see no other station half-way through a file.
- The **index lock** is held by the one station that writes the search index at a time;
  a station that cannot get it queues its documents (``dangan.archive.searchsync``).

:func:`writing` (``Catalog.writing``) is the one entry every writer uses, and :func:`writes`
puts it around a library function: the CLI and the web app take no lock of their own, so a
web edit waits for another station's ``verify --repair`` exactly as ``dangan edit`` does.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import zlib
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from dangan.archive import lock
from dangan.archive.catalog import Catalog, display_url
from dangan.indexer.errors import BusyError

# Advisory lock keys: fixed numbers derived from names, so every station agrees on them.
WRITER_KEY = zlib.crc32(b"dangan:writer")
INDEX_KEY = zlib.crc32(b"dangan:index")

log = logging.getLogger("dangan.lock")
_held = threading.local()  # home root -> how deep this thread is inside writing()
F = TypeVar("F", bound=Callable)


@contextmanager
def writing(
    cat: Catalog, holder: str | None = None, *, shared: bool = False, forever: bool = False,
    should_stop: Callable[[], bool] | None = None, on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:  # fmt: skip
    """Hold the archive's writer lock for the block: the one entry every writer goes through.

    Waits up to ``[lock] wait_seconds`` of dangan.toml (``forever``: as long as it takes),
    saying whom it waits for through ``on_wait``, else ``cat.on_lock_wait`` (the CLI prints it),
    else the log; then BusyError.  Re-entrant within a thread: a library function that writes may
    call another (filing a form files a document); the outermost hold decides, so a shared
    hold (ingest) is not upgraded by what runs inside it.
    """
    key = str(cat.home.root)
    depths = _held.__dict__.setdefault("depths", {})
    if depths.get(key):
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return
    wait = None if forever else float(cat.home.setting("lock", "wait_seconds", lock.DEFAULT_WAIT))
    on_wait = on_wait or getattr(cat, "on_lock_wait", None) or _log_wait
    with writer_lock(
        cat, shared=shared, wait=wait, holder=holder or cat.command, on_wait=on_wait, should_stop=should_stop
    ):
        depths[key] = 1
        try:
            yield
        finally:
            depths[key] = 0


def writes(holder: str, *, shared: bool = False) -> Callable[[F], F]:
    """Run a library function ``fn(cat, …)`` under :func:`writing` as ``holder``."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def locked(cat, *args, **kw):
            with writing(cat, holder, shared=shared):
                return fn(cat, *args, **kw)

        return locked  # type: ignore[return-value]

    return wrap


def _log_wait(who: str) -> None:
    log.warning("waiting for %s…", who)


def shared_catalog(cat: Catalog) -> bool:
    """Whether the catalog is a server several stations may share (PostgreSQL)."""
    return cat.engine.dialect.name == "postgresql"


@contextmanager
def writer_lock(
    cat: Catalog,
    *,
    shared: bool = False,
    wait: float | None = lock.DEFAULT_WAIT,
    holder: str = "dangan",
    on_wait: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[None]:
    """Hold the archive's writer lock for the block; BusyError after ``wait`` seconds.

    ``shared`` lets other shared holders (filing on other stations) run alongside; on SQLite
    every holder is exclusive, as before.  Filing holds the lock per file and only for its
    writing steps (reading and OCR run outside it), so an exclusive request waits for one
    file's commit per station, not for a batch; ``wait=None`` waits until the lock is free.
    """
    if not shared_catalog(cat):
        with lock.writer_lock(cat.home.root, wait=wait, holder=holder, on_wait=on_wait, should_stop=should_stop):
            yield
        return
    if wait is None:  # "until free" (a watcher): the server's queue is fair, give it hours
        wait = 24 * 3600.0
    fn = "pg_advisory_lock_shared" if shared else "pg_advisory_lock"
    with cat.engine.connect() as conn:
        # The session names its command, so a waiting station can say whom it waits for.
        conn.execute(text("SELECT set_config('application_name', :n, false)"), {"n": _station(holder)})
        got = conn.execute(text(f"SELECT {fn.replace('pg_', 'pg_try_', 1)}(:k)"), {"k": WRITER_KEY}).scalar()
        conn.commit()
        if not got:
            who = _pg_holder(conn)
            if on_wait:
                on_wait(who)
            what = who if who.startswith("the ") else "ingest, watch, reindex or verify"
            _acquire(
                conn,
                fn,
                WRITER_KEY,
                wait,
                f"{display_url(cat.home.catalog_url)}: another dangan station is writing ({what})",
            )
        try:
            yield
        finally:
            conn.execute(text(f"SELECT {fn.replace('_lock', '_unlock')}(:k)"), {"k": WRITER_KEY})
            conn.execute(text("SELECT set_config('application_name', '', false)"))
            conn.commit()


@contextmanager
def index_lock(cat: Catalog, *, wait: float = 0.0) -> Iterator[bool]:
    """Try to become the index writer for the block; yields False at once if another holds it.

    With ``wait`` it waits up to that long instead (BusyError after), for work that must
    write the index (a rebuild).  On SQLite the writer lock is exclusive already, so the
    holder of it owns the index.
    """
    if not shared_catalog(cat):
        yield True
        return
    with cat.engine.connect() as conn:
        if wait > 0:
            who = f"{display_url(cat.home.catalog_url)}: another dangan station is writing the search index"
            _acquire(conn, "pg_advisory_lock", INDEX_KEY, wait, who)
            got = True
        else:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": INDEX_KEY}).scalar())
            conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": INDEX_KEY})
                conn.commit()


def _station(holder: str) -> str:
    return f"dangan {holder} in process {os.getpid()} on {socket.gethostname()}"[:63]


def _pg_holder(conn) -> str:
    """Whom the writer lock is held by, from the holding session's application name."""
    name = conn.execute(
        text("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
             "WHERE l.locktype = 'advisory' AND l.objid::bigint = :k AND l.granted AND l.pid <> pg_backend_pid() LIMIT 1"),
        {"k": WRITER_KEY},
    ).scalar()  # fmt: skip
    if name and name.startswith("dangan "):
        return "the " + name.removeprefix("dangan ")
    return "another dangan station"


def _acquire(conn, fn: str, key: int, wait: float, who: str) -> None:
    """Wait in the server's lock queue (fair: a waiting exclusive request is not starved)."""
    conn.execute(text("SELECT set_config('lock_timeout', :t, false)"), {"t": f"{max(1, int(wait * 1000))}ms"})
    conn.commit()
    try:
        conn.execute(text(f"SELECT {fn}(:k)"), {"k": key})
    except OperationalError as e:
        conn.rollback()
        raise BusyError(f"{who} and held the lock for {wait:g}s; wait for it to finish or stop it") from e
    finally:
        # The connection goes back to the pool afterwards: leave no session setting behind.
        conn.execute(text("SELECT set_config('lock_timeout', '0', false)"))
        conn.commit()
