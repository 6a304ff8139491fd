"""The index's writer lock: an OS file lock (``flock``) on ``index_dir/LOCK``.

The same lock Whoosh's ``FcntlLock`` takes on the same file (so processes of older and newer
dangan exclude each other), without importing Whoosh: a search on the tantivy engine loads
no Whoosh module at all.  The kernel drops a lock when its holder dies, even by SIGKILL.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from typing import Callable


class FileLock:
    """An exclusive, non-blocking ``flock`` on one file (created if missing)."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free; False when another process holds it."""
        fd = os.open(self.filename, os.O_CREAT | os.O_WRONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        """Give the lock back (only after ``acquire`` returned True)."""
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def try_for(acquire: Callable[[], bool], timeout: float, delay: float) -> bool:
    """Call ``acquire`` every ``delay`` seconds until it returns True or ``timeout`` passes."""
    until = time.monotonic() + timeout
    got = acquire()
    while not got and time.monotonic() < until:
        time.sleep(delay)
        got = acquire()
    return got
