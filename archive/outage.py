"""Riding out a catalog server that went away: wait, retry with backoff, say so once.

A watcher on a shared PostgreSQL catalog must not die when the server restarts or the
network drops: filing stops, the files stay in the inbox, and the watcher tries the server
again after 1 s, 2 s, 4 s … (at most ``MAX_BACKOFF``) until it answers, saying once that it
waits and once that it goes on.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from dangan.archive.catalog import Catalog, display_url
from dangan.archive.dblock import shared_catalog

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0


def server_gone(cat: Catalog, error: BaseException) -> bool:
    """Whether ``error`` means the catalog server cannot be reached (not a bad query, not SQLite)."""
    if not shared_catalog(cat) or not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    # psycopg reports a refused or broken connection as OperationalError (SQLSTATE 08xxx or none)
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    return type(error.orig).__name__ in ("OperationalError", "InterfaceError") and (
        state is None or state.startswith(("08", "57P"))
    )


def wait_for_server(cat: Catalog, error: BaseException, *, stop: threading.Event,
                    note: Callable[[str], None]) -> bool:  # fmt: skip
    """Wait until the catalog server answers again (True) or ``stop`` is set (False)."""
    url = display_url(cat.home.catalog_url)
    reason = " ".join(str(getattr(error, "orig", None) or error).split())[:200]
    note(f"the catalog server {url} cannot be reached ({reason}); filing waits and tries again "
         f"(after {FIRST_BACKOFF:g} s, then longer, at most every {MAX_BACKOFF:g} s)")  # fmt: skip
    started, delay = time.monotonic(), FIRST_BACKOFF
    while not stop.wait(delay):
        if _answers(cat):
            note(f"the catalog server {url} is back after {time.monotonic() - started:.0f} s; filing goes on")
            return True
        delay = min(delay * 2, MAX_BACKOFF)
    return False


def _answers(cat: Catalog) -> bool:
    try:
        with cat.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
