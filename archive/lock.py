"""One writer at a time: an advisory lock file in the home.

``fcntl.flock`` locks die with their process, so a lock left by a killed ingester is never
stale: the next writer simply gets it.  A live holder makes others wait a bounded time.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from indexer.errors import BusyError


@contextmanager
def writer_lock(home_root: Path, *, wait: float = 30.0) -> Iterator[None]:
    """Hold the home's writer lock for the block; BusyError after ``wait`` seconds."""
    path = home_root / ".writer.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BusyError(
                        f"{home_root}: another dangan process is writing (ingest, watch or reindex); "
                        "wait for it to finish or stop it"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock
